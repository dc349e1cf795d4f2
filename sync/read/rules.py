"""Rules across rows and across tabs, applied to rows whose cells were read.

A rule that fails with an Error takes the row out; a Warning leaves it in. Names that
refer to another tab (a rep, a customer, a plan, a stage) match without case or
surrounding spaces and are rewritten in the spelling of the tab they refer to; a name
whose only row was left out is reported as left out, with the row that explains why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sync.compute.names import name_key as text_name_key
from sync.contract.tables import Issue
from sync.i18n import _, current_locale
from sync.read.cells import cell_text, format_number
from sync.read.rows import TabRows
from sync.schema import TabSpec, tab_spec

Record = dict[str, Any]


def name_key(name: Any) -> Any:
    """How names compare (`sync.compute.names.name_key`'s rule); numbers as they are."""
    if type(name) is str and name.isascii():  # NFKC leaves ASCII as it is: skip it
        trimmed = name.strip()
        return trimmed.casefold() if trimmed else None
    return text_name_key(name) if isinstance(name, str) else name


_SEPARATOR = "\x00"  # a character no name read from a cell keeps (XML cannot hold it)
_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "  # what `str.strip` takes off ASCII text


def name_keys(names: list[Any]) -> list[Any]:
    """`name_key` of each name: ASCII text casefolded in one pass over all of it.

    Names read from a tab are already trimmed and mostly ASCII, so their keys are their
    casefolded text: the names are joined, casefolded once and split again. Any other list
    (a name with spaces around it, non-ASCII text, a number) is keyed name by name.
    """
    kinds = set(map(type, names))
    if names and kinds <= {str, type(None)}:
        texts = [name or "" for name in names] if type(None) in kinds else names
        joined = _SEPARATOR.join(texts)
        if (joined.isascii() and joined.count(_SEPARATOR) == len(names) - 1
                and not _spaces_around_a_name(joined)):
            return [key or None for key in joined.casefold().split(_SEPARATOR)]
    return [name_key(name) for name in names]


def _spaces_around_a_name(joined: str) -> bool:
    """Whether a name of these ASCII names, joined by the separator, starts or ends with space."""
    if any(edge and edge in _ASCII_SPACE for edge in (joined[:1], joined[-1:])):
        return True
    return any(_SEPARATOR + space in joined or space + _SEPARATOR in joined
               for space in _ASCII_SPACE)


def a_or_an(word: str) -> str:
    """The article for a header or name in a message: `a Rep`, `an Owner`."""
    return "an" if word[:1].casefold() in ("a", "e", "i", "o", "u") else "a"


def column_label(tab: str, header: str) -> str:
    """A column's header as the workbook's locale writes it (`Owner`, zh-CN `负责人`)."""
    return tab_spec(tab).column(header).label(current_locale())


def _raw_text(rows: TabRows, sheet_row: int, field: str) -> str:
    return cell_text(rows.raw.get(sheet_row, {}).get(field))


def check_unique(spec: TabSpec, rows: TabRows) -> None:
    """Later rows repeating a `unique` column's value are Errors that name the first row.

    Every row counts, including rows already left out for another Error: fixing that
    Error must not reveal a duplicate that was there all along.
    """
    dropped: set[int] = set()
    left_out = {record["row"] for record in rows.left_out}
    for column in spec.columns:
        if not column.unique:
            continue
        every_row = sorted([*zip(rows.rows, rows.values(column.field), strict=True),
                            *((record["row"], record.get(column.field))
                              for record in rows.left_out)], key=lambda pair: pair[0])
        first_rows: dict[Any, int] = {}
        keys = name_keys([value for _, value in every_row])
        for (sheet_row, value), key in zip(every_row, keys, strict=True):
            if value is None or sheet_row in dropped:
                continue
            if key not in first_rows:
                first_rows[key] = sheet_row
                continue
            shown = value if isinstance(value, str) else format_number(value)
            rows.issues.append(Issue(
                tab=spec.tab, row=sheet_row, column=column.header,
                value=_raw_text(rows, sheet_row, column.field), severity="Error",
                problem=(
                    _('{column} "{shown}" is already used on row {first}: '
                      "each {column} must be unique, so change or delete one of the rows"
                      ).format(column=column.label(current_locale()), shown=shown,
                               first=first_rows[key])
                ),
            ))
            dropped.add(sheet_row)
    rows.leave_out(dropped - left_out)


def check_stages(rows: TabRows, tab_present: bool) -> bool:
    """True when the Stages rows can be used; else an issue says the defaults are used."""
    if not rows:
        if tab_present:
            rows.issues.append(Issue(
                tab="Stages", row=None, severity="Warning",
                problem=_("Stages has no usable rows, so the default stages are used (Lead, "
                          "Qualified, Proposal, Negotiation, Won, Lost): add your own stages to "
                          "change them"),
            ))
        return False
    types = set(rows.values("type"))
    lacking = [kind for kind in ("Won", "Lost") if kind not in types]
    if lacking:
        rows.issues.append(Issue(
            tab="Stages", row=None, column="Type", severity="Error",
            problem=(
                _("Stages has no {types} stage, so the default stages are used: keep at least "
                  "one stage of Type Won and one of Type Lost").format(
                    types=_(" and no ").join(_(kind) for kind in lacking))
            ),
        ))
        return False
    return True


def check_pipeline(rows: TabRows, stages: list[Record]) -> None:
    """Stage must be a stage of Stages; Won and Lost deals need Closed, not before Created."""
    by_name = {name_key(stage["stage"]): stage for stage in stages}
    stage_names = ", ".join(stage["stage"] for stage in stages)
    dropped: set[int] = set()

    def error(sheet_row: int, header: str, field: str, problem: str) -> None:
        rows.issues.append(Issue(
            tab="Pipeline", row=sheet_row, column=header,
            value=_raw_text(rows, sheet_row, field), severity="Error", problem=problem,
        ))
        dropped.add(sheet_row)

    stage_names_read = rows.values("stage")
    found: dict[Any, Record | None] = {}  # thousands of deals share a few stages
    for position, (sheet_row, typed_stage, closed, created) in enumerate(zip(
            rows.rows, stage_names_read, rows.values("closed"), rows.values("created"),
            strict=True)):
        stage = found.get(typed_stage) if typed_stage in found else found.setdefault(
            typed_stage, by_name.get(name_key(typed_stage)))
        if stage is None:
            error(sheet_row, "Stage", "stage",
                  _('"{stage}" is not a stage of the Stages tab: use one of '
                    "{names}, or add it to Stages").format(stage=typed_stage,
                                                           names=stage_names))
            continue
        stage_names_read[position] = stage["stage"]
        if stage["type"] in ("Won", "Lost") and closed is None:
            error(sheet_row, "Closed", "closed",
                  _("Closed is required for a Won deal: type the day it was won")
                  if stage["type"] == "Won" else
                  _("Closed is required for a Lost deal: type the day it was lost"))
        elif closed is not None and created is not None and closed < created:
            error(sheet_row, "Closed", "closed",
                  _("Closed ({closed}) is before Created ({created}): correct one of the two "
                    "dates").format(closed=closed.isoformat(), created=created.isoformat()))
    rows.leave_out(dropped)


class Directory:
    """The names one tab lists (reps, customers, plans), to check and respell references.

    `tab` and `left_out` (name -> sheet row) know the names whose rows an Error took out,
    so a reference to one says why it is missing rather than that it does not exist.
    """

    def __init__(self, names: list[Any], tab: str = "",
                 left_out: Sequence[tuple[Any, int]] = ()) -> None:
        texts = [name for name in names if isinstance(name, str)]
        # The first spelling of each name: later ones are written first, then overwritten.
        self.spelling: dict[Any, str] = dict(zip(name_keys(texts)[::-1], texts[::-1], strict=True))
        self.tab = tab
        self.left_out: dict[Any, int] = {}
        for name, row in left_out:
            if isinstance(name, str) and name_key(name) not in self.spelling:
                self.left_out.setdefault(name_key(name), row)

    @classmethod
    def of(cls, rows: TabRows, field: str, tab: str) -> Directory:
        """The names in `field` of a tab's rows, and of its rows left out."""
        return cls(rows.values(field), tab,
                   [(record.get(field), record["row"]) for record in rows.left_out])

    def __bool__(self) -> bool:
        return bool(self.spelling)

    def find(self, name: str) -> str | None:
        """The listed spelling of this name, or None when it is not listed."""
        return self.spelling.get(name_key(name))

    def find_each(self, names: list[Any]) -> list[str | None]:
        """`find` of each of these names, their keys made together (`name_keys`)."""
        return [self.spelling.get(key) for key in name_keys(names)]

    def look_up_each(self, names: list[Any]) -> list[tuple[str | None, str | None]]:
        """`look_up` of each of these names, their keys made together (`name_keys`)."""
        return [self._looked_up(name, key)
                for name, key in zip(names, name_keys(names), strict=True)]

    def look_up(self, name: Any) -> tuple[str | None, str | None]:
        """`find` and `why_left_out` of a name, its key made once."""
        return self._looked_up(name, name_key(name))

    def _looked_up(self, name: Any, key: Any) -> tuple[str | None, str | None]:
        spelled = self.spelling.get(key)
        if spelled is not None:
            return spelled, None  # a listed name was never left out
        row = self.left_out.get(key)
        return None, None if row is None else self._left_out_problem(name, row)

    def left_out_row(self, name: Any) -> int | None:
        """The sheet row of this name when its only row was left out for an Error."""
        return self.left_out.get(name_key(name))

    def why_left_out(self, name: Any) -> str | None:
        """The problem of a reference to a left-out row, or None when it was not left out."""
        row = self.left_out_row(name)
        return None if row is None else self._left_out_problem(name, row)

    def _left_out_problem(self, name: Any, row: int) -> str:
        return _('"{name}" is left out because of the Error on {tab} row {row}: fix that row '
                 "and this one counts again").format(name=name, tab=self.tab, row=row)


def check_references(
    tab: str, rows: TabRows, field: str, header: str, directory: Directory,
    problem: Callable[[str], str], listed_in: str,
) -> None:
    """Warn about names in `field` that `directory` does not list; respell the ones it does."""
    names = rows.values(field)
    # A name repeats on many rows (a rep on thousands of orders): each distinct name is
    # looked up once, and only the rows whose name needs something are visited.
    distinct = [name for name in set(names) if name is not None]
    found = {(type(name), name): looked_up
             for name, looked_up in zip(distinct, directory.look_up_each(distinct), strict=True)}
    visit = {key for key, (spelled, left_out) in found.items()
             if left_out is not None or spelled is None or spelled != key[1]
             or type(spelled) is not key[0]}
    unknown: list[int] = []
    if len(visit) == len(found) and all(found[key] == (None, None) for key in visit):
        # Not one name is listed (often: the other tab is empty): every named row is unknown.
        if not directory:  # one issue counts them: no row need be visited
            _none_listed(tab, header, len(names) - names.count(None), listed_in, rows)
            return
        unknown = [position for position, name in enumerate(names) if name is not None]
    elif visit:
        for position, name in enumerate(names):
            if name is None or (type(name), name) not in visit:
                continue
            spelled, left_out = found[(type(name), name)]
            if left_out is not None:
                rows.issues.append(Issue(
                    tab=tab, row=rows.rows[position], column=header,
                    value=_raw_text(rows, rows.rows[position], field), severity="Warning",
                    problem=left_out,
                ))
            elif spelled is None:
                unknown.append(position)
            else:
                names[position] = spelled
    if not unknown:
        return
    if not directory:  # one issue rather than one per row when the other tab is empty
        _none_listed(tab, header, len(unknown), listed_in, rows)
        return
    for position in unknown:
        rows.issues.append(Issue(
            tab=tab, row=rows.rows[position], column=header,
            value=_raw_text(rows, rows.rows[position], field), severity="Warning",
            problem=problem(names[position]),
        ))


def _none_listed(tab: str, header: str, count: int, listed_in: str, rows: TabRows) -> None:
    """The one Warning for `count` rows naming what the empty `listed_in` tab cannot list."""
    if count:
        rows.issues.append(Issue(
            tab=tab, row=None, column=header, severity="Warning",
            problem=_unlisted(count, a_or_an(header)).format(
                count=count, column=column_label(tab, header), tab=listed_in),
        ))


def _unlisted(count: int, article: str) -> str:
    """The sentence for rows naming what an empty tab cannot list (`a Rep`, `an Owner`)."""
    if count == 1:
        return (_("{count} row names an {column} but the {tab} tab lists none: add them to {tab}")
                if article == "an" else
                _("{count} row names a {column} but the {tab} tab lists none: add them to {tab}"))
    return (_("{count} rows name an {column} but the {tab} tab lists none: add them to {tab}")
            if article == "an" else
            _("{count} rows name a {column} but the {tab} tab lists none: add them to {tab}"))


def not_a_rep(name: str) -> str:
    """The problem of a rep name that the Team tab does not list."""
    return _('"{name}" is not a rep in the Team tab: add them to Team or correct the name'
             ).format(name=name)


def not_a_customer(name: str) -> str:
    """The problem of a customer the Customers tab does not list."""
    return _('"{name}" is not in the Customers tab (it is still counted): add it to Customers '
             "or correct the name").format(name=name)


def not_a_plan(name: str) -> str:
    """The problem of a commission plan the Commission Plans tab does not list."""
    return _('"{name}" is not a plan in the Commission Plans tab: add its tiers there or '
             "correct the name").format(name=name)


def check_goal_owners(rows: TabRows, reps: Directory, teams: Directory) -> None:
    """A goal's owner must be a rep, a team name or `Company`; respelled as listed."""
    company = Directory(["Company"])
    # `公司` is Company too: the keyword's zh-CN label, declared beside it.
    labels = {name_key(label): word
              for word, label in tab_spec("Goals").column("Owner").keywords.items()}
    owners = rows.values("owner")
    for position, (sheet_row, owner) in enumerate(zip(rows.rows, owners, strict=True)):
        if owner is None:
            problem = _("Owner is blank: type a rep, a team name or Company")
        else:
            spelled = (company.find(owner) or labels.get(name_key(owner)) or reps.find(owner)
                       or teams.find(owner))
            if spelled is not None:
                owners[position] = spelled
                continue
            problem = reps.why_left_out(owner) or (
                _('"{owner}" is not a rep or a team of the Team tab, nor Company: '
                  "correct the name or add the rep to Team").format(owner=owner))
        rows.issues.append(Issue(
            tab="Goals", row=sheet_row, column="Owner",
            value=_raw_text(rows, sheet_row, "owner"), severity="Warning", problem=problem,
        ))


def check_goal_periods(rows: TabRows) -> None:
    """A goal whose Period End is before its Period Start is a Warning (SMART notes it too)."""
    for sheet_row, start, end in zip(rows.rows, rows.values("period_start"),
                                     rows.values("period_end"), strict=True):
        if start is None or end is None or end >= start:
            continue
        rows.issues.append(Issue(
            tab="Goals", row=sheet_row, column="Period End",
            value=_raw_text(rows, sheet_row, "period_end"), severity="Warning",
            problem=_("Period End ({end}) is before Period Start ({start}), so the goal has "
                      "no progress or pace: correct one of the two dates").format(
                end=end.isoformat(), start=start.isoformat()),
        ))


def check_refund_deals(orders: TabRows, deals: Directory) -> None:
    """A refund whose Deal ID matches no deal and no sale cannot take a commission back: say so.

    It still lowers the revenue of the rep it is credited to (SPEC section 4), so the owner
    must be told which refunds are not linked to the sale they undo.
    """
    deal_ids = np.array(orders.values("deal_id"), dtype=object)
    amounts = np.array(orders.values("amount"), dtype="float64")  # blank: NaN
    linked = pd.notna(deal_ids)
    sold = {name_key(deal_id) for deal_id in set(deal_ids[linked & (amounts > 0)].tolist())}
    for position in np.flatnonzero(linked & (amounts < 0)).tolist():
        deal_id, sheet_row = deal_ids[position], orders.rows[position]
        if deals.find(deal_id) is not None or name_key(deal_id) in sold:
            continue
        left_out = deals.why_left_out(deal_id)
        problem = (
            _("This refund's Deal ID {left_out}").format(left_out=left_out) if left_out else
            _('This refund\'s Deal ID "{deal_id}" matches no deal in Pipeline and no sale in '
              "Orders, so it takes no commission back (it still lowers revenue): correct the "
              "Deal ID or add the deal to Pipeline").format(deal_id=deal_id)
        )
        orders.issues.append(Issue(
            tab="Orders", row=sheet_row, column="Deal ID",
            value=_raw_text(orders, sheet_row, "deal_id"), severity="Warning", problem=problem,
        ))

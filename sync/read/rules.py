"""Rules across rows and across tabs, applied to rows whose cells were read.

A rule that fails with an Error takes the row out; a Warning leaves it in. Names that
refer to another tab (a rep, a customer, a plan, a stage) match without case or
surrounding spaces and are rewritten in the spelling of the tab they refer to; a name
whose only row was left out is reported as left out, with the row that explains why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sync.compute.names import name_key as text_name_key
from sync.contract.tables import Issue
from sync.i18n import _, current_locale
from sync.read.cells import cell_text, format_number
from sync.read.rows import TabRows
from sync.schema import TabSpec, tab_spec

Record = dict[str, Any]


def name_key(name: Any) -> Any:
    """How names compare (`sync.compute.names.name_key`'s rule); numbers as they are."""
    return text_name_key(name) if isinstance(name, str) else name


def a_or_an(word: str) -> str:
    """The article for a header or name in a message: `a Rep`, `an Owner`."""
    return "an" if word[:1].casefold() in ("a", "e", "i", "o", "u") else "a"


def column_label(tab: str, header: str) -> str:
    """A column's header as the workbook's locale writes it (`Owner`, zh-CN `负责人`)."""
    return tab_spec(tab).column(header).label(current_locale())


def _raw_text(rows: TabRows, record: Record, field: str) -> str:
    return cell_text(rows.raw.get(record["row"], {}).get(field))


def check_unique(spec: TabSpec, rows: TabRows) -> None:
    """Later rows repeating a `unique` column's value are Errors that name the first row.

    Every row counts, including rows already left out for another Error: fixing that
    Error must not reveal a duplicate that was there all along.
    """
    dropped: set[int] = set()
    every_row = sorted([*rows.records, *rows.left_out], key=lambda record: record["row"])
    left_out = {record["row"] for record in rows.left_out}
    for column in spec.columns:
        if not column.unique:
            continue
        first_rows: dict[Any, int] = {}
        for record in every_row:
            value = record.get(column.field)
            if value is None or record["row"] in dropped:
                continue
            key = name_key(value)
            if key not in first_rows:
                first_rows[key] = record["row"]
                continue
            shown = value if isinstance(value, str) else format_number(value)
            rows.issues.append(Issue(
                tab=spec.tab, row=record["row"], column=column.header,
                value=_raw_text(rows, record, column.field), severity="Error",
                problem=(
                    _('{column} "{shown}" is already used on row {first}: '
                      "each {column} must be unique, so change or delete one of the rows"
                      ).format(column=column.label(current_locale()), shown=shown,
                               first=first_rows[key])
                ),
            ))
            dropped.add(record["row"])
    rows.leave_out(dropped - left_out)


def check_stages(rows: TabRows, tab_present: bool) -> bool:
    """True when the Stages rows can be used; else an issue says the defaults are used."""
    if not rows.records:
        if tab_present:
            rows.issues.append(Issue(
                tab="Stages", row=None, severity="Warning",
                problem=_("Stages has no usable rows, so the default stages are used (Lead, "
                          "Qualified, Proposal, Negotiation, Won, Lost): add your own stages to "
                          "change them"),
            ))
        return False
    types = {record.get("type") for record in rows.records}
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

    def error(record: Record, header: str, field: str, problem: str) -> None:
        rows.issues.append(Issue(
            tab="Pipeline", row=record["row"], column=header,
            value=_raw_text(rows, record, field), severity="Error", problem=problem,
        ))
        dropped.add(record["row"])

    for record in rows.records:
        stage = by_name.get(name_key(record["stage"]))
        if stage is None:
            error(record, "Stage", "stage",
                  _('"{stage}" is not a stage of the Stages tab: use one of '
                    "{names}, or add it to Stages").format(stage=record["stage"],
                                                           names=stage_names))
            continue
        record["stage"] = stage["stage"]
        closed, created = record.get("closed"), record.get("created")
        if stage["type"] in ("Won", "Lost") and closed is None:
            error(record, "Closed", "closed",
                  _("Closed is required for a Won deal: type the day it was won")
                  if stage["type"] == "Won" else
                  _("Closed is required for a Lost deal: type the day it was lost"))
        elif closed is not None and created is not None and closed < created:
            error(record, "Closed", "closed",
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
        self.spelling: dict[Any, str] = {}
        for name in names:
            if isinstance(name, str):
                self.spelling.setdefault(name_key(name), name)
        self.tab = tab
        self.left_out: dict[Any, int] = {}
        for name, row in left_out:
            if isinstance(name, str) and name_key(name) not in self.spelling:
                self.left_out.setdefault(name_key(name), row)

    @classmethod
    def of(cls, rows: TabRows, field: str, tab: str) -> Directory:
        """The names in `field` of a tab's rows, and of its rows left out."""
        return cls([record.get(field) for record in rows.records], tab,
                   [(record.get(field), record["row"]) for record in rows.left_out])

    def __bool__(self) -> bool:
        return bool(self.spelling)

    def find(self, name: str) -> str | None:
        """The listed spelling of this name, or None when it is not listed."""
        return self.spelling.get(name_key(name))

    def left_out_row(self, name: Any) -> int | None:
        """The sheet row of this name when its only row was left out for an Error."""
        return self.left_out.get(name_key(name))

    def why_left_out(self, name: Any) -> str | None:
        """The problem of a reference to a left-out row, or None when it was not left out."""
        row = self.left_out_row(name)
        if row is None:
            return None
        return _('"{name}" is left out because of the Error on {tab} row {row}: fix that row '
                 "and this one counts again").format(name=name, tab=self.tab, row=row)


def check_references(
    tab: str, rows: TabRows, field: str, header: str, directory: Directory,
    problem: Callable[[str], str], listed_in: str,
) -> None:
    """Warn about names in `field` that `directory` does not list; respell the ones it does."""
    unknown: list[Record] = []
    # a name repeats on many rows (a rep on thousands of orders): look each one up once
    looked_up: dict[tuple[type, Any], tuple[str | None, str | None]] = {}
    for record in rows.records:
        name = record.get(field)
        if name is None:
            continue
        key = (type(name), name)
        found = looked_up.get(key)
        if found is None:
            found = looked_up[key] = (directory.find(name), directory.why_left_out(name))
        spelled, left_out = found
        if left_out is not None:
            rows.issues.append(Issue(
                tab=tab, row=record["row"], column=header,
                value=_raw_text(rows, record, field), severity="Warning", problem=left_out,
            ))
        elif spelled is None:
            unknown.append(record)
        else:
            record[field] = spelled
    if not unknown:
        return
    if not directory:  # one issue rather than one per row when the other tab is empty
        rows.issues.append(Issue(
            tab=tab, row=None, column=header, severity="Warning",
            problem=_unlisted(len(unknown), a_or_an(header)).format(
                count=len(unknown), column=column_label(tab, header), tab=listed_in),
        ))
        return
    for record in unknown:
        rows.issues.append(Issue(
            tab=tab, row=record["row"], column=header,
            value=_raw_text(rows, record, field), severity="Warning",
            problem=problem(record[field]),
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
    for record in rows.records:
        owner = record.get("owner")
        if owner is None:
            problem = _("Owner is blank: type a rep, a team name or Company")
        else:
            spelled = (company.find(owner) or labels.get(name_key(owner)) or reps.find(owner)
                       or teams.find(owner))
            if spelled is not None:
                record["owner"] = spelled
                continue
            problem = reps.why_left_out(owner) or (
                _('"{owner}" is not a rep or a team of the Team tab, nor Company: '
                  "correct the name or add the rep to Team").format(owner=owner))
        rows.issues.append(Issue(
            tab="Goals", row=record["row"], column="Owner",
            value=_raw_text(rows, record, "owner"), severity="Warning", problem=problem,
        ))


def check_goal_periods(rows: TabRows) -> None:
    """A goal whose Period End is before its Period Start is a Warning (SMART notes it too)."""
    for record in rows.records:
        start, end = record.get("period_start"), record.get("period_end")
        if start is None or end is None or end >= start:
            continue
        rows.issues.append(Issue(
            tab="Goals", row=record["row"], column="Period End",
            value=_raw_text(rows, record, "period_end"), severity="Warning",
            problem=_("Period End ({end}) is before Period Start ({start}), so the goal has "
                      "no progress or pace: correct one of the two dates").format(
                end=end.isoformat(), start=start.isoformat()),
        ))


def check_refund_deals(orders: TabRows, deals: Directory) -> None:
    """A refund whose Deal ID matches no deal and no sale cannot take a commission back: say so.

    It still lowers the revenue of the rep it is credited to (SPEC section 4), so the owner
    must be told which refunds are not linked to the sale they undo.
    """
    sold = {name_key(record["deal_id"]) for record in orders.records
            if record.get("deal_id") is not None and (record.get("amount") or 0) > 0}
    for record in orders.records:
        deal_id, amount = record.get("deal_id"), record.get("amount")
        if deal_id is None or amount is None or amount >= 0:
            continue
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
            tab="Orders", row=record["row"], column="Deal ID",
            value=_raw_text(orders, record, "deal_id"), severity="Warning", problem=problem,
        ))

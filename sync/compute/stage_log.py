"""The Stage Log: stage changes seen by each sync, and the days deals spent in each stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from sync.compute.names import clean_text, per_distinct
from sync.schema import tab_fields, tab_headers


def log_records(log: pd.DataFrame) -> pd.DataFrame:
    """The log with field-named columns (`deal_id`, ...), whichever naming it came with.

    The engine may hand in the Stage Log as read (field names, `Tables.stage_log`) or as
    written (the tab's headers); both mean the same rows in the same order.
    """
    headers, fields = tab_headers("Stage Log"), tab_fields("Stage Log")
    renamed = log.rename(columns=dict(zip(headers, fields, strict=True)))
    blank = pd.Series(dtype=object)
    records = pd.DataFrame({name: renamed.get(name, blank) for name in fields})
    records["changed_at"] = pd.to_datetime(records["changed_at"])
    return records.reset_index(drop=True)


def _as_headers(log: pd.DataFrame) -> pd.DataFrame:
    headers, fields = tab_headers("Stage Log"), tab_fields("Stage Log")
    renamed = log.rename(columns=dict(zip(fields, headers, strict=True)))
    return pd.DataFrame({name: renamed.get(name, pd.Series(dtype=object)) for name in headers})


def last_logged_stages(log: pd.DataFrame) -> dict[str, str]:
    """Each deal's latest `To Stage` in the log (the log is append-only: the last row wins)."""
    records = log_records(log)
    latest: dict[str, str] = {}
    for deal, stage in zip(
        per_distinct(records["deal_id"], clean_text), per_distinct(records["to_stage"], clean_text),
        strict=True,
    ):
        if deal is not None and stage is not None:
            latest[deal] = stage
    return latest


def stage_changes(
    pipeline: pd.DataFrame, previous_log: pd.DataFrame, changed_at: datetime
) -> pd.DataFrame:
    """New Stage Log rows: one per deal whose stage differs from its last logged stage.

    A deal the log has never seen gets a row with a blank From Stage.
    """
    latest = last_logged_stages(previous_log)
    rows = []
    for deal, current in zip(
        per_distinct(pipeline["deal_id"], clean_text), per_distinct(pipeline["stage"], clean_text),
        strict=True,
    ):
        if deal is None or current is None or latest.get(deal) == current:
            continue
        rows.append([deal, latest.get(deal), current, pd.Timestamp(changed_at)])
        latest[deal] = current  # a repeated Deal ID must not log the same change twice
    new_rows = pd.DataFrame(rows, columns=tab_headers("Stage Log")).astype(
        {"Deal ID": object, "From Stage": object, "To Stage": object}
    )
    new_rows["Changed At"] = pd.to_datetime(new_rows["Changed At"])
    return new_rows


def full_log(previous_log: pd.DataFrame, new_rows: pd.DataFrame) -> pd.DataFrame:
    """The whole Stage Log: the previous rows untouched, then the new rows."""
    previous, added = _as_headers(previous_log), _as_headers(new_rows)
    if not len(added):
        return previous.reset_index(drop=True)
    if not len(previous):
        return added.reset_index(drop=True)
    return pd.concat([previous, added], ignore_index=True)


@dataclass(frozen=True)
class Stint:
    """One stay of a deal in an Open stage: whole days, and whether it is still going on."""

    deal_id: str
    stage: str
    days: int
    current: bool


def _day(value: object) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _logged_entries(log: pd.DataFrame) -> dict[str, list[tuple[str, bool, date | None]]]:
    """Each deal's log rows in order: (To Stage, first sight, day of Changed At)."""
    records = log_records(log)
    rows_by_deal: dict[str, list[tuple[str, bool, date | None]]] = {}
    for deal, from_stage, stage, changed_day in zip(
        per_distinct(records["deal_id"], clean_text),
        per_distinct(records["from_stage"], clean_text),
        per_distinct(records["to_stage"], clean_text),
        per_distinct(records["changed_at"], _day),
        strict=True,
    ):
        if deal is not None and stage is not None:
            rows_by_deal.setdefault(deal, []).append((stage, from_stage is None, changed_day))
    return rows_by_deal


def _stays(
    entries: list[tuple[str, bool, date | None]], created: date | None
) -> list[tuple[str, date | None]]:
    """A deal's stays, oldest first: (stage, start day).

    The log cannot know when a deal entered the stage it was first seen in, so that stay
    starts on the Created day.
    """
    stays: list[tuple[str, date | None]] = []
    for index, (stage, first_sight, changed_day) in enumerate(entries):
        start = changed_day
        if index == 0 and first_sight and created is not None:
            start = min(created, changed_day) if changed_day else created
        stays.append((stage, start))
    return stays


def _began_by(start: date | None, as_of: date) -> bool:
    # A stay whose start the log does not know is kept: it may still end one that is known.
    return start is None or start <= as_of


def stages_on_as_of(
    pipeline: pd.DataFrame, log: pd.DataFrame, open_stages: set[str], as_of: date
) -> dict[str, str]:
    """Each logged deal's last Open stage among the stays that had begun by As Of."""
    rows_by_deal = _logged_entries(log)
    found: dict[str, str] = {}
    for deal_id, created in zip(pipeline["deal_id"], pipeline["created"], strict=True):
        deal = clean_text(deal_id)
        if deal is None:
            continue
        stays = _stays(rows_by_deal.get(deal, []), _day(created))
        opened = [s for s, start in stays if s in open_stages and _began_by(start, as_of)]
        if opened:
            found[deal] = opened[-1]
    return found


def stage_stints(
    pipeline: pd.DataFrame, log: pd.DataFrame, open_stages: set[str], as_of: date
) -> list[Stint]:
    """Every stay of a Pipeline deal in an Open stage up to As Of, in whole calendar days.

    A stay starts at the `Changed At` of the log row that moved the deal in and ends at the
    next row of that deal; a stay still going on ends at As Of, a finished stay that ended
    after As Of is cut at As Of, and a stay that began after As Of is not counted (every
    figure is as of As Of, however late the sync that logged the change).
    The log cannot know when a deal entered the stage it was first seen in, so that stay
    counts from the deal's Created date. A deal the log has not seen yet is in its stage
    since Created. Days never go below 0.
    """
    return [stint for stints in stints_by_row(pipeline, log, open_stages, as_of)
            for stint in stints]


def stints_by_row(
    pipeline: pd.DataFrame, log: pd.DataFrame, open_stages: set[str], as_of: date
) -> list[list[Stint]]:
    """`stage_stints` of each Pipeline row, in row order (a row's stints depend on it alone)."""
    rows_by_deal = _logged_entries(log)
    by_row: list[list[Stint]] = []
    for deal, current_stage, created in zip(
        per_distinct(pipeline["deal_id"], clean_text),
        per_distinct(pipeline["stage"], clean_text),
        per_distinct(pipeline["created"], _day),
        strict=True,
    ):
        stints: list[Stint] = []
        by_row.append(stints)
        if deal is None or current_stage is None:
            continue
        entries = rows_by_deal.get(deal) or [(current_stage, True, as_of)]
        stays = _stays(entries, created)
        begun = [index for index, (_, start) in enumerate(stays) if _began_by(start, as_of)]
        for index in begun:
            logged_stage, start = stays[index]
            if logged_stage not in open_stages:
                continue
            # the stay the deal was in on As Of, when it is the stage the Pipeline shows
            current = index == begun[-1] and logged_stage == current_stage
            if current:
                end: date | None = as_of
            elif index == len(stays) - 1:
                continue  # the log lags behind the Pipeline: the stay's end is unknown
            else:
                end = stays[index + 1][1]
            if start is None or end is None:
                continue
            days = max(0, (min(end, as_of) - start).days)
            stints.append(Stint(deal, logged_stage, days, current=current))
    return by_row


class SharedStints:
    """The stints of every Pipeline row, worked out once per sync on first use and shared
    by the tabs that need them (Funnel and Deal Health), each taking the rows it shows."""

    def __init__(self, pipeline: pd.DataFrame, log: pd.DataFrame, as_of: date):
        self._pipeline, self._log, self._as_of = pipeline, log, as_of
        self._by_row: dict[frozenset[str], list[list[Stint]]] = {}

    def of_rows(self, rows: pd.DataFrame, open_stages: set[str], as_of: date) -> list[Stint]:
        """`stage_stints(rows, log, open_stages, as_of)` for rows taken from this Pipeline
        (the same index labels; deal and stage cleaned or not)."""
        pipeline = self._pipeline
        positions = pipeline.index.get_indexer(rows.index) if pipeline.index.is_unique else None
        if positions is None or (positions < 0).any() or as_of != self._as_of:
            return stage_stints(rows, self._log, open_stages, as_of)  # not this Pipeline's
        key = frozenset(open_stages)
        if key not in self._by_row:
            self._by_row[key] = stints_by_row(pipeline, self._log, open_stages, as_of)
        by_row = self._by_row[key]
        return [stint for position in positions.tolist() for stint in by_row[position]]

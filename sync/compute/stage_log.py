"""The Stage Log: stage changes seen by each sync, and the days deals spent in each stage.

Everything here works a column at a time: Deal IDs and stages are cleaned once per
distinct value (`cleaned_codes`), the log's rows are grouped by deal with one stable sort
(`log_entries`), and the stays of every Pipeline row are laid out as arrays by repeating
each row once per log row of its deal (`_stays`), so the cost grows with the log and the
Pipeline, never with a Python call per deal or per stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
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


def cleaned(values: pd.Series) -> pd.Series:
    """`clean_text` of every value (same index, None when blank), once per distinct value."""
    return pd.Series(per_distinct(values, clean_text), index=values.index, dtype=object)


def day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of every date or date-time (the calendar day; NaN when blank)."""
    days = pd.Series(pd.to_datetime(values)).dt.normalize().to_numpy("datetime64[D]")
    numbers = days.view("int64").astype("float64")
    numbers[np.isnat(days)] = np.nan
    return numbers


@dataclass(frozen=True)
class LogEntries:
    """The log rows that name a deal and a To Stage, cleaned, grouped by deal (each deal's
    rows in log order, the deals in order of first appearance): arrays of equal length."""

    deals: pd.Index  # every deal logged
    first: np.ndarray  # where each deal's rows start in the arrays below
    count: np.ndarray  # how many rows each deal has
    stage: np.ndarray  # To Stage (object)
    first_sight: np.ndarray  # a blank From Stage: the first row a sync wrote for the deal
    day: np.ndarray  # day number of Changed At (NaN when blank)


def log_entries(log: pd.DataFrame) -> LogEntries:
    """The Stage Log's rows as `LogEntries`: cleaned once, grouped by one stable sort."""
    deals, deal_names = cleaned_codes(_log_column(log, "deal_id"))
    stages, stage_names = cleaned_codes(_log_column(log, "to_stage"))
    named = np.flatnonzero((deals >= 0) & (stages >= 0))
    # renumbered so that every deal kept has rows (a deal named only beside a blank stage
    # has none)
    codes, kept = pd.factorize(deals[named])
    order = np.argsort(codes, kind="stable")
    count = np.bincount(codes, minlength=len(kept))
    rows = named[order]
    return LogEntries(
        deals=pd.Index(deal_names[kept], dtype=object),
        first=np.cumsum(count) - count,
        count=count,
        stage=stage_names[stages[rows]],
        first_sight=cleaned_codes(_log_column(log, "from_stage"))[0][rows] < 0,
        day=day_numbers(_log_column(log, "changed_at"))[rows],
    )


def _log_column(log: pd.DataFrame, field: str) -> pd.Series:
    """One column of the log by field name, whichever naming it came with (blank if none)."""
    header = dict(zip(tab_fields("Stage Log"), tab_headers("Stage Log"), strict=True))[field]
    for name in (field, header):
        if name in log.columns:
            return log[name]
    return pd.Series([None] * len(log), index=log.index, dtype=object)


def cleaned_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's `clean_text` as a code into the names returned (-1 when blank), each
    distinct value cleaned once; names in order of first appearance."""
    codes, distinct = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    texts = pd.Series([clean_text(value) for value in distinct], dtype=object)
    text_codes, names = pd.factorize(texts.to_numpy(dtype=object), use_na_sentinel=True)
    return np.append(text_codes, -1)[codes], np.asarray(names, dtype=object)


def _last_logged(log: pd.DataFrame) -> pd.Series:
    """Each deal's latest `To Stage` in the log, indexed by Deal ID (the last row wins)."""
    deals, deal_names = cleaned_codes(_log_column(log, "deal_id"))
    stages, stage_names = cleaned_codes(_log_column(log, "to_stage"))
    named = np.flatnonzero((deals >= 0) & (stages >= 0))
    latest = np.full(len(deal_names), -1)
    np.maximum.at(latest, deals[named], named)  # each deal's last row
    found = np.flatnonzero(latest >= 0)
    return pd.Series(stage_names[stages[latest[found]]],
                     index=pd.Index(deal_names[found], dtype=object), dtype=object)


def last_logged_stages(log: pd.DataFrame) -> dict[str, str]:
    """Each deal's latest `To Stage` in the log (the log is append-only: the last row wins)."""
    return _last_logged(log).to_dict()


def stage_changes(
    pipeline: pd.DataFrame, previous_log: pd.DataFrame, changed_at: datetime
) -> pd.DataFrame:
    """New Stage Log rows: one per deal whose stage differs from its last logged stage.

    A deal the log has never seen gets a row with a blank From Stage. A Deal ID repeated in
    the Pipeline compares each row with the row before it, so one change is logged once.
    """
    deals, deal_names = cleaned_codes(pipeline["deal_id"])
    stages, stage_names = cleaned_codes(pipeline["stage"])
    rows = np.flatnonzero((deals >= 0) & (stages >= 0))
    deals, current = deals[rows], stage_names[stages[rows]]
    logged = _last_logged(previous_log)
    at = logged.index.get_indexer(deal_names)
    known = np.append(logged.to_numpy(dtype=object), np.array([None], dtype=object))[at][deals]
    # a Deal ID repeated in the Pipeline: a row is compared with the row before it
    order = np.argsort(deals, kind="stable")
    repeated = np.flatnonzero(deals[order][1:] == deals[order][:-1])
    known[order[repeated + 1]] = current[order[repeated]]
    changed = np.flatnonzero(known != current)
    known_stages, deal_ids, current = known[changed], deal_names[deals[changed]], current[changed]
    new_rows = pd.DataFrame({
        "Deal ID": pd.Series(deal_ids, dtype=object),
        "From Stage": pd.Series(known_stages, dtype=object),
        "To Stage": pd.Series(current, dtype=object),
        "Changed At": [pd.Timestamp(changed_at)] * len(changed),
    }, columns=tab_headers("Stage Log")).astype(
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


@dataclass(frozen=True)
class _Stays:
    """Every stay of some Pipeline rows, row after row (each row's in log order): arrays of
    equal length, one item per stay."""

    position: np.ndarray  # the Pipeline row (0-based position)
    stage: np.ndarray
    index: np.ndarray  # 0, 1, ... within the row
    last: np.ndarray  # the row's last stay
    start: np.ndarray  # day number the stay began (NaN: unknown)
    next_day: np.ndarray  # day number the next stay began (NaN after the last)
    segments: np.ndarray  # where each row's stays start (one per row that has any)


def _stays(
    positions: np.ndarray, deal_ids: np.ndarray, created: np.ndarray, entries: LogEntries,
    stages: np.ndarray | None = None, as_of: float = np.nan,
) -> _Stays:
    """The stays of the deal rows at `positions` (their cleaned `deal_ids`, Created day
    numbers and, when `stages` is given, their Pipeline stages).

    A row's stays are its deal's log rows. A row whose deal the log has not seen has, when
    `stages` is given, one stay in its Pipeline stage seen first on As Of, else none.
    The log cannot know when a deal entered the stage it was first seen in, so that stay
    starts on the Created day (or on the day it was seen, when that is earlier).
    """
    codes = entries.deals.get_indexer(deal_ids)
    if stages is None:
        seen = codes >= 0
        positions, created, codes = positions[seen], created[seen], codes[seen]
    # index -1 (a deal the log has not seen) picks the padding: one stay, at no log row
    sizes = np.append(entries.count, 1)[codes]
    segments = np.cumsum(sizes) - sizes
    total = int(sizes.sum())
    row = np.repeat(np.arange(len(positions)), sizes)
    index = np.arange(total) - segments[row]
    logged = np.flatnonzero(codes[row] >= 0)
    unseen = np.flatnonzero(codes[row] < 0)
    entry = np.append(entries.first, 0)[codes][row][logged] + index[logged]
    stage = np.empty(total, dtype=object)
    stage[logged] = entries.stage[entry]
    first_sight = np.ones(total, dtype=bool)
    first_sight[logged] = entries.first_sight[entry]
    day = np.full(total, as_of)
    day[logged] = entries.day[entry]
    if stages is not None:
        stage[unseen] = stages[row[unseen]]
    last = index == sizes[row] - 1
    next_day = np.full(total, np.nan)
    next_day[~last] = day[np.flatnonzero(~last) + 1]
    created_of = created[row]
    earlier = np.isnan(day) | (created_of <= day)
    from_created = (index == 0) & first_sight & ~np.isnan(created_of)
    start = np.where(from_created, np.where(earlier, created_of, day), day)
    return _Stays(positions[row], stage, index, last, start, next_day, segments)


def _began_by(stays: _Stays, as_of: float) -> np.ndarray:
    # A stay whose start the log does not know is kept: it may still end one that is known.
    return np.isnan(stays.start) | (stays.start <= as_of)


def _day_number(day: date) -> float:
    return float((np.datetime64(day, "D") - np.datetime64("1970-01-01", "D")).astype("int64"))


def stages_on_as_of(
    pipeline: pd.DataFrame, log: pd.DataFrame, open_stages: set[str], as_of: date
) -> dict[str, str]:
    """Each logged deal's last Open stage among the stays that had begun by As Of."""
    deal_ids = cleaned(pipeline["deal_id"]).to_numpy(dtype=object)
    named = np.flatnonzero(pd.notna(deal_ids))
    stays = _stays(named, deal_ids[named], day_numbers(pipeline["created"])[named],
                   log_entries(log))
    opened = pd.Series(stays.stage).isin(open_stages).to_numpy() & _began_by(
        stays, _day_number(as_of))
    found = pd.DataFrame({"deal_id": deal_ids[stays.position[opened]],
                          "stage": stays.stage[opened]}).drop_duplicates("deal_id", keep="last")
    return dict(zip(found["deal_id"], found["stage"], strict=True))


STINT_DTYPES = {"position": "int64", "deal_id": object, "stage": object, "days": "int64",
                "current": bool}


def stint_table(
    pipeline: pd.DataFrame,
    log: pd.DataFrame,
    open_stages: set[str],
    as_of: date,
    entries: LogEntries | None = None,
) -> pd.DataFrame:
    """Every stay of a Pipeline deal in an Open stage up to As Of, in whole calendar days.

    One row per stay (the columns of `STINT_DTYPES`), by Pipeline row (`position`, 0-based)
    then in log order; `deal_id` and `stage` cleaned, `current` for the stay the deal is in
    on As Of. A stay starts at the `Changed At` of the log row that moved the deal in and
    ends at the next row of that deal; a stay still going on ends at As Of, a finished stay
    that ended after As Of is cut at As Of, and a stay that began after As Of is not
    counted (every figure is as of As Of, however late the sync that logged the change).
    The log cannot know when a deal entered the stage it was first seen in, so that stay
    counts from the deal's Created date. A deal the log has not seen yet is in its stage
    since Created. Days never go below 0. `entries` hands in `log_entries(log)` when known.
    """
    when = _day_number(as_of)
    deal_ids = cleaned(pipeline["deal_id"]).to_numpy(dtype=object)
    current_stages = cleaned(pipeline["stage"]).to_numpy(dtype=object)
    rows = np.flatnonzero(pd.notna(deal_ids) & pd.notna(current_stages))
    if not len(rows):
        return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in STINT_DTYPES.items()})
    entries = log_entries(log) if entries is None else entries
    stays = _stays(rows, deal_ids[rows], day_numbers(pipeline["created"])[rows], entries,
                   stages=current_stages[rows], as_of=when)
    begun = _began_by(stays, when)
    sizes = np.diff(np.append(stays.segments, len(stays.index)))
    last_begun = np.repeat(
        np.maximum.reduceat(np.where(begun, stays.index, -1), stays.segments), sizes)
    # the stay the deal was in on As Of, when it is the stage the Pipeline shows
    current = (begun & (stays.index == last_begun)
               & (stays.stage == current_stages[stays.position]).astype(bool))
    # a finished stay ends where the next one starts; after the last row the log lags
    # behind the Pipeline and the stay's end is unknown
    end = np.where(current, when, stays.next_day)
    kept = (begun & pd.Series(stays.stage).isin(open_stages).to_numpy()
            & (current | ~stays.last) & ~np.isnan(stays.start) & ~np.isnan(end))
    days = np.maximum(np.minimum(end[kept], when) - stays.start[kept], 0)
    position = stays.position[kept]
    return pd.DataFrame({
        "position": position.astype("int64"),
        "deal_id": pd.Series(deal_ids[position], dtype=object),
        "stage": pd.Series(stays.stage[kept], dtype=object),
        "days": days.astype("int64"),
        "current": current[kept].astype(bool),
    })


def as_stints(table: pd.DataFrame) -> list[Stint]:
    """The rows of a `stint_table` as `Stint`s, in its order."""
    return [
        Stint(deal, stage, int(days), bool(current))
        for deal, stage, days, current in zip(
            table["deal_id"], table["stage"], table["days"], table["current"], strict=True)
    ]


def stage_stints(
    pipeline: pd.DataFrame, log: pd.DataFrame, open_stages: set[str], as_of: date
) -> list[Stint]:
    """`stint_table` as a list of `Stint`s, in Pipeline row order."""
    return as_stints(stint_table(pipeline, log, open_stages, as_of))


class SharedStints:
    """The stints of every Pipeline row, worked out once per sync on first use and shared
    by the tabs that need them (Funnel and Deal Health), each taking the rows it shows."""

    def __init__(self, pipeline: pd.DataFrame, log: pd.DataFrame, as_of: date):
        self._pipeline, self._log, self._as_of = pipeline, log, as_of
        self._entries: LogEntries | None = None
        self._tables: dict[frozenset[str], pd.DataFrame] = {}

    @property
    def entries(self) -> LogEntries:
        """`log_entries` of the log, cleaned once for every tab that asks."""
        if self._entries is None:
            self._entries = log_entries(self._log)
        return self._entries

    def of_rows(self, rows: pd.DataFrame, open_stages: set[str], as_of: date) -> pd.DataFrame:
        """`stint_table(rows, log, open_stages, as_of)` for rows taken from this Pipeline
        (the same index labels; deal and stage cleaned or not)."""
        pipeline = self._pipeline
        positions = pipeline.index.get_indexer(rows.index) if pipeline.index.is_unique else None
        if positions is None or (positions < 0).any() or as_of != self._as_of:
            return stint_table(rows, self._log, open_stages, as_of)  # not this Pipeline's
        key = frozenset(open_stages)
        if key not in self._tables:
            self._tables[key] = stint_table(pipeline, self._log, open_stages, as_of,
                                            self.entries)
        table = self._tables[key]
        if len(positions) == len(pipeline) and (np.diff(positions) == 1).all():
            return table  # the whole Pipeline, in order
        # each row's stints in the order of `rows`, numbered by their position in `rows`
        wanted = pd.DataFrame({"position": positions, "row": np.arange(len(positions))})
        picked = wanted.merge(table.assign(_order=np.arange(len(table))), on="position")
        picked = picked.sort_values(["row", "_order"]).assign(position=lambda f: f["row"])
        return picked[list(STINT_DTYPES)].astype(STINT_DTYPES).reset_index(drop=True)

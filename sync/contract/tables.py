"""The validated tables handed from the reader to the compute modules.

Every input tab becomes a pandas DataFrame whose columns are the declared `field` names
(`sheet_templates/`), plus `row`: the sheet row number the record came from. Types:
text and id columns hold `str` or missing (check with `pd.isna`); date columns hold
`datetime64[ns]` (NaT when blank); number, integer, money and percent columns are float64
(NaN when blank; percents are fractions, 0.25 = 25%); yes/no columns hold bool.
Rows with an Error-severity issue are already left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

# Where an Issue has always been imported from; it lives apart, without pandas.
from sync.contract.issue import Issue as Issue
from sync.contract.issue import Severity as Severity


class WorkbookSettings(BaseModel):
    """The owner's Settings tab, with every default applied and `As Of` resolved."""

    model_config = ConfigDict(frozen=True)

    currency: str = "USD"
    period: Literal["Month", "Quarter"] = "Month"
    fiscal_year_start: int = 1
    as_of: date
    date_format: Literal["YMD", "DMY", "MDY"] = "YMD"
    new_customer_days: int = 90
    at_risk_after_days: int = 90
    churned_after_days: int = 180
    stuck_factor: float = 2.0
    rep_gap_points: float = 15.0
    prediction_horizon_days: int = 90
    new_customer_bonus: float = 0.0
    team_bonus: float = 0.0
    clawback_days: int = 90
    # The language of everything written into this workbook: its Locale setting, else the
    # operator's `locale` (config.yaml).
    locale: Literal["en", "zh-CN"] = "en"
    commissions_visible: bool = True
    digest_to: tuple[str, ...] = ()
    digest_time: str = "08:00"


def empty_frame(fields: list[str]) -> pd.DataFrame:
    """A DataFrame with these columns and no rows."""
    return pd.DataFrame({name: pd.Series(dtype=object) for name in [*fields, "row"]})


@dataclass
class Tables:
    """Everything the compute modules read: validated input tabs and the settings."""

    settings: WorkbookSettings
    stages: pd.DataFrame
    team: pd.DataFrame
    goals: pd.DataFrame
    pipeline: pd.DataFrame
    customers: pd.DataFrame
    orders: pd.DataFrame
    commission_plans: pd.DataFrame
    stage_log: pd.DataFrame = field(
        default_factory=lambda: empty_frame(["deal_id", "from_stage", "to_stage", "changed_at"])
    )


_FLOAT_TYPES = {"number", "integer", "money", "percent"}


def build_frame(tab: str, records: list[dict]) -> pd.DataFrame:
    """A validated-table DataFrame of an input tab from records keyed by field name.

    Missing fields are blank; `row` defaults to the sheet row (2, 3, ...). Used by tests
    to build tables by hand; the validator builds its tables with `frame_from_columns`.
    """
    from sync.schema import tab_spec

    columns = {column.field: [record.get(column.field) for record in records]
               for column in tab_spec(tab).columns}
    rows = [record.get("row", index + 2) for index, record in enumerate(records)]
    return frame_from_columns(tab, columns, rows)


def frame_from_columns(tab: str, columns: dict[str, list], rows: list[int]) -> pd.DataFrame:
    """A validated-table DataFrame of an input tab from its values by field name.

    `columns` maps a field to the value of each row (a field it lacks is blank), `rows`
    holds each row's sheet row. Typed one column at a time, as described above.
    """
    from sync.schema import tab_spec

    spec = tab_spec(tab)
    data: dict[str, pd.Series] = {}
    for column in spec.columns:
        values = columns.get(column.field)
        if values is None:
            values = [None] * len(rows)
        if column.type in ("date", "datetime"):
            data[column.field] = pd.to_datetime(pd.Series(values, dtype=object))
        elif column.type in _FLOAT_TYPES:
            data[column.field] = pd.Series(_floats(values), dtype="float64")
        elif column.type == "yesno":
            default = column.default if column.default is not None else False
            data[column.field] = pd.Series(
                [default if value is None else bool(value) for value in values], dtype=bool
            )
        else:  # each value as it is, in an array of its own (no list assignment to copy)
            data[column.field] = pd.Series(
                np.fromiter(values, dtype=object, count=len(values)), dtype=object, copy=False)
    data["row"] = pd.Series(rows, dtype="int64")
    return pd.DataFrame(data)


def _floats(values: list) -> np.ndarray | list[float]:
    """Each value as a float, NaN for None."""
    if set(map(type, values)) <= {float, type(None)}:
        return np.array(values, dtype="float64")  # None -> NaN, floats as they are
    return [float("nan") if value is None else float(value) for value in values]


def default_stages(locale: str = "en") -> pd.DataFrame:
    """The Stages tab's default rows (SPEC section 3), named as a workbook of this locale
    names them (zh-CN `线索` … `输单`); the Type stays the canonical Open, Won or Lost."""
    from sync.schema import tab_spec

    spec = tab_spec("Stages")
    named = spec.zh_defaults if locale == "zh-CN" and spec.zh_defaults else None
    records = []
    for index, row in enumerate(spec.defaults):
        values = dict(row)
        if named and "Stage" in named[index]:
            values["Stage"] = named[index]["Stage"]
        records.append({spec.column(header).field: value for header, value in values.items()})
    return build_frame("Stages", records)


def make_tables(settings: WorkbookSettings, **records: list[dict]) -> Tables:
    """Tables from records per tab field name (`pipeline=[{...}]`); Stages default."""
    names = {
        "stages": "Stages",
        "team": "Team",
        "goals": "Goals",
        "pipeline": "Pipeline",
        "customers": "Customers",
        "orders": "Orders",
        "commission_plans": "Commission Plans",
    }
    frames = {attr: build_frame(tab, records.get(attr, [])) for attr, tab in names.items()}
    if "stages" not in records:
        frames["stages"] = default_stages()
    tables = Tables(settings=settings, **frames)
    if "stage_log" in records:
        log = pd.DataFrame(
            records["stage_log"], columns=["deal_id", "from_stage", "to_stage", "changed_at"]
        )
        log["changed_at"] = pd.to_datetime(log["changed_at"])
        tables.stage_log = log
    return tables

"""Load the one declaration of every tab from `sheet_templates/*.yaml`."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sheet_templates import TEMPLATES_DIR

ColumnType = Literal[
    "text", "id", "date", "datetime", "number", "integer", "money", "percent", "yesno", "choice"
]
Dropdown = Literal["stages", "reps", "plans", "teams", "owners", "metrics", "yesno"]


def snake_case(header: str) -> str:
    """`Deal ID` -> `deal_id`, `P(Alive)` -> `p_alive`, `From %` -> `from_pct`."""
    text = header.replace("%", " pct ")
    return "_".join(re.findall(r"[a-z0-9]+", text.lower()))


class ColumnSpec(BaseModel):
    """One column of a tab: its header, labels, type and rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    header: str
    zh: str
    field: str = ""
    type: ColumnType = "text"
    required: bool = False  # a blank cell is an Error that leaves the row out
    # The row means nothing without a readable value here, though a blank is allowed
    # (a deal's Amount or Closed): an unreadable cell is an Error that leaves the row out.
    must_read: bool = False
    unique: bool = False
    choices: tuple[str, ...] = ()
    dropdown: Dropdown | None = None
    strict: bool = True
    min: float | None = None
    max: float | None = None
    percent_points_above: float | None = None
    default: Any = None
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: Any = None
    width: float = 12

    @model_validator(mode="after")
    def _default_field(self) -> ColumnSpec:
        if not self.field:
            object.__setattr__(self, "field", snake_case(self.header))
        return self

    @property
    def essential(self) -> bool:
        """An unreadable cell here leaves the row out (an Error), not blank (a Warning)."""
        return self.required or self.must_read

    def label(self, locale: str = "en") -> str:
        """The header to write for a locale (`en` or `zh-CN`)."""
        return self.zh if locale == "zh-CN" else self.header

    @property
    def note(self) -> str:
        """The help note a template puts on the header: the help, then the example."""
        if self.example in (None, "") or "e.g." in self.help:
            return self.help
        example = self.example.isoformat() if isinstance(self.example, date) else self.example
        return f"{self.help} Example: {example}".strip()


class SettingSpec(BaseModel):
    """One key of the Settings tab."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    zh: str
    field: str
    type: ColumnType = "text"
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    default: Any = None
    help: str = ""


class TabSpec(BaseModel):
    """One tab: its name, kind and columns, in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tab: str
    zh: str
    kind: Literal["input", "computed"]
    help: str = ""
    append_only: bool = False
    columns: tuple[ColumnSpec, ...]
    settings: tuple[SettingSpec, ...] = ()
    defaults: tuple[dict[str, Any], ...] = Field(default=())

    @property
    def headers(self) -> list[str]:
        """The English headers, in order."""
        return [column.header for column in self.columns]

    def column(self, header: str) -> ColumnSpec:
        """The column with this exact English header."""
        for column in self.columns:
            if column.header == header:
                return column
        raise KeyError(f"{self.tab} has no column {header!r}")


def _load(folder: str) -> tuple[TabSpec, ...]:
    specs = []
    for path in sorted((TEMPLATES_DIR / folder).glob("*.yaml")):
        specs.append(TabSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return tuple(specs)


_INPUT_ORDER = (
    "Settings", "Stages", "Team", "Goals", "Pipeline", "Customers", "Orders", "Commission Plans",
)
_COMPUTED_ORDER = (
    "Dashboard", "Funnel", "Deal Health", "Goal Progress", "Commissions", "Customer Segments",
    "Data Issues", "Stage Log",
)


@cache
def input_tabs() -> tuple[TabSpec, ...]:
    """The input tabs, in the order a new workbook shows them."""
    by_name = {spec.tab: spec for spec in _load("input")}
    return tuple(by_name[name] for name in _INPUT_ORDER)


@cache
def computed_tabs() -> tuple[TabSpec, ...]:
    """The computed tabs, in the order a synced workbook shows them."""
    by_name = {spec.tab: spec for spec in _load("computed")}
    return tuple(by_name[name] for name in _COMPUTED_ORDER)


def tab_spec(name: str) -> TabSpec:
    """The declaration of the tab with this exact name."""
    for spec in (*input_tabs(), *computed_tabs()):
        if spec.tab == name:
            return spec
    raise KeyError(f"no tab named {name!r}")


def settings_specs() -> tuple[SettingSpec, ...]:
    """The keys of the Settings tab."""
    return tab_spec("Settings").settings

"""Load the one declaration of every tab from `sheet_templates/*.yaml`."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sheet_templates import TEMPLATES_DIR

ColumnType = Literal[
    "text", "id", "date", "datetime", "number", "integer", "money", "percent", "yesno", "choice"
]
Dropdown = Literal["stages", "reps", "plans", "teams", "owners", "metrics", "yesno"]
# A yes/no dropdown as a template of each locale offers it (the reader takes both).
YES_NO = {"en": ("Yes", "No"), "zh-CN": ("是", "否")}


def _split_choices(data: Any) -> Any:
    """`choices: {Revenue: 收入, ...}` declares each value beside its zh-CN label: split it
    into `choices` (the English values, canonical) and `zh_choices` (their labels, in order)."""
    if isinstance(data, dict) and isinstance(data.get("choices"), dict):
        labels = data["choices"]
        data = {**data, "choices": tuple(str(key) for key in labels),
                "zh_choices": tuple(str(value) for value in labels.values())}
    return data


class Choices(BaseModel):
    """The enumerated values of a column or setting, each with its zh-CN label."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    choices: tuple[str, ...] = ()
    zh_choices: tuple[str, ...] = ()  # beside `choices`, one label each (or none at all)

    @model_validator(mode="before")
    @classmethod
    def _labels_beside_values(cls, data: Any) -> Any:
        return _split_choices(data)

    @model_validator(mode="after")
    def _one_label_each(self) -> Choices:
        if self.zh_choices and len(self.zh_choices) != len(self.choices):
            raise ValueError("declare a zh-CN label beside every choice, or none")
        spellings = [value.casefold() for value in (*self.choices, *self.zh_choices)]
        if len(set(spellings)) != len(spellings):  # a label that could mean two values
            raise ValueError(f"choices and their zh-CN labels must differ: {spellings}")
        return self

    def choice_labels(self, locale: str = "en") -> tuple[str, ...]:
        """The choices as a workbook in this locale shows them (dropdowns, templates)."""
        return self.zh_choices if locale == "zh-CN" and self.zh_choices else self.choices

    def choice_label(self, value: str, locale: str = "en") -> str:
        """One English value as a workbook in this locale writes it."""
        if locale != "zh-CN" or value not in self.choices or not self.zh_choices:
            return value
        return self.zh_choices[self.choices.index(value)]

    @property
    def choice_names(self) -> dict[str, str]:
        """Every accepted spelling (English or zh-CN) -> the English value."""
        return {**dict(zip(self.zh_choices, self.choices, strict=True)),
                **{value: value for value in self.choices}}


def snake_case(header: str) -> str:
    """`Deal ID` -> `deal_id`, `P(Alive)` -> `p_alive`, `From %` -> `from_pct`."""
    text = header.replace("%", " pct ")
    return "_".join(re.findall(r"[a-z0-9]+", text.lower()))


class ColumnSpec(Choices):
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
    dropdown: Dropdown | None = None
    strict: bool = True
    min: float | None = None
    max: float | None = None
    percent_points_above: float | None = None
    default: Any = None
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: Any = None
    # Words a text column understands besides names, each beside its zh-CN label:
    # `{Company: 公司}` (the Goals owner that is the whole company).
    keywords: dict[str, str] = Field(default_factory=dict)
    # Computed tabs: the cells hold the product's own words (a segment, a status), written
    # in the workbook's locale from the catalogue (`sync/i18n.py`).
    translate: bool = False
    zh_help: str = ""  # the help note of a zh-CN template
    zh_example: Any = None  # its example, where the English one is not right there
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

    def note_in(self, locale: str) -> str:
        """The header's help note in a template of this locale."""
        if locale != "zh-CN" or not self.zh_help:
            return self.note
        example = self.example if self.zh_example is None else self.zh_example
        if example in (None, "") or "例如" in self.zh_help:
            return self.zh_help
        example = example.isoformat() if isinstance(example, date) else example
        return f"{self.zh_help}示例：{example}"


class SettingSpec(Choices):
    """One key of the Settings tab."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    zh: str
    field: str
    type: ColumnType = "text"
    min: float | None = None
    max: float | None = None
    default: Any = None
    zh_default: Any = None  # a zh-CN template's value, where it is not the default's label
    help: str = ""
    zh_help: str = ""

    def help_in(self, locale: str) -> str:
        """The setting's help note in a template of this locale."""
        return self.zh_help if locale == "zh-CN" and self.zh_help else self.help

    def default_in(self, locale: str) -> Any:
        """The value a new workbook of this locale shows for this setting (zh-CN: `CNY`,
        `月`); Locale shows the template's own (`en`, `中文`)."""
        if self.field == "locale":
            return self.choice_label(locale, locale)
        if locale == "zh-CN" and self.zh_default is not None:
            return self.zh_default
        return self.choice_label(self.default, locale) if self.choices else self.default


# What a computed tab's function may be handed, by name (see `sync/engine.py`).
ComputeInput = Literal[
    "tables", "revenue", "stage_log", "stints", "goal_figures", "period_labels",
    "customer_history",
]
_COMPUTE = re.compile(r"^(?P<module>[\w.]+):(?P<function>\w+)\((?P<inputs>[\w ,]*)\)$")


class ComputeSpec(BaseModel):
    """Which function computes a tab and what it is handed: `module:function(tables, revenue)`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    module: str
    function: str
    inputs: tuple[ComputeInput, ...]

    @classmethod
    def parse(cls, text: str) -> ComputeSpec:
        """`sync.compute.funnel:funnel(tables, stage_log)` as a spec."""
        match = _COMPUTE.match(text.strip())
        if match is None:
            raise ValueError(f"compute should read `module:function(inputs)`, not {text!r}")
        inputs = tuple(name.strip() for name in match["inputs"].split(",") if name.strip())
        return cls.model_validate(
            {"module": match["module"], "function": match["function"], "inputs": inputs}
        )


class TabSpec(BaseModel):
    """One tab: its name, kind, position among its kind, columns and compute function."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tab: str
    zh: str
    kind: Literal["input", "computed"]
    position: int = Field(ge=1)
    compute: ComputeSpec | None = None
    help: str = ""
    zh_help: str = ""
    append_only: bool = False
    columns: tuple[ColumnSpec, ...]
    # The Dashboard's columns beside its key figures: the data its charts are drawn from.
    chart_data: tuple[ColumnSpec, ...] = ()
    settings: tuple[SettingSpec, ...] = ()
    defaults: tuple[dict[str, Any], ...] = Field(default=())
    # Beside each default row, `zh: {Stage: 线索}`: its values in a zh-CN template.
    zh_defaults: tuple[dict[str, Any], ...] = Field(default=())

    @model_validator(mode="before")
    @classmethod
    def _zh_beside_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("defaults"):
            rows = [dict(row) for row in data["defaults"]]
            data = {**data, "defaults": rows, "zh_defaults": [row.pop("zh", {}) for row in rows]}
        return data

    def default_rows(self, locale: str = "en") -> list[dict[str, Any]]:
        """The template's default rows (header -> value) as a workbook of this locale shows
        them: the declared zh-CN values, and every listed value as its label."""
        if locale != "zh-CN":
            return [dict(row) for row in self.defaults]
        rows = []
        for row, zh in zip(self.defaults, self.zh_defaults or [{}] * len(self.defaults),
                           strict=True):
            shown = {}
            for column in self.columns:
                value = zh.get(column.header, row.get(column.header))
                if column.choices and isinstance(value, str):
                    value = column.choice_label(value, locale)
                shown[column.header] = value
            rows.append(shown)
        return rows

    @field_validator("compute", mode="before")
    @classmethod
    def _parse_compute(cls, value: Any) -> Any:
        return ComputeSpec.parse(value) if isinstance(value, str) else value

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


# Computed tabs the engine builds in steps of its own; every other one declares `compute`.
OWN_STEPS = frozenset({"Dashboard", "Data Issues", "Stage Log"})


class DeclarationError(ValueError):
    """A file in `sheet_templates/` is not a valid tab declaration (a fault of the product)."""


# libyaml's parser when PyYAML was built with it (the same safe constructor, a tenth of the
# time: every sync process reads all the declarations); the pure-Python one otherwise.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(folder: str) -> tuple[TabSpec, ...]:
    """Every declaration in a folder, in their declared positions 1, 2, 3, ..."""
    specs = []
    for path in sorted((TEMPLATES_DIR / folder).glob("*.yaml")):
        try:
            spec = TabSpec.model_validate(
                yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
            )
        except (ValidationError, yaml.YAMLError) as error:
            raise DeclarationError(f"{path} is not a valid tab declaration: {error}") from error
        if spec.kind != folder:
            raise DeclarationError(f"{path} declares a {spec.kind} tab in the {folder} folder")
        if folder == "computed" and spec.compute is None and spec.tab not in OWN_STEPS:
            raise DeclarationError(f"{path} declares no `compute: module:function(inputs)`")
        specs.append(spec)
    specs.sort(key=lambda spec: spec.position)
    positions = [spec.position for spec in specs]
    if positions != list(range(1, len(specs) + 1)):
        raise DeclarationError(
            f"the {folder} tabs in {TEMPLATES_DIR / folder} should take the positions "
            f"1 to {len(specs)} once each, not {positions}"
        )
    return tuple(specs)


@cache
def input_tabs() -> tuple[TabSpec, ...]:
    """The input tabs, in the order a new workbook shows them."""
    return _load("input")


def tabs_read() -> list[str]:
    """The tabs a sync reads: every input tab, then the Stage Log it appends to."""
    return [*(spec.tab for spec in input_tabs()), "Stage Log"]


@cache
def computed_tabs() -> tuple[TabSpec, ...]:
    """The computed tabs, in the order a synced workbook shows them."""
    return _load("computed")


def tab_spec(name: str) -> TabSpec:
    """The declaration of the tab with this exact name."""
    for spec in (*input_tabs(), *computed_tabs()):
        if spec.tab == name:
            return spec
    raise KeyError(f"no tab named {name!r}")


@cache
def _columns_of(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    spec = tab_spec(name)
    return tuple(spec.headers), tuple(column.field for column in spec.columns)


def tab_headers(name: str) -> list[str]:
    """The English headers of a tab, in order (the declarations are read once, on first use)."""
    return list(_columns_of(name)[0])


def tab_fields(name: str) -> list[str]:
    """The field names of a tab's columns, in order (read once, on first use)."""
    return list(_columns_of(name)[1])


def settings_specs() -> tuple[SettingSpec, ...]:
    """The keys of the Settings tab."""
    return tab_spec("Settings").settings

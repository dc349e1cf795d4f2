"""A new workbook's input tabs, described once for every backend to build.

Per input tab and column: the header in the template's locale, its help note, its number
format, its width and its dropdown; the default rows; and on Settings, a note and a
dropdown per setting. `sync/backends/xlsx/template.py` turns this into openpyxl objects,
`sync/backends/sheets/template.py` into batchUpdate requests; neither decides anything a
template shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.contract.plan import fitted_width, money_format
from sync.schema import ColumnSpec, SettingSpec, TabSpec, input_tabs, tab_spec
from sync.schema.declarations import YES_NO, ColumnType

# Dropdowns fed by another tab: kind -> (tab, header of the column holding the choices).
# Goals' Owner (`owners`) stays free text: a rep, a team or Company, which no range lists.
RANGE_SOURCES = {
    "stages": ("Stages", "Stage"),
    "reps": ("Team", "Rep"),
    "plans": ("Commission Plans", "Plan"),
}
# How many rows of the source tab a dropdown looks at (a backend that can name an open
# range, like `A2:A` on Google Sheets, needs none).
SOURCE_ROWS = {"stages": 200, "reps": 500, "plans": 200}
# Inputs show percents whole (`25%`, what an owner types) and counts without decimals.
_INPUT_FORMATS: dict[str, str | None] = {"percent": "0%", "number": None, "integer": "0"}


@dataclass(frozen=True)
class Dropdown:
    """The values a cell offers: a list of choices, or a column of another tab."""

    choices: tuple[str, ...] = ()
    source: str | None = None  # a kind of RANGE_SOURCES: the choices are that column
    strict: bool = True  # refuse other values (else warn and let the owner type on)
    message: str = ""  # what the owner is told when a value is not on the list

    @property
    def source_tab(self) -> str:
        """The tab holding the choices of a range dropdown."""
        return RANGE_SOURCES[self.source][0] if self.source else ""

    @property
    def source_position(self) -> int:
        """The 0-based column of the template's source tab holding the choices."""
        if self.source is None:
            return -1
        tab, header = RANGE_SOURCES[self.source]
        return tab_spec(tab).headers.index(header)


@dataclass(frozen=True)
class TemplateColumn:
    """One column of an input tab as a new workbook shows it."""

    header: str  # in the template's locale
    type: ColumnType
    note: str  # the help note on the header cell ("" for none)
    number_format: str | None  # for the values typed below the header (None: General)
    width: float  # in characters, wide enough for the header
    dropdown: Dropdown | None


@dataclass(frozen=True)
class TemplateSetting:
    """One row of the Settings tab as a new workbook shows it."""

    key: str  # the setting's name in the template's locale
    value: Any  # its default, as the locale writes it
    note: str  # the help note on the name
    dropdown: Dropdown | None  # on the value, for a setting with a fixed set of values


@dataclass(frozen=True)
class TemplateTab:
    """One input tab of a new workbook: its columns, default rows and settings."""

    tab: str
    columns: tuple[TemplateColumn, ...]
    rows: tuple[tuple[Any, ...], ...]  # default rows, one value per column
    settings: tuple[TemplateSetting, ...]  # Settings only: one per row, in row order


def template_tabs(locale: str = "en", currency: str | None = None) -> tuple[TemplateTab, ...]:
    """Every input tab of a new workbook in this locale, in the order it shows them."""
    return tuple(template_tab(spec, locale, currency) for spec in input_tabs())


def template_tab(spec: TabSpec, locale: str = "en", currency: str | None = None) -> TemplateTab:
    """One input tab of a new workbook in this locale (money in `currency`, else the
    locale's own: CNY for zh-CN, USD otherwise)."""
    shown = currency or default_currency(locale)
    columns = tuple(template_column(column, locale, shown) for column in spec.columns)
    if spec.tab == "Settings":
        settings = tuple(template_setting(setting, locale) for setting in spec.settings)
        pairs = tuple((setting.key, setting.value) for setting in settings)
        return TemplateTab(spec.tab, columns, pairs, settings)
    rows = tuple(
        tuple(row.get(column.header) for column in spec.columns)
        for row in spec.default_rows(locale)
    )
    return TemplateTab(spec.tab, columns, rows, ())


def template_column(column: ColumnSpec, locale: str, currency: str) -> TemplateColumn:
    """A declared input column as a template of this locale shows it."""
    header = column.label(locale)
    return TemplateColumn(
        header=header,
        type=column.type,
        note=column.note_in(locale),
        number_format=input_format(column.type, currency),
        # Wide enough for the header too (a zh-CN label takes two columns a character).
        width=fitted_width(column.width, [header]),
        dropdown=column_dropdown(column, locale),
    )


def template_setting(setting: SettingSpec, locale: str) -> TemplateSetting:
    """A declared setting as a Settings row of a template of this locale."""
    dropdown = None
    if setting.choices:
        dropdown = list_dropdown(setting.choice_labels(locale), strict=True, locale=locale)
    return TemplateSetting(
        key=setting.zh if locale == "zh-CN" else setting.key,
        value=setting.default_in(locale),
        note=setting.help_in(locale),
        dropdown=dropdown,
    )


def input_format(value_type: ColumnType, currency: str) -> str | None:
    """The number format of an input column's values (None: General)."""
    if value_type in _INPUT_FORMATS:
        return _INPUT_FORMATS[value_type]
    return {
        "money": money_format(currency),
        "date": "yyyy-mm-dd",
        "datetime": "yyyy-mm-dd hh:mm:ss",
    }.get(value_type)


def column_dropdown(column: ColumnSpec, locale: str = "en") -> Dropdown | None:
    """The dropdown of a declared input column, if it has one."""
    if column.dropdown in RANGE_SOURCES:
        source_tab = RANGE_SOURCES[column.dropdown][0]
        # Not strict: the reader reports unknown names as Data Issues, and a refusal would
        # block an owner typing a rep before adding them to Team.
        message = (f"{tab_spec(source_tab).zh}表中还没有这一项：请也在那里添加。"
                   if locale == "zh-CN" else f"Not in the {source_tab} tab yet: add it there too.")
        return Dropdown(source=column.dropdown, strict=False, message=message)
    if column.dropdown == "yesno":
        return list_dropdown(YES_NO.get(locale, YES_NO["en"]), column.strict, locale)
    if column.choices:
        return list_dropdown(column.choice_labels(locale), column.strict, locale)
    return None  # owners and teams: free text (a rep, a team or Company)


def list_dropdown(choices: tuple[str, ...], strict: bool, locale: str = "en") -> Dropdown:
    """A dropdown offering `choices`, with the message a value off the list gets."""
    message = ("请选择：" + "、".join(choices) + "。" if locale == "zh-CN"
               else "Choose one of: " + ", ".join(choices) + ".")
    return Dropdown(choices=tuple(choices), strict=strict, message=message)


def default_currency(locale: str) -> str:
    """The currency a new workbook of this locale starts with."""
    return "CNY" if locale == "zh-CN" else "USD"

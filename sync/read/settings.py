"""The Settings tab: `Setting` / `Value` rows into `WorkbookSettings`, defaults for the rest."""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any

from sync.contract.tables import Issue, WorkbookSettings
from sync.i18n import _, current_locale, writing_in
from sync.read.cells import (
    CellError,
    cell_text,
    format_number,
    is_blank,
    parse_choice,
    parse_integer,
    parse_number,
    parse_text,
    parse_yesno,
)
from sync.read.dates import parse_date
from sync.read.headers import header_key, match_headers
from sync.schema import SettingSpec, settings_specs, tab_spec

TAB = "Settings"
_LARGEST_COUNT = 100_000  # days or months beyond this are typos that would break date maths
_MONTHS = {
    name.casefold(): number
    for number, names in enumerate(
        [("January", "Jan", "一月"), ("February", "Feb", "二月"), ("March", "Mar", "三月"),
         ("April", "Apr", "四月"), ("May", "May", "五月"), ("June", "Jun", "六月"),
         ("July", "Jul", "七月"), ("August", "Aug", "八月"), ("September", "Sep", "九月"),
         ("October", "Oct", "十月"), ("November", "Nov", "十一月"),
         ("December", "Dec", "十二月")],
        start=1,
    )
    for name in names
}


def _bounded(setting: SettingSpec, number: float) -> float:
    if setting.min is not None and number < setting.min:
        raise CellError(_("{number} is below the minimum of {low}").format(
            number=format_number(number), low=format_number(setting.min)))
    if setting.max is not None and number > setting.max:
        raise CellError(_("{number} is above the maximum of {high}").format(
            number=format_number(number), high=format_number(setting.max)))
    return number


def parse_setting(setting: SettingSpec, value: Any, date_format: str) -> Any:
    """The typed value of one setting; raises CellError when it cannot be used."""
    if setting.field == "locale" and isinstance(value, str):
        value = value.replace("_", "-")  # `zh_CN` as locales are also spelled
    if setting.type == "choice":
        return parse_choice(value, setting.choices, labels=setting.choice_names)
    if setting.type == "yesno":
        return parse_yesno(value)
    if setting.type == "date":
        return parse_date(value, date_format)
    if setting.type == "integer":
        if isinstance(value, str) and value.strip().casefold() in _MONTHS:
            return _bounded(setting, _MONTHS[value.strip().casefold()])  # `April` = 4
        number = parse_integer(value)
        if number is not None and abs(number) > _LARGEST_COUNT:
            raise CellError(_("{number} is too large for a number of days or months").format(
                number=format_number(number)))
        return None if number is None else int(_bounded(setting, number))
    if setting.type in ("number", "money"):
        number = parse_number(value)
        return None if number is None else _bounded(setting, number)
    text = parse_text(value)
    if text is not None and setting.field == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", text):
            raise CellError(_('"{text}" is not a currency code: type a 3-letter code such as '
                              "USD, EUR or CNY").format(text=text))
        return text.upper()
    if text is not None and setting.field == "digest_to":
        return _addresses(text)
    if text is not None and setting.field == "digest_time":
        return _clock_time(text)
    return text


def _addresses(text: str) -> tuple[str, ...]:
    """Comma- or semicolon-separated e-mail addresses, each checked for a plausible shape."""
    addresses = tuple(part.strip() for part in re.split(r"[,;，；]", text) if part.strip())
    for address in addresses:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
            raise CellError(_('"{address}" is not an e-mail address: type addresses such as '
                              "ana@example.com, separated by commas").format(address=address))
    return addresses


def _clock_time(text: str) -> str:
    """`8:00`, `08:00` or `8.00` as `08:00`."""
    match = re.fullmatch(r"(\d{1,2})[:.：](\d{2})", text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise CellError(_('"{text}" is not a time of day: type it as HH:MM, e.g. 08:00').format(
            text=text))
    return f"{int(match[1]):02d}:{match[2]}"


def _default_text(setting: SettingSpec) -> str:
    if setting.field == "locale":
        return _("the configured locale")
    if setting.default is None:
        return _("today") if setting.field == "as_of" else _("blank")
    if setting.type == "yesno":
        return _(cell_text(setting.default))  # `Yes`: zh-CN `是`
    if setting.choices:
        return cell_text(setting.choice_label(setting.default, current_locale()))
    return cell_text(setting.default)


def _name(setting: SettingSpec) -> str:
    """The setting's name as the workbook's locale writes it (`As Of`, zh-CN `统计日期`)."""
    return setting.zh if current_locale() == "zh-CN" else setting.key


def _key_index() -> dict[str, SettingSpec]:
    index: dict[str, SettingSpec] = {}
    for setting in settings_specs():
        index[header_key(setting.key)] = setting
        index[header_key(setting.zh)] = setting
    return index


def read_settings(
    grid: list[list[Any]] | None, *, today: date, locale: str = "en"
) -> tuple[WorkbookSettings, list[Issue]]:
    """The Settings tab as `WorkbookSettings` (defaults for blank, bad or missing keys).

    `locale` is the operator's (config.yaml): a workbook with no Locale setting uses it.
    The problems are written in the Locale the tab itself sets, so it is read once more in
    that language when it is not the one being spoken.
    """
    settings, issues = _read_settings(grid, today, locale)
    if settings.locale != current_locale():
        with writing_in(settings.locale):
            settings, issues = _read_settings(grid, today, locale)
    return settings, issues


def _read_settings(
    grid: list[list[Any]] | None, today: date, locale: str
) -> tuple[WorkbookSettings, list[Issue]]:
    issues: list[Issue] = []
    found: dict[str, tuple[int, Any]] = {}  # setting field -> (sheet row, raw value)
    if grid:
        spec = tab_spec(TAB)
        headers = match_headers(spec, list(grid[0]) if isinstance(grid[0], list | tuple) else [])
        issues.extend(headers.issues)
        if not headers.missing_required:
            issues.extend(_collect(grid, headers.positions, found))
    values: dict[str, Any] = {"as_of": today, "locale": locale}
    settings_by_field = {setting.field: setting for setting in settings_specs()}
    date_format = "YMD"
    order = ["date_format", *(name for name in settings_by_field if name != "date_format")]
    for name in order:
        if name not in found:
            continue
        setting = settings_by_field[name]
        sheet_row, raw = found[name]
        try:
            typed = parse_setting(setting, raw, date_format)
        except CellError as error:
            issues.append(Issue(
                tab=TAB, row=sheet_row, column="Value", value=cell_text(raw), severity="Warning",
                problem=_("{setting}: {problem}. The default ({default}) is used until this is "
                          "fixed").format(setting=_name(setting), problem=error,
                                          default=_default_text(setting)),
            ))
            continue
        if typed is None:
            continue
        values[name] = typed
        if name == "date_format":
            date_format = typed
    return WorkbookSettings(**values), issues


def _collect(grid: list[list[Any]], positions: dict[str, int],
             found: dict[str, tuple[int, Any]]) -> list[Issue]:
    """Fill `found` with the value cell of each known key; issues for the other rows."""
    issues: list[Issue] = []
    keys = _key_index()
    key_at, value_at = positions["setting"], positions.get("value")
    for offset, cells in enumerate(grid[1:]):
        sheet_row = offset + 2
        if not isinstance(cells, list | tuple):
            cells = [cells]
        key_cell = cells[key_at] if key_at < len(cells) else None
        value_cell = cells[value_at] if value_at is not None and value_at < len(cells) else None
        if is_blank(key_cell):
            if not is_blank(value_cell):
                issues.append(Issue(
                    tab=TAB, row=sheet_row, column="Setting", value="", severity="Warning",
                    problem=_("This value has no setting name: type the setting's name in the "
                              "Setting column, or clear the row"),
                ))
            continue
        key_text = cell_text(key_cell).strip()
        setting = keys.get(header_key(key_text))
        if setting is None:
            issues.append(Issue(
                tab=TAB, row=sheet_row, column="Setting", value=key_text, severity="Warning",
                problem=_unknown_key(key_text),
            ))
            continue
        if setting.field in found:
            issues.append(Issue(
                tab=TAB, row=sheet_row, column="Setting", value=key_text, severity="Warning",
                problem=_("{setting} is already set on row {row}: this row is ignored; delete "
                          "one of the two").format(setting=_name(setting),
                                                    row=found[setting.field][0]),
            ))
            continue
        found[setting.field] = (sheet_row, value_cell)
    return issues


def _unknown_key(key_text: str) -> str:
    names = {setting.key: _name(setting) for setting in settings_specs()}
    if current_locale() == "zh-CN":  # a Chinese name may be misspelt too
        names.update({setting.zh: setting.zh for setting in settings_specs()})
    close = difflib.get_close_matches(key_text, list(names), n=1, cutoff=0.6)
    if close:
        return _('"{text}" is not a setting, so it is ignored: did you mean "{name}"?').format(
            text=key_text, name=names[close[0]])
    return _('"{text}" is not a setting, so it is ignored: the settings are {names}').format(
        text=key_text, names=_(", ").join(dict.fromkeys(names.values())))

"""The workbook's Locale setting: init writes it, blank falls back to config.yaml's locale,
and a sync writes the computed tabs' headers in it."""

from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sync import open_backend
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import create_template, write_input_workbook
from sync.config import Config
from sync.demo.workbook import demo_grids
from sync.engine import sync_workbook
from sync.read.settings import read_settings
from sync.schema import computed_tabs, tab_spec

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30)


def settings_grid(value):
    return [["Setting", "Value"], ["Locale", value]]


@pytest.mark.parametrize(
    ("typed", "locale"),
    [("zh-CN", "zh-CN"), ("zh_cn", "zh-CN"), ("ZH-CN", "zh-CN"), ("en", "en"), ("EN", "en")],
)
def test_the_locale_setting_is_read_in_its_spellings(typed, locale):
    settings, issues = read_settings(settings_grid(typed), today=TODAY)
    assert settings.locale == locale
    assert issues == []


@pytest.mark.parametrize("configured", ["en", "zh-CN"])
def test_a_blank_locale_is_the_configured_one(configured):
    settings, issues = read_settings(settings_grid(None), today=TODAY, locale=configured)
    assert settings.locale == configured
    assert issues == []
    missing, _ = read_settings([["Setting", "Value"]], today=TODAY, locale=configured)
    assert missing.locale == configured


def test_an_unknown_locale_is_a_warning_and_the_configured_one_is_used():
    settings, issues = read_settings(settings_grid("fr"), today=TODAY, locale="zh-CN")
    assert settings.locale == "zh-CN"
    [issue] = issues
    assert (issue.tab, issue.row, issue.column, issue.value, issue.severity) == (
        "Settings", 2, "Value", "fr", "Warning")
    # The workbook falls back to zh-CN, so its problem is told in Chinese.
    assert issue.problem == ("语言：“fr”不在可选值 en, zh-CN 之中：请从中选择。"
                             "改正之前使用默认值（服务器配置的语言）")
    _, [issue] = read_settings(settings_grid("fr"), today=TODAY, locale="en")
    assert issue.problem == ('Locale: "fr" is not one of en, zh-CN: pick one of these. '
                             "The default (the configured locale) is used until this is fixed")


def test_the_chinese_key_sets_the_locale_too():
    settings, _ = read_settings([["设置项", "值"], ["语言", "zh-CN"]], today=TODAY)
    assert settings.locale == "zh-CN"


@pytest.mark.parametrize(
    ("locale", "row"), [("en", ("Locale", "en")), ("zh-CN", ("语言", "中文"))]
)
def test_init_writes_the_template_locale(tmp_path, locale, row):
    sheet = load_workbook(create_template(tmp_path / "sales.xlsx", locale=locale))["Settings"]
    rows = [tuple(cells) for cells in sheet.iter_rows(min_row=2, values_only=True)]
    assert row in rows


def headers(path, tab):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tab).to_python()[0]


def demo_book(path, locale):
    write_input_workbook(path, demo_grids(size=1, seed=7, today=TODAY, locale=locale), locale)
    return path


def test_a_zh_cn_workbook_gets_its_computed_headers_in_chinese_and_keeps_them(tmp_path):
    book = demo_book(tmp_path / "zh.xlsx", "zh-CN")
    sync_workbook(XlsxBackend(book), now=NOW)
    for spec in computed_tabs():
        if spec.tab != "Dashboard":
            assert headers(book, spec.tab)[: len(spec.columns)] == [c.zh for c in spec.columns]
    log = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Stage Log").to_python()
    # A second sync reads the Chinese Stage Log headers back and appends nothing.
    sync_workbook(XlsxBackend(book), now=NOW + timedelta(hours=1))
    assert CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Stage Log").to_python() == log


def test_a_workbook_with_no_locale_uses_the_configured_one(tmp_path):
    grids = demo_grids(size=1, seed=7, today=TODAY)
    grids["Settings"] = [row for row in grids["Settings"] if row[0] != "Locale"]
    book = tmp_path / "blank.xlsx"
    write_input_workbook(book, grids)
    sync_workbook(open_backend(Config(locale="zh-CN"), path=book), now=NOW)
    assert headers(book, "Funnel")[: len(tab_spec("Funnel").columns)] == [
        c.zh for c in tab_spec("Funnel").columns]


def test_an_english_workbook_keeps_english_headers_whatever_the_configured_locale(tmp_path):
    book = demo_book(tmp_path / "en.xlsx", "en")
    sync_workbook(open_backend(Config(locale="zh-CN"), path=book), now=NOW)
    assert headers(book, "Funnel")[: len(tab_spec("Funnel").columns)] == tab_spec("Funnel").headers

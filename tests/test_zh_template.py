"""A zh-CN template is Chinese throughout: stages, types, metrics, periods, Yes/No, CNY, notes,
examples and dropdowns; and a workbook filled in from it reads back as the English one."""

import re
from datetime import date

from openpyxl import load_workbook

from sync.backends.sheets.template import template_requests
from sync.backends.xlsx.template import create_template
from sync.read import validate_workbook
from sync.schema import input_tabs, tab_spec

# Proper names and codes a Chinese template keeps: the currency, NPS, the Goals owner keyword
# `Company`, the locale codes, the ISO standard and the example e-mail addresses.
ALLOWED = {"CNY", "USD", "EUR", "NPS", "Company", "en", "zh", "CN", "ISO", "SalesOps", "Sheets",
           "zhangwei", "example", "cn", "buyer"}


def ascii_words(text):
    text = "" if text is None else str(text)
    return {word for word in re.findall(r"[A-Za-z]+", text) if word not in ALLOWED}


def zh_book(tmp_path):
    path = tmp_path / "zh.xlsx"
    return load_workbook(path if path.exists() else create_template(path, locale="zh-CN"))


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_stages_are_chinese_names_of_chinese_types(tmp_path):
    rows = values(zh_book(tmp_path)["Stages"])
    assert rows[0] == ["阶段", "顺序", "概率", "类型"]
    assert [(row[0], row[3]) for row in rows[1:]] == [
        ("线索", "开放"), ("初步沟通", "开放"), ("方案报价", "开放"), ("商务谈判", "开放"),
        ("赢单", "赢单"), ("输单", "输单")]


def test_the_settings_show_chinese_values_and_cny(tmp_path):
    rows = {row[0]: row[1] for row in values(zh_book(tmp_path)["Settings"])[1:]}
    assert rows["货币"] == "CNY"
    assert rows["周期"] == "月"
    assert rows["日期格式"] == "年月日"
    assert rows["语言"] == "中文"


def test_every_header_note_and_value_of_a_zh_template_is_chinese(tmp_path):
    book = zh_book(tmp_path)
    found = {}
    for spec in input_tabs():
        sheet = book[spec.tab]
        for row in sheet.iter_rows():
            for cell in row:
                words = ascii_words(cell.value) | ascii_words(
                    cell.comment.text if cell.comment else "")
                if words:
                    found[f"{spec.tab}!{cell.coordinate}"] = words
        for validation in sheet.data_validations.dataValidation:
            listed = validation.formula1 if validation.formula1.startswith('"') else ""
            words = ascii_words(listed) | ascii_words(validation.error)
            if words:
                found[f"{spec.tab} dropdown {validation.sqref}"] = words
    assert found == {}


def dropdown(tab, header, tmp_path):
    sheet = zh_book(tmp_path)[tab]
    letter = chr(ord("A") + tab_spec(tab).headers.index(header))
    for validation in sheet.data_validations.dataValidation:
        if str(validation.sqref).startswith(f"{letter}2:"):
            return validation.formula1
    return None


def test_the_dropdowns_offer_chinese_words(tmp_path):
    assert dropdown("Stages", "Type", tmp_path) == '"开放,赢单,输单"'
    assert dropdown("Goals", "Metric", tmp_path) == '"收入,赢单数,新客户数,新增商机"'
    assert dropdown("Team", "Active", tmp_path) == '"是,否"'


def test_the_sheets_template_is_chinese_too():
    requests = template_requests(tab_spec("Stages"), 0, "zh-CN")
    rows = requests[0]["updateCells"]["rows"]
    cells = [[cell.get("userEnteredValue", {}) for cell in row["values"]] for row in rows]
    assert [list(cell.values())[0] for cell in cells[1]] == ["线索", 1, 0.1, "开放"]
    rules = [r["setDataValidation"]["rule"] for r in requests if "setDataValidation" in r]
    assert [[v["userEnteredValue"] for v in rule["condition"]["values"]] for rule in rules] == [
        ["开放", "赢单", "输单"]]
    notes = [cell.get("note", "") for cell in rows[0]["values"]]
    assert all(note and not ascii_words(note) for note in notes)


def test_a_zh_template_read_as_it_stands_is_the_english_default(tmp_path):
    def grids(locale):
        book = load_workbook(create_template(tmp_path / f"{locale}.xlsx", locale=locale))
        return {spec.tab: values(book[spec.tab]) for spec in input_tabs()}

    zh_tables, zh_issues = validate_workbook(grids("zh-CN"), today=date(2026, 11, 26))
    en_tables, en_issues = validate_workbook(grids("en"), today=date(2026, 11, 26))
    assert zh_issues == en_issues == []
    assert list(zh_tables.stages["type"]) == list(en_tables.stages["type"])
    assert list(zh_tables.stages["probability"]) == list(en_tables.stages["probability"])
    assert zh_tables.settings.currency == "CNY" and zh_tables.settings.locale == "zh-CN"
    assert zh_tables.settings.period == en_tables.settings.period == "Month"

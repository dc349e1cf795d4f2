"""Done when: a zh-CN workbook typed the way a Chinese owner types gives every figure the
same business typed in English gives; and its computed tabs hold no English word.

The business is the zh-CN demo's (Chinese names, CNY). Its English twin types every value
canonically (English headers and choices, numbers, ISO dates); the Chinese copy types the
same values as a Chinese owner does: Chinese headers, 万 amounts, full-width digits, ￥,
年月日 dates, 是/否, 收入, 季度, 开放/赢单/输单.
"""

import math
import re
from datetime import date, datetime

import pytest
from python_calamine import CalamineWorkbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.engine import compute_tabs, sync_workbook
from sync.i18n import translate
from sync.read import validate_workbook
from sync.schema import computed_tabs, input_tabs, tab_spec
from sync.write.locale import period_label

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30)
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def english_twin():
    """The zh-CN demo's business typed canonically, in an English workbook."""
    grids = demo_grids(today=TODAY, locale="zh-CN")
    for tab, grid in grids.items():
        if tab not in {spec.tab for spec in input_tabs()}:
            continue
        spec = tab_spec(tab)
        for row in grid[1:]:
            for index, header in enumerate(grid[0]):
                column = spec.column(header)
                if column.choices and row[index] in column.zh_choices:
                    row[index] = column.choices[column.zh_choices.index(row[index])]
                elif column.type == "yesno":
                    row[index] = {"是": "Yes", "否": "No"}.get(row[index], row[index])
                elif column.keywords and row[index] in column.keywords.values():
                    row[index] = next(word for word, label in column.keywords.items()
                                      if label == row[index])
    settings = dict((row[0], row) for row in grids["Settings"][1:])
    settings["Period"][1], settings["Locale"][1] = "Quarter", "en"
    return grids


def typed_amount(value):
    """An amount as a Chinese owner types it: `8.4万`, or `￥１２，３４５．６０`."""
    if not isinstance(value, float) or value < 0:
        return value
    if value >= 10_000 and value % 1000 == 0:
        return f"{value / 10_000:g}万"
    return "￥" + f"{value:,.2f}".translate(FULL_WIDTH)


def typed_date(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    return value


def chinese_typing(twin):
    """The twin as a Chinese owner types it, under Chinese headers."""
    grids = {}
    for tab, grid in twin.items():
        if tab not in {spec.tab for spec in input_tabs()}:
            grids[tab] = grid
            continue
        spec = tab_spec(tab)
        headers = [spec.column(header) for header in grid[0]]
        rows = [[column.label("zh-CN") for column in headers]]
        for row in grid[1:]:
            cells = []
            for column, value in zip(headers, row, strict=True):
                if column.choices and isinstance(value, str):
                    value = column.choice_label(value, "zh-CN")
                elif column.type == "yesno":
                    value = {"Yes": "是", "No": "否"}.get(value, value)
                elif column.keywords:
                    value = column.keywords.get(value, value)
                elif column.type == "money" or (tab, column.header) == ("Goals", "Target"):
                    value = typed_amount(value)
                elif column.type == "date":
                    value = typed_date(value)
                elif column.type == "integer" and isinstance(value, int):
                    value = str(value).translate(FULL_WIDTH)
                cells.append(value)
            rows.append(cells)
        grids[tab] = rows
    settings = {row[0]: row for row in grids["Settings"][1:]}
    settings["Period"][1], settings["Locale"][1] = "季度", "中文"
    settings["As Of"][1] = typed_date(settings["As Of"][1])
    return grids


def computed(grids):
    tables, issues = validate_workbook(grids, today=TODAY)
    return tables, {output.name: output for output in compute_tabs(tables, issues, NOW).outputs}


@pytest.fixture(scope="module")
def both():
    twin = english_twin()
    return computed(twin), computed(chinese_typing(twin))


def test_the_chinese_typing_is_really_chinese(both):
    typed = chinese_typing(english_twin())
    amounts = [row[5] for row in typed["Pipeline"][1:]]
    assert any(isinstance(a, str) and a.endswith("万") for a in amounts)
    assert any(isinstance(a, str) and a.startswith("￥") for a in amounts)
    assert typed["Stages"][0] == ["阶段", "顺序", "概率", "类型"]
    assert isinstance(typed["Pipeline"][1][6], str) and "年" in typed["Pipeline"][1][6]


def test_the_tables_read_are_the_same(both):
    (en_tables, _), (zh_tables, _) = both
    for name in ("stages", "team", "goals", "pipeline", "customers", "orders",
                 "commission_plans"):
        en, zh = getattr(en_tables, name), getattr(zh_tables, name)
        assert en.shape == zh.shape, name
        assert en.astype(str).equals(zh.astype(str)), name
    assert zh_tables.settings.model_dump(exclude={"locale"}) == en_tables.settings.model_dump(
        exclude={"locale"})


# Sentences: compared by count (their words differ by language); Data Issues' Value is the
# cell as typed, which differs by design.
SENTENCES = {("Data Issues", "Problem"), ("Data Issues", "Value"), ("Commissions", "Explanation"),
             ("Funnel", "Flag"), ("Goal Progress", "SMART"), ("Goal Suggestions", "Basis")}


def same_cell(en, zh, locale="zh-CN"):
    if isinstance(en, float) and isinstance(zh, float):
        return math.isclose(en, zh, rel_tol=1e-12, abs_tol=1e-9) or (
            math.isnan(en) and math.isnan(zh))
    if isinstance(en, str):
        keyword = tab_spec("Goals").column("Owner").keywords.get(en)  # Company: 公司
        return zh in (en, translate(en, locale), period_label(en, locale), keyword)
    return en == zh


@pytest.mark.parametrize("tab", [spec.tab for spec in computed_tabs()])
def test_every_computed_figure_is_the_english_one(both, tab):
    (_, en), (_, zh) = both
    en_out, zh_out = en[tab], zh[tab]
    assert len(en_out.rows) == len(zh_out.rows)
    declared = tab_spec(tab).headers if tab != "Dashboard" else en_out.headers
    for en_row, zh_row in zip(en_out.rows, zh_out.rows, strict=True):
        for header, en_cell, zh_cell in zip(declared, en_row, zh_row, strict=True):
            if (tab, header) in SENTENCES or (tab == "Data Issues" and header == "Column"):
                continue
            assert same_cell(en_cell, zh_cell), (tab, header, en_cell, zh_cell)
    assert [(c.title) for c in zh_out.charts] == [translate(c.title, "zh-CN")
                                                 for c in en_out.charts]


# Not English words: tab names (Data Issues names the tab), acronyms the Chinese labels
# keep (RFM, NPS, SMART) and the currency code.
PROPER = {spec.tab for spec in (*input_tabs(), *computed_tabs())} | {
    "RFM", "NPS", "SMART", "CNY"}


def test_a_synced_zh_cn_workbook_has_no_english_word_in_its_computed_tabs(tmp_path):
    book = tmp_path / "zh.xlsx"
    write_input_workbook(book, chinese_typing(english_twin()), "zh-CN")
    sync_workbook(XlsxBackend(book), now=NOW)
    workbook = CalamineWorkbook.from_path(str(book))
    found = {}
    for spec in computed_tabs():
        for row in workbook.get_sheet_by_name(spec.tab).to_python():
            for value in row:
                words = set(re.findall(r"[A-Za-z]{2,}", value)) if isinstance(value, str) else set()
                words -= PROPER
                words -= {word for tab in PROPER for word in tab.split()}
                if words:
                    found.setdefault(spec.tab, set()).update(words)
    assert found == {}

"""Computed tabs in a zh-CN workbook: Chinese headers, the product's own words from the
catalogue, Chinese KPI names and chart titles; tab names unchanged; English untouched."""

from datetime import date, datetime

import pytest
from babel.messages.pofile import read_po

from sync.demo.workbook import demo_grids
from sync.engine import compute_tabs
from sync.i18n import catalogue_path, translate
from sync.read import validate_workbook
from sync.schema import computed_tabs, tab_spec

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30)


def outputs(locale):
    """The zh-CN demo's business, computed for a workbook whose Locale is `locale`."""
    grids = demo_grids(size=1, seed=7, today=TODAY, locale="zh-CN")
    for row in grids["Settings"]:
        if row[0] == "Locale":
            row[1] = locale
    tables, issues = validate_workbook(grids, today=TODAY)
    return {output.name: output for output in compute_tabs(tables, issues, NOW).outputs}


@pytest.fixture(scope="module")
def zh():
    return outputs("zh-CN")


@pytest.fixture(scope="module")
def en():
    return outputs("en")


def test_the_catalogue_translates_every_word_it_lists():
    with catalogue_path("zh-CN").open("rb") as source:
        catalog = read_po(source)
    messages = [message for message in catalog if message.id]
    assert len(messages) > 50
    for message in messages:
        assert message.string and message.string != message.id, message.id
        assert not message.fuzzy, message.id
        assert translate(message.id, "zh-CN") == message.string
        assert translate(message.id, "en") == message.id


def test_tab_names_stay_and_headers_are_the_declared_labels(zh):
    assert list(zh) == [spec.tab for spec in computed_tabs()]
    for spec in computed_tabs():
        if spec.tab != "Dashboard":
            assert zh[spec.tab].headers == [column.zh for column in spec.columns]


def column(output, header):
    index = [c.header for c in tab_spec(output.name).columns].index(header)
    return [row[index] for row in output.rows]


@pytest.mark.parametrize(
    ("tab", "header"),
    [("Customer Segments", "RFM Segment"), ("Customer Segments", "Lifecycle"),
     ("Customer Segments", "NPS Group"), ("Deal Health", "Status"), ("Goal Progress", "Pace"),
     ("Goal Progress", "Metric"), ("Data Issues", "Severity")],
)
def test_the_products_own_words_are_written_in_chinese(zh, en, tab, header):
    english, chinese = column(en[tab], header), column(zh[tab], header)
    assert any(english)
    # Row by row, each Chinese cell is the catalogue's translation of the English one.
    assert chinese == [translate(word, "zh-CN") if isinstance(word, str) else word
                       for word in english]
    assert all(word != translate(word, "zh-CN") for word in english if isinstance(word, str))


def test_the_funnel_names_the_whole_team_in_chinese(zh, en):
    assert "All" in column(en["Funnel"], "Rep")
    assert "全体" in column(zh["Funnel"], "Rep") and "All" not in column(zh["Funnel"], "Rep")


def test_data_issues_name_the_input_column_by_its_chinese_label(zh, en):
    english = column(en["Data Issues"], "Column")
    chinese = column(zh["Data Issues"], "Column")
    tabs = column(en["Data Issues"], "Tab")
    assert chinese == [tab_spec(tab).column(header).zh if header else header
                       for tab, header in zip(tabs, english, strict=True)]
    assert column(zh["Data Issues"], "Tab") == tabs  # tab names stay as they are


def test_the_dashboard_kpis_headers_and_chart_titles_are_chinese(zh, en):
    dashboard, english = zh["Dashboard"], en["Dashboard"]
    assert dashboard.headers[:4] == ["指标", "数值", "目标", "状态"]
    names = [row[0] for row in dashboard.rows if row[0]]
    assert names[:3] == ["本期收入", "收入目标达成率", "赢单率"]
    assert names == [translate(row[0], "zh-CN") for row in english.rows if row[0]]
    assert [chart.title for chart in dashboard.charts] == [
        "销售漏斗：到达各阶段的商机数", "各销售代表配额达成率", "各周期收入"]
    # The figures themselves are the English workbook's.
    assert [row[1:3] for row in dashboard.rows] == [row[1:3] for row in english.rows]


def test_an_english_workbook_keeps_every_english_word(en):
    assert en["Dashboard"].charts[0].title == "Funnel: deals that reached each stage"
    assert en["Deal Health"].headers == tab_spec("Deal Health").headers


def test_every_sentence_the_code_marks_is_in_the_catalogue_with_its_fields():
    from string import Formatter

    from babel.messages.extract import extract_from_dir

    from sync import i18n

    marked = {message for _, _, message, _, _ in extract_from_dir(
        str(i18n.LOCALE_DIR.parent), method_map=[("**.py", "python")], keywords={"_": None})}
    assert len(marked) > 30
    with catalogue_path("zh-CN").open("rb") as source:
        listed = {message.id: message.string for message in read_po(source) if message.id}

    def fields(text):
        return sorted(name for _, name, _, _ in Formatter().parse(text) if name)

    assert sorted(marked - set(listed)) == []
    for message in marked:
        assert fields(listed[message]) == fields(message), message


def test_data_issues_and_commission_explanations_speak_chinese(zh, en):
    import re

    problems = column(zh["Data Issues"], "Problem")
    english = column(en["Data Issues"], "Problem")
    assert len(problems) == len(english)
    # The demo's mistakes: `1.2k`, an unknown stage, 31 February, a repeated Deal ID, a goal
    # its members' goals do not add up to. Only the values quoted and names stay as typed.
    assert problems[0] == "“8万5”不是数字：请填写数字，例如 1200 或 1,200.50"
    assert english[0] == '"8万5" is not a number: type a number such as 1200 or 1,200.50'
    assert problems[2] == "“31/02/2026”不是日期：请填写为 2026-02-28，或使用日期单元格"
    assert problems[3] == ("商机编号“D-0280”已在第 281 行使用：每个商机编号必须唯一，"
                           "请修改或删除其中一行")
    explanations = column(zh["Commissions"], "Explanation")
    assert re.match(r"配额 [\d,]+；0-80% [\d,.]+ × 3% = [\d,.]+；", explanations[0])
    # Each explanation holds the English one's figures (a clawback names its day first).
    for english_text, text in zip(column(en["Commissions"], "Explanation"), explanations,
                                  strict=True):
        assert sorted(re.findall(r"\d+(?:[,.]\d+)*%?", text)) == sorted(
            re.findall(r"\d+(?:[,.]\d+)*%?", english_text))
    for text in explanations:
        assert re.findall(r"[A-Za-z]{2,}", text) == [], text

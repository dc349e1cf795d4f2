"""The reader takes every enumerated value in English or as its declared zh-CN label, in a
workbook of either locale, and Chinese amounts and dates as a Chinese owner types them."""

from datetime import date

import pandas as pd
import pytest

from sync.read import validate_workbook
from sync.read.cells import CellError, parse_choice
from sync.schema import settings_specs, tab_spec
from sync.schema.declarations import Choices, ColumnSpec

TODAY = date(2026, 11, 26)


def test_every_enumerated_value_declares_its_zh_cn_label():
    declared = [*tab_spec("Stages").columns, *tab_spec("Goals").columns, *settings_specs()]
    enumerated = [spec for spec in declared if spec.choices]
    assert enumerated
    for spec in enumerated:
        assert len(spec.zh_choices) == len(spec.choices), spec


@pytest.mark.parametrize(
    ("column", "typed", "read"),
    [
        (("Goals", "Metric"), "收入", "Revenue"),
        (("Goals", "Metric"), "赢单数", "Deals Won"),
        (("Goals", "Metric"), "新客户数", "New Customers"),
        (("Goals", "Metric"), "新增商机", "Pipeline Created"),
        (("Goals", "Metric"), "Revenue", "Revenue"),
        (("Stages", "Type"), "开放", "Open"),
        (("Stages", "Type"), "赢单", "Won"),
        (("Stages", "Type"), "输单", "Lost"),
        (("Stages", "Type"), " 赢单 ", "Won"),
        (("Stages", "Type"), "won", "Won"),
    ],
)
def test_a_choice_reads_in_either_language_as_its_english_value(column, typed, read):
    spec = tab_spec(column[0]).column(column[1])
    assert parse_choice(typed, spec.choices, spec.strict, labels=spec.choice_names) == read


def test_an_unknown_value_is_still_refused_naming_the_english_choices():
    spec = tab_spec("Stages").column("Type")
    with pytest.raises(CellError) as refused:
        parse_choice("成交", spec.choices, labels=spec.choice_names)
    assert str(refused.value) == '"成交" is not one of Open, Won, Lost: pick one of these'


def test_a_label_that_could_mean_two_values_is_refused_at_declaration():
    with pytest.raises(ValueError, match="must differ"):
        Choices(choices={"Open": "开放", "Won": "开放"})
    with pytest.raises(ValueError, match="must differ"):
        ColumnSpec(header="Type", zh="类型", choices={"Open": "Won", "Won": "赢单"})


def test_a_chinese_owners_workbook_reads_as_the_same_business_in_english():
    """Every value as a Chinese owner types it, under Chinese headers."""
    chinese = {
        "Settings": [["设置项", "值"], ["周期", "季度"], ["货币", "CNY"], ["语言", "中文"],
                     ["日期格式", "年月日"]],
        "Stages": [["阶段", "顺序", "概率", "类型"],
                   ["线索", "１", "10%", "开放"], ["初步沟通", 2, "25%", "开放"],
                   ["方案报价", 3, "50%", "开放"], ["商务谈判", 4, "75%", "开放"],
                   ["赢单", 5, "100%", "赢单"], ["输单", 6, "0%", "输单"]],
        "Goals": [["负责人", "指标", "开始日期", "结束日期", "目标值"],
                  ["Company", "收入", "2026年10月1日", "2026年12月31日", "15万"]],
        "Pipeline": [["商机编号", "客户", "负责人", "阶段", "金额", "创建日期", "关闭日期"],
                     ["D-1", "华润", "张伟", "赢单", "8万", "2026年1月5日", "2026年2月1号"],
                     ["D-2", "华润", "张伟", "方案报价", "￥１２，０００", "２０２６年３月５日",
                      None]],
        "Orders": [["订单编号", "日期", "客户", "金额"],
                   ["O-1", "2026年2月1日", "华润", "1.5万元"],
                   ["O-2", "2026年3月1日", "华润", "-3千"]],
    }
    english = {
        "Settings": [["Setting", "Value"], ["Period", "Quarter"], ["Currency", "CNY"],
                     ["Locale", "zh-CN"], ["Date Format", "YMD"]],
        "Stages": [["Stage", "Order", "Probability", "Type"],
                   ["线索", 1, "10%", "Open"], ["初步沟通", 2, "25%", "Open"],
                   ["方案报价", 3, "50%", "Open"], ["商务谈判", 4, "75%", "Open"],
                   ["赢单", 5, "100%", "Won"], ["输单", 6, "0%", "Lost"]],
        "Goals": [["Owner", "Metric", "Period Start", "Period End", "Target"],
                  ["Company", "Revenue", "2026-10-01", "2026-12-31", 150000]],
        "Pipeline": [["Deal ID", "Customer", "Owner", "Stage", "Amount", "Created", "Closed"],
                     ["D-1", "华润", "张伟", "赢单", 80000, "2026-01-05", "2026-02-01"],
                     ["D-2", "华润", "张伟", "方案报价", 12000, "2026-03-05", None]],
        "Orders": [["Order ID", "Date", "Customer", "Amount"],
                   ["O-1", "2026-02-01", "华润", 15000], ["O-2", "2026-03-01", "华润", -3000]],
    }
    zh_tables, zh_issues = validate_workbook(chinese, today=TODAY)
    en_tables, en_issues = validate_workbook(english, today=TODAY)
    assert zh_tables.settings == en_tables.settings
    assert zh_tables.settings.period == "Quarter" and zh_tables.settings.locale == "zh-CN"
    for tab in ("stages", "goals", "pipeline", "orders"):
        pd.testing.assert_frame_equal(getattr(zh_tables, tab), getattr(en_tables, tab))
    # 8万 = 8 x 10000; ￥１２，０００ = 12000; 1.5万元 = 1.5 x 10000; -3千 = -3 x 1000
    assert list(zh_tables.pipeline["amount"]) == [80000.0, 12000.0]
    assert list(zh_tables.orders["amount"]) == [15000.0, -3000.0]
    assert list(zh_tables.stages["type"]) == ["Open"] * 4 + ["Won", "Lost"]
    assert [(i.tab, i.column, i.value) for i in zh_issues] == [
        (i.tab, i.column, i.value) for i in en_issues]


def test_a_goal_of_gongsi_is_the_company_goal_with_no_warning():
    grids = {"Goals": [["负责人", "指标", "开始日期", "结束日期", "目标值"],
                       [" 公司 ", "收入", "2026年10月1日", "2026年12月31日", "15万"]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert list(tables.goals["owner"]) == ["Company"]
    assert [i for i in issues if i.tab == "Goals"] == []

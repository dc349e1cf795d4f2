"""The zh-CN demo: the same business told in Chinese, in CNY, synced by the product."""

from datetime import date

from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sync.cli import main
from sync.demo.chinese import PEOPLE, YUAN_PER_DOLLAR
from sync.demo.workbook import demo_grids

TODAY = date(2026, 11, 26)


def test_the_zh_demo_is_the_english_business_in_chinese_and_cny():
    english = demo_grids(today=TODAY)
    chinese = demo_grids(today=TODAY, locale="zh-CN")
    reps = [row[0] for row in english["Team"][1:]]
    assert [row[0] for row in chinese["Team"][1:]] == [PEOPLE[rep] for rep in reps]
    assert [row[0] for row in chinese["Stages"][1:]] == ["线索", "初步沟通", "方案报价", "商务谈判",
                                                          "赢单", "输单"]
    settings = {row[0]: row[1] for row in chinese["Settings"][1:]}
    assert (settings["Currency"], settings["Locale"], settings["Period"]) == (
        "CNY", "zh-CN", "季度")
    amount = english["Pipeline"][0].index("Amount")
    for en_row, zh_row in zip(english["Pipeline"][1:], chinese["Pipeline"][1:], strict=True):
        if isinstance(en_row[amount], float):  # 7 yuan to the dollar
            assert zh_row[amount] == round(en_row[amount] * YUAN_PER_DOLLAR, 2)
    customers = [row[0] for row in chinese["Customers"][1:]]
    assert all(not any("a" <= ch.lower() <= "z" for ch in name) for name in customers)


def test_salesops_demo_in_chinese_writes_a_chinese_workbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "zh.xlsx", "--locale", "zh-CN"])
    assert result.exit_code == 0, result.output
    book = CalamineWorkbook.from_path(str(tmp_path / "zh.xlsx"))
    assert book.get_sheet_by_name("Funnel").to_python()[0][:2] == ["销售代表", "阶段"]
    assert book.get_sheet_by_name("Team").to_python()[1][0] == "张伟"

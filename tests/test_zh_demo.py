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
    # The command speaks Chinese about a Chinese workbook: key figures, summary, next step.
    for words in ("关键指标", "本期收入", "赢单率", "读取", "个错误", "个警告", "统计日期",
                  "用电子表格软件打开 zh.xlsx；修改后运行 `salesops sync zh.xlsx`。"):
        assert words in result.output, words
    assert "Key figures" not in result.output and "Issues  " not in result.output
    checked = CliRunner().invoke(main, ["check", "zh.xlsx"], env={"COLUMNS": "80"})
    assert checked.exit_code == 2, checked.output
    assert "数据问题" in checked.output and "Pipeline 第 258 行，阶段" in checked.output
    book = CalamineWorkbook.from_path(str(tmp_path / "zh.xlsx"))
    assert book.get_sheet_by_name("Funnel").to_python()[0][:2] == ["销售代表", "阶段"]
    assert book.get_sheet_by_name("Team").to_python()[1][0] == "张伟"

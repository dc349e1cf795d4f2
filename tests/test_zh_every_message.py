"""Done when: a zh-CN workbook typed to set off every warning and problem the reader, the
rules and the compute modules can raise gets each of them in Chinese, in every computed tab
and in what `salesops check` and `salesops sync` print about it.

The workbook is one small business typed as a Chinese owner types it (Chinese headers,
万 amounts, 年月日 dates), with a mistake or a corner case in nearly every row: percent
points, a merged range, a far-away cell, error cells and formulas with no value, rows after
As Of, goals failing each SMART letter, broken Settings rows, commission plans with gaps
and overlaps, too few repeat customers for the purchase model, and the history that gives
each Goal Suggestions basis (seasonality and trend, a trend kept within its limits, the
recent average, a ramping new rep, the open pipeline as a floor, a Company and a team goal
split top-down).

The scan's rule is the one of `test_zh_owner.py`: no run of two ASCII letters except tab
names, RFM, NPS, SMART and the currency code; what the owner typed (a Data Issues `Value`,
quoted in its problem, a file name) is theirs, not the product's, and a command to type
(`salesops sync 销售.xlsx`) is typed as it is. A quarter written `2026-Q4` is English
too (zh-CN writes `2026年第4季度`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.cli import main
from sync.engine import sync_workbook
from sync.schema import computed_tabs, input_tabs, tab_spec

NOW = datetime(2026, 11, 26, 9, 30)
PROPER = {spec.tab for spec in (*input_tabs(), *computed_tabs())} | {
    "RFM", "NPS", "SMART", "CNY"}
PROPER |= {word for name in set(PROPER) for word in name.split()}
ENGLISH = re.compile(r"[A-Za-z]{2,}|\d{4}-Q[1-4]")


COMMAND = re.compile(r"`salesops [^`]*`|“salesops [^”]*”")  # a command to type, as typed


def english_in(text: str, typed: set[str] = frozenset()) -> set[str]:
    """The English words of a text the product wrote (what the owner typed taken out)."""
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ")
    return set(ENGLISH.findall(COMMAND.sub(" ", text))) - PROPER


def zh_tab(tab: str, rows: list[dict]) -> list[list]:
    """A tab under its Chinese headers, from rows keyed by English header."""
    spec = tab_spec(tab)
    headers = [column.header for column in spec.columns]
    return [[spec.column(h).label("zh-CN") for h in headers],
            *[[row.get(h) for h in headers] for row in rows]]


def months(first: date, last: date):
    """The first day of each month from `first` to `last`."""
    day = first
    while day <= last:
        yield day
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=first.day)


def zh_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def orders_rows() -> list[dict]:
    """Monthly sales of each rep (their history), the refunds and the mistakes."""
    rows = []

    def sale(rep, day, amount, customer="杭州食品有限公司", deal=None):
        rows.append({"Order ID": f"订单{len(rows) + 1}", "Date": zh_day(day),
                     "Customer": customer, "Amount": amount, "Product": "专业套装",
                     "Rep": rep, "Deal ID": deal})

    for index, month in enumerate(months(date(2024, 1, 5), date(2026, 10, 5))):
        # 张伟: steady growth over three years: seasonality x a trend within its limits
        sale("张伟", month, f"{10 + index % 12 + index // 12 * 2}万",
             customer=["杭州食品有限公司", "苏州机械有限公司", "宁波纺织有限公司"][index % 3])
        # 王芳: small two years ago, large now: a trend kept within halving and doubling
        sale("王芳", month, f"{1 if month.year < 2026 else 9}万", customer="南京物流有限公司")
    for month in months(date(2026, 8, 5), date(2026, 10, 5)):
        sale("李娜", month, "6万", customer="广州电子有限公司")  # nothing a year earlier
        sale("陈静", month, "30万", customer="深圳科技有限公司")  # a new rep selling already
    for month in months(date(2025, 7, 5), date(2026, 10, 5)):
        sale("刘洋", month, "3万", customer="厦门茶业有限公司")  # under two years of history
    sale("吴刚", date(2026, 10, 8), "5千", customer="北京软件有限公司")
    sale("张伟", date(2026, 12, 20), "2万")  # dated after As Of
    sale("路人甲", date(2026, 10, 9), "1万")  # not in Team
    sale("张伟", date(2026, 10, 10), "1万", customer="无名商行")  # not in Customers
    sale("张伟", date(2026, 10, 11), "-1万", deal="商机404")  # a refund of no deal
    sale("张伟", date(2026, 10, 12), "-5千", deal="商机9")  # a refund of a left-out deal
    sale("张伟", date(2026, 10, 13), 1)  # its Amount becomes #N/A (see `workbook`)
    sale("张伟", date(2026, 10, 14), 1)  # its Amount becomes a formula with no value
    return rows


def grids() -> dict[str, list[list]]:
    settings = [
        ["设置项", "值"], ["货币", "CNY"], ["周期", "月"], ["统计日期", "2026年11月26日"],
        ["语言", "中文"], ["货币", "人民币"], ["新客户天", 30], ["随便写", 1], [None, "孤零零"],
        ["风险天数", -5], ["流失天数", 99_999_999], ["财年起始月", 13],
        ["摘要收件人", "张三"], ["摘要时间", "八点"], ["佣金可见", "也许"],
    ]
    stages = zh_tab("Stages", [
        {"Stage": "线索", "Order": 1, "Probability": 10, "Type": "开放"},  # points
        {"Stage": "初步沟通", "Order": 2, "Probability": 25, "Type": "开放"},
        {"Stage": "方案报价", "Order": 3, "Probability": 50, "Type": "开放"},
        {"Stage": "商务谈判", "Order": 4, "Probability": 75, "Type": "开放"},
        {"Stage": "赢单", "Order": 5, "Probability": 100, "Type": "赢单"},
        {"Stage": "输单", "Order": 6, "Probability": 0, "Type": "输单"},
    ])
    old = "2023年1月1日"
    team = zh_tab("Team", [
        {"Rep": "张伟", "Team": "华东组", "Commission Plan": "标准方案", "Start Date": old,
         "Active": "是"},
        {"Rep": "王芳", "Team": "华东组", "Commission Plan": "重叠方案", "Start Date": old,
         "Active": "是"},
        {"Rep": "李娜", "Team": "华南组", "Commission Plan": "缺档方案", "Start Date": old,
         "Active": "是"},
        {"Rep": "刘洋", "Team": "华南组", "Start Date": "2025年6月1日", "Active": "是"},
        {"Rep": "陈静", "Team": "华南组", "Commission Plan": "不存在方案",
         "Start Date": "2026年8月1日", "Active": "是"},  # ramping, above her ramp
        {"Rep": "赵磊", "Team": "华北组", "Commission Plan": "高比例方案",
         "Start Date": "2026年11月1日", "Active": "是"},  # ramping, no history yet
        {"Rep": "吴刚", "Team": "华北组", "Commission Plan": "标准方案", "Start Date": old,
         "Active": "是"},
        {"Rep": "孙丽", "Team": "华北组", "Start Date": old, "Active": "否"},
        {"Rep": "周强", "Team": "西北组", "Start Date": old, "Active": "否"},
    ])
    dec = ("2026年12月1日", "2026年12月31日")
    nov = ("2026年11月1日", "2026年11月30日")
    oct_ = ("2026年10月1日", "2026年10月31日")

    def goal(owner, metric, period, target, **more):
        return {"Owner": owner, "Metric": metric, "Period Start": period[0],
                "Period End": period[1], "Target": target, **more}

    goals = zh_tab("Goals", [
        goal("公司", "收入", dec, "200万"),  # split top-down by share of revenue
        goal("张伟", "收入", dec, "20万"),  # a member's own goal, taken off the split
        goal("华北组", "收入", dec, "10万", Product="新产品"),  # nobody sold it: equal parts
        goal("华东组", "收入", nov, "300万"),  # members' goals add up to less
        goal("张伟", "收入", nov, "1亿"),  # A: far above last period's
        goal("王芳", "收入", oct_, "10万"),
        goal("王芳", "收入", oct_, "12万"),  # a second quota for one period
        goal("某某", "收入", nov, "10万"),  # S: not a rep, a team or 公司
        goal(None, "收入", nov, "10万"),  # S: no owner
        goal("刘洋", None, nov, "10万"),  # S: no metric
        goal("刘洋", "收入", nov, None),  # M: no target
        goal("刘洋", "收入", nov, 0),  # M: not positive
        goal("孙丽", "收入", nov, "10万"),  # R: not active
        goal("西北组", "收入", nov, "10万"),  # R: no active reps
        goal("刘洋", "收入", (None, nov[1]), "10万"),  # T: no start
        goal("刘洋", "收入", (nov[0], None), "10万"),  # T: no end
        goal("刘洋", "收入", (nov[1], nov[0]), "10万"),  # T: end before start
    ])
    pipeline = zh_tab("Pipeline", [
        {"Deal ID": "商机1", "Customer": "北京软件有限公司", "Owner": "吴刚", "Stage": "商务谈判",
         "Amount": "500万", "Created": "2026年10月1日", "Expected Close": "2026年12月15日"},
        {"Deal ID": "商机2", "Customer": "杭州食品有限公司", "Owner": "张伟", "Stage": "线索",
         "Amount": "5万", "Created": "2026年12月1日"},  # created after As Of
        {"Deal ID": "商机3", "Customer": "苏州机械有限公司", "Owner": "张伟", "Stage": "赢单",
         "Amount": "8万", "Created": "2026年9月1日", "Closed": "2026年12月5日"},  # closed later
        {"Deal ID": "商机4", "Customer": "宁波纺织有限公司", "Owner": "王芳", "Stage": "方案报价",
         "Amount": "6万", "Created": "2026年9月2日", "Expected Close": "2026年12月20日"},
        {"Deal ID": "商机9", "Customer": "宁波纺织有限公司", "Owner": "王芳", "Stage": "线索",
         "Amount": "1万", "Created": None},  # left out: refunds of it take nothing back
    ])
    customers = zh_tab("Customers", [
        {"Customer": name, "Region": "华东", "NPS": 9}
        for name in ("杭州食品有限公司", "苏州机械有限公司", "宁波纺织有限公司", "南京物流有限公司",
                     "广州电子有限公司", "深圳科技有限公司", "厦门茶业有限公司", "北京软件有限公司")
    ])
    plans = zh_tab("Commission Plans", [
        {"Plan": "标准方案", "From %": 0, "To %": 80, "Rate": 3},  # points, per plan
        {"Plan": "标准方案", "From %": 80, "Rate": 5, "Bonus": "2千"},
        {"Plan": "重叠方案", "From %": "0%", "To %": "60%", "Rate": "2%"},
        {"Plan": "重叠方案", "From %": "50%", "Rate": "3%"},  # overlaps
        {"Plan": "缺档方案", "From %": "10%", "To %": "50%", "Rate": "2%"},  # none from 0%
        {"Plan": "缺档方案", "From %": "60%", "To %": "55%", "Rate": "2%"},  # To below From
        {"Plan": "缺档方案", "From %": "70%", "Rate": "3%"},  # a gap; open-ended
        {"Plan": "缺档方案", "From %": "80%", "To %": "100%", "Rate": "4%"},  # after no To %
        {"Plan": "高比例方案", "From %": "0%", "Rate": "150%"},  # pays more than the revenue
    ])
    return {"Settings": settings, "Stages": stages, "Team": team, "Goals": goals,
            "Pipeline": pipeline, "Customers": customers, "Orders": zh_tab("Orders", orders_rows()),
            "Commission Plans": plans}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """The zh-CN workbook with a merged range and a far-away cell, before any sync."""
    path = tmp_path_factory.mktemp("zh") / "销售.xlsx"
    write_input_workbook(path, grids(), "zh-CN")
    book = load_workbook(path)
    book["Customers"].merge_cells("C2:C3")  # Region of two customers, merged
    orders = book["Orders"]
    last = orders.max_row
    orders[f"D{last - 1}"] = "#N/A"  # an error value (openpyxl stores it as one)
    orders[f"D{last}"] = "=1+1"  # a formula saved with no calculated value
    orders["D3000"] = 12  # far below the last order
    book["Pipeline"]["H5"] = "#DIV/0!"  # an error value in an optional date column
    book.save(path)
    return path


@pytest.fixture(scope="module")
def synced(workbook, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("synced") / "销售.xlsx"
    path.write_bytes(workbook.read_bytes())
    sync_workbook(XlsxBackend(path), now=NOW)
    return path


def rows_of(path: Path, tab: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tab).to_python()


def typed_values(path: Path) -> set[str]:
    """What the owner typed, as Data Issues quotes it (its `Value` column)."""
    return {str(row[3]) for row in rows_of(path, "Data Issues")[1:] if row[3] not in ("", None)}


def problems(path: Path) -> list[str]:
    return [row[5] for row in rows_of(path, "Data Issues")[1:]]


# Each warning or problem the workbook is typed to raise, as the start of its Chinese
# sentence (or a part of it): the scan below is only as good as what it is shown.
EXPECTED_PROBLEMS = [
    "第 2 行的 10 只能表示 10%",  # Stages: percent points
    "提成方案“标准方案”的起始百分比和结束百分比",  # a plan's points, decided together
    "提成比例 150% 意味着",  # a Rate above 100%
    "Customers!C2:C3 是合并单元格",
    "Orders!D3000 中的值距最后一行数据超过 1,000 行",
    "“#N/A”是表格中的错误值（查找没有结果），不是数值",
    "“#DIV/0!”是表格中的错误值（除以零），不是数值：请修正此单元格的公式或直接填写数值。改正之前按空白处理",
    "是没有计算结果的公式",
    "日期晚于统计日期（2026-11-26）",
    "创建日期晚于统计日期（2026-11-26）",
    "关闭日期晚于统计日期（2026-11-26）：在统计日期到达之前，按处于“",
    "货币已在第 2 行设置",
    "“新客户天”不是设置项，已忽略：您是不是想写“新客户天数”？",
    "“随便写”不是设置项，已忽略：设置项有 货币、周期",
    "这个值没有设置项名称",
    "风险天数：-5 低于最小值 0。改正之前使用默认值（90）",
    "流失天数：99999999 作为天数或月数太大了",
    "财年起始月：13 高于最大值 12",
    "摘要收件人：“张三”不是电子邮件地址",
    "摘要时间：“八点”不是时间",
    "佣金可见：“也许”不是“是”或“否”",
    "“路人甲”不是团队表中的销售代表",
    "“无名商行”不在客户表中",
    "此退款的商机编号“商机404”",
    "此退款的商机编号：“商机9”因 Pipeline 第 6 行的错误而被排除",
    "“某某”既不是团队表中的销售代表或团队",
    "负责人为空",
    "结束日期（2026-11-01）早于开始日期（2026-11-30）",
    "公司 在 2026-12-01 至 2026-12-31 的收入目标为 2,000,000，但其成员目标合计只有 200,000",
    "王芳 在 2026-10 已有收入目标（第 7 行）",
    "提成方案“缺档方案”：没有从 0% 开始的一档",
    "提成方案“缺档方案”：结束百分比（55%）必须大于起始百分比（60%）",
    "提成方案“缺档方案”：配额 50% 至 70% 之间的收入不属于任何一档",
    "提成方案“缺档方案”：从 70% 开始的一档（第 8 行）没有结束百分比",
    "提成方案“重叠方案”：从 50% 开始的这一档与到 60% 为止的一档",
    "刘洋 没有提成：团队表中未填提成方案",
    "陈静 没有提成：提成方案“不存在方案”不在提成方案表中",
    "李娜 没有提成：提成方案“缺档方案”有问题（见数据问题表）",
    "张伟 在 2024-01、2024-02、",  # no quota for these months
    "存活概率、预计订单数和预测价值为空：只有",
]


def test_every_problem_the_workbook_is_typed_to_raise_is_raised_in_chinese(synced):
    found = problems(synced)
    missing = [part for part in EXPECTED_PROBLEMS if not any(part in p for p in found)]
    assert missing == []


def test_goal_suggestions_give_every_basis_in_chinese(synced):
    bases = [row[-1] for row in rows_of(synced, "Goal Suggestions")[1:]]
    text = "\n".join(bases)
    for part in (
        "2025-12 ",  # the same month a year earlier (months read the same in both locales)
        "（一年前同期）×",  # seasonality x trend
        "限定在 0.5 至 2 之间",  # the trend kept within its limits
        "一年前的同期没有收入",
        "历史不足两年",
        "没有完整周期的历史",
        "新销售代表（2026-11-01 入职",  # ramp, own history below it
        "；高于新销售代表（2026-08-01 入职",  # own history above the ramp
        "；提高到预计在 2026-12 关闭的开放商机：1 个商机，加权金额 3,750,000",
        "公司 在 2026-12 的收入目标 2,000,000，减去成员自己的目标 200,000，按最近 4 个周期",
        "华北组 在 2026-12 的收入目标 100,000，平均（最近几个周期没有可据以分配的收入）分配：",
        "；新销售代表按成员平均值的",
        "下限和上限：",
        "下限和上限与建议值相同",
    ):
        assert part in text, part


def test_goal_progress_smart_notes_are_chinese(synced):
    notes = [row[-1] for row in rows_of(synced, "Goal Progress")[1:]]
    text = "\n".join(notes)
    for part in ("S：负责人“某某”不是", "S：未填负责人", "S：未填指标", "M：未填目标值",
                 "M：目标值 0 不是正数", "A：目标值 100,000,000 超过上一周期",
                 "R：销售代表 孙丽 不在职",
                 "R：小组 西北组 没有在职的销售代表", "T：未填开始日期", "T：未填结束日期",
                 "T：结束日期 2026-11-01 不晚于开始日期 2026-11-30"):
        assert part in text, part


def test_no_computed_tab_of_the_zh_cn_workbook_has_an_english_word(synced):
    typed = typed_values(synced)
    found: dict[str, set[str]] = {}
    for spec in computed_tabs():
        for row in rows_of(synced, spec.tab):
            for index, value in enumerate(row):
                if spec.tab == "Data Issues" and index == 3:
                    continue  # the Value column: the cell as the owner typed it
                if isinstance(value, str) and (words := english_in(value, typed)):
                    found.setdefault(spec.tab, set()).update(words)
    assert found == {}


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "3000"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def test_check_and_sync_print_the_zh_cn_workbook_in_chinese(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "副本.xlsx"
    path.write_bytes(workbook.read_bytes())
    checked = run("check", str(path))
    assert "数据问题" in checked and "合并单元格" in checked and "读取" in checked
    synced = run("sync", str(path))
    assert "写入" in synced and "见数据问题表" in synced
    typed = typed_values(path) | {str(path)}
    assert english_in(checked, typed) == set()
    assert english_in(synced, typed) == set()


def test_progress_lines_speak_the_workbooks_language_once_it_is_read(workbook, tmp_path):
    path = tmp_path / "进度.xlsx"
    path.write_bytes(workbook.read_bytes())
    lines: list[str] = []
    sync_workbook(XlsxBackend(path), now=NOW, progress=lines.append)
    # Its Locale is known once Settings is read: the operator's language (en) until then.
    assert lines == [f"Reading {path}", "Validating rows", "正在计算", "正在写入计算表"]
    backend = XlsxBackend(path)
    backend.default_locale = "zh-CN"  # the operator's config.yaml says zh-CN
    lines.clear()
    sync_workbook(backend, now=NOW, progress=lines.append)
    assert lines == [f"正在读取 {path}", "正在校验各行", "正在计算", "正在写入计算表"]


def test_watch_lines_about_a_zh_cn_workbook_are_chinese(workbook, tmp_path):
    from sync.watch.files import WorkbookWatch
    from sync.watch.lines import trigger_text

    path = tmp_path / "监视.xlsx"
    path.write_bytes(workbook.read_bytes())
    lines: list[str] = []
    watch = WorkbookWatch(path, 0.2, 5.0, lines.append)
    watch.run_sync(lambda: trigger_text(path.name, "saved"))
    lines.append(watch.summary())
    assert "监视.xlsx 已保存：同步用时" in lines[0]
    assert "个错误、" in lines[0] and "（见数据问题表），写入 " in lines[0]
    assert lines[1] == "已停止监视 监视.xlsx，共 1 次同步。"
    assert [english_in(line, {path.name}) for line in lines] == [set(), set()]


def run_with(args: list[str], **env: str):
    result = CliRunner().invoke(main, args, env={"COLUMNS": "3000", **env})
    return result.exit_code, result.output


def test_a_locked_zh_cn_workbook_is_refused_in_chinese(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "锁定.xlsx"
    path.write_bytes(workbook.read_bytes())
    (tmp_path / ".~lock.锁定.xlsx#").write_text("someone")
    code, output = run_with(["sync", str(path)])  # the operator's locale is en
    assert code == 1
    assert output == (f"错误：{path} 正在 LibreOffice 中打开（旁边有 .~lock.锁定.xlsx#）：请在 "
                      "LibreOffice 中关闭后重试。如果它并没有在任何地方打开，请删除 "
                      f"{tmp_path / '.~lock.锁定.xlsx#'} 后重试。\n")


def test_an_operator_speaking_zh_cn_gets_errors_and_init_lines_in_chinese(
        workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, output = run_with(["sync", "没有.xlsx"], SALESOPS_LOCALE="zh-CN")
    assert (code, output) == (
        1, "错误：没有.xlsx 不存在：请检查路径，或用 `salesops init 没有.xlsx` 新建一个工作簿。\n")
    code, output = run_with(["sync", "笔记.txt"], SALESOPS_LOCALE="zh-CN")
    assert output == ("错误：笔记.txt 不存在：请检查路径，或用 `salesops init 笔记.xlsx` "
                      "新建一个工作簿。\n")
    path = tmp_path / "已有.xlsx"
    path.write_bytes(workbook.read_bytes())
    code, output = run_with(["init", str(path), "--locale", "zh-CN"])
    assert code == 0
    assert output == (
        "保持原样（它们已经存在）：Settings、Stages、Team、Goals、Pipeline、Customers、Orders、"
        f"Commission Plans\n{path} 已有全部输入表：没有写入任何内容。\n"
        f"下一步：填写各表，然后运行 `salesops sync {path}`。\n")


def test_import_into_a_zh_cn_workbook_reports_in_chinese(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "导入.xlsx"
    path.write_bytes(workbook.read_bytes())
    export = tmp_path / "导出.csv"
    headers = ["Deal ID", "Stage", "Created", "Owner", "Amount", "Channel"]
    export.write_text("\n".join([
        ",".join(headers),
        "商机1,线索,2026-11-02,张伟,100,线上",  # already in the tab
        "商机7,线索,2026-11-03,张伟,八万,线上",  # an amount that cannot be read
        "商机8,线索,2026-11-04,张伟,200,线上",
        "商机8,线索,2026-11-04,张伟,200,线上",  # twice in the export
    ]), encoding="utf-8")
    code, output = run_with(["import", str(export), "--into", str(path), "--tab", "Pipeline",
                             "--dry-run"])
    assert code == 0, output
    for part in ("已读取 导出.csv（UTF-8、以 逗号 分隔）", "来自导出文件的列",
                 "将追加到 Pipeline 第", "已跳过：2 行", "商机编号“商机1”已在表中（第 2 行）",
                 "商机编号“商机8”也在源文件第 4 行",
                 "“八万”不是数字", "未导入的导出列：Channel。", "（试运行：没有写入任何内容）。"):
        assert part in output, part
    # the export's own names, its encoding and the --preset (a command-line word) stay as typed
    assert english_in(output, {str(path), export.name, *headers, "UTF-8", "generic"}) == set()


def test_the_zh_cn_demo_prints_in_chinese(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, output = run_with(["demo", "示例.xlsx", "--locale", "zh-CN"])
    assert code == 0, output
    assert "关键指标" in output and "用时" in output and "秒" in output
    assert english_in(output, {"示例.xlsx"}) == set()

"""The demo business as a Chinese owner keeps it: Chinese names, cities, products, CNY.

The same simulated business as the English demo (same seed, same deals and orders), told in
Chinese: each English name of the cast maps to a Chinese one, customers are named by city
and trade (`杭州 食品有限公司`), and every amount is in CNY at 7 yuan to the dollar, so the
figures are the English demo's times 7. The owner's typing mistakes are a Chinese owner's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sync.demo.catalog import NAME_PREFIXES, NAME_SUFFIXES, NAME_TRADES, REPS
from sync.schema import ColumnSpec, tab_spec

YUAN_PER_DOLLAR = 7
PEOPLE = {
    "Ana Ruiz": "张伟", "Ben Carter": "王芳", "Chloe Nguyen": "李娜", "David Kim": "刘洋",
    "Elena Rossi": "陈静", "Grace Park": "赵敏", "Omar Haddad": "孙浩",
}
EMAILS = {"Ana Ruiz": "zhangwei", "Ben Carter": "wangfang", "Chloe Nguyen": "lina",
          "David Kim": "liuyang", "Elena Rossi": "chenjing"}
TEAMS = {"East": "华东组", "West": "华南组"}
REGIONS = {"North": "华北", "South": "华南", "East": "华东", "West": "西南"}
PLANS = {"Standard": "标准方案", "Senior": "资深方案"}
PRODUCTS = {
    "Starter Kit": "入门套装", "Pro Kit": "专业套装", "Enterprise Suite": "企业版",
    "Support Plan": "维保服务", "Training Day": "培训课程", "Spare Parts": "备品备件",
}
STAGES = {"Lead": "线索", "Qualified": "初步沟通", "Proposal": "方案报价",
          "Negotiation": "商务谈判", "Won": "赢单", "Lost": "输单"}
WORDS = {
    "Price too high": "价格太高", "Chose a competitor": "选择了竞争对手", "No budget": "没有预算",
    "No decision": "迟迟未决策", "Bad timing": "时机不对", "Referral": "转介绍",
    "Website": "官网", "Trade show": "展会", "Cold call": "电话陌拜", "Partner": "渠道伙伴",
    "Email campaign": "邮件营销", "Company plan": "公司计划", "Stretch goal": "挑战目标",
    "Quota": "配额", "Company": "公司", "Proposal Sent": "方案已发", "Food & Beverage": "餐饮食品",
    "Wholesale": "批发", "Retail": "零售", "Healthcare": "医疗健康", "Logistics": "物流",
    "Automotive": "汽车", "Construction": "建筑", "Media": "传媒", "Hospitality": "服务业",
    "Real Estate": "房地产", "Education": "教育", "Manufacturing": "制造业",
}
CITIES = (
    "北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "重庆", "武汉",
    "西安", "天津", "长沙", "郑州", "青岛", "宁波", "厦门", "福州", "合肥", "济南",
    "大连", "沈阳", "昆明", "无锡", "佛山", "东莞", "南昌", "石家庄", "贵阳", "南宁",
    "太原", "兰州", "哈尔滨", "长春", "温州", "珠海", "泉州", "烟台", "常州", "绍兴",
)
TRADES = (
    "食品", "烘焙", "咖啡", "酒业", "供应链", "五金", "户外用品", "花艺", "大药房", "口腔",
    "诊所", "检测", "物流", "海运", "汽车", "建设", "水暖", "电气", "影视", "印务", "健身",
    "置业", "教育", "纺织", "光学",
)
SUFFIXES = ("", "有限公司", "股份有限公司", "公司", "有限责任公司", "商行", "集团")
# A Chinese owner's shorthand, ambiguous (85,000 or 80,005?): the reader reports it.
SHORTHAND_AMOUNT = "8万5"
MONEY_SETTINGS = {"New Customer Bonus", "Team Bonus"}
MONEY_METRICS = {"Revenue", "Pipeline Created"}


def _customer(name: str) -> str:
    """`Blue Harbor Foods Ltd` -> `广州食品有限公司`: city, trade, suffix, in the same places."""
    for index, prefix in enumerate(NAME_PREFIXES):
        if not name.startswith(prefix + " "):
            continue
        rest = name[len(prefix) + 1:]
        for trade_index, trade in enumerate(NAME_TRADES):
            if rest.startswith(trade) and rest[len(trade):] in NAME_SUFFIXES:
                suffix = SUFFIXES[NAME_SUFFIXES.index(rest[len(trade):])]
                return f"{CITIES[index]}{TRADES[trade_index]}{suffix}"
    branch = name.rsplit(" Branch ", 1)
    if len(branch) == 2:
        return f"{_customer(branch[0])}第{branch[1]}分店"
    return name


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    for table in (PEOPLE, TEAMS, PLANS, PRODUCTS, STAGES, WORDS):
        if value in table:
            return table[value]
    if " for " in value:  # a deal: `Pro Kit for Acme Foods`
        product, customer = value.split(" for ", 1)
        return f"{_customer(customer)}{_text(product)}项目"
    return _customer(value)


def _yuan(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return SHORTHAND_AMOUNT if isinstance(value, str) else value
    return round(value * YUAN_PER_DOLLAR, 2)


def _email(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    for rep in REPS:
        if value.startswith(".".join(rep.name.lower().split()) + "@"):
            return value.replace(".".join(rep.name.lower().split()), EMAILS[rep.name], 1)
    return value


def _column_readers(tab: str) -> dict[str, Callable[[Any], Any]]:
    readers: dict[str, Callable[[Any], Any]] = {}
    for column in tab_spec(tab).columns:
        if column.header == "Region":
            readers[column.header] = lambda value: REGIONS.get(value, value)
        elif column.header == "Email":
            readers[column.header] = _email
        elif column.type == "money" or (tab, column.header) == ("Commission Plans", "Bonus"):
            readers[column.header] = _yuan
        elif column.type in ("text", "id") and column.header not in ("Deal ID", "Order ID"):
            readers[column.header] = _text
        elif column.type == "yesno":
            readers[column.header] = lambda value: {"Yes": "是", "No": "否"}.get(value, value)
        elif column.choices:
            readers[column.header] = _choice_label(column)
    return readers


def _choice_label(column: ColumnSpec) -> Callable[[Any], Any]:
    def label(value: Any) -> Any:
        return column.choice_label(value, "zh-CN") if isinstance(value, str) else value

    return label


def in_chinese(grids: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The demo's grids (English headers, row 1) with the business told in Chinese."""
    told: dict[str, list[list[Any]]] = {}
    for tab, grid in grids.items():
        headers, *rows = grid
        readers = {} if tab == "Settings" else _column_readers(tab)
        new_rows = []
        for row in rows:
            cells = dict(zip(headers, row, strict=True))
            if tab == "Settings":
                cells = _setting(cells)
            elif tab == "Goals" and cells.get("Metric") in MONEY_METRICS:
                cells["Target"] = _yuan(cells["Target"])
            new_rows.append([readers.get(header, _same)(cells[header]) for header in headers])
        told[tab] = [list(headers), *new_rows]
    return told


def _setting(cells: dict[str, Any]) -> dict[str, Any]:
    key, value = cells.get("Setting"), cells.get("Value")
    if key == "Currency":
        value = "CNY"
    elif key in MONEY_SETTINGS:
        value = _yuan(value)
    elif key == "Period":
        value = {"Month": "月", "Quarter": "季度"}.get(str(value), value)
    return {**cells, "Value": value, "Setting": key}


def _same(value: Any) -> Any:
    return value

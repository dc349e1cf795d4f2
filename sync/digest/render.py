"""A digest as plain text, HTML (the e-mail's two parts and `GET /digest`) and rich output."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sync.digest.attention import DealMove, Digest

LIMIT = 20  # lines per section; the rest is counted, so an e-mail stays short

WORDS = {
    "en": {
        "subject": "Sales digest {as_of}",
        "title": "Sales digest as of {as_of} ({period})",
        "key": "Key figures",
        "attention": "Needs attention",
        "target": "target",
        "yesterday": "Revenue on {day}: {amount}",
        "pace": "This period: {status} pace ({actual} of {expected} expected by now)",
        "no_goal": "This period: no Company Revenue goal to pace against",
        "moved": "Deals that moved",
        "alarming": "Deals that became stuck or overdue",
        "turned": "Customers who turned At Risk or Churned",
        "behind": "Reps behind pace",
        "issues": "New Data Issues",
        "none": "none",
        "new": "new",
        "first": "First digest of this workbook: changes are reported from the next one on.",
        "since": "Changes since the digest as of {previous}.",
        "more": "... and {count} more",
        "behind_line": "{rep}{scope}: {actual} of {expected} expected by now (target {target})",
    },
    "zh-CN": {
        "subject": "销售摘要 {as_of}",
        "title": "销售摘要（统计日期 {as_of}，周期 {period}）",
        "key": "关键指标",
        "attention": "需要关注",
        "target": "目标",
        "yesterday": "{day} 的收入：{amount}",
        "pace": "本周期：进度 {status}（实际 {actual}，按进度应达 {expected}）",
        "no_goal": "本周期：没有公司收入目标可对照进度",
        "moved": "阶段变化的交易",
        "alarming": "变为停滞或逾期的交易",
        "turned": "变为有风险或流失的客户",
        "behind": "落后于进度的销售",
        "issues": "新的数据问题",
        "none": "无",
        "new": "新",
        "first": "这是本工作簿的第一份摘要：变化从下一份开始报告。",
        "since": "与统计日期 {previous} 的摘要相比的变化。",
        "more": "……另有 {count} 项",
        "behind_line": "{rep}{scope}：实际 {actual}，按进度应达 {expected}（目标 {target}）",
    },
}


def words_for(locale: str) -> dict[str, str]:
    """The digest's words in a locale (`en` for any other)."""
    return WORDS.get(locale, WORDS["en"])


def money(amount: float | None, currency: str) -> str:
    """`USD 12,345.60`."""
    return "" if amount is None else f"{currency} {round(amount, 2) + 0.0:,.2f}"


def figure(value: float | None, kind: str, currency: str) -> str:
    """A key figure (or its target) as the digest prints it, by the KPI's kind."""
    if value is None:
        return "-"
    if kind == "money":
        return money(value, currency)
    if kind == "percent":
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@dataclass(frozen=True)
class Section:
    """A part of the digest: its heading (blank for the opening lines), lines and count."""

    heading: str
    lines: list[str]
    count: int


def sections(digest: Digest, locale: str) -> tuple[list[str], list[Section]]:
    """The key-figure lines, then (heading, lines) of each attention section."""
    words = words_for(locale)
    cur = digest.currency
    key_lines = []
    for kpi in digest.key_figures:
        line = f"{kpi.name}: {figure(kpi.value, kpi.kind, cur)}"
        if kpi.target is not None:
            line += f" ({words['target']} {figure(kpi.target, kpi.kind, cur)}"
            line += f", {kpi.status})" if kpi.status else ")"
        key_lines.append(line)
    top = [words["yesterday"].format(day=f"{digest.yesterday:%Y-%m-%d}",
                                     amount=money(digest.revenue_yesterday, cur))]
    revenue = next((kpi for kpi in digest.key_figures if kpi.name == "Revenue This Period"), None)
    if digest.expected_by_now is not None and revenue is not None and revenue.value is not None:
        top.append(words["pace"].format(status=digest.period_pace or "-",
                                        actual=money(revenue.value, cur),
                                        expected=money(digest.expected_by_now, cur)))
    else:
        top.append(words["no_goal"])
    top.append(words["first"] if digest.previous_as_of is None
               else words["since"].format(previous=digest.previous_as_of))

    def deal(move: DealMove) -> str:
        name = f" {move.deal}" if move.deal else ""
        owner = f" ({move.owner})" if move.owner else ""
        return f"{move.deal_id}{name}{owner}: {move.before or words['new']} -> {move.after}"

    changes = [
        (words["moved"], [deal(move) for move in digest.moved]),
        (words["alarming"], [deal(move) for move in digest.became_alarming]),
        (words["turned"], [f"{turn.customer}: {turn.before or words['new']} -> {turn.after}"
                           for turn in digest.turned]),
    ]
    first = digest.previous_as_of is None  # nothing to compare with: no change sections
    attention = [
        ("", top),
        *([] if first else changes),
        (words["behind"], [words["behind_line"].format(
            rep=rep.rep, scope=f" ({rep.scope})" if rep.scope else "",
            actual=money(rep.actual, cur), expected=money(rep.expected, cur),
            target=money(rep.target, cur)) for rep in digest.behind]),
        (words["issues"], [f"{issue.severity} {issue.tab}"
                           + (f" row {issue.row}" if issue.row else "")
                           + (f", {issue.column}" if issue.column else "")
                           + f": {issue.problem}" for issue in digest.new_issues]),
    ]
    if first:
        attention.pop()  # every issue would be "new"
    shortened = []
    for heading, lines in attention:
        count = len(lines)
        if heading and not lines:
            lines = [words["none"]]
        elif len(lines) > LIMIT:
            lines = [*lines[:LIMIT], words["more"].format(count=len(lines) - LIMIT)]
        shortened.append(Section(heading, lines, count))
    return key_lines, shortened


def subject(digest: Digest, locale: str) -> str:
    """The e-mail's subject line."""
    return words_for(locale)["subject"].format(as_of=f"{digest.as_of:%Y-%m-%d}")


def digest_text(digest: Digest, locale: str) -> str:
    """The plain-text digest."""
    words = words_for(locale)
    key_lines, attention = sections(digest, locale)
    out = [words["title"].format(as_of=f"{digest.as_of:%Y-%m-%d}", period=digest.period), "",
           words["key"], *(f"  {line}" for line in key_lines), "", words["attention"]]
    for section in attention:
        if section.heading:
            out += ["", f"{section.heading} ({section.count})"]
        out += [f"  {line}" for line in section.lines]
    return "\n".join(out) + "\n"


def digest_html(digest: Digest, locale: str) -> str:
    """The HTML digest (the e-mail's HTML part)."""
    words = words_for(locale)
    key_lines, attention = sections(digest, locale)
    title = escape(words["title"].format(as_of=f"{digest.as_of:%Y-%m-%d}", period=digest.period))
    parts = [f"<h2>{title}</h2>", f"<h3>{escape(words['key'])}</h3><ul>"]
    parts += [f"<li>{escape(line)}</li>" for line in key_lines]
    parts.append(f"</ul><h3>{escape(words['attention'])}</h3>")
    for section in attention:
        if section.heading:
            parts.append(f"<h4>{escape(section.heading)} ({section.count})</h4>")
        parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in section.lines)
                     + "</ul>")
    lang = "zh-CN" if locale == "zh-CN" else "en"
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body style='font-family: sans-serif'>"
            f"{''.join(parts)}</body></html>")

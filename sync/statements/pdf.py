"""A statement as a PDF: HTML laid out by WeasyPrint, which embeds the system's fonts.

WeasyPrint (through Pango and fontconfig) finds installed fonts by language, so a zh-CN
statement embeds a Chinese font such as Noto Sans CJK without the product shipping one.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from html import escape
from pathlib import Path

from sync.errors import StatementError
from sync.statements.figures import Statement
from sync.statements.labels import labels_for

FONTS = '"Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", "Liberation Sans", sans-serif'
CJK_HINT = ("Install a Chinese font and run again: on Debian or Ubuntu `apt-get install "
            "fonts-noto-cjk`, on macOS with Homebrew `brew install --cask font-noto-sans-cjk`.")

CSS = f"""
@page {{ size: A4; margin: 18mm 16mm; }}
body {{ font-family: {FONTS}; font-size: 10pt; color: #222; }}
h1 {{ font-size: 16pt; margin: 0 0 4mm 0; }}
h2 {{ font-size: 12pt; margin: 6mm 0 2mm 0; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ padding: 1.2mm 2mm; border-bottom: 0.3pt solid #ccc; text-align: left; }}
td.money, th.money {{ text-align: right; white-space: nowrap; }}
tr.payout td {{ font-weight: bold; border-top: 0.8pt solid #222; }}
p.meta {{ margin: 0; }}
p.private {{ color: #666; font-size: 8pt; margin-top: 8mm; }}
ol li {{ margin-bottom: 1mm; }}
"""


def money(amount: float) -> str:
    """`12,345.60`: every statement figure to the cent."""
    return f"{round(amount, 2) + 0.0:,.2f}"


def percent(fraction: float | None) -> str:
    """`87.50%`, or an empty string when there is no quota."""
    return "" if fraction is None else f"{fraction * 100:.2f}%"


def statement_html(statement: Statement, locale: str) -> str:
    """The statement as a small HTML page in the locale's words."""
    words = labels_for(locale)
    cur = escape(statement.currency)
    summary = [
        ("revenue", money(statement.revenue)),
        ("quota", words["no_quota"] if statement.quota is None else money(statement.quota)),
        ("attainment", percent(statement.attainment)),
        ("tier_commission", money(statement.tier_commission)),
        ("bonuses", money(statement.bonuses)),
        ("clawbacks", money(-statement.clawbacks) if statement.clawbacks else money(0)),
    ]
    rows = "".join(
        f"<tr><td>{words[key]}</td><td class='money'>{value}</td></tr>" for key, value in summary
    )
    rows += (f"<tr class='payout'><td>{words['payout']} ({cur})</td>"
             f"<td class='money'>{money(statement.payout)}</td></tr>")
    parts = [
        f"<h1>{words['title']}</h1>",
        f"<p class='meta'>{words['rep']}: <b>{escape(statement.rep)}</b></p>",
        f"<p class='meta'>{words['period']}: {escape(statement.period)} · "
        f"{words['as_of']}: {statement.as_of:%Y-%m-%d}</p>",
        f"<h2>{words['summary']} ({cur})</h2><table>{rows}</table>",
    ]
    if not statement.has_sales:
        parts.append(f"<p><b>{words['no_sales']}</b></p>")
    if statement.steps:
        steps = "".join(f"<li>{escape(step)}</li>" for step in statement.steps)
        parts.append(f"<h2>{words['arithmetic']}</h2><ol>{steps}</ol>")
    if statement.lines:
        head = "".join(f"<th>{words[key]}</th>" for key in
                       ("date", "kind", "reference", "customer", "product"))
        body = "".join(
            f"<tr><td>{line.day:%Y-%m-%d}</td><td>{words[line.kind]}</td>"
            f"<td>{escape(line.reference)}</td><td>{escape(line.customer)}</td>"
            f"<td>{escape(line.product)}</td><td class='money'>{money(line.amount)}</td>"
            f"<td class='money'>{money(line.counted)}</td></tr>"
            for line in statement.lines
        )
        amount = sum(line.amount for line in statement.lines)
        counted = sum(line.counted for line in statement.lines)
        body += (f"<tr class='payout'><td colspan='5'>{words['total']}</td>"
                 f"<td class='money'>{money(amount)}</td><td class='money'>{money(counted)}</td>"
                 "</tr>")
        parts.append(f"<h2>{words['credited']} ({cur})</h2><table><tr>{head}"
                     f"<th class='money'>{words['amount']}</th>"
                     f"<th class='money'>{words['counted']}</th></tr>{body}</table>"
                     f"<p class='private'>{words['counted_note']}</p>")
    parts.append(f"<p class='private'>{escape(words['private'].format(rep=statement.rep))}</p>")
    lang = "zh-CN" if locale == "zh-CN" else "en"
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def chinese_font_installed() -> bool:
    """Whether fontconfig knows a font covering Chinese (what Pango would embed)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                           check=False)
    return bool(found.stdout.strip())


def check_fonts(locale: str) -> None:
    """Raise StatementError when a zh-CN statement would have no Chinese font to embed."""
    if locale == "zh-CN" and not chinese_font_installed():
        raise StatementError(f"no Chinese font is installed, so a zh-CN statement would print "
                             f"empty boxes. {CJK_HINT}")


def write_pdf(statement: Statement, locale: str, path: Path) -> None:
    """Write the statement's PDF to `path`."""
    try:
        from weasyprint import HTML
    except OSError as error:  # the Pango library is missing
        raise StatementError(
            f"the PDF library cannot start ({error}). Install Pango: on Debian or Ubuntu "
            "`apt-get install libpango-1.0-0 libpangoft2-1.0-0`."
        ) from error
    # WeasyPrint logs every CSS property it does not support; a statement needs none of that.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=statement_html(statement, locale)).write_pdf(path)

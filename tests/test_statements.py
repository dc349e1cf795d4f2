"""A private statement per rep: every figure read back from the PDF against the Commissions tab."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime

import pytest
from python_calamine import CalamineWorkbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.engine import sync_workbook
from sync.errors import StatementError
from sync.statements import make_statements
from tests.small_business import small_business

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 9, 0)
QUIET_REP = ["Zoe Quiet", "zoe.quiet@example.com", "East", "Grace Park", "North", "Standard",
             date(2026, 11, 1), "Yes"]
SUMMARY = [("Revenue", "Revenue"), ("Quota", "Quota"), ("Tier commission", "Tier Commission"),
           ("Bonuses", "Bonuses"), ("Clawbacks", "Clawbacks"), ("Payout (USD)", "Payout")]


def demo_book(path, *settings_rows, quiet_email="zoe.quiet@example.com"):
    grids = demo_grids(size=1, seed=7, today=TODAY)
    quiet = list(QUIET_REP)
    quiet[1] = quiet_email
    grids["Team"].append(quiet)  # a rep who sold nothing yet
    for key, value in settings_rows:
        [row] = [row for row in grids["Settings"] if row[0] == key]
        row[1] = value
    write_input_workbook(path, {tab: grid for tab, grid in grids.items() if tab != "Stage Log"})
    return path


def sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def figure(text, label):
    """The figure printed on the summary line that starts with `label`."""
    match = re.search(rf"^\s*{re.escape(label)}\s+(\S+)\s*$", text, re.MULTILINE)
    assert match, f"{label} not in the statement"
    return match[1]


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    folder = tmp_path_factory.mktemp("statements")
    book = demo_book(folder / "demo.xlsx")
    sync_workbook(XlsxBackend(book), now=NOW)
    written = make_statements(XlsxBackend(book), folder / "out")
    return book, written


def test_every_figure_matches_the_commissions_tab(synced):
    book, written = synced
    header, *rows = sheet(book, "Commissions")
    tab = {(row[0], row[1]): dict(zip(header, row, strict=True)) for row in rows}
    checked = 0
    for item in written:
        row = tab.get((item.statement.rep, "2026-Q4"))
        if row is None:
            continue
        text = pdf_text(item.path)
        for label, column in SUMMARY:
            value = row[column]
            if column == "Clawbacks" and value:
                value = -value  # printed as the amount taken off
            assert figure(text, label) == f"{value:,.2f}", (item.statement.rep, column)
        assert figure(text, "Attainment") == f"{row['Attainment'] * 100:.2f}%"
        # The credited lines add up to the Revenue the tab shows, to the cent.
        total = re.search(r"^\s*Total\s+(\S+)\s+(\S+)\s*$", text, re.MULTILINE)
        assert total and total[2] == f"{row['Revenue']:,.2f}"
        for step in str(row["Explanation"]).split("; "):
            assert step.split(" x ")[0] in " ".join(text.split())
        checked += 1
    assert checked == 5  # the demo's five reps all sold in 2026-Q4


def test_a_statement_by_hand(tmp_path):
    book = small_business(tmp_path / "small.xlsx")
    sync_workbook(XlsxBackend(book), now=NOW)
    written = make_statements(XlsxBackend(book), tmp_path / "out")
    assert [item.path.name for item in written] == ["2026-Q4 Ana Ruiz.pdf", "2026-Q4 Bo Chen.pdf"]
    text = pdf_text(written[0].path)
    # Revenue 60,000 + 52,000 + 1,500 = 113,500 (the 2,000 refund is clawed back, so it
    # leaves revenue); quota 100,000; attainment 113.5%.
    assert figure(text, "Revenue") == "113,500.00"
    assert figure(text, "Quota") == "100,000.00"
    assert figure(text, "Attainment") == "113.50%"
    # 0-80%: 80,000 x 3% = 2,400; 80-120%: (113,500 - 80,000) = 33,500 x 6% = 2,010;
    # tier commission 2,400 + 2,010 = 4,410; the 80% tier's bonus: 500.
    assert figure(text, "Tier commission") == "4,410.00"
    assert figure(text, "Bonuses") == "500.00"
    # Clawback: the 2,000 refund x the period's rate 4,410 / 113,500 = 77.709... -> 77.71.
    assert figure(text, "Clawbacks") == "-77.71"
    # Payout: 4,410 + 500 - 77.71 = 4,832.29.
    assert figure(text, "Payout (USD)") == "4,832.29"


def test_a_rep_with_no_sales_gets_a_statement_saying_so(synced):
    _book, written = synced
    [zoe] = [item for item in written if item.statement.rep == "Zoe Quiet"]
    text = pdf_text(zoe.path)
    assert "No sales were credited to you in this period, so there is no payout." in text
    assert figure(text, "Payout (USD)") == "0.00"


def test_statements_are_named_so_they_sort(synced):
    _book, written = synced
    assert [item.path.name for item in written] == [
        "2026-Q4 Ana Ruiz.pdf", "2026-Q4 Ben Carter.pdf", "2026-Q4 Chloe Nguyen.pdf",
        "2026-Q4 David Kim.pdf", "2026-Q4 Elena Rossi.pdf", "2026-Q4 Zoe Quiet.pdf",
    ]


def test_an_earlier_period_by_name(synced, tmp_path):
    book, _written = synced
    written = make_statements(XlsxBackend(book), tmp_path, period="2026-q3")
    assert written[0].path.name == "2026-Q3 Ana Ruiz.pdf"
    header, *rows = sheet(book, "Commissions")
    [row] = [row for row in rows if row[0] == "Ana Ruiz" and row[1] == "2026-Q3"]
    assert figure(pdf_text(written[0].path), "Payout (USD)") == f"{row[8]:,.2f}"


@pytest.mark.parametrize("period", ["2026-11", "2026-Q5", "Q4"])
def test_a_period_the_workbook_does_not_count_is_an_error(synced, tmp_path, period):
    book, _written = synced
    with pytest.raises(StatementError, match="is not a quarter as the workbook's Period "
                       r"setting \(Quarter\) counts them: type it like 2026-Q4"):
        make_statements(XlsxBackend(book), tmp_path, period=period)


def test_a_chinese_statement_embeds_a_chinese_font(tmp_path):
    book = demo_book(tmp_path / "zh.xlsx", ("Locale", "zh-CN"))
    written = make_statements(XlsxBackend(book), tmp_path / "out")
    ana = written[0]
    text = pdf_text(ana.path)
    assert "佣金结算单" in text and "应付佣金" in text
    fonts = subprocess.run(["pdffonts", str(ana.path)], capture_output=True, text=True,
                           check=True).stdout
    assert "CJK" in fonts


def test_no_chinese_font_is_a_clear_error(tmp_path, monkeypatch):
    book = demo_book(tmp_path / "zh.xlsx", ("Locale", "zh-CN"))
    (tmp_path / "nofonts").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(f"<?xml version='1.0'?><fontconfig><dir>{tmp_path / 'nofonts'}</dir>"
                      f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    with pytest.raises(StatementError) as caught:
        make_statements(XlsxBackend(book), tmp_path / "out")
    assert str(caught.value).startswith("no Chinese font is installed, so a zh-CN statement")
    assert "apt-get install fonts-noto-cjk" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_commissions_visible_no_empties_the_shared_tab(tmp_path):
    book = demo_book(tmp_path / "shared.xlsx")
    sync_workbook(XlsxBackend(book), now=NOW)
    assert len(sheet(book, "Commissions")) > 1
    private = demo_book(tmp_path / "private.xlsx", ("Commissions Visible", "No"))
    sync_workbook(XlsxBackend(private), now=NOW)
    assert len(sheet(private, "Commissions")) > 0
    [header, *rows] = sheet(private, "Commissions")
    assert header[:3] == ["Rep", "Period", "Revenue"] and rows == []
    # the statements still carry the figures the tab would have shown
    written = make_statements(XlsxBackend(private), tmp_path / "out")
    [shared] = [row for row in sheet(book, "Commissions") if row[:2] == ["Ana Ruiz", "2026-Q4"]]
    assert figure(pdf_text(written[0].path), "Payout (USD)") == f"{shared[8]:,.2f}"

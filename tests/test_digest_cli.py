"""`salesops digest`: printed with rich, or e-mailed (plain text + HTML) over real SMTP."""

from __future__ import annotations

from sync.backends.xlsx.backend import XlsxBackend
from sync.engine import sync_workbook
from tests.small_business import small_business
from tests.smtp_server import parts, smtp_inbox
from tests.test_statements import NOW, demo_book
from tests.test_statements_cli import isolated, run  # noqa: F401 - the autouse fixture


def test_the_digest_is_printed(tmp_path):
    book = small_business(tmp_path / "small.xlsx")
    result = run("digest", book, env={"SALESOPS_STATE_DIR": str(tmp_path / "state")})
    assert result.exit_code == 0, result.output
    assert "Sales digest as of 2026-11-28 (2026-Q4)" in result.output
    # 60,000 + 52,000 - 2,000 + 1,500 + 9,000 = 120,500 against the Company's 92,000;
    # 92,000 x 59 / 92 days = 59,000 expected by now, and 120,500 is over 110% of it.
    assert "Revenue This Period: USD 120,500.00 (target USD 92,000.00, Ahead)" in result.output
    assert list((tmp_path / "state").glob("digest-small-*.json"))


def test_the_digest_is_mailed_with_both_parts(tmp_path):
    book = small_business(tmp_path / "small.xlsx")
    sync_workbook(XlsxBackend(book), now=NOW)
    with smtp_inbox() as inbox:
        result = run("digest", book, "--to", "owner@example.com", "--to", "lead@example.com",
                     "--smtp", inbox.url, env={"SALESOPS_STATE_DIR": str(tmp_path / "state")})
    assert result.exit_code == 0, result.output
    assert 'Sent "Sales digest 2026-11-28" to owner@example.com, lead@example.com' in (
        " ".join(result.output.split()))
    [received] = inbox.messages
    assert received.recipients == ["owner@example.com", "lead@example.com"]
    assert received.message["Subject"] == "Sales digest 2026-11-28"
    text, html = parts(received.message)
    line = "Revenue This Period: USD 120,500.00 (target USD 92,000.00, Ahead)"
    assert f"  {line}\n" in text
    assert f"<li>{line}</li>" in html
    # Bo's Q4 quota 30,000 x 59 / 92 days = 19,239.13 expected by now; he sold 9,000.
    assert "Bo Chen: USD 9,000.00 of USD 19,239.13 expected by now" in text
    assert "Bo Chen: USD 9,000.00 of USD 19,239.13 expected by now" in html


def test_smtp_without_a_recipient_is_an_error(tmp_path):
    book = demo_book(tmp_path / "demo.xlsx")
    result = run("digest", book, "--smtp", "smtp://127.0.0.1:2525")
    assert result.exit_code == 1
    assert result.output == "Error: --smtp needs at least one --to EMAIL to send to.\n"

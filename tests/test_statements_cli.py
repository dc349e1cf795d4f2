"""`salesops statements`: PDFs in a folder, and each rep's own one e-mailed with --send."""

from __future__ import annotations

import logging
import os

import pytest
from click.testing import CliRunner

from sync.backends.xlsx.backend import XlsxBackend
from sync.cli import main
from sync.engine import sync_workbook
from tests.smtp_server import parts, smtp_inbox
from tests.test_statements import NOW, demo_book, sheet


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No SALESOPS_ variables, an empty working directory, and logging restored afterwards."""
    for name in list(os.environ):
        if name.upper().startswith("SALESOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def run(*args, env=None):
    result = CliRunner().invoke(main, [str(arg) for arg in args], env=env)
    assert "Traceback" not in result.output
    return result


def test_send_mails_each_rep_their_own_statement(tmp_path):
    book = demo_book(tmp_path / "demo.xlsx")
    sync_workbook(XlsxBackend(book), now=NOW)
    with smtp_inbox() as inbox:
        result = run("statements", book, "--out", tmp_path / "out", "--send",
                     env={"SALESOPS_SMTP_URL": inbox.url,
                          "SALESOPS_MAIL_FROM": "Pay <pay@example.com>"})
    assert result.exit_code == 0, result.output
    assert "6 statements in" in result.output
    assert "Sent Ana Ruiz's statement" in result.output
    by_recipient = {received.recipients[0]: received for received in inbox.messages}
    assert all(len(received.recipients) == 1 for received in inbox.messages)
    assert sorted(by_recipient) == [
        "ana.ruiz@salesops-demo.example", "ben.carter@salesops-demo.example",
        "chloe.nguyen@salesops-demo.example", "david.kim@salesops-demo.example",
        "elena.rossi@salesops-demo.example", "zoe.quiet@example.com",
    ]
    ana = by_recipient["ana.ruiz@salesops-demo.example"].message
    assert ana["Subject"] == "Your commission statement for 2026-Q4"
    assert ana["From"] == "Pay <pay@example.com>"
    text, html = parts(ana)
    # the payout the Commissions tab shows for Ana in 2026-Q4
    [row] = [row for row in sheet(book, "Commissions") if row[:2] == ["Ana Ruiz", "2026-Q4"]]
    assert f"payout USD {row[8]:,.2f}" in text
    assert f"payout USD {row[8]:,.2f}" in html
    [pdf] = list(ana.iter_attachments())
    assert pdf.get_filename() == "2026-Q4 Ana Ruiz.pdf"
    assert pdf.get_content() == (tmp_path / "out" / "2026-Q4 Ana Ruiz.pdf").read_bytes()


def test_send_without_a_mail_server_stops_before_writing(tmp_path):
    book = demo_book(tmp_path / "demo.xlsx")
    result = run("statements", book, "--out", tmp_path / "out", "--send")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no mail server is set: set smtp_url in config.yaml")
    assert not (tmp_path / "out").exists()


def test_a_bad_period_is_an_error_line(tmp_path):
    book = demo_book(tmp_path / "demo.xlsx")
    result = run("statements", book, "--out", tmp_path / "out", "--period", "2026-13")
    assert result.exit_code == 1
    assert result.output == (
        'Error: --period "2026-13" is not a quarter as the workbook\'s Period setting '
        "(Quarter) counts them: type it like 2026-Q4.\n"
    )


def test_a_rep_without_an_email_is_named_after_the_others_are_sent(tmp_path):
    book = demo_book(tmp_path / "demo.xlsx", quiet_email=None)  # Zoe Quiet has no Email
    with smtp_inbox() as inbox:
        result = run("statements", book, "--out", tmp_path / "out", "--send",
                     env={"SALESOPS_SMTP_URL": inbox.url})
    assert result.exit_code == 1
    assert len(inbox.messages) == 5
    assert result.output.splitlines()[-1] == (
        "Error: 1 statement not sent: no Email in the Team tab for Zoe Quiet. Add their "
        "addresses and run again with --send."
    )

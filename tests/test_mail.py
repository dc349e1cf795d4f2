"""SMTP sending against a real server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import pytest

from sync.errors import MailError
from sync.mail import Attachment, SmtpServer, build_message
from tests.smtp_server import parts, smtp_inbox


def test_a_message_arrives_with_both_parts_and_its_attachment():
    with smtp_inbox() as inbox:
        message = build_message(
            "SalesOps <salesops@example.com>", ["ana@example.com", "ben@example.com"],
            "Hello", "plain words", html="<p>html words</p>",
            attachments=[Attachment("2026-11 Ana Ruiz.pdf", b"%PDF-1.7 test")],
        )
        SmtpServer.from_url(inbox.url).send(message)
    [received] = inbox.messages
    assert received.recipients == ["ana@example.com", "ben@example.com"]
    text, html = parts(received.message)
    assert text.strip() == "plain words"
    assert html.strip() == "<p>html words</p>"
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_filename() == "2026-11 Ana Ruiz.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.7 test"


@pytest.mark.parametrize(
    ("url", "host", "port", "tls"),
    [("smtp://mail.example.com", "mail.example.com", 25, False),
     ("smtp://mail.example.com:587", "mail.example.com", 587, False),
     ("smtps://mail.example.com", "mail.example.com", 465, True)],
)
def test_server_urls(url, host, port, tls):
    server = SmtpServer.from_url(url)
    assert (server.host, server.port, server.tls) == (host, port, tls)


@pytest.mark.parametrize(
    ("url", "message"),
    [(None, "no mail server is set: set smtp_url in config.yaml or SALESOPS_SMTP_URL"),
     ("http://mail.example.com", 'the mail server URL "http://mail.example.com" is not an'),
     ("smtp://ana:secret@mail.example.com", "must not hold a user name or password")],
)
def test_bad_server_urls_say_what_to_fix(url, message):
    with pytest.raises(MailError) as caught:
        SmtpServer.from_url(url)
    assert message in str(caught.value)
    assert "secret" not in str(caught.value)


def test_a_server_that_is_down_is_a_clear_error():
    from tests.smtp_server import free_port

    server = SmtpServer.from_url(f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(MailError, match=r"could not take the message .*check smtp_url"):
        server.send(build_message("a@example.com", ["b@example.com"], "s", "t"))

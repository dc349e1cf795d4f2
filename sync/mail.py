"""E-mail over SMTP: the statements' and the digest's one way out.

The server is an `smtp://host[:port]` URL (STARTTLS when the server offers it, port 25 by
default) or `smtps://host[:port]` (TLS from the start, port 465), from config `smtp_url`
or `SALESOPS_SMTP_URL`. A user name and password, when the server needs them, come from
the environment only: `SALESOPS_SMTP_USERNAME`, `SALESOPS_SMTP_PASSWORD`.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from sync.errors import MailError

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: parsed from the URL, with the environment's credentials."""

    host: str
    port: int
    tls: bool  # True: smtps (TLS from the start); False: STARTTLS when offered
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str | None, username: str | None = None,
                 password: str | None = None) -> SmtpServer:
        """The server of an `smtp://` or `smtps://` URL; MailError naming what to fix."""
        if not url or not url.strip():
            raise MailError("no mail server is set: set smtp_url in config.yaml or "
                            "SALESOPS_SMTP_URL (e.g. smtp://mail.example.com:587), or pass "
                            "--smtp URL.")
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailError(f"the mail server URL {_shown(url)} is not an smtp:// or smtps:// "
                            "URL: write it like smtp://mail.example.com:587.")
        if parts.username or parts.password:
            raise MailError("the mail server URL must not hold a user name or password: set "
                            "SALESOPS_SMTP_USERNAME and SALESOPS_SMTP_PASSWORD instead.")
        try:
            port = parts.port
        except ValueError as error:
            raise MailError(f"the mail server URL {_shown(url)} has a bad port.") from error
        tls = parts.scheme == "smtps"
        return cls(parts.hostname, port or (465 if tls else 25), tls, username, password)

    @property
    def label(self) -> str:
        """`smtp://mail.example.com:587`, for messages."""
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"

    def send(self, message: EmailMessage) -> None:
        """Deliver one message; MailError when the server cannot be reached or refuses it."""
        try:
            if self.tls:
                context = ssl.create_default_context()
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=TIMEOUT_SECONDS, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            with client:
                client.ehlo()
                if not self.tls and client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(f"{self.label} refused the user name or password: check "
                            "SALESOPS_SMTP_USERNAME and SALESOPS_SMTP_PASSWORD.") from error
        except smtplib.SMTPRecipientsRefused as error:
            refused = ", ".join(sorted(error.recipients))
            raise MailError(f"{self.label} refused the recipients {refused}: check the "
                            "addresses.") from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"the mail server {self.label} could not take the message "
                            f"({error}): check smtp_url and that the server is up.") from error


def _shown(url: str) -> str:
    # Never repeat a password someone put in the URL.
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.hostname or ''}" if parts.password else f'"{url.strip()}"'


def build_message(
    sender: str, to: Sequence[str], subject: str, text: str, *, html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """A message with a plain-text body, an HTML alternative when given, and attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        main, sub = attachment.mime_type.split("/", 1)
        message.add_attachment(attachment.content, maintype=main, subtype=sub,
                               filename=attachment.filename)
    return message

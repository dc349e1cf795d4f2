"""The daily digest (`salesops digest`): key figures and what needs attention since the last one.

    from sync import load_config, open_backend
    from sync.digest import DigestStore, make_digest

    config = load_config()
    made = make_digest(open_backend(config, path="sales.xlsx"), DigestStore(config.digest_dir))
    print(made.text)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sync.backends.base import Backend
from sync.digest.attention import Digest, build_digest
from sync.digest.render import digest_html, digest_text, subject
from sync.digest.snapshot import DigestStore, KeepsDigests, StoredDigest, take_snapshot
from sync.mail import SmtpServer, build_message

__all__ = ["Digest", "DigestStore", "MadeDigest", "make_digest", "send_digest", "workbook_key"]


@dataclass(frozen=True)
class MadeDigest:
    """A digest and its words: subject, plain text and HTML, in the workbook's locale."""

    digest: Digest
    locale: str
    subject: str
    text: str
    html: str
    digest_to: tuple[str, ...]  # the workbook's `Digest To` setting


def workbook_key(backend: Backend) -> str:
    """What a digest is kept under: the spreadsheet id, or the workbook file's full path."""
    path = getattr(backend, "path", None)
    return str(Path(path).resolve()) if path is not None else backend.label


def make_digest(
    backend: Backend, store: KeepsDigests, *, locale: str = "en", now: datetime | None = None
) -> MadeDigest:
    """Compute the workbook, compare with its previous digest, keep this one as the latest.

    `locale` is used when the workbook's Settings has no `Locale`.
    """
    from sync.engine import compute_workbook

    computed = compute_workbook(backend, now=now)
    key = workbook_key(backend)
    previous = store.load(key)
    digest = build_digest(computed, previous.snapshot if previous else None)
    settings = computed.tables.settings
    locale = settings.locale or locale
    made = MadeDigest(digest, locale, subject(digest, locale), digest_text(digest, locale),
                      digest_html(digest, locale), settings.digest_to)
    made_at = (now or datetime.now()).replace(microsecond=0).isoformat()
    store.save(key, StoredDigest(made_at, made.subject, made.text, made.html,
                                 take_snapshot(computed)))
    return made


def send_digest(made: MadeDigest, server: SmtpServer, sender: str, to: Sequence[str]) -> None:
    """E-mail the digest (plain text with an HTML alternative) to `to`, in one message."""
    server.send(build_message(sender, list(to), made.subject, made.text, html=made.html))

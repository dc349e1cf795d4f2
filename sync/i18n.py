"""The words the product writes, in a workbook's locale: a gettext catalogue read by Babel.

The catalogue is `sync/locale/<locale>/LC_MESSAGES/salesops.po`, English msgids (SPEC's
canonical words) to their translation. It is read from the `.po` at first use, not compiled
to a `.mo` at build time: the project installs editable and from source with no build step,
so a compiled file could fall out of date with its `.po`; reading it costs milliseconds once.
English is the identity: an English workbook gets exactly the words the code holds.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "salesops"


def catalogue_path(locale: str) -> Path:
    """Where the `.po` of a locale (`zh-CN`) lives."""
    return LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of a locale; English (or a locale with no catalogue) translates nothing."""
    path = catalogue_path(locale)
    if locale == "en" or not path.exists():
        return NullTranslations()
    # Babel is imported only here: an English-only process never pays for it.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as source:
        catalog = read_po(source, locale=locale.replace("-", "_"), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return GNUTranslations(compiled)


def translate(text: str, locale: str) -> str:
    """One word or sentence in this locale (as it is when the catalogue lacks it)."""
    if locale == "en" or not text:
        return text
    return str(translations(locale).gettext(text))


_LOCALE: ContextVar[str] = ContextVar("salesops_locale", default="en")


def _(message: str) -> str:
    """A sentence of the product in the locale being written (English outside `writing_in`).

    Call sites keep their English text as the msgid, with named fields filled after:
    `_('"{text}" is not a number').format(text=text)`.
    """
    return translate(message, _LOCALE.get())


@contextmanager
def writing_in(locale: str) -> Iterator[None]:
    """Every `_()` inside speaks this locale (the workbook's `Locale`)."""
    token = _LOCALE.set(locale)
    try:
        yield
    finally:
        _LOCALE.reset(token)


_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def period_name(label: str) -> str:
    """A period label in the locale being written: `2026-Q4` (zh-CN `2026年第4季度`); a month
    (`2026-11`) reads the same in every locale."""
    quarter = _QUARTER.fullmatch(label)
    if quarter is None:
        return label
    return _("{year}-Q{quarter}").format(year=quarter[1], quarter=quarter[2])


def current_locale() -> str:
    """The locale `_()` speaks now."""
    return _LOCALE.get()

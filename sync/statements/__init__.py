"""A private commission statement per rep (`salesops statements`), as PDF, e-mailed if asked.

    from sync import open_backend
    from sync.statements import make_statements

    written = make_statements(open_backend(path="sales.xlsx"), Path("statements"))
"""

from __future__ import annotations

import re
from pathlib import Path

from sync.backends.base import Backend
from sync.errors import StatementError
from sync.statements.figures import Statement, StatementFile, default_period, rep_statements
from sync.statements.pdf import check_fonts, write_pdf

__all__ = ["Statement", "StatementFile", "make_statements", "check_period"]


def check_period(period: str, kind: str) -> str:
    """`2026-11` (Month) or `2026-Q4` (Quarter), as the workbook's Period setting asks."""
    text = period.strip().upper()
    if kind == "Month" and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return text
    if kind == "Quarter" and re.fullmatch(r"\d{4}-Q[1-4]", text):
        return text
    example = "2026-11" if kind == "Month" else "2026-Q4"
    raise StatementError(f'--period "{period}" is not a {kind.lower()} as the workbook\'s '
                         f"Period setting ({kind}) counts them: type it like {example}.")


def make_statements(
    backend: Backend, out_dir: Path, *, period: str | None = None, locale: str = "en"
) -> list[StatementFile]:
    """Write one PDF per rep for `period` (As Of's when None) into `out_dir`.

    `locale` is used when the workbook's Settings has no `Locale`.
    """
    from sync.engine import compute_workbook

    computed = compute_workbook(backend)
    settings = computed.tables.settings
    locale = settings.locale or locale
    check_fonts(locale)
    period = check_period(period, settings.period) if period else default_period(computed)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StatementError(f"the folder {out_dir} cannot be created ({error.strerror}): "
                             "choose another --out folder.") from error
    written = []
    for statement in rep_statements(computed, period):
        path = out_dir / statement.file_name
        write_pdf(statement, locale, path)
        written.append(StatementFile(statement, path, locale))
    return written

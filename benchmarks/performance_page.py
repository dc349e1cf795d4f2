"""Replacing one `## ` section of docs/performance.md with a benchmark's new figures."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def replace_section(heading: str, text: str, path: Path = PAGE, *, first: bool = False) -> None:
    """Put `text` in place of the section that starts with the line `heading` (up to the
    next `## ` heading); a page without that section gets it at its end, or before its
    first section when `first`."""
    page = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(page):
        page = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", page, count=1)
    elif first and (section := re.search(r"^## ", page, re.M)):
        page = page[: section.start()] + text.rstrip("\n") + "\n\n" + page[section.start():]
    else:
        page = page.rstrip("\n") + "\n\n" + text
    path.write_text(page.rstrip("\n") + "\n", encoding="utf-8")

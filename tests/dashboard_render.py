"""Render a synced workbook's Dashboard page to PNG with headless LibreOffice.

Used by tests/test_dashboard_render.py and to make the README's picture:

    .venv/bin/python -m tests.dashboard_render demo.xlsx docs/images/dashboard.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.xlsx_support import convert


def page_texts(pdf: Path) -> list[str]:
    """The text of every page of a PDF."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def render_dashboard(workbook: Path, png: Path, dpi: int = 110,
                     marker: str = "Revenue This Period") -> str:
    """Write the Dashboard page of `workbook` (the page showing `marker`, its first KPI) as
    `png`; return that page's text."""
    with tempfile.TemporaryDirectory(prefix="dashboard-") as folder:
        pdf = convert(workbook, "pdf", Path(folder))
        texts = page_texts(pdf)
        page = next(i for i, text in enumerate(texts, start=1) if marker in text)
        stem = Path(folder) / "dashboard"
        subprocess.run(
            ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png",
             "-singlefile", str(pdf), str(stem)],
            check=True, capture_output=True,
        )
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(stem.with_suffix(".png").read_bytes())
        return texts[page - 1]


if __name__ == "__main__":
    render_dashboard(Path(sys.argv[1]), Path(sys.argv[2]))

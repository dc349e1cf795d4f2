"""LibreOffice opens a synced workbook, sees the written values and draws the charts."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.read import read_tabs
from sync.contract.plan import PlanColumn, TabOutput
from sync.demo.workbook import write_demo_workbook
from sync.engine import sync_workbook
from sync.schema import computed_tabs
from tests.xlsx_support import (
    convert,
    dashboard_output,
    funnel_output,
    members,
    stage_log_output,
)

pytestmark = pytest.mark.libreoffice

TRICKY_TEXTS = [
    '=IMPORTXML("https://example.com", "//p")',
    "+1 (555) 0100",
    "@mention",
    "Tom & Jerry <b>",
    "  padded  ",
    "literal _x0041_ stays",
    "二〇二六年",
]


def synced_workbook(folder: Path) -> Path:
    path = folder / "sales.xlsx"
    workbook = Workbook()
    workbook.active.title = "Settings"
    workbook.active.append(["Setting", "Value"])
    workbook.save(path)
    notes = TabOutput(
        name="Data Issues",
        columns=[PlanColumn("Tab", "text", 12), PlanColumn("Problem", "text", 40)],
        rows=[["Pipeline", text] for text in TRICKY_TEXTS],
    )
    XlsxBackend(path).write([dashboard_output(), funnel_output(), stage_log_output(), notes])
    return path


def test_libreoffice_reads_the_values_that_were_written(tmp_path: Path) -> None:
    path = synced_workbook(tmp_path)
    resaved = convert(path, "xlsx", tmp_path / "resaved")
    grids = read_tabs(resaved, ["Dashboard", "Funnel", "Stage Log", "Data Issues"])
    dashboard = grids["Dashboard"]
    assert dashboard[1] == ["Revenue This Period", 12345.5, 20000.0, "Behind"]
    assert dashboard[2][:2] == ["Win Rate", 0.42]
    assert dashboard[3][1] == '=IMPORTXML("https://example.com", "//p")'
    funnel = funnel_output()
    for written, read in zip(funnel.rows, grids["Funnel"][1:], strict=True):
        assert read == [None if v is None else v for v in written][: len(read)]
    assert grids["Stage Log"][1] == ["D-0001", "Lead", "Qualified", datetime(2026, 11, 3, 9, 30)]
    assert [row[1] for row in grids["Data Issues"][1:]] == TRICKY_TEXTS
    # LibreOffice kept them as text: no cell of the re-saved workbook is a formula.
    reopened = load_workbook(resaved)
    for tab in ("Dashboard", "Data Issues"):
        for row in reopened[tab].iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{tab}!{cell.coordinate} became a formula"


def test_libreoffice_shows_the_formats(tmp_path: Path) -> None:
    path = synced_workbook(tmp_path)
    text = convert(path, "pdf", tmp_path / "pdf")
    shown = subprocess.run(
        ["pdftotext", str(text), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("$12,345.50", "42.0%", "€1,000.50", "12.5%", "2026-11-03 09:30:00"):
        assert expected in shown, expected


def test_dashboard_charts_render(tmp_path: Path) -> None:
    path = synced_workbook(tmp_path)
    pdf = convert(path, "pdf", tmp_path / "pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    # Chart bars are drawn in the first series colour, #4472C4; count those pixels.
    bar_pixels = 0
    for page in pages:
        with Image.open(page) as image:
            colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
        bar_pixels += sum(count for count, rgb in colours if _near(rgb, (0x44, 0x72, 0xC4)))
    assert bar_pixels > 500, "no chart bars were drawn"
    parts = members(path)
    assert sum(name.startswith("xl/charts/chart") for name in parts) == 3


def _near(rgb: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 12 for a, b in zip(rgb, target, strict=True))


def test_libreoffice_reads_back_what_a_real_sync_wrote(tmp_path: Path) -> None:
    # The demo business, synced by the engine; LibreOffice opens it and saves it again, and
    # every cell of every computed tab it saved equals the cell the sync wrote.
    book = write_demo_workbook(tmp_path / "demo.xlsx", today=date(2026, 11, 26))
    sync_workbook(XlsxBackend(book), now=datetime(2026, 11, 26, 9, 30))
    computed = [spec.tab for spec in computed_tabs()]
    written = read_tabs(book, computed)
    resaved = read_tabs(convert(book, "xlsx", tmp_path / "resaved"), computed)
    assert sorted(resaved) == sorted(computed)
    for tab in computed:
        assert len(written[tab]) > 1, tab
        assert _trimmed(resaved[tab]) == _trimmed(written[tab]), tab


def _trimmed(grid: list[list[object]]) -> list[list[object]]:
    """Rows without trailing blanks, floats to 9 significant digits (the file keeps 15+)."""
    rows = []
    for row in grid:
        cells = [float(f"{v:.9g}") if isinstance(v, float) else v for v in row]
        while cells and cells[-1] in (None, ""):
            cells.pop()
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows

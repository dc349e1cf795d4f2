"""What a sync agrees to unpack: zip bombs are refused before anything is inflated."""

from __future__ import annotations

import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.package import Package
from sync.backends.xlsx.rawzip import MAX_PART_BYTES, MAX_RATIO, check_unpack_limits
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.errors import WorkbookTooLargeError


def _bomb(path: Path, unpacked_mb: int) -> None:
    """A real workbook whose shared strings part unpacks to `unpacked_mb` MB of one string."""
    workbook = Workbook()
    workbook.active.title = "Pipeline"
    workbook.active.append(["Deal ID"])
    workbook.save(path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as package,
        package.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        part.write(b"<si><t>")
        block = b"A" * 1024**2
        for _ in range(unpacked_mb):
            part.write(block)
        part.write(b"</t></si></sst>")


def test_a_shared_strings_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 300)
    assert path.stat().st_size < 400_000  # 300 MB of text in a few hundred KB
    tracemalloc.start()
    with pytest.raises(WorkbookTooLargeError) as refused:
        XlsxBackend(path).read(["Pipeline"])
    with pytest.raises(WorkbookTooLargeError):
        Package.open(path)  # the write path refuses it too
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5 * 1024**2
    message = str(refused.value)
    assert "xl/sharedStrings.xml" in message and "300.0 MB" in message
    assert f"no real workbook compresses past {MAX_RATIO}:1" in message


def test_a_part_larger_than_the_limit_is_refused() -> None:
    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    info.file_size, info.compress_size = MAX_PART_BYTES + 1, MAX_PART_BYTES // 10
    with pytest.raises(WorkbookTooLargeError, match="would unpack to 2.0 GB, more than the 2.0 GB"):
        check_unpack_limits([info], "sales.xlsx")


def test_a_ten_million_cell_workbook_passes(tmp_path: Path) -> None:
    """Measure a real workbook's bytes per cell and compression, and scale it to 10 million
    cells in one tab: the limits must let it through."""
    path = tmp_path / "demo.xlsx"
    grids = demo_grids(2, 7, today=date(2026, 11, 26))
    write_input_workbook(path, grids)
    cells = sum(1 for row in grids["Orders"] for value in row if value not in (None, ""))
    with zipfile.ZipFile(path) as package:
        orders = next(
            info
            for info in package.infolist()
            if info.filename.startswith("xl/worksheets/") and b"Order ID" in package.read(info)
        )
    per_cell = orders.file_size / cells
    ratio = orders.file_size / orders.compress_size
    assert 30 < per_cell < 120 and 3 < ratio < 30  # what cell XML costs, as the limits assume
    scaled = zipfile.ZipInfo("xl/worksheets/sheet7.xml")
    scaled.file_size = int(per_cell * 10_000_000)
    scaled.compress_size = int(scaled.file_size / ratio)
    check_unpack_limits([scaled], "big.xlsx")  # no error

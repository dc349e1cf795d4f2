"""Shared helpers of the xlsx tests: headless LibreOffice, an owner's workbook, plans.

Holds no tests of its own; the other `test_xlsx_*` modules import it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from sync.contract.plan import ChartSeries, ChartSpec, PlanColumn, TabOutput

SOFFICE_TIMEOUT = 240


def soffice() -> str:
    """The soffice executable; a missing one fails under CI=true and skips elsewhere."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def convert(source: Path, target_format: str, out_dir: Path) -> Path:
    """Convert a file with headless LibreOffice, in a private profile; the new file's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        completed = subprocess.run(
            [
                soffice(),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                target_format,
                "--outdir",
                str(out_dir),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=SOFFICE_TIMEOUT,
            check=False,
        )
    extension = target_format.split(":", 1)[0]
    result = out_dir / f"{source.stem}.{extension}"
    assert result.exists(), f"LibreOffice did not convert {source}: {completed.stderr}"
    return result


def tiny_png() -> bytes:
    """A 2x2 red PNG, made without an image library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def build_owner_workbook(path: Path) -> Path:
    """An owner's workbook as openpyxl writes it: input tabs with formulas, a conditional
    format, a comment, a defined name, a chart and an image."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName

    workbook = Workbook()
    orders = workbook.active
    orders.title = "Orders"
    orders.append(["Order ID", "Date", "Customer", "Amount", "Quantity", "Line Total"])
    for number in range(1, 9):
        orders.append(
            [
                f"O-{number:04d}",
                date(2026, 10, number),
                f"Customer {number % 3}",
                100.0 * number,
                number % 4 + 1,
                f"=D{number + 1}*E{number + 1}",
            ]
        )
    orders["H1"] = "Total"
    orders["H2"] = "=SUM(D2:D9)"
    orders["A1"].comment = Comment("One row per sale.", "Owner")
    orders.conditional_formatting.add(
        "D2:D9",
        CellIsRule(
            operator="greaterThan", formula=["500"], fill=PatternFill("solid", fgColor="FFC7CE")
        ),
    )
    workbook.defined_names["BigOrders"] = DefinedName("BigOrders", attr_text="Orders!$D$2:$D$9")
    chart = BarChart()
    chart.title = "Owner's own chart"
    chart.add_data(Reference(orders, min_col=4, min_row=1, max_row=9), titles_from_data=True)
    orders.add_chart(chart, "J2")
    picture_path = path.parent / "logo.png"
    picture_path.write_bytes(tiny_png())
    orders.add_image(Image(str(picture_path)), "J20")
    settings = workbook.create_sheet("Settings")
    settings.append(["Setting", "Value"])
    settings.append(["Currency", "EUR"])
    workbook.save(path)
    return path


def owner_workbook_with_cached_values(folder: Path) -> Path:
    """The owner's workbook after LibreOffice saved it: formulas carry cached values."""
    (folder / "raw").mkdir()
    raw = build_owner_workbook(folder / "raw" / "owner.xlsx")
    converted = convert(raw, "xlsx", folder)
    with zipfile.ZipFile(converted) as package:
        names = package.namelist()
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert any(name.startswith("xl/charts/") for name in names)
    assert any(name.startswith("xl/media/") for name in names)
    assert "</f><v>3600</v>" in sheet  # =SUM(D2:D9) with its cached value
    assert "<conditionalFormatting" in sheet
    return converted


PIVOT_FODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:body><office:spreadsheet>
<table:table table:name="Orders">{rows}</table:table>
<table:table table:name="Summary">
<table:table-row><table:table-cell/></table:table-row></table:table>
<table:data-pilot-tables>
<table:data-pilot-table table:name="Revenue by customer" table:target-range-address="Summary.A1:B5">
<table:source-cell-range table:cell-range-address="Orders.A1:Orders.C4"/>
<table:data-pilot-field table:source-field-name="Customer" table:orientation="row"/>
<table:data-pilot-field table:source-field-name="Amount" table:orientation="data"
 table:function="sum"/>
</table:data-pilot-table>
</table:data-pilot-tables>
</office:spreadsheet></office:body></office:document>
"""


def owner_workbook_with_pivot_table(folder: Path) -> Path:
    """An owner's workbook with a pivot table (revenue by customer), as LibreOffice saves it."""

    def cell(value: object) -> str:
        if isinstance(value, str):
            return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>' \
                "</table:table-cell>"
        return f'<table:table-cell office:value-type="float" office:value="{value}"/>'

    grid = [["Order ID", "Customer", "Amount"], ["O-1", "Acme", 100], ["O-2", "Zed", 250],
            ["O-3", "Acme", 50]]
    rows = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in grid
    )
    (folder / "raw").mkdir()
    source = folder / "raw" / "pivot.fods"
    source.write_text(PIVOT_FODS.format(rows=rows), encoding="utf-8")
    converted = convert(source, "xlsx", folder)
    with zipfile.ZipFile(converted) as package:
        names = package.namelist()
    assert "xl/pivotTables/pivotTable1.xml" in names
    assert "xl/pivotCache/pivotCacheDefinition1.xml" in names
    return converted


def funnel_output(rows: int = 4) -> TabOutput:
    """A small Funnel-like tab: text, counts, money, percents."""
    stages = ["Lead", "Qualified", "Proposal", "Won"]
    data = [
        ["All", stages[i % 4], 40 - 9 * i, 1000.5 * (i + 1), 0.25 * (i % 4 + 1) / 2, None]
        for i in range(rows)
    ]
    return TabOutput(
        name="Funnel",
        columns=[
            PlanColumn("Rep", "text", 14),
            PlanColumn("Stage", "text", 14),
            PlanColumn("Deals", "integer", 8),
            PlanColumn("Amount", "money", 14),
            PlanColumn("Conversion From First", "percent", 12),
            PlanColumn("Flag", "text", 20),
        ],
        rows=data,
        currency="EUR",
    )


def dashboard_output(chart_count: int = 3) -> TabOutput:
    """A Dashboard-like tab: key figures with mixed formats, chart data, native charts."""
    rows = [
        ["Revenue This Period", 12345.5, 20000.0, "Behind"],
        ["Win Rate", 0.42, None, None],
        ["Formula-looking text", '=IMPORTXML("https://example.com", "//p")', None, None],
        ["Lead", 40, None, None],
        ["Qualified", 25, None, None],
        ["Proposal", 12, None, None],
        ["Won", 7, None, None],
    ]
    charts = [
        ChartSpec("Funnel", "bar", 0, (ChartSeries("Deals", 1, 3, 6),), 1, 5),
        ChartSpec("Deals by stage", "column", 0, (ChartSeries("Deals", 1, 3, 6),), 17, 5),
        ChartSpec("Trend", "line", 0, (ChartSeries("Deals", 1, 3, 6),), 33, 5),
    ][:chart_count]
    return TabOutput(
        name="Dashboard",
        columns=[
            PlanColumn("KPI", "text", 26),
            PlanColumn("Value", "number", 14),
            PlanColumn("Target", "number", 14),
            PlanColumn("Status", "text", 12),
        ],
        rows=rows,
        cell_types={(0, 1): "money", (0, 2): "money", (1, 1): "percent"},
        charts=charts,
    )


def stage_log_output() -> TabOutput:
    """A Stage Log tab with date-times."""
    return TabOutput(
        name="Stage Log",
        columns=[
            PlanColumn("Deal ID", "id", 10),
            PlanColumn("From Stage", "text", 14),
            PlanColumn("To Stage", "text", 14),
            PlanColumn("Changed At", "datetime", 18),
        ],
        rows=[["D-0001", "Lead", "Qualified", datetime(2026, 11, 3, 9, 30)]],
        append_only=True,
    )


def members(path: Path) -> dict[str, bytes]:
    """Every member of a zip file: name -> uncompressed bytes."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}

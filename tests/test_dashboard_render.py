"""The demo's Dashboard, rendered by a real spreadsheet program, shows figures and charts."""

from datetime import date, datetime

from PIL import Image

from sync.backends.xlsx.backend import XlsxBackend
from sync.demo.workbook import write_demo_workbook
from sync.engine import sync_workbook
from tests.dashboard_render import render_dashboard

BAR_BLUE = (0x44, 0x72, 0xC4)  # the first series colour of the product's charts


def near(rgb, target):
    return all(abs(a - b) < 16 for a, b in zip(rgb, target, strict=True))


def test_libreoffice_renders_the_demo_dashboard(tmp_path):
    book = write_demo_workbook(tmp_path / "demo.xlsx", today=date(2026, 11, 26))
    sync_workbook(XlsxBackend(book), now=datetime(2026, 11, 26, 9, 0))
    png = tmp_path / "dashboard.png"
    text = render_dashboard(book, png, dpi=60)

    for kpi in ("Revenue This Period", "Win Rate", "Pipeline Coverage", "Data Issues"):
        assert kpi in text
    for title in ("Funnel", "attainment by rep", "Revenue by period"):
        assert title in text
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        blue_rows = [
            y for y in range(height)
            if sum(near(rgb.getpixel((x, y)), BAR_BLUE) for x in range(0, width, 2)) >= 3
        ]
    # Group the rows holding bars into blocks separated by 25+ blank rows: one per chart.
    blocks = []
    for y in blue_rows:
        if blocks and y - blocks[-1][1] < 25:
            blocks[-1][1] = y
        else:
            blocks.append([y, y])
    assert len([b for b in blocks if b[1] - b[0] >= 15]) == 3, blocks


def test_libreoffice_renders_the_zh_cn_demo_dashboard_with_a_cjk_font(tmp_path):
    import subprocess

    from tests.xlsx_support import convert

    book = write_demo_workbook(tmp_path / "zh.xlsx", today=date(2026, 11, 26), locale="zh-CN")
    sync_workbook(XlsxBackend(book), now=datetime(2026, 11, 26, 9, 0))
    text = render_dashboard(book, tmp_path / "dashboard.png", dpi=60, marker="本期收入")
    for kpi in ("本期收入", "赢单率", "商机覆盖率", "数据问题"):
        assert kpi in text
    for title in ("销售漏斗", "各销售代表配额达成率", "各周期收入"):
        assert title in text
    assert "张伟" in text  # the attainment chart's data, by the reps' Chinese names
    pdf = convert(book, "pdf", tmp_path)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "CJK" in fonts, fonts  # Noto Sans CJK (fonts-noto-cjk) draws the Chinese

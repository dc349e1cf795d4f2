"""The pre-scan takes a tab's width from its <dimension> when no cell lies beyond it.

A narrow tab with many blank cells (a Stage Log of four columns, From Stage often blank)
must go to calamine, not to the slower streaming reader: its rectangle is rows x 4, not
rows x 26. A <dimension> that is too short must not let a wide rectangle through. Orders
imported as inline text with ISO text dates go to calamine too.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from sync.backends.xlsx.prescan import calamine_can_read
from sync.imports.append_xlsx import append_to_sheet_xml

ROWS = 50_000


def _sheet(dimension: str, extra: str = "") -> bytes:
    """`ROWS` rows with one cell each in column A (4 cells a row would be dense anyway)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, ROWS + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{rows}{extra}</sheetData></worksheet>"
    ).encode()


@pytest.mark.parametrize(
    ("dimension", "extra", "calamine"),
    [
        # 50,000 rows x 1 column = 50,000 cells <= 4 x 50,000 + 200,000
        (f'<dimension ref="A1:A{ROWS}"/>', "", True),
        # x 4 columns = 200,000 cells, still within 4 x 50,001 + 200,000
        (f'<dimension ref="A1:D{ROWS}"/>', "", True),
        # no dimension: up to 26 columns, 1,300,000 cells > 400,000: streamed
        ("", "", False),
        # a dimension of Z says nothing narrower than 26
        (f'<dimension ref="A1:Z{ROWS}"/>', "", False),
        # the dimension says A, but a cell in column E exists: 26 columns assumed
        (f'<dimension ref="A1:A{ROWS}"/>', f'<row r="{ROWS + 1}"><c r="E{ROWS + 1}"/></row>',
         False),
        # lower-case references count too
        (f"<dimension ref='a1:a{ROWS}'/>", f'<row r="{ROWS + 1}"><c r="e{ROWS + 1}"/></row>',
         False),
        # a three-letter column is refused whatever the dimension says
        (f'<dimension ref="A1:A{ROWS}"/>', f'<row r="{ROWS + 1}"><c r="AAA{ROWS + 1}"/></row>',
         False),
    ],
)
def test_the_width_comes_from_a_dimension_no_cell_exceeds(
    dimension: str, extra: str, calamine: bool
) -> None:
    assert calamine_can_read(io.BytesIO(_sheet(dimension, extra)), {}) is calamine


def _dated(cell: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{cell}</row></sheetData></worksheet>'
    ).encode()


@pytest.mark.parametrize(
    ("cell", "calamine"),
    [
        ('<c r="A1" s="13"><v>46000</v></c>', True),  # a plain date in date style 13
        ('<c r="A1" s="13"><v>-1</v></c>', False),  # negative: calamine may panic
        ("<c r='A1' s='13'><v>-1</v></c>", False),  # the same in single quotes
        ('<c r="A1" s="2"><v>12345678</v></c>', False),  # 7+ digits in date style 2
        ('<c r="A1" s="8"><v>4.6E4</v></c>', False),  # an exponent in date style 8
        ('<c r="A1" s="1"><v>-1</v></c>', True),  # style 1 is no date style (13 is)
        ('<c r="A1" s="3"><v>-1</v></c>', True),  # nor 3 (a prefix of none)
        ('<c r="A1" s="131"><v>-1</v></c>', True),  # nor 131 (13 is a prefix of it)
    ],
)
def test_numbers_in_any_date_style_and_either_quote_are_found(cell, calamine):
    date_kinds = {2: 1, 8: 1, 13: 1}  # style index -> kind, as formats.date_styles gives
    assert calamine_can_read(io.BytesIO(_dated(cell)), date_kinds) is calamine


def test_orders_imported_as_inline_text_with_iso_dates_go_to_calamine() -> None:
    # `salesops import` into a template without a date style writes text as inline strings
    # and dates as ISO text; Rep and Deal ID stay empty. Nothing there needs the streaming
    # reader: 1,000 rows x 6 cells, within 8 columns by the grown <dimension>.
    header = "".join(f'<c r="{letter}1" t="inlineStr"><is><t>{name}</t></is></c>'
                     for letter, name in zip("ABCDEFGH", ("Order ID", "Date", "Customer",
                                             "Amount", "Product", "Quantity", "Rep", "Deal ID"),
                                             strict=True))
    template = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:H1"/><sheetData><row r="1">{header}</row></sheetData></worksheet>'
    ).encode()
    orders = [[str(536365 + row), date(2010, 12, 1) + timedelta(days=row % 300), "17850",
               15.3, "85123A", 6] for row in range(1000)]
    xml = append_to_sheet_xml(template, orders, 2)
    assert b'<c r="B2" t="inlineStr"><is><t>2010-12-01</t></is></c>' in xml
    assert b'<dimension ref="A1:H1001"/>' in xml
    assert calamine_can_read(io.BytesIO(xml), {})


@pytest.mark.parametrize(
    ("cell", "calamine"),
    [
        # XML allows space around `=`: a far column written so would make calamine
        # allocate rows x 702 cells unseen, so such a tag goes to the streaming reader
        ('<c r = "ZZ1"><v>1</v></c>', False),
        ('<c r= "A1"><v>1</v></c>', False),
        ('<c r ="A1" t = "e"><v>#N/A</v></c>', False),
        ('<c r="A1"\ts\t=\t"3"><v>1</v></c>', False),
        # an `=` with spaces in a cell's text or formula is no attribute: calamine reads it
        ('<c r="A1" t="inlineStr"><is><t>a = b</t></is></c>', True),
        ('<c r="A1"><f>B1 = C1</f><v>1</v></c>', True),
    ],
)
def test_a_cell_tag_with_space_around_an_equals_sign_is_streamed(cell: str,
                                                                 calamine: bool) -> None:
    assert calamine_can_read(io.BytesIO(_dated(cell)), {}) is calamine

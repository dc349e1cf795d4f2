"""Cell parsers: each accepted spelling, each refusal and its message."""

from datetime import date, datetime

import pytest

from sync.contract.grid import CellError as ErrorCell
from sync.read.cells import (
    CellError,
    cell_text,
    is_blank,
    is_plain_number,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_integer,
    parse_number,
    parse_percent,
    parse_text,
    parse_yesno,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True), ("", True), ("   ", True), (float("nan"), True),
        (0, False), ("0", False), (False, False), ("x", False),
    ],
)
def test_is_blank(value, expected):
    assert is_blank(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D-0001", "D-0001"),
        ("  Acme Ltd  ", "Acme Ltd"),
        ("0001", "0001"),  # text keeps its leading zeros
        (17850.0, "17850"),  # a whole number loses its decimal part
        (17850, "17850"),
        (12.5, "12.5"),
        (True, "TRUE"),
        (date(2026, 11, 3), "2026-11-03"),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_text(value, expected):
    assert parse_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1200, 1200.0),
        (1200.5, 1200.5),
        ("1200", 1200.0),
        ("1,200.50", 1200.5),
        ("$1,200", 1200.0),
        ("¥1200", 1200.0),
        ("￥１２００", 1200.0),  # full-width, as typed with a Chinese keyboard
        ("1200元", 1200.0),
        ("USD 1,200", 1200.0),
        ("1,200 EUR", 1200.0),
        ("-1,200", -1200.0),
        ("(1,200)", -1200.0),  # accounting style
        ("-$1,200", -1200.0),
        ("$-1,200", -1200.0),
        ("+15", 15.0),
        (".5", 0.5),
        ("1.5E+06", 1500000.0),
        ("1,234,567.89", 1234567.89),
        # Chinese number forms: 万 = 10,000, 亿 = 100,000,000, 千 = 1,000.
        ("8万", 80000.0),  # 8 x 10000
        ("1.5万", 15000.0),  # 1.5 x 10000
        ("1.15万", 11500.0),  # 1.15 x 10000, exact (no float drift)
        ("2亿", 200000000.0),  # 2 x 100000000
        ("3千", 3000.0),  # 3 x 1000
        ("8万元", 80000.0),
        ("¥8万", 80000.0),
        ("人民币5万", 50000.0),
        ("-3万", -30000.0),  # a refund
        ("1,200万", 12000000.0),  # 1200 x 10000
        ("１２，０００", 12000.0),  # full-width digits and comma
        ("１２，０００．５０元", 12000.5),
        (None, None),
        ("", None),
    ],
)
def test_parse_number_reads(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.2k", '"1.2k" is not accepted as a number: type the full number, e.g. 1200'),
        ("3M", '"3M" is not accepted as a number: type the full number, e.g. 3000000'),
        # Colloquial `8万5` (85000 or 80005?) and stacked units are ambiguous: reported.
        ("8万5", '"8万5" is not a number: type a number such as 1200 or 1,200.50'),
        ("1万2千", '"1万2千" is not a number: type a number such as 1200 or 1,200.50'),
        ("abc", '"abc" is not a number: type a number such as 1200 or 1,200.50'),
        ("1,5", '"1,5" is not a number: type a number such as 1200 or 1,200.50'),
        ("1.200,50", '"1.200,50" is not a number: type a number such as 1200 or 1,200.50'),
        ("25%", '"25%" is not a number: type a number such as 1200 or 1,200.50'),
        (True, '"TRUE" is not a number: type a number such as 1200'),
        (date(2026, 1, 2), '"2026-01-02" is a date, not a number: type a number here'),
        (float("inf"), '"inf" is not a usable number: type a number such as 1200'),
        ("inf", '"inf" is not a number: type a number such as 1200 or 1,200.50'),
        ("1e400", '"1e400" is not a usable number: type a number such as 1200'),
    ],
)
def test_parse_number_refuses(value, message):
    with pytest.raises(CellError) as refused:
        parse_number(value)
    assert str(refused.value) == message


@pytest.mark.parametrize(("value", "expected"), [(3, 3.0), ("4", 4.0), (5.0, 5.0), (None, None)])
def test_parse_integer_reads(value, expected):
    assert parse_integer(value) == expected


def test_parse_integer_refuses_a_fraction():
    with pytest.raises(CellError, match='"2.5" is not a whole number: type a whole number'):
        parse_integer(2.5)


@pytest.mark.parametrize(
    ("value", "points_above", "expected", "warned"),
    [
        ("25%", 1, 0.25, False),  # text with a sign is read as written
        ("150%", 1, 1.5, False),
        (" 12.5 % ", 1, 0.125, False),
        (0.25, 1, 0.25, False),  # a number is a fraction, as a percent cell stores it
        (1.5, 10, 1.5, False),  # 150% in From %: a fraction still, below 10
        (1, 1, 1.0, False),  # exactly 1 is 100%, not 1%
        ("0.25", 1, 0.25, False),  # a bare number typed as text is a number too
        (25, 1, 0.25, True),  # above 1 in Probability: read as points, 25 -> 25%
        (150, 10, 1.5, True),  # above 10 in From %: 150 -> 150%
        ("25", 1, 0.25, True),
        (None, 1, None, False),
    ],
)
def test_parse_percent(value, points_above, expected, warned):
    warnings: list[str] = []
    assert parse_percent(value, points_above, warnings.append) == pytest.approx(expected)
    assert bool(warnings) is warned


def test_percent_points_warning_message():
    warnings: list[str] = []
    parse_percent(25, 1, warnings.append)
    assert warnings == ['"25" is read as 25%: type 25% to say so, or 0.25 if you meant a fraction']


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("high", '"high" is not a percent: type a percent such as 25%'),
        ("%", '"%" is not a percent: type a percent such as 25%'),
        ("1.2k%", '"1.2k%" is not a percent: type a percent such as 25%'),
        ("25%%", '"25%%" is not a percent: type a percent such as 25%'),
        (True, '"TRUE" is not a percent: type a percent such as 25%'),
    ],
)
def test_parse_percent_refuses(value, message):
    with pytest.raises(CellError) as refused:
        parse_percent(value, 1)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Yes", True), ("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("是", True),
        ("No", False), ("n", False), ("FALSE", False), ("0", False), ("否", False),
        (True, True), (False, False), (1, True), (0.0, False), (None, None), ("", None),
    ],
)
def test_parse_yesno(value, expected):
    assert parse_yesno(value) is expected


def test_parse_yesno_refuses():
    with pytest.raises(CellError) as refused:
        parse_yesno("maybe")
    assert str(refused.value) == '"maybe" is not Yes or No: type Yes or No'


@pytest.mark.parametrize(
    ("value", "expected"),
    [("won", "Won"), ("  LOST ", "Lost"), ("Open", "Open"), (None, None)],
)
def test_parse_choice_uses_the_declared_spelling(value, expected):
    assert parse_choice(value, ["Open", "Won", "Lost"]) == expected


def test_parse_choice_strict_refuses():
    with pytest.raises(CellError) as refused:
        parse_choice("Pending", ["Open", "Won", "Lost"])
    assert str(refused.value) == '"Pending" is not one of Open, Won, Lost: pick one of these'


def test_parse_choice_loose_keeps_the_value_with_a_warning():
    warnings: list[str] = []
    assert parse_choice("Calls Made", ["Revenue", "Deals Won"], False, warnings.append) == (
        "Calls Made"
    )
    assert warnings == [
        '"Calls Made" is not one of Revenue, Deals Won: it is kept as typed, but check the '
        "spelling"
    ]


@pytest.mark.parametrize(
    ("value", "date_format", "expected"),
    [
        (date(2026, 11, 3), "YMD", date(2026, 11, 3)),
        (datetime(2026, 11, 3, 15, 30), "YMD", date(2026, 11, 3)),
        (46329, "YMD", date(2026, 11, 3)),  # serial: 46329 days after 1899-12-30
        (46329.75, "YMD", date(2026, 11, 3)),  # the time part of a serial is dropped
        ("2026-11-03", "YMD", date(2026, 11, 3)),
        ("2026/11/3", "YMD", date(2026, 11, 3)),
        ("2026/11/3", "DMY", date(2026, 11, 3)),  # a year first is always year-month-day
        ("2026.11.03", "YMD", date(2026, 11, 3)),
        ("2026年11月3日", "YMD", date(2026, 11, 3)),
        ("2026年11月3日", "DMY", date(2026, 11, 3)),  # the units say which is which
        ("２０２６年１１月３日", "YMD", date(2026, 11, 3)),
        ("2026年11月3号", "YMD", date(2026, 11, 3)),  # 号, as the day is also said
        ("2026年 11月 3日", "YMD", date(2026, 11, 3)),
        ("3/11/2026", "DMY", date(2026, 11, 3)),
        ("11/3/2026", "MDY", date(2026, 11, 3)),
        ("03-11-2026", "DMY", date(2026, 11, 3)),
        ("2026-11-03 14:05", "YMD", date(2026, 11, 3)),
        ("2026-11-03T14:05:00", "YMD", date(2026, 11, 3)),
        ("２０２６-１１-０３", "YMD", date(2026, 11, 3)),
        (None, "YMD", None),
        (" ", "DMY", None),
    ],
)
def test_parse_date_reads(value, date_format, expected):
    assert parse_date(value, date_format) == expected


@pytest.mark.parametrize(
    ("value", "date_format", "message"),
    [
        ("31/02/2026", "DMY",
         '"31/02/2026" is not a date: type it as 2026-02-28 or use a date cell'),
        ("31/02/2026", "YMD",  # no reading makes it a date: say so, not the format
         '"31/02/2026" is not a date: type it as 2026-02-28 or use a date cell'),
        ("02/31/2026", "MDY",
         '"02/31/2026" is not a date: type it as 2026-02-28 or use a date cell'),
        ("2026-02-30", "YMD",
         '"2026-02-30" is not a date: type it as 2026-02-28 or use a date cell'),
        ("3/11/2026", "YMD",
         '"3/11/2026" does not match the Date Format setting (YMD): type it as YYYY-MM-DD, '
         "or set Date Format in Settings to DMY (day first) or MDY (month first)"),
        ("next week", "YMD",
         '"next week" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date cell'),
        ("1800-01-01", "YMD", '"1800-01-01" is outside the years 1900-2199: check the year'),
        (-5, "YMD",
         '"-5" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date cell'),
        (True, "YMD",
         '"TRUE" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date cell'),
    ],
)
def test_parse_date_refuses(value, date_format, message):
    with pytest.raises(CellError) as refused:
        parse_date(value, date_format)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # 46329.25 = 2026-11-03 plus a quarter day = 06:00
        (46329.25, datetime(2026, 11, 3, 6, 0)),
        ("2026-11-03 14:05:09", datetime(2026, 11, 3, 14, 5, 9)),
        ("2026-11-03T14:05:09+01:00", datetime(2026, 11, 3, 14, 5, 9)),
        (date(2026, 11, 3), datetime(2026, 11, 3)),
    ],
)
def test_parse_datetime(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""), ("a b", "a b"), (17850.0, "17850"), (0.25, "0.25"), (3, "3"),
        (False, "FALSE"), (date(2026, 1, 2), "2026-01-02"),
        (datetime(2026, 1, 2, 3, 4), "2026-01-02 03:04:00"),
    ],
)
def test_cell_text_shows_the_cell_as_typed(value, expected):
    assert cell_text(value) == expected


@pytest.mark.parametrize("date_format", ["YMD", "DMY", "MDY"])
@pytest.mark.parametrize(
    "text",
    ["3 March 2026", "Mar 3, 2026", "March 3, 2026", "3-Mar-2026", "3 mar 2026", "3rd March 2026",
     "March 3 2026", "2026 Mar 3", "3 Mar. 2026", "Ｍａｒ 3, 2026"],
)
def test_english_month_names_are_the_same_day_in_every_date_format(text, date_format):
    assert parse_date(text, date_format) == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31 February 2026", '"31 February 2026" is not a date: type it as 2026-02-28 or use a '
                             "date cell"),
        ("3 Marhc 2026", '"3 Marhc 2026" is not a date: "Marhc" is not a month name; type it as '
                         "YYYY-MM-DD (e.g. 2026-11-03) or with a month name (3 March 2026)"),
        ("3 March 1066", '"3 March 1066" is outside the years 1900-2199: check the year'),
    ],
)
def test_english_month_names_refuse_what_is_no_date(text, message):
    with pytest.raises(CellError) as refused:
        parse_date(text)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (ErrorCell("#N/A"), '"#N/A" is an error value in the sheet (a lookup found nothing), not '
                            "a value: fix the formula in this cell or type the value"),
        (ErrorCell("#BLAH!"), '"#BLAH!" is an error value in the sheet, not a value: fix the '
                              "formula in this cell or type the value"),
        (ErrorCell("=A1"), '"=A1" is a formula with no calculated value: open the file in Excel '
                           "or LibreOffice and save it so the value is stored, or type the "
                           "value"),
    ],
)
@pytest.mark.parametrize(
    "parse", [parse_text, parse_number, parse_percent, parse_yesno, parse_date,
              lambda value: parse_choice(value, ["Open"], strict=False)],
)
def test_every_parser_refuses_an_error_cell(parse, value, message):
    with pytest.raises(CellError) as refused:
        parse(value)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "plain"),
    [(2, True), (0.5, True), ("25", True), ("1,200", True), ("25%", False), ("x", False),
     (True, False), (None, False), (ErrorCell("#N/A"), False), ("２５％", False)],
)
def test_is_plain_number(value, plain):
    assert is_plain_number(value) is plain

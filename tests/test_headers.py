"""Header matching: spellings, order, unknown columns, missing and repeated columns."""

import pytest

from sync.a1 import column_letter
from sync.read.headers import header_keys, match_headers
from sync.schema import tab_spec


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Amount", "amount"),
        ("amount", "amount"),
        ("  AMOUNT  ", "amount"),
        ("Amount*", "amount"),  # a required-column star
        ("Amount *", "amount"),
        ("Amount ($)", "amount"),  # the unit in brackets
        ("Amount [USD]", "amount"),
        ("金额", "amount"),  # the zh-CN label
        ("金额（元）", "amount"),  # full-width brackets fold to ASCII ones
        ("Deal  ID", "deal_id"),  # inner spaces collapse
        ("Expected close", "expected_close"),
    ],
)
def test_header_spellings_match_the_column(header, field):
    match = match_headers(tab_spec("Orders" if field == "amount" else "Pipeline"), [header])
    assert field in match.positions


def test_percent_headers_keep_their_sign():
    match = match_headers(tab_spec("Commission Plans"), ["Plan", "from %", "To %*", "Rate"])
    assert match.positions == {"plan": 0, "from_pct": 1, "to_pct": 2, "rate": 3}


def test_columns_in_any_order_and_unknown_ones_left_alone():
    headers = ["My notes", "Amount", None, 42, "Date", "Customer"]
    match = match_headers(tab_spec("Orders"), headers)
    assert match.positions == {"amount": 1, "date": 4, "customer": 5}
    assert match.issues == []  # optional columns may be absent; unknown ones are the owner's


def test_missing_required_column_is_one_error_on_row_1():
    match = match_headers(tab_spec("Orders"), ["Order ID", "Date", "Customer"])
    assert [(i.tab, i.row, i.column, i.severity) for i in match.issues] == [
        ("Orders", 1, "Amount", "Error"),
    ]
    assert match.issues[0].problem == (
        'Orders has no "Amount" column, so its rows cannot be read: add the header "Amount" '
        "to row 1"
    )


def test_repeated_column_reads_the_first_and_warns():
    match = match_headers(tab_spec("Orders"), ["Date", "Amount", "金额"])
    assert match.positions["amount"] == 1
    assert [(i.column, i.severity, i.value) for i in match.issues] == [
        ("Amount", "Warning", "金额"),
    ]
    assert "only column B is read" in match.issues[0].problem


def test_unit_is_only_stripped_at_the_end():
    assert header_keys("Amount ($)") == ["amount ($)", "amount"]
    assert header_keys("P(Alive)") == ["p(alive)", "p"]
    assert header_keys("Deal ID") == ["deal id"]


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB")])
def test_column_letter(index, letter):
    assert column_letter(index) == letter

"""Names compare trimmed and case-insensitive across every tab."""

import math
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.compute.names import clean_text, customer_key, name_key


@pytest.mark.parametrize(
    ("value", "key"),
    [(" Acme Ltd ", "acme ltd"), ("ACME", "acme"), ("   ", None), ("", None), (None, None),
     (math.nan, None), (17850, None)],
)
def test_name_key(value, key):
    assert name_key(value) == key


def test_clean_text_trims_and_blanks_are_none():
    assert [clean_text(v) for v in (" Won ", "", None, math.nan)] == ["Won", None, None, None]


def test_customer_key_keeps_the_index_and_none_for_blanks():
    keys = customer_key(pd.Series(["Zed ", None, "zed"], index=[4, 7, 9]))
    assert keys.index.tolist() == [4, 7, 9]
    assert keys.tolist() == ["zed", None, "zed"]


def test_full_width_names_match_in_validation_and_in_computation():
    """One rule: the reader and the computations fold full-width letters the same way."""
    from sync.read.rules import name_key as reader_key

    full_width = "ＡＮＡ　ＲＵＩＺ "
    assert name_key(full_width) == name_key("ana ruiz") == reader_key("Ana Ruiz") == "ana ruiz"
    assert reader_key(17850) == 17850  # an id typed as a number is compared as it is


@given(st.one_of(
    st.text(), st.text(alphabet=" \t\u3000ＡＢａｂAbc é\x1f"), st.none(), st.integers()
))
def test_name_key_is_the_rule_for_any_value(value):
    # trimmed, NFKC-folded, trimmed again, case-folded; blank and non-text are None
    text = value.strip() if isinstance(value, str) else ""
    expected = unicodedata.normalize("NFKC", text).strip().casefold() if text else None
    assert name_key(value) == expected
    assert clean_text(value) == (text or None)

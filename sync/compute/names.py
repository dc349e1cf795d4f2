"""How names are compared across tabs: trimmed, case-insensitive, full-width folded.

The one rule for the reader, the computations and import.
"""

from __future__ import annotations

import unicodedata

import pandas as pd


def clean_text(value: object) -> str | None:
    """A trimmed non-empty string, else None (blank cells arrive as None or NaN)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def name_key(value: object) -> str | None:
    """Names (customers, reps, teams, plans, products, regions) compare trimmed,
    case-insensitive and with full-width characters folded (NFKC); blank is None."""
    text = clean_text(value)
    return unicodedata.normalize("NFKC", text).strip().casefold() if text is not None else None


def customer_key(names: pd.Series) -> pd.Series:
    """The comparison key of each customer name, as an object Series (None when blank)."""
    return pd.Series([name_key(name) for name in names], index=names.index, dtype=object)

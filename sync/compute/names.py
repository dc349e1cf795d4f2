"""How names are compared across tabs: trimmed and case-insensitive."""

from __future__ import annotations

import pandas as pd


def clean_text(value: object) -> str | None:
    """A trimmed non-empty string, else None (blank cells arrive as None or NaN)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def name_key(value: object) -> str | None:
    """Names (customers, reps, teams, plans, products, regions) compare trimmed and
    case-insensitive; blank is None."""
    text = clean_text(value)
    return text.casefold() if text is not None else None


def customer_key(names: pd.Series) -> pd.Series:
    """The comparison key of each customer name, as an object Series (None when blank)."""
    return pd.Series([name_key(name) for name in names], index=names.index, dtype=object)

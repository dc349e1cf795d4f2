"""How names are compared across tabs: trimmed and case-insensitive."""

from __future__ import annotations

import numpy as np
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


def name_keys(values: pd.Series) -> pd.Series:
    """`name_key` of every value, as an object Series (None when blank).

    Names repeat (500 reps over a million rows), so each distinct value is keyed once and
    the keys are handed out by position. Values that compare equal (1, 1.0, True) are
    never text, so sharing one key (None) among them is right.
    """
    codes, distinct = pd.factorize(values.astype(object), use_na_sentinel=True)
    keys = np.array([*(name_key(value) for value in distinct), None], dtype=object)
    return pd.Series(keys[codes], index=values.index, dtype=object)


def customer_key(names: pd.Series) -> pd.Series:
    """The comparison key of each customer name, as an object Series (None when blank)."""
    return name_keys(names)

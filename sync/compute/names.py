"""How names are compared across tabs: trimmed, case-insensitive, full-width folded.

The one rule for the reader, the computations and import.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

T = TypeVar("T")


def clean_text(value: object) -> str | None:
    """A trimmed non-empty string, else None (blank cells arrive as None or NaN)."""
    if isinstance(value, str):
        return value.strip() or None
    return None


def name_key(value: object) -> str | None:
    """Names (customers, reps, teams, plans, products, regions) compare trimmed,
    case-insensitive and with full-width characters folded (NFKC); blank is None."""
    text = clean_text(value)
    if text is None:
        return None
    if text.isascii():  # NFKC leaves ASCII as it is, and it is already trimmed
        return text.casefold()
    return unicodedata.normalize("NFKC", text).strip().casefold()


def per_distinct(values: pd.Series, function: Callable[[object], T]) -> list[T]:
    """`function` of every value, called once per distinct value (blanks as None).

    Names, stages and sync times repeat across a million rows, so each distinct value is
    converted once and the results are handed out by position. Values that compare equal
    (1, 1.0, True) share a result: the functions here treat them alike (not text).
    """
    return distinct_map(values, function).tolist()  # type: ignore[no-any-return]


def distinct_map(values: pd.Series | np.ndarray, function: Callable[[object], T]) -> np.ndarray:
    """`per_distinct` as an object array, for callers that keep working a column at a time."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    results = np.empty(len(distinct) + 1, dtype=object)
    results[:-1] = [function(value) for value in distinct]
    results[-1] = function(None)
    return results[codes]


def text_cells(values: pd.Series) -> np.ndarray:
    """Each cell that holds text as it is, every other cell (blank, number) None: an object
    array. A column of text and blanks, the usual case, is checked without a call per cell."""
    cells = values.to_numpy(dtype=object, copy=True)
    if infer_dtype(cells, skipna=True) in ("string", "empty"):
        cells[pd.isna(cells)] = None
        return cells
    return distinct_map(cells, _text_or_none)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def name_keys(values: pd.Series) -> pd.Series:
    """`name_key` of every value, as an object Series (None when blank)."""
    return pd.Series(distinct_map(values.astype(object), name_key), index=values.index,
                     dtype=object)


def customer_key(names: pd.Series) -> pd.Series:
    """The comparison key of each customer name, as an object Series (None when blank)."""
    return name_keys(names)

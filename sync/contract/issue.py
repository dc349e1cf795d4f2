"""One problem found in the owner's data: a row of the Data Issues tab.

Kept apart from `tables.py` (which loads pandas) so that what reads a workbook's headers
can speak of problems before pandas has loaded.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["Error", "Warning"]


class Issue(BaseModel):
    """One row of the Data Issues tab."""

    model_config = ConfigDict(frozen=True)

    tab: str
    row: int | None = None
    column: str = ""
    value: str = ""
    severity: Severity = "Error"
    problem: str

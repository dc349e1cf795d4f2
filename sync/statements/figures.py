"""A rep's statement for one period: the figures of the Commissions tab and the credited lines.

Nothing is recomputed here: the payout row is the one the `Commissions` tab gets (the same
`commissions()` call in the same sync computation), and the credited lines are the revenue
lines (`sync/compute/revenue.py`) of the rep in the period, which add up to its Revenue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from sync.compute.commissions import counted_revenue
from sync.compute.names import name_key
from sync.compute.periods import period_label, period_labels
from sync.engine import Computed


@dataclass(frozen=True)
class CreditedLine:
    """One order, refund or won deal credited to the rep in the period."""

    day: date
    kind: str  # `order`, `refund` or `deal`
    reference: str
    customer: str
    product: str
    amount: float
    counted: float  # as counted in Revenue: 0 for a refund clawed back from its sale


@dataclass
class Statement:
    """Everything one rep's statement shows."""

    rep: str
    email: str | None
    period: str
    as_of: date
    currency: str
    revenue: float = 0.0
    quota: float | None = None
    attainment: float | None = None
    tier_commission: float = 0.0
    bonuses: float = 0.0
    clawbacks: float = 0.0
    payout: float = 0.0
    steps: list[str] = field(default_factory=list)
    lines: list[CreditedLine] = field(default_factory=list)

    @property
    def has_sales(self) -> bool:
        """Whether anything was credited or clawed back in the period."""
        return bool(self.lines) or self.clawbacks != 0 or self.payout != 0

    @property
    def file_name(self) -> str:
        """`2026-11 Ana Ruiz.pdf`: period first, so a folder of statements sorts."""
        safe = "".join("_" if char in '/\\:*?"<>|' else char for char in self.rep).strip()
        return f"{self.period} {safe}.pdf"


def default_period(computed: Computed) -> str:
    """The period containing As Of, written like the Commissions tab (`2026-11`, `2026-Q4`)."""
    settings = computed.tables.settings
    return period_label(settings.as_of, settings.period, settings.fiscal_year_start)


def number_or_none(value: object) -> float | None:
    """A computed cell as a number, blank as None (for statements and the digest)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def stripped_text(value: object) -> str:
    """A computed cell as trimmed text, blank as ''."""
    return value.strip() if isinstance(value, str) else ""


def _credited(computed: Computed, rep_key: str, period: str) -> list[CreditedLine]:
    settings = computed.tables.settings
    revenue = computed.revenue
    if revenue is None or revenue.empty:
        return []
    counted = counted_revenue(computed.tables, revenue)
    lines = revenue.loc[counted.index].assign(counted=counted)
    lines = lines[lines["rep"].map(name_key) == rep_key]
    lines = lines[period_labels(lines["date"], settings.period, settings.fiscal_year_start)
                  == period]
    found = []
    for line in lines.sort_values(["date", "source", "row"], kind="mergesort").itertuples():
        kind = "deal" if line.source == "deal" else ("refund" if line.amount < 0 else "order")
        reference = stripped_text(line.order_id if line.source == "order" else line.deal_id)
        found.append(CreditedLine(
            day=pd.Timestamp(line.date).date(), kind=kind,
            reference=reference or f"row {line.row}", customer=stripped_text(line.customer),
            product=stripped_text(line.product), amount=round(float(line.amount), 2),
            counted=round(float(line.counted), 2),
        ))
    return found


def rep_statements(computed: Computed, period: str | None = None) -> list[Statement]:
    """One statement per active rep in Team, and per rep with a Commissions row in the period.

    Ordered by rep name; a rep with no sales in the period gets a statement that says so.
    """
    settings = computed.tables.settings
    period = period or default_period(computed)
    table = computed.frames.get("Commissions", pd.DataFrame())
    rows = table[table["Period"] == period] if not table.empty else table
    team = computed.tables.team.dropna(subset=["rep"])
    emails = {name_key(rep): stripped_text(email) or None
              for rep, email in zip(team["rep"], team["email"], strict=True)}
    names: dict[str, str] = {}
    for rep, active in zip(team["rep"], team["active"], strict=True):
        if active is not False:
            names.setdefault(str(name_key(rep)), str(rep).strip())
    by_rep: dict[str, dict[str, object]] = {}
    for record in rows.to_dict("records"):
        key = str(name_key(record["Rep"]))
        names[key] = str(record["Rep"])
        by_rep[key] = record
    statements = []
    for key, rep in sorted(names.items(), key=lambda item: item[1].casefold()):
        statement = Statement(rep=rep, email=emails.get(key), period=period,
                              as_of=settings.as_of, currency=settings.currency)
        row = by_rep.get(key)
        if row is not None:
            statement.revenue = number_or_none(row["Revenue"]) or 0.0
            statement.quota = number_or_none(row["Quota"])
            statement.attainment = number_or_none(row["Attainment"])
            statement.tier_commission = number_or_none(row["Tier Commission"]) or 0.0
            statement.bonuses = number_or_none(row["Bonuses"]) or 0.0
            statement.clawbacks = number_or_none(row["Clawbacks"]) or 0.0
            statement.payout = number_or_none(row["Payout"]) or 0.0
            statement.steps = [step for step in str(row["Explanation"]).split("; ") if step]
        statement.lines = _credited(computed, key, period)
        statements.append(statement)
    return statements


@dataclass(frozen=True)
class StatementFile:
    """A statement written to disk."""

    statement: Statement
    path: Path
    locale: str

"""Back-test of Goal Suggestions on the real datasets in tests/data/.

    .venv/bin/python benchmarks/backtest_goals.py

Each past period is suggested from the data before it (As Of = the day before the period
starts) and compared with what happened; "naive" is the same as last period. The error is
the mean absolute percentage error over the rows with actual revenue (rows whose actual
is 0 have no percentage error and are left out).

- Maven CRM, per sales agent: the Goal Suggestions tab itself, run on the workbook cut at
  each As Of (monthly, and quarterly as the workbook's Settings say).
- Indian e-commerce, per Category: the store has no reps, so the tab has no rows; the
  history rule the tab applies to every row (`goal_history.estimate`) runs on each
  Category's monthly revenue instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from real_datasets import INDIA_AS_OF, MAVEN_AS_OF, india_grids, maven_grids  # noqa: E402

from sync.compute.as_of import tables_as_of  # noqa: E402
from sync.compute.goal_history import (  # noqa: E402
    Period,
    estimate,
    history_periods,
    year_earlier,
)
from sync.compute.goal_suggestions import goal_suggestions  # noqa: E402
from sync.compute.names import name_key  # noqa: E402
from sync.compute.periods import period_labels  # noqa: E402
from sync.compute.revenue import revenue_lines  # noqa: E402
from sync.contract.tables import Tables  # noqa: E402
from sync.read import validate_workbook  # noqa: E402


@dataclass(frozen=True)
class PeriodResult:
    """One back-tested period: how far the suggestion and the naive guess were off."""

    dataset: str
    period: str
    rows: int
    suggested_mape: float
    naive_mape: float

    @property
    def beats_naive(self) -> bool:
        """The suggestion's error is below the naive guess's."""
        return self.suggested_mape < self.naive_mape


def _mape(guess: pd.Series, actual: pd.Series) -> float:
    return float(((guess - actual).abs() / actual.abs()).mean())


def _result(dataset: str, label: str, frame: pd.DataFrame) -> PeriodResult | None:
    """MAPEs over the rows with actual revenue (None when no row has any)."""
    frame = frame[frame["actual"] != 0]
    if frame.empty:
        return None
    return PeriodResult(dataset, label, len(frame), _mape(frame["suggested"], frame["actual"]),
                        _mape(frame["naive"], frame["actual"]))


def _with_period(tables: Tables, as_of: date, period: str) -> Tables:
    settings = tables.settings.model_copy(update={"as_of": as_of, "period": period})
    cut, _ = tables_as_of(Tables(**{**tables.__dict__, "settings": settings}), tables.stage_log)
    return cut


def backtest_maven(period: str) -> list[PeriodResult]:
    """Each sales agent's suggestion for each past period against their actual revenue."""
    tables, _ = validate_workbook(maven_grids(), today=MAVEN_AS_OF)
    revenue = revenue_lines(tables)
    settings = tables.settings
    revenue["rep_key"] = revenue["rep"].map(name_key)
    revenue["period"] = period_labels(revenue["date"], period, settings.fiscal_year_start)
    by_rep = revenue.groupby(["period", "rep_key"])["amount"].sum()
    past = history_periods(revenue["date"].min().date(), MAVEN_AS_OF, period,
                           settings.fiscal_year_start)
    results = []
    for before, target in zip(past, past[1:], strict=False):
        cut = _with_period(tables, target.start - timedelta(days=1), period)
        table = goal_suggestions(cut, revenue_lines(cut))
        table = table[table["Product"].isna() & table["Region"].isna()]
        keys = table["Owner"].map(name_key)
        frame = pd.DataFrame({
            "suggested": table["Suggested Target"].to_numpy(),
            "actual": [by_rep.get((target.label, key), 0.0) for key in keys],
            "naive": [by_rep.get((before.label, key), 0.0) for key in keys],
        })
        found = _result(f"Maven CRM ({period}, per agent)", target.label, frame)
        if found is not None:
            results.append(found)
    return results


def backtest_india() -> list[PeriodResult]:
    """Each Category's suggestion for each past month against its actual revenue."""
    tables, _ = validate_workbook(india_grids(), today=INDIA_AS_OF)
    revenue = revenue_lines(tables)
    revenue["period"] = period_labels(revenue["date"], "Month")
    monthly = revenue.groupby(["product", "period"])["amount"].sum()
    past: list[Period] = history_periods(revenue["date"].min().date(), INDIA_AS_OF, "Month", 1)
    categories = sorted(revenue["product"].dropna().unique())
    results = []
    for index in range(1, len(past)):
        seen, target = past[:index], past[index]
        rows = []
        for category in categories:
            values = [float(monthly.get((category, p.label), 0.0)) for p in seen]
            base = year_earlier(target, "Month", 1)
            suggested = max(0.0, estimate([p.label for p in seen], values, "Month", base).value)
            rows.append({"suggested": round(suggested, 2), "naive": values[-1],
                         "actual": float(monthly.get((category, target.label), 0.0))})
        found = _result("Indian e-commerce (Month, per Category)", target.label,
                        pd.DataFrame(rows))
        if found is not None:
            results.append(found)
    return results


def all_results() -> list[PeriodResult]:
    """Every back-tested period of both datasets."""
    return [*backtest_maven("Month"), *backtest_maven("Quarter"), *backtest_india()]


def markdown(results: list[PeriodResult]) -> str:
    """The back-test as a Markdown table, with each dataset's count of periods won."""
    lines = ["| dataset | period | rows | MAPE suggested | MAPE same as last period | better |",
             "|---|---|---|---|---|---|"]
    for result in results:
        lines.append(
            f"| {result.dataset} | {result.period} | {result.rows} | "
            f"{result.suggested_mape:.1%} | {result.naive_mape:.1%} | "
            f"{'suggested' if result.beats_naive else 'naive'} |"
        )
    lines.append("")
    for dataset in dict.fromkeys(result.dataset for result in results):
        mine = [result for result in results if result.dataset == dataset]
        wins = sum(result.beats_naive for result in mine)
        lines.append(f"- {dataset}: the suggestion beats naive in {wins} of {len(mine)} periods")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(all_results()))

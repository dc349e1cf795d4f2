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
- CDNOW, the store's total monthly revenue through the same rule: a dataset the rule was
  not tuned on, to check it was not fitted to the first two.

Each period also counts the actuals that fell inside the suggestion's Low-High band.

    .venv/bin/python benchmarks/backtest_goals.py --uci-full PATH

adds UCI Online Retail per Country, month by month, another dataset the rule was not tuned
on, from the full-year file (2010-12-01 to 2011-12-09, not in tests/data/; SOURCE.md there
says where it comes from). Its last month is partial and left out.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from real_datasets import (  # noqa: E402
    CDNOW_AS_OF,
    INDIA_AS_OF,
    MAVEN_AS_OF,
    cdnow_grids,
    india_grids,
    maven_grids,
)

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
    inside: int  # rows whose actual fell inside Low-High

    @property
    def beats_naive(self) -> bool:
        """The suggestion's error is below the naive guess's."""
        return self.suggested_mape < self.naive_mape


def _mape(guess: pd.Series, actual: pd.Series) -> float:
    return float(((guess - actual).abs() / actual.abs()).mean())


def _result(dataset: str, label: str, frame: pd.DataFrame) -> PeriodResult | None:
    """MAPEs and Low-High hits over the rows with actual revenue (None when none has any)."""
    frame = frame[frame["actual"] != 0]
    if frame.empty:
        return None
    inside = int(((frame["low"] <= frame["actual"]) & (frame["actual"] <= frame["high"])).sum())
    return PeriodResult(dataset, label, len(frame), _mape(frame["suggested"], frame["actual"]),
                        _mape(frame["naive"], frame["actual"]), inside)


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
            "low": table["Low"].to_numpy(), "high": table["High"].to_numpy(),
            "actual": [by_rep.get((target.label, key), 0.0) for key in keys],
            "naive": [by_rep.get((before.label, key), 0.0) for key in keys],
        })
        found = _result(f"Maven CRM ({period}, per agent)", target.label, frame)
        if found is not None:
            results.append(found)
    return results


def backtest_rows(dataset: str, monthly: pd.DataFrame) -> list[PeriodResult]:
    """The history rule on each row of `monthly` (rows x complete months, oldest first):
    every month from the second on, suggested from the months before it."""
    labels = list(monthly.columns)
    results = []
    for index in range(1, len(labels)):
        rows = []
        for values in monthly.to_numpy()[:, : index + 1].tolist():
            seen, actual = values[:index], values[index]
            base = year_earlier(_month(labels[index]), "Month", 1)
            found = estimate(labels[:index], seen, "Month", base)
            suggested = max(0.0, round(found.value, 2))
            band = round(found.spread, 2)
            rows.append({"suggested": suggested, "naive": seen[-1], "actual": actual,
                         "low": max(0.0, round(suggested - band, 2)),
                         "high": round(suggested + band, 2)})
        found_period = _result(dataset, labels[index], pd.DataFrame(rows))
        if found_period is not None:
            results.append(found_period)
    return results


def _month(label: str) -> Period:
    start = date.fromisoformat(f"{label}-01")
    return Period(label, start, start)


def _monthly(grids: dict, as_of: date, by: str | None) -> pd.DataFrame:
    """Revenue per complete month (columns), per value of `by` or in total (rows)."""
    tables, _ = validate_workbook(grids, today=as_of)
    revenue = revenue_lines(tables)
    revenue["period"] = period_labels(revenue["date"], "Month")
    past = history_periods(revenue["date"].min().date(), as_of, "Month", 1)
    revenue = revenue[revenue["period"].isin([period.label for period in past])]
    keys = [by, "period"] if by else [pd.Series("total", index=revenue.index), "period"]
    table = revenue.groupby(keys)["amount"].sum().unstack(fill_value=0.0)
    return table.reindex(columns=[period.label for period in past], fill_value=0.0)


def backtest_india() -> list[PeriodResult]:
    """Each Category's suggestion for each past month against its actual revenue."""
    return backtest_rows("Indian e-commerce (Month, per Category)",
                         _monthly(india_grids(), INDIA_AS_OF, "product"))


def backtest_cdnow() -> list[PeriodResult]:
    """The CDNOW store's total revenue, month by month (a dataset the rule was not tuned on)."""
    return backtest_rows("CDNOW (Month, store total; not tuned on)",
                         _monthly(cdnow_grids(), CDNOW_AS_OF, None))


def backtest_uci(path: Path) -> list[PeriodResult]:
    """UCI Online Retail per Country (revenue = Quantity x UnitPrice per line, to the cent)."""
    lines = pd.read_csv(path, usecols=["Quantity", "UnitPrice", "InvoiceDate", "Country"])
    lines["amount"] = (lines["Quantity"] * lines["UnitPrice"]).round(2)
    lines["month"] = lines["InvoiceDate"].str[:7]
    monthly = lines.groupby(["Country", "month"])["amount"].sum().unstack(fill_value=0.0)
    return backtest_rows("UCI Online Retail (Month, per Country; not tuned on)",
                         monthly.iloc[:, :-1])  # 2011-12 stops on the 9th


def all_results() -> list[PeriodResult]:
    """Every back-tested period of both datasets."""
    return [*backtest_maven("Month"), *backtest_maven("Quarter"), *backtest_india(),
            *backtest_cdnow()]


@dataclass(frozen=True)
class DatasetResult:
    """One dataset's back-test in all: periods won and errors pooled over every row."""

    dataset: str
    periods: int
    wins: int
    rows: int
    suggested_mape: float
    naive_mape: float
    inside: int


def by_dataset(results: list[PeriodResult]) -> list[DatasetResult]:
    """Each dataset's periods won, its MAPEs over all rows of all periods, and its band hits."""
    summaries = []
    for dataset in dict.fromkeys(result.dataset for result in results):
        mine = [result for result in results if result.dataset == dataset]
        rows = sum(result.rows for result in mine)
        summaries.append(DatasetResult(
            dataset, len(mine), sum(result.beats_naive for result in mine), rows,
            sum(result.suggested_mape * result.rows for result in mine) / rows,
            sum(result.naive_mape * result.rows for result in mine) / rows,
            sum(result.inside for result in mine)))
    return summaries


def markdown(results: list[PeriodResult]) -> str:
    """The back-test as a Markdown table, then each dataset in all."""
    lines = ["| dataset | period | rows | MAPE suggested | MAPE same as last period | better "
             "| actual inside Low-High |",
             "|---|---|---|---|---|---|---|"]
    for result in results:
        lines.append(
            f"| {result.dataset} | {result.period} | {result.rows} | "
            f"{result.suggested_mape:.1%} | {result.naive_mape:.1%} | "
            f"{'suggested' if result.beats_naive else 'naive'} | {result.inside} |"
        )
    lines.append("")
    for summary in by_dataset(results):
        lines.append(
            f"- {summary.dataset}: the suggestion beats naive in {summary.wins} of "
            f"{summary.periods} periods; MAPE over all {summary.rows} rows "
            f"{summary.suggested_mape:.1%} against {summary.naive_mape:.1%}; actual inside "
            f"Low-High in {summary.inside} of {summary.rows} "
            f"({summary.inside / summary.rows:.0%})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Back-test Goal Suggestions on real data.")
    parser.add_argument("--uci-full", type=Path, metavar="PATH",
                        help="also back-test the full-year UCI Online Retail file, per Country")
    arguments = parser.parse_args()
    extra = backtest_uci(arguments.uci_full) if arguments.uci_full else []
    print(markdown([*all_results(), *extra]))

"""The demo's Goals tab: quarterly quotas set the way an owner would, from past sales."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np

from sync.compute.periods import period_bounds
from sync.demo.catalog import REPS
from sync.demo.sales import Calendar, Deal, OrderLine, Row


def quarter_of(calendar: Calendar, offset: int) -> date:
    """First day of the calendar quarter holding a day offset."""
    return period_bounds(calendar.day(offset), "Quarter")[0]


def history_by_rep(calendar: Calendar, deals: list[Deal], deal_ids: list[str],
                   lines: list[OrderLine]) -> dict[str, dict[tuple[int, date], float]]:
    """Per metric, the (rep, quarter start) figures the goals are set from."""
    quarters = [quarter_of(calendar, offset) for offset in range(calendar.days + 1)]
    figures: dict[str, dict[tuple[int, date], float]] = {
        metric: defaultdict(float)
        for metric in ("Revenue", "Deals Won", "New Customers", "Pipeline Created")
    }
    linked = {line.deal_id for line in lines if line.deal_id}
    for line in lines:
        figures["Revenue"][line.rep, quarters[line.day]] += line.amount
    first_sale: dict[int, OrderLine] = {}
    for line in sorted(lines, key=lambda line: line.day):
        if line.amount > 0:
            first_sale.setdefault(line.customer, line)
    for line in first_sale.values():
        figures["New Customers"][line.rep, quarters[line.day]] += 1
    for deal, deal_id in zip(deals, deal_ids, strict=True):
        figures["Pipeline Created"][deal.owner, quarters[deal.created]] += deal.amount
        if deal.outcome == "Won" and deal.closed is not None:
            quarter = quarters[deal.closed]
            figures["Deals Won"][deal.owner, quarter] += 1
            if deal_id not in linked:
                figures["Revenue"][deal.owner, quarter] += deal.amount
    return figures


def goal_row(owner: str, metric: str, start: date, target: float, notes: str = "") -> Row:
    """One Goals row for the quarter starting on `start`."""
    end = period_bounds(start, "Quarter")[1]
    return {"Owner": owner, "Metric": metric, "Period Start": start, "Period End": end,
            "Target": target, "Product": None, "Region": None, "Notes": notes or None}


def goal_rows(rng: np.random.Generator, calendar: Calendar, deals: list[Deal],
              deal_ids: list[str], lines: list[OrderLine]) -> list[Row]:
    """Quarterly quotas per rep, team and company goals, and a few activity goals.

    Each quarter's team goal is the sum of its members' quotas, except the East team's
    current goal, set above it, so the decomposition check has something to flag.
    """
    figures = history_by_rep(calendar, deals, deal_ids, lines)
    revenue = figures["Revenue"]
    current = quarter_of(calendar, calendar.days)
    quarters = [quarter_of(calendar, 0)]
    while quarters[-1] < current:
        quarters.append(period_bounds(quarters[-1], "Quarter")[1] + timedelta(days=1))
    previous = quarters[-2] if len(quarters) > 1 else current
    rows: list[Row] = []
    for number, start in enumerate(quarters):
        quotas = {}
        for index, rep in enumerate(REPS):
            if start == current:  # set at the start of the quarter, from the last one
                base = revenue[index, previous] * rng.uniform(1.0, 1.15)
            elif start < calendar.first_day:  # the history starts mid-quarter
                base = revenue[index, quarters[number + 1]] * rng.uniform(0.85, 1.0)
            else:
                base = revenue[index, start] * rng.uniform(0.85, 1.2)
            if number > 0 and revenue[index, quarters[number - 1]] > 0:
                # An owner sets reachable quotas: at most ~3x the quarter before (SMART's A).
                base = min(base, 2.9 * revenue[index, quarters[number - 1]])
            quotas[rep.name] = max(5000.0, round(base, -3))
        company = sum(quotas.values())
        rows.append(goal_row("Company", "Revenue", start, company, "Company plan"))
        for team in sorted({rep.team for rep in REPS}):
            members = sum(quotas[rep.name] for rep in REPS if rep.team == team)
            if start == current and team == "East":
                stretch = float(np.ceil(members * 1.06 / 1000) * 1000)
                rows.append(goal_row(team, "Revenue", start, stretch, "Stretch goal"))
            else:
                rows.append(goal_row(team, "Revenue", start, members))
        rows.extend(goal_row(name, "Revenue", start, quota, "Quota")
                    for name, quota in quotas.items())
    rows.extend(activity_goals(figures, previous, current))
    return rows


def activity_goals(figures: dict[str, dict[tuple[int, date], float]], previous: date,
                   current: date) -> list[Row]:
    """This quarter's Deals Won, New Customers and Pipeline Created goals for some reps."""
    rows = []
    for index in (0, 1, 3):
        won = figures["Deals Won"][index, previous]
        rows.append(goal_row(REPS[index].name, "Deals Won", current, max(1, round(won * 1.1))))
    for index in (2, 4):
        new = figures["New Customers"][index, previous]
        rows.append(goal_row(REPS[index].name, "New Customers", current, max(1, round(new * 1.2))))
    for index in (1, 4):
        created = figures["Pipeline Created"][index, previous]
        rows.append(goal_row(
            REPS[index].name, "Pipeline Created", current, max(1000.0, round(created * 1.1, -3))
        ))
    return rows

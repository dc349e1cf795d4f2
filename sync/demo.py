"""A realistic, seeded small business to try the product on: `salesops demo`.

`demo_grids` returns the input tabs as grids (row 1 = English headers); the same seed and
day give the same workbook. The data holds a handful of honest mistakes an owner makes
(a bad date, an unknown stage, a duplicate Deal ID, an amount typed as `1.2k`) so the
Data Issues tab has something to say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sync.compute.periods import period_bounds
from sync.demo_catalog import COMMISSION_TIERS, DEMO_SETTINGS, REPS, email_of
from sync.demo_sales import (
    Calendar,
    Customers,
    Deal,
    OrderLine,
    Row,
    assign_deal_customers,
    customer_rows,
    deal_order_lines,
    deal_rows,
    everyday_order_lines,
    make_calendar,
    make_customers,
    refund_lines,
    simulate_deals,
)
from sync.errors import SalesOpsError, WorkbookError
from sync.schema import input_tabs, settings_specs, tab_spec

if TYPE_CHECKING:
    from sync.engine import SyncReport

DEALS_PER_SIZE = 300
CUSTOMERS_PER_SIZE = 120
ORDERS_PER_SIZE = 2000
REFUND_SHARE = 0.012  # about one order row in eighty is a refund

# The honest mistakes, each written exactly once.
UNKNOWN_STAGE = "Proposal Sent"
SHORTHAND_AMOUNT = "1.2k"


def impossible_date(today: date) -> str:
    """The bad date typed in the demo: 31 February of this year, as text."""
    return f"31/02/{today.year}"


def demo_grids(
    size: int = 1, seed: int = 7, *, today: date | None = None
) -> dict[str, list[list[Any]]]:
    """The input tabs of the demo business, as grids keyed by tab name.

    `size` scales deals (300), customers (120) and orders (2,000) linearly; `today`
    (default: the machine's today) is the Settings tab's As Of and the end of the history.
    """
    if size < 1:
        raise ValueError("size must be 1 or more")
    today = today or date.today()
    rng = np.random.default_rng(seed)
    calendar = make_calendar(today)
    customers = make_customers(rng, calendar, CUSTOMERS_PER_SIZE * size)
    deals = simulate_deals(rng, calendar, DEALS_PER_SIZE * size)
    assign_deal_customers(rng, deals, customers)
    pipeline = deal_rows(rng, calendar, deals, customers)
    deal_ids = [str(row["Deal ID"]) for row in pipeline]
    sales = deal_order_lines(rng, calendar, deals, deal_ids)
    total_orders = ORDERS_PER_SIZE * size
    refunds = refund_lines(rng, calendar, sales, round(total_orders * REFUND_SHARE))
    everyday = everyday_order_lines(
        rng, calendar, customers, total_orders - len(sales) - len(refunds)
    )
    lines = sales + refunds + everyday
    orders = order_rows(calendar, customers, lines)
    fill_since(calendar, customers, lines)
    goals = goal_rows(rng, calendar, deals, deal_ids, lines)
    add_honest_mistakes(rng, today, pipeline, orders)
    rows: dict[str, list[Row]] = {
        "Settings": settings_rows(today),
        "Stages": [dict(row) for row in tab_spec("Stages").defaults],
        "Team": team_rows(calendar),
        "Goals": goals,
        "Pipeline": pipeline,
        "Customers": customer_rows(rng, customers),
        "Orders": orders,
        "Commission Plans": plan_rows(),
    }
    grids: dict[str, list[list[Any]]] = {}
    for spec in input_tabs():
        headers = spec.headers
        grid: list[list[Any]] = [list(headers)]
        grid.extend([row.get(header) for header in headers] for row in rows[spec.tab])
        grids[spec.tab] = grid
    return grids


def settings_rows(today: date) -> list[Row]:
    """Every Settings key: the demo's choices, As Of = today, the rest at their defaults."""
    rows = []
    for spec in settings_specs():
        value = today if spec.key == "As Of" else DEMO_SETTINGS.get(spec.key, spec.default)
        rows.append({"Setting": spec.key, "Value": value})
    return rows


def team_rows(calendar: Calendar) -> list[Row]:
    """The Team tab: five reps in two teams."""
    return [
        {
            "Rep": rep.name, "Email": email_of(rep.name), "Team": rep.team,
            "Manager": rep.manager, "Region": rep.region, "Commission Plan": rep.plan,
            "Start Date": calendar.first_day - timedelta(days=round(rep.years_in_team * 365)),
            "Active": "Yes",
        }
        for rep in REPS
    ]


def plan_rows() -> list[Row]:
    """The Commission Plans tab: two plans of three marginal tiers, with bonuses."""
    return [
        {"Plan": tier.plan, "From %": tier.from_pct, "To %": tier.to_pct,
         "Rate": tier.rate, "Bonus": tier.bonus}
        for tier in COMMISSION_TIERS
    ]


def order_rows(calendar: Calendar, customers: Customers, lines: list[OrderLine]) -> list[Row]:
    """The Orders tab in date order; lines of one order share its Order ID."""
    def order_key(index: int) -> tuple[str, object]:
        line = lines[index]
        if line.group >= 0:
            return ("everyday", line.group)
        if line.amount < 0:
            return ("refund", index)
        return ("deal", line.deal_id)

    ordered = sorted(range(len(lines)), key=lambda i: (lines[i].day, str(order_key(i))))
    order_ids: dict[tuple[str, object], str] = {}
    rows = []
    for index in ordered:
        line = lines[index]
        key = order_key(index)
        order_id = order_ids.setdefault(key, f"O-{10001 + len(order_ids)}")
        rows.append({
            "Order ID": order_id,
            "Date": calendar.day(line.day),
            "Customer": customers.names[line.customer],
            "Amount": line.amount,
            "Product": line.product,
            "Quantity": line.quantity,
            "Rep": REPS[line.rep].name,
            "Deal ID": line.deal_id,
        })
    return rows


def fill_since(calendar: Calendar, customers: Customers, lines: list[OrderLine]) -> None:
    """Customers won during the window are customers since their first order."""
    first: dict[int, int] = {}
    for line in lines:
        if line.amount > 0 and line.day < first.get(line.customer, calendar.days + 1):
            first[line.customer] = line.day
    for customer, day in first.items():
        if customers.since[customer] is None:
            customers.since[customer] = calendar.day(day)


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


def add_honest_mistakes(rng: np.random.Generator, today: date, pipeline: list[Row],
                        orders: list[Row]) -> None:
    """Type the four mistakes an owner makes, each once, into rows nothing else relies on."""
    open_rows = [
        index for index, row in enumerate(pipeline)
        if index > 0 and row["Stage"] in ("Lead", "Qualified", "Proposal", "Negotiation")
    ]
    proposals = [index for index in open_rows if pipeline[index]["Stage"] == "Proposal"]
    unknown = int(rng.choice(proposals or open_rows))
    rest = [index for index in open_rows if index != unknown]
    bad_date = int(rng.choice(rest))
    # The row above the duplicate must stay valid, or its ID would not count as taken.
    duplicate = int(rng.choice(
        [index for index in rest if index != bad_date and index - 1 not in (unknown, bad_date)]
    ))
    pipeline[unknown]["Stage"] = UNKNOWN_STAGE
    pipeline[bad_date]["Expected Close"] = impossible_date(today)
    # The owner retyped the number of the deal just above.
    pipeline[duplicate]["Deal ID"] = pipeline[duplicate - 1]["Deal ID"]
    everyday = [index for index, row in enumerate(orders) if row["Deal ID"] is None]
    shorthand = orders[int(rng.choice(everyday))]
    shorthand.update({"Product": "Pro Kit", "Quantity": 1, "Amount": SHORTHAND_AMOUNT})


def is_demo_workbook(path: Path) -> bool:
    """Whether a file is a workbook `salesops demo` wrote: its Team tab lists the demo's reps."""
    from sync.backends.xlsx import XlsxBackend

    try:
        rows = XlsxBackend(path).read(["Team"]).get("Team") or []
    except SalesOpsError:
        return False
    return {str(row[0]) for row in rows[1:] if row and row[0]} == {rep.name for rep in REPS}


def write_demo_workbook(path: Path, *, size: int = 1, seed: int = 7, locale: str = "en",
                        today: date | None = None, replace: bool = False) -> Path:
    """Write the demo business's input tabs to a new .xlsx workbook.

    An existing file is replaced only when it is an earlier demo workbook, or `replace`.
    """
    from sync.backends.xlsx_template import write_input_workbook

    grids = demo_grids(size, seed, today=today)
    if path.exists():
        if not replace and not is_demo_workbook(path):
            raise WorkbookError(
                f"{path} already exists and is not a demo workbook: choose another path, "
                "or replace it on purpose with `salesops demo --force`."
            )
        path.unlink()
    write_input_workbook(path, grids, locale)
    return path


def run_demo(path: Path, *, size: int = 1, seed: int = 7, locale: str = "en",
             today: date | None = None, replace: bool = False,
             progress: Callable[[str], None] | None = None) -> SyncReport:
    """Write the demo workbook, then sync it: what `salesops demo` does."""
    from sync.backends.xlsx import XlsxBackend
    from sync.engine import sync_workbook

    if progress:
        progress(f"Writing the demo workbook {path}")
    write_demo_workbook(path, size=size, seed=seed, locale=locale, today=today, replace=replace)
    return sync_workbook(XlsxBackend(path), progress=progress)

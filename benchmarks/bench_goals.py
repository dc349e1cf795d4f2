"""Goal Progress against many goals: its time must not grow with the number of goals.

    .venv/bin/python benchmarks/bench_goals.py [--orders 500000] [--repeat 5]

Builds validated tables by hand (no reading or validation timed): 500 reps in 50 teams,
200 products, 20 regions, 500,000 orders over two years and 20,000 deals; then times
`goal_progress` (Actual, previous period for SMART, Forecast and Pace of every goal, and
the decomposition check) with 20 goals and with 2,000 goals of every kind (Company, team
and rep goals on each metric, a third with a product, a third with a region), median of
`--repeat` runs, in wall and in CPU seconds (CPU is what to compare on a shared machine).
Prints a Markdown table with the ratios 2,000 goals / 20 goals.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from sync.compute.goals import goal_progress
from sync.compute.revenue import revenue_lines
from sync.contract.tables import WorkbookSettings, make_tables

AS_OF = date(2026, 11, 15)
METRICS = ("Revenue", "Deals Won", "New Customers", "Pipeline Created")


def business(orders: int, goals: int, seed: int = 7):
    """Tables of 500 reps, 200 products and `orders` orders, with `goals` goals."""
    rng = np.random.default_rng(seed)
    reps = [f"Rep {n:03d}" for n in range(500)]
    products = [f"Product {n:03d}" for n in range(200)]
    regions = [f"Region {n:02d}" for n in range(20)]
    first = AS_OF - timedelta(days=730)
    team = [
        {"rep": rep, "team": f"Team {n // 10:02d}", "active": True, "region": regions[n % 20]}
        for n, rep in enumerate(reps)
    ]
    customers = [
        {"customer": f"Customer {n:05d}", "region": regions[n % 20], "owner": reps[n % 500]}
        for n in range(20_000)
    ]
    days = rng.integers(0, 730, orders)
    order_rows = [
        {
            "order_id": f"O-{n}", "date": first + timedelta(days=int(days[n])),
            "customer": f"Customer {int(c):05d}", "amount": round(float(a), 2),
            "product": products[int(p)], "rep": reps[int(r)],
        }
        for n, (c, a, p, r) in enumerate(zip(
            rng.integers(0, 20_000, orders), rng.uniform(-50, 5000, orders),
            rng.integers(0, 200, orders), rng.integers(0, 500, orders), strict=True,
        ))
    ]
    stages = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    deals = []
    for n in range(20_000):
        created = first + timedelta(days=int(rng.integers(0, 730)))
        stage = stages[int(rng.integers(0, 6))]
        deals.append({
            "deal_id": f"D-{n}", "customer": f"Customer {int(rng.integers(0, 20_000)):05d}",
            "owner": reps[int(rng.integers(0, 500))], "stage": stage,
            "amount": float(rng.integers(1, 100)) * 100, "created": created,
            "expected_close": created + timedelta(days=int(rng.integers(10, 200))),
            "closed": created + timedelta(days=30) if stage in ("Won", "Lost") else None,
            "product": products[int(rng.integers(0, 200))],
        })
    goal_rows = []
    owners = ["Company", *(f"Team {n:02d}" for n in range(50)), *reps]
    for n in range(goals):
        quarter = date(2026, 1 + 3 * (n % 4), 1)
        end = (quarter + timedelta(days=92)).replace(day=1) - timedelta(days=1)
        goal_rows.append({
            "owner": owners[(n * 7) % len(owners)], "metric": METRICS[n % 4],
            "period_start": quarter, "period_end": end, "target": 10_000.0 + n,
            "product": products[n % 200] if n % 3 == 1 else None,
            "region": regions[n % 20] if n % 3 == 2 else None,
        })
    settings = WorkbookSettings(as_of=AS_OF)
    return make_tables(settings, team=team, customers=customers, orders=order_rows,
                       pipeline=deals, goals=goal_rows)


def timed(tables, revenue, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `goal_progress` over `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        goal_progress(tables, revenue)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    many = business(args.orders, 2000)
    revenue = revenue_lines(many)
    few = replace(many, goals=many.goals.iloc[:20].reset_index(drop=True))
    few_wall, few_cpu = timed(few, revenue, args.repeat)
    many_wall, many_cpu = timed(many, revenue, args.repeat)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| orders | goals | Goal Progress, median wall (s) | median CPU (s) "
          "| CPU per goal (ms) |")
    print("|---:|---:|---:|---:|---:|")
    for goals, wall, cpu in ((20, few_wall, few_cpu), (2000, many_wall, many_cpu)):
        per_goal = 1000 * cpu / goals
        print(f"| {args.orders:,} | {goals:,} | {wall:.2f} | {cpu:.2f} | {per_goal:.2f} |")
    print(f"ratio 2,000 goals / 20 goals: {many_wall / few_wall:.2f}x wall, "
          f"{many_cpu / few_cpu:.2f}x CPU")


if __name__ == "__main__":
    main()

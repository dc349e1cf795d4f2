"""A realistic, seeded small business to try the product on: `salesops demo`.

`demo_grids` returns the input tabs and the Stage Log as grids (row 1 = English headers);
the same seed and day give the same workbook. The data holds a handful of honest mistakes
an owner makes (a bad date, an unknown stage, a duplicate Deal ID, an amount typed as
`1.2k`) so the Data Issues tab has something to say.

The Stage Log is the history the product would have written had it synced the business
throughout its 18 months: each deal first seen in its first stage on its Created day,
then one row per move (to Won or Lost on its Closed day), at business-hours times, never
after today. So the first sync of the demo appends nothing, Lost deals count the stages
they really reached, and days in stage come from the log rather than from Created.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sync.demo.catalog import COMMISSION_TIERS, DEMO_SETTINGS, REPS, email_of
from sync.demo.goals import goal_rows
from sync.demo.sales import (
    Calendar,
    Customers,
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
    stage_log_rows,
)
from sync.errors import SalesOpsError, WorkbookError
from sync.i18n import _
from sync.schema import computed_tabs, input_tabs, settings_specs, tab_spec

if TYPE_CHECKING:
    from sync.engine import SyncReport

DEALS_PER_SIZE = 300
CUSTOMERS_PER_SIZE = 120
ORDERS_PER_SIZE = 2000
REFUND_SHARE = 0.012  # about one order row in eighty is a refund

STAGE_LOG = "Stage Log"

# The honest mistakes, each written exactly once.
UNKNOWN_STAGE = "Proposal Sent"
SHORTHAND_AMOUNT = "1.2k"


def impossible_date(today: date) -> str:
    """The bad date typed in the demo: 31 February of this year, as text."""
    return f"31/02/{today.year}"


def demo_grids(
    size: int = 1, seed: int = 7, *, today: date | None = None, locale: str = "en"
) -> dict[str, list[list[Any]]]:
    """The input tabs of the demo business and its Stage Log, as grids keyed by tab name.

    `locale` zh-CN tells the same business in Chinese (`sync/demo/chinese.py`).
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
        "Settings": settings_rows(today, locale),
        "Stages": [dict(row) for row in tab_spec("Stages").defaults],
        "Team": team_rows(calendar),
        "Goals": goals,
        "Pipeline": pipeline,
        "Customers": customer_rows(rng, customers),
        "Orders": orders,
        "Commission Plans": plan_rows(),
    }
    # The log holds what the product could have read. The unknown stage was typed over a
    # deal the log had already seen, so its log ends at the stage it really has (the reader
    # drops the row, so the engine logs nothing for it until the owner corrects it). The
    # duplicate Deal ID was typed when its row was added: the reader has always dropped
    # that row, so the log never saw that deal, and its ID logs the row above.
    logged_ids: list[str | None] = [
        deal_id if row["Deal ID"] == deal_id else None
        for row, deal_id in zip(pipeline, deal_ids, strict=True)
    ]
    # Its times are drawn after every input tab's, so the inputs do not depend on the log.
    stage_log = stage_log_rows(rng, calendar, deals, logged_ids)
    grids: dict[str, list[list[Any]]] = {}
    for spec in input_tabs():
        headers = spec.headers
        grid: list[list[Any]] = [list(headers)]
        grid.extend([row.get(header) for header in headers] for row in rows[spec.tab])
        grids[spec.tab] = grid
    log_headers = tab_spec(STAGE_LOG).headers
    grids[STAGE_LOG] = [list(log_headers)]
    grids[STAGE_LOG].extend([row[header] for header in log_headers] for row in stage_log)
    if locale == "zh-CN":
        from sync.demo.chinese import in_chinese

        return in_chinese(grids)
    return grids


def settings_rows(today: date, locale: str = "en") -> list[Row]:
    """Every Settings key: the demo's choices, As Of = today, Locale = the demo's, the rest
    at their defaults."""
    rows = []
    for spec in settings_specs():
        value = today if spec.key == "As Of" else DEMO_SETTINGS.get(spec.key, spec.default)
        if spec.key == "Locale":
            value = locale
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
    # A close date typed ahead on an open deal (Closed must be readable: an Error).
    pipeline[bad_date]["Closed"] = impossible_date(today)
    # The owner retyped the number of the deal just above.
    pipeline[duplicate]["Deal ID"] = pipeline[duplicate - 1]["Deal ID"]
    everyday = [index for index, row in enumerate(orders) if row["Deal ID"] is None]
    shorthand = orders[int(rng.choice(everyday))]
    shorthand.update({"Product": "Pro Kit", "Quantity": 1, "Amount": SHORTHAND_AMOUNT})


def is_demo_workbook(path: Path) -> bool:
    """Whether a file is a workbook `salesops demo` wrote: its Team tab lists the demo's reps."""
    from sync.backends.xlsx.backend import XlsxBackend

    try:
        rows = XlsxBackend(path).read(["Team"]).get("Team") or []
    except SalesOpsError:
        return False
    from sync.demo.chinese import PEOPLE

    names = {str(row[0]) for row in rows[1:] if row and row[0]}
    return names in ({rep.name for rep in REPS}, {PEOPLE[rep.name] for rep in REPS})


def write_demo_workbook(path: Path, *, size: int = 1, seed: int = 7, locale: str = "en",
                        today: date | None = None, replace: bool = False) -> Path:
    """Write the demo business's input tabs and its Stage Log to an .xlsx workbook.

    An existing file is replaced only when it is an earlier demo workbook, or `replace`;
    the new workbook is built beside it and renamed into place, so until that rename the
    old file stays whole (a link keeps pointing to the same file, which gets the demo).
    """
    import pandas as pd

    from sync.backends.xlsx.backend import XlsxBackend
    from sync.backends.xlsx.file import FileState, check_writable, install, temp_beside
    from sync.backends.xlsx.template import input_workbook
    from sync.write.tabs import frame_output

    expected: FileState | None = None
    if path.exists():
        if not replace and not is_demo_workbook(path):
            raise WorkbookError(_(
                "{path} already exists and is not a demo workbook: choose another path, "
                "or replace it on purpose with `salesops demo --force`.").format(path=path))
        check_writable(path)
        expected = FileState.of(path.resolve())
    elif not path.parent.is_dir():
        raise WorkbookError(_("the folder {folder} does not exist: create it first.").format(
            folder=path.parent))
    grids = demo_grids(size, seed, today=today, locale=locale)
    inputs = {tab: grid for tab, grid in grids.items() if tab != STAGE_LOG}
    headers, *log_rows = grids[STAGE_LOG]
    log = pd.DataFrame(log_rows, columns=headers)
    log["Changed At"] = pd.to_datetime(log["Changed At"])
    # The log goes through the product's own writer, so it is the tab a sync would write;
    # the other computed tabs are laid out empty first so the tabs come in their usual order.
    currency = "CNY" if locale == "zh-CN" else str(DEMO_SETTINGS["Currency"])
    outputs = [
        frame_output(spec.tab, log if spec.tab == STAGE_LOG else pd.DataFrame(columns=spec.headers),
                     currency)
        for spec in computed_tabs()
    ]
    with temp_beside(path) as temp:
        input_workbook(inputs, locale).save(temp)
        XlsxBackend(temp).write(outputs)
        install(temp, path, expected, again="demo")
    return path


def run_demo(path: Path, *, size: int = 1, seed: int = 7, locale: str = "en",
             today: date | None = None, replace: bool = False,
             progress: Callable[[str], None] | None = None) -> SyncReport:
    """Write the demo workbook, then sync it: what `salesops demo` does."""
    from sync.backends.xlsx.backend import XlsxBackend
    from sync.engine import sync_workbook

    if progress:
        progress(_("Writing the demo workbook {path}").format(path=path))
    write_demo_workbook(path, size=size, seed=seed, locale=locale, today=today, replace=replace)
    return sync_workbook(XlsxBackend(path), progress=progress)

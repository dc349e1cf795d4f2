"""Simulated sales history of the demo business: customers, deals, orders and stage changes.

Days are counted as offsets from the first day of the history (18 months before today);
every draw comes from one numpy Generator, so a seed gives the same history every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from sync.demo.catalog import (
    DEAL_PRODUCT_SHARES,
    LEAD_SOURCES,
    LOST_REASONS,
    MONTH_SEASON,
    NAME_PREFIXES,
    NAME_SUFFIXES,
    NAME_TRADES,
    ORDER_PRODUCT_SHARES,
    PRODUCT_PRICES,
    REGIONS,
    REPS,
    STAGE_DAYS,
    STAGE_NAMES,
    STAGE_PASS,
    domain_of,
)

HISTORY_MONTHS = 18
Row = dict[str, object]


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass
class Calendar:
    """The demo's history window and how busy each day of it is."""

    first_day: date
    today: date
    busy: np.ndarray = field(repr=False)  # cumulative day weights, len = days + 2

    @property
    def days(self) -> int:
        """Offset of today (the window holds offsets 0..days)."""
        return (self.today - self.first_day).days

    def day(self, offset: int) -> date:
        """The date at an offset."""
        return self.first_day + timedelta(days=int(offset))

    def draw_days(self, rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """One day per (start, end) pair, inclusive, as busy days are more likely."""
        low, high = self.busy[start], self.busy[end + 1]
        picked = np.searchsorted(self.busy, low + rng.random(len(start)) * (high - low), "right")
        return np.clip(picked - 1, start, end)


def make_calendar(today: date) -> Calendar:
    """The 18 months before today, weighted by season, growth and weekday."""
    first_day = months_before(today, HISTORY_MONTHS)
    days = (today - first_day).days
    dates = [first_day + timedelta(days=offset) for offset in range(days + 1)]
    season = np.array([MONTH_SEASON[day.month - 1] for day in dates])
    weekday = np.array([0.25 if day.weekday() >= 5 else 1.0 for day in dates])
    growth = 1.0 + 0.35 * np.arange(days + 1) / max(days, 1)  # the business is growing
    busy = np.concatenate([[0.0], np.cumsum(season * weekday * growth)])
    return Calendar(first_day, today, np.concatenate([busy, busy[-1:]]))


@dataclass
class Customers:
    """Every demo customer: identity, owner and buying habits."""

    names: list[str]
    owners: np.ndarray  # rep index
    regions: list[str]
    industries: list[str]
    start: np.ndarray  # first day it may buy (offset)
    end: np.ndarray  # last day it buys (offset; churned customers stop early)
    rate: np.ndarray  # relative buying frequency
    prospect: np.ndarray  # bool: never bought anything, only talks to sales
    since: list[date | None]


def customer_names(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    """`count` distinct (name, industry) pairs such as (`Harborview Dental Ltd`, Healthcare)."""
    trades = list(NAME_TRADES)
    combos = len(NAME_PREFIXES) * len(trades) * len(NAME_SUFFIXES)
    picks = rng.permutation(combos)[: min(count, combos)]
    names = []
    for pick in picks:
        prefix, rest = divmod(int(pick), len(trades) * len(NAME_SUFFIXES))
        trade, suffix = divmod(rest, len(NAME_SUFFIXES))
        name = f"{NAME_PREFIXES[prefix]} {trades[trade]}{NAME_SUFFIXES[suffix]}"
        names.append((name, NAME_TRADES[trades[trade]]))
    # Beyond the name combinations (huge benchmark sizes), number the branches.
    for extra in range(count - len(names)):
        base, industry = names[extra % combos]
        names.append((f"{base} Branch {extra // combos + 2}", industry))
    return names


def make_customers(rng: np.random.Generator, calendar: Calendar, count: int) -> Customers:
    """Customers: some buying since before the window, some new, some churned, a few prospects."""
    days = calendar.days
    shares = np.array([rep.customer_share for rep in REPS])
    owners = rng.choice(len(REPS), size=count, p=shares / shares.sum())
    kind = rng.choice(3, size=count, p=[0.55, 0.35, 0.10])  # 0 existing, 1 new, 2 prospect
    start = np.where(kind == 1, rng.integers(0, days - 20, size=count), 0)
    churned = (rng.random(count) < 0.25) & (kind != 2)
    lifetime = rng.integers(60, days + 1, size=count)
    end = np.where(churned, np.minimum(start + lifetime, days - 100), days)
    end = np.maximum(end, start)
    order_rate = np.array([rep.order_rate for rep in REPS])[owners]
    rate = rng.gamma(0.9, 1.0, size=count) * order_rate * (kind != 2)
    own_region = rng.random(count) < 0.8
    regions = [
        REPS[owner].region if own else REGIONS[int(index)]
        for owner, own, index in zip(
            owners, own_region, rng.integers(0, len(REGIONS), size=count), strict=True
        )
    ]
    years_before = rng.integers(30, 1500, size=count)
    since: list[date | None] = [
        calendar.first_day - timedelta(days=int(back)) if k == 0 else None
        for k, back in zip(kind, years_before, strict=True)
    ]
    named = customer_names(rng, count)
    return Customers(
        names=[name for name, _ in named], owners=owners, regions=regions,
        industries=[industry for _, industry in named], start=start, end=end, rate=rate,
        prospect=kind == 2, since=since,
    )


def customer_rows(rng: np.random.Generator, customers: Customers) -> list[Row]:
    """The Customers tab: survey answers on most rows, happier customers still buying."""
    count = len(customers.names)
    churned = customers.end < customers.end.max()
    satisfaction = np.clip(np.rint(rng.normal(4.1 - 1.0 * churned, 0.8)), 1, 5)
    nps = np.clip(np.rint(2.0 * satisfaction + 0.8 + rng.normal(0, 1.2, size=count)), 0, 10)
    has_satisfaction = rng.random(count) < 0.85
    has_nps = rng.random(count) < 0.80
    rows: list[Row] = []
    for index, name in enumerate(customers.names):
        rows.append({
            "Customer": name,
            "Industry": customers.industries[index],
            "Region": customers.regions[index],
            "Owner": REPS[int(customers.owners[index])].name,
            "Email": f"purchasing@{domain_of(name)}",
            "Satisfaction": int(satisfaction[index]) if has_satisfaction[index] else None,
            "NPS": int(nps[index]) if has_nps[index] else None,
            "Since": customers.since[index],
        })
    return rows


def _pick(rng: np.random.Generator, shares: dict[str, float], size: int) -> list[str]:
    names = list(shares)
    weights = np.array([shares[name] for name in names])
    return [names[int(i)] for i in rng.choice(len(names), size=size, p=weights / weights.sum())]


@dataclass
class Deal:
    """One simulated deal; `outcome` is an open stage name, `Won` or `Lost`.

    `entered` lists the stages in the order the deal entered them, each with its day: the
    first stage on the Created day, the last one is `outcome` (Won or Lost on the Closed day).
    """

    created: int
    owner: int
    outcome: str
    closed: int | None
    expected_close: int
    amount: float
    product: str
    customer: int = -1
    entered: list[tuple[str, int]] = field(default_factory=list)


def simulate_deals(rng: np.random.Generator, calendar: Calendar, count: int) -> list[Deal]:
    """Deals walked through the funnel stage by stage until won, lost, or still open today."""
    days = calendar.days
    recent = rng.random(count) < 0.30  # more deals opened lately: a healthy open pipeline
    created = np.where(
        recent,
        rng.integers(max(days - 100, 0), days + 1, size=count),
        rng.integers(0, days + 1, size=count),
    )
    created = np.sort(created)
    shares = np.array([rep.customer_share for rep in REPS])
    owners = rng.choice(len(REPS), size=count, p=shares / shares.sum())
    dwell_draws = rng.gamma(2.0, 0.5, size=(count, len(STAGE_NAMES)))  # mean 1, scaled below
    pass_draws = rng.random((count, len(STAGE_NAMES)))
    expected_cycle = rng.gamma(4.0, 12.0, size=count)
    products = _pick(rng, DEAL_PRODUCT_SHARES, count)
    base_amounts = rng.lognormal(np.log(9000), 0.6, size=count)
    deals = []
    for index in range(count):
        rep = REPS[int(owners[index])]
        stage_days = (*STAGE_DAYS[:2], rep.proposal_days, STAGE_DAYS[3])
        stage_pass = (*STAGE_PASS[:2], rep.proposal_pass, STAGE_PASS[3])
        start = int(created[index])
        age = days - start
        elapsed = 0.0
        outcome, closed = STAGE_NAMES[0], None
        entered = [(STAGE_NAMES[0], start)]
        for stage, name in enumerate(STAGE_NAMES):
            dwell = dwell_draws[index, stage] * stage_days[stage]
            if elapsed + dwell > age:
                outcome = name
                break
            elapsed += dwell
            if pass_draws[index, stage] >= stage_pass[stage]:
                outcome, closed = "Lost", int(start + elapsed)
                entered.append(("Lost", closed))
                break
            following = STAGE_NAMES[stage + 1] if stage + 1 < len(STAGE_NAMES) else "Won"
            entered.append((following, int(start + elapsed)))
        else:
            outcome, closed = "Won", int(start + elapsed)
        product = products[index]
        size = 2.0 if product == "Enterprise Suite" else 1.0
        deals.append(Deal(
            created=int(created[index]), owner=int(owners[index]), outcome=outcome,
            closed=min(closed, days) if closed is not None else None,
            expected_close=int(created[index] + 10 + expected_cycle[index]),
            amount=float(round(base_amounts[index] * size * rep.deal_size, -2)),
            product=product, entered=entered,
        ))
    return deals


def assign_deal_customers(
    rng: np.random.Generator, deals: list[Deal], customers: Customers
) -> None:
    """Give each deal a customer of its owner: buyers for won deals, often prospects for others."""
    everyone = np.arange(len(customers.names))
    pools = []
    for owner in range(len(REPS)):
        mine = everyone[customers.owners == owner]
        buyers = mine[~customers.prospect[mine]]
        buyers = buyers[np.argsort(customers.end[buyers], kind="stable")]  # by last buying day
        pools.append((mine, buyers, customers.end[buyers], mine[customers.prospect[mine]]))
    for deal in deals:
        mine, buyers, last_days, prospects = pools[deal.owner]
        if deal.outcome == "Won":  # someone still buying when the deal closed
            pool = buyers[np.searchsorted(last_days, deal.closed or 0):]
        elif rng.random() < (0.35 if deal.outcome == "Lost" else 0.30):
            pool = prospects
        else:
            pool = buyers
        if len(pool) == 0:
            pool = mine if len(mine) else everyone
        deal.customer = int(pool[rng.integers(len(pool))])


def deal_rows(rng: np.random.Generator, calendar: Calendar, deals: list[Deal],
              customers: Customers) -> list[Row]:
    """The Pipeline tab, one row per deal, numbered in the order the deals were opened."""
    width = max(4, len(str(len(deals))))
    sources = _pick(rng, LEAD_SOURCES, len(deals))
    reasons = _pick(rng, LOST_REASONS, len(deals))
    rows = []
    for index, deal in enumerate(deals):
        customer = customers.names[deal.customer]
        rows.append({
            "Deal ID": f"D-{index + 1:0{width}d}",
            "Deal": f"{deal.product} for {customer}",
            "Customer": customer,
            "Owner": REPS[deal.owner].name,
            "Stage": deal.outcome,
            "Amount": deal.amount,
            "Created": calendar.day(deal.created),
            "Expected Close": calendar.day(deal.expected_close),
            "Closed": calendar.day(deal.closed) if deal.closed is not None else None,
            "Product": deal.product,
            "Region": customers.regions[deal.customer],
            "Source": sources[index],
            "Lost Reason": reasons[index] if deal.outcome == "Lost" else None,
        })
    return rows


# The owner's syncs run in business hours: 09:00 to 18:00, as minutes of the day.
SYNC_MINUTES = (9 * 60, 18 * 60)


def stage_log_rows(rng: np.random.Generator, calendar: Calendar, deals: list[Deal],
                   deal_ids: list[str | None]) -> list[Row]:
    """The Stage Log the product would have written had it synced the business every day.

    Each deal gets its first-sight row (blank From Stage) on its Created day, then one row
    per move up to today, at a business-hours time; a deal whose `deal_ids` entry is None is
    left out. Rows are in the order the syncs appended them (time, then deal).
    """
    logged = [
        (deal_id, [(stage, day) for stage, day in deal.entered if day <= calendar.days])
        for deal, deal_id in zip(deals, deal_ids, strict=True) if deal_id is not None
    ]
    minutes = rng.integers(*SYNC_MINUTES, size=sum(len(entered) for _, entered in logged))
    appended: list[tuple[datetime, Row]] = []
    position = 0
    for deal_id, entered in logged:
        drawn = [int(minute) for minute in minutes[position: position + len(entered)]]
        position += len(entered)
        # Several moves on one day happen in their order: sort the times within each day.
        days_and_minutes = sorted(zip([day for _, day in entered], drawn, strict=True))
        previous_stage: str | None = None
        previous_time: datetime | None = None
        for (stage, _), (day, minute) in zip(entered, days_and_minutes, strict=True):
            changed_at = datetime.combine(calendar.day(day), time()) + timedelta(minutes=minute)
            if previous_time is not None and changed_at <= previous_time:
                changed_at = previous_time + timedelta(minutes=1)  # two moves, two syncs
            appended.append((changed_at, {"Deal ID": deal_id, "From Stage": previous_stage,
                                          "To Stage": stage, "Changed At": changed_at}))
            previous_stage, previous_time = stage, changed_at
    appended.sort(key=lambda pair: pair[0])  # stable: a deal's own rows keep their order
    return [row for _, row in appended]


@dataclass
class OrderLine:
    """One Orders row before it gets its Order ID; lines of one order share `group`."""

    day: int
    customer: int
    rep: int
    product: str
    quantity: int
    amount: float
    deal_id: str | None = None
    group: int = -1


def deal_order_lines(rng: np.random.Generator, calendar: Calendar, deals: list[Deal],
                     deal_ids: list[str]) -> list[OrderLine]:
    """Orders that fulfil most Won deals, sometimes split over two lines."""
    lines = []
    for deal, deal_id in zip(deals, deal_ids, strict=True):
        if deal.outcome != "Won" or rng.random() >= 0.85:
            continue
        day = min(int(deal.closed or 0) + int(rng.integers(0, 6)), calendar.days)
        if rng.random() < 0.25:
            extra = "Training Day" if deal.product != "Training Day" else "Support Plan"
            first = round(deal.amount * 0.7, 2)
            parts = [(deal.product, first), (extra, round(deal.amount - first, 2))]
        else:
            parts = [(deal.product, deal.amount)]
        for product, amount in parts:
            lines.append(OrderLine(day, deal.customer, deal.owner, product, 1, amount, deal_id))
    return lines


def refund_lines(rng: np.random.Generator, calendar: Calendar, sales: list[OrderLine],
                 count: int) -> list[OrderLine]:
    """Refunds of recent deal sales, linked by Deal ID; some fall within the clawback window."""
    first_lines = {line.deal_id: line for line in reversed(sales)}  # first line of each deal
    candidates = [
        line for line in first_lines.values()
        if calendar.days - 240 <= line.day <= calendar.days - 10
    ]
    if not candidates or count <= 0:
        return []
    chosen = rng.choice(len(candidates), size=min(count, len(candidates)), replace=False)
    refunds = []
    for index in sorted(int(i) for i in chosen):
        sale = candidates[index]
        soon = rng.random() < 0.6
        delay = int(rng.integers(7, 80)) if soon else int(rng.integers(95, 200))
        if sale.day + delay > calendar.days:
            delay = int(rng.integers(1, calendar.days - sale.day + 1))
        share = float(rng.choice([1.0, 0.5, 0.25]))
        refunds.append(OrderLine(
            sale.day + delay, sale.customer, sale.rep, sale.product, -1,
            -round(sale.amount * share, 2), sale.deal_id,
        ))
    return refunds


def everyday_order_lines(rng: np.random.Generator, calendar: Calendar, customers: Customers,
                         count: int) -> list[OrderLine]:
    """Repeat purchases spread over each customer's buying life, some orders with several lines."""
    if count <= 0:
        return []
    lines_per_order = rng.choice([1, 2, 3], size=count, p=[0.80, 0.15, 0.05])
    total = np.cumsum(lines_per_order)
    orders = int(np.searchsorted(total, count)) + 1
    lines_per_order = lines_per_order[:orders]
    lines_per_order[-1] -= int(total[orders - 1] - count)
    life = (customers.end - customers.start + 1).astype(float)
    weight = customers.rate * life
    buyer = rng.choice(len(customers.names), size=orders, p=weight / weight.sum())
    day = calendar.draw_days(rng, customers.start[buyer], customers.end[buyer])
    other_rep = rng.integers(0, len(REPS), size=orders)
    rep = np.where(rng.random(orders) < 0.92, customers.owners[buyer], other_rep)
    group = np.repeat(np.arange(orders), lines_per_order)
    products = _pick(rng, ORDER_PRODUCT_SHARES, count)
    quantity_small = rng.choice([1, 1, 1, 2, 2, 3], size=count)
    quantity_parts = rng.integers(2, 25, size=count)
    discount = rng.choice([1.0, 1.0, 1.0, 0.95, 0.9, 0.85], size=count)
    lines = []
    for index in range(count):
        order = int(group[index])
        product = products[index]
        quantity = int(quantity_parts[index] if product == "Spare Parts" else quantity_small[index])
        amount = round(PRODUCT_PRICES[product] * quantity * float(discount[index]), 2)
        lines.append(OrderLine(
            int(day[order]), int(buyer[order]), int(rep[order]), product, quantity, amount,
            group=order,
        ))
    return lines

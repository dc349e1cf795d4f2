"""The daily digest: figures equal to the computed tabs, changes against the last snapshot."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from sync.backends.xlsx.backend import XlsxBackend
from sync.digest import DigestStore, make_digest
from sync.engine import sync_workbook
from tests.small_business import small_business
from tests.test_statements import NOW, demo_book, sheet


def set_cells(path, tab, changes):
    """Edit input cells as an owner would: {(key in column A, header): value}."""
    book = openpyxl.load_workbook(path)
    grid = book[tab]
    headers = [cell.value for cell in grid[1]]
    for (key, header), value in changes.items():
        [row] = [row for row in grid.iter_rows(min_row=2) if row[0].value == key]
        row[headers.index(header)].value = value
    book.save(path)


def rows_of(path, tab):
    header, *rows = sheet(path, tab)
    return [dict(zip(header, row, strict=False)) for row in rows]


@pytest.fixture
def book(tmp_path):
    path = demo_book(tmp_path / "demo.xlsx")
    sync_workbook(XlsxBackend(path), now=NOW)
    return path


def test_key_figures_and_reps_behind_are_the_computed_tabs(book, tmp_path):
    made = make_digest(XlsxBackend(book), DigestStore(tmp_path / "state"), now=NOW)
    dashboard = {row["KPI"]: row for row in rows_of(book, "Dashboard") if row.get("KPI")}
    for kpi in made.digest.key_figures:
        assert kpi.value == pytest.approx(dashboard[kpi.name]["Value"], abs=0.005), kpi.name
    health = rows_of(book, "Deal Health")
    stuck = next(k for k in made.digest.key_figures if k.name == "Stuck Deals")
    assert stuck.value == sum(row["Status"] == "Stuck" for row in health)
    progress = rows_of(book, "Goal Progress")
    team = {row["Rep"] for row in rows_of(book, "Team")}
    behind = [row for row in progress if row["Pace"] == "Behind" and row["Owner"] in team
              and row["Metric"] == "Revenue" and row["Period Start"] <= date(2026, 11, 28)
              <= row["Period End"]]
    assert behind  # the demo's Elena Rossi is behind her Q4 pace
    assert [(rep.rep, rep.actual) for rep in made.digest.behind] == [
        (row["Owner"], row["Actual"]) for row in behind]
    # Revenue on the day before As Of: the Orders dated 2026-11-27 (refunds negative) plus won
    # deals closed that day with no order.
    orders = [row["Amount"] for row in rows_of(book, "Orders")
              if row["Date"] in (date(2026, 11, 27), datetime(2026, 11, 27))]
    linked = {row["Deal ID"] for row in rows_of(book, "Orders") if row["Deal ID"]}
    deals = [row["Amount"] for row in rows_of(book, "Pipeline") if row["Stage"] == "Won"
             and row["Closed"] in (date(2026, 11, 27), datetime(2026, 11, 27))
             and row["Deal ID"] not in linked]
    assert orders
    assert made.digest.revenue_yesterday == pytest.approx(sum(orders) + sum(deals), abs=0.005)
    assert f"Revenue on 2026-11-27: USD {sum(orders) + sum(deals):,.2f}" in made.text
    revenue = next(k for k in made.digest.key_figures if k.name == "Revenue This Period")
    assert f"This period: Ahead pace (USD {revenue.value:,.2f} of USD" in made.text
    assert "First digest of this workbook" in made.text
    assert "Deals that moved" not in made.text


def test_the_pace_line_by_hand(tmp_path):
    book = small_business(tmp_path / "small.xlsx")
    sync_workbook(XlsxBackend(book), now=NOW)
    made = make_digest(XlsxBackend(book), DigestStore(tmp_path / "state"), now=NOW)
    # Expected by now: the Company's Q4 goal 92,000 x (Oct 1 to Nov 28 = 31 + 28 = 59 days)
    # / (Oct 1 to Dec 31 = 92 days) = 59,000.
    assert made.digest.expected_by_now == pytest.approx(92_000 * 59 / 92) == 59_000
    # Revenue this period: Ana's orders 60,000 + 52,000 - 2,000 (a refund) + 1,500, and
    # Bo's 9,000 = 120,500; 120,500 / 59,000 = 204% of the expected, at least 110%: Ahead.
    assert ("This period: Ahead pace (USD 120,500.00 of USD 59,000.00 expected by now)"
            in made.text)
    # Bo is behind: 9,000 of his 30,000 x 59 / 92 = 19,239.13 expected, under 90% of it.
    assert [(rep.rep, rep.actual) for rep in made.digest.behind] == [("Bo Chen", 9_000)]
    # Revenue on the day before As Of (2026-11-27): order O4, 1,500.
    assert made.digest.revenue_yesterday == 1_500


def test_changes_since_the_previous_digest(book, tmp_path):
    store = DigestStore(tmp_path / "state")
    first = make_digest(XlsxBackend(book), store, now=NOW)
    open_deal = next(row for row in rows_of(book, "Deal Health") if row["Status"] == "OK")
    set_cells(book, "Pipeline", {(open_deal["Deal ID"], "Stage"): "Negotiation"
                                 if open_deal["Stage"] != "Negotiation" else "Proposal"})
    set_cells(book, "Settings", {("As Of", "Value"): date(2027, 1, 20)})
    set_cells(book, "Orders", {("O-11602", "Amount"): "lots"})
    second = make_digest(XlsxBackend(book), store, now=NOW)
    assert second.digest.previous_as_of == "2026-11-28"
    moved = [(move.deal_id, move.before) for move in second.digest.moved]
    assert moved == [(open_deal["Deal ID"], open_deal["Stage"])]
    before = {row["Customer"]: row["Lifecycle"] for row in rows_of(book, "Customer Segments")}
    assert second.digest.turned
    for turn in second.digest.turned:
        assert turn.after in ("At Risk", "Churned") and before.get(turn.customer) == turn.before
    # Deals that were OK on the first digest and are Stuck or Overdue on the second.
    health_before = {row["Deal ID"]: row["Status"] for row in rows_of(book, "Deal Health")}
    for move in second.digest.became_alarming:
        assert health_before.get(move.deal_id) != move.after
    assert second.digest.became_alarming
    [issue] = [issue for issue in second.digest.new_issues if issue.tab == "Orders"]
    assert issue.value == "lots"
    assert f"New Data Issues ({len(second.digest.new_issues)})" in second.text
    assert first.digest.as_of == date(2026, 11, 28) and second.digest.as_of == date(2027, 1, 20)


def test_the_digest_is_kept_beside_the_queue_not_in_the_workbook(book, tmp_path):
    store = DigestStore(tmp_path / "state")
    before = book.read_bytes()
    made = make_digest(XlsxBackend(book), store, now=NOW)
    assert book.read_bytes() == before
    kept = store.load(str(book.resolve()))
    assert kept is not None and kept.text == made.text and kept.html == made.html
    assert kept.snapshot.as_of == "2026-11-28"


def test_a_chinese_workbook_gets_a_chinese_digest(tmp_path):
    path = demo_book(tmp_path / "zh.xlsx", ("Locale", "zh-CN"))
    made = make_digest(XlsxBackend(path), DigestStore(tmp_path / "state"), now=NOW)
    assert made.subject == "销售摘要 2026-11-28"
    assert "关键指标" in made.text and "需要关注" in made.html

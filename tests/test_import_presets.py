"""Each preset against a realistic export of its tool (tests/data/imports/)."""

from __future__ import annotations

from pathlib import Path

from import_support import IMPORT_DATA, tab_rows, template

from sync.backends.xlsx.backend import XlsxBackend
from sync.imports import import_file


def run(tmp_path: Path, name: str, tab: str, preset: str, map_file: Path | None = None):
    workbook = template(tmp_path)
    report = import_file(XlsxBackend(workbook), IMPORT_DATA / name, tab=tab, preset=preset,
                         map_file=map_file)
    return workbook, report


def test_hubspot_deals(tmp_path: Path) -> None:
    workbook, report = run(tmp_path, "hubspot_deals.csv", "Pipeline", "hubspot-deals")
    assert report.source.encoding == "UTF-8 with BOM"
    assert report.summary == "Pipeline rows 2–6 appended"
    rows = tab_rows(workbook, "Pipeline")
    # Deal ID, Deal, Customer, Owner, Stage, Amount, Created, Expected Close, Closed, Product,
    # Region, Source, Lost Reason. A Won/Lost deal's Close Date is its Closed date; an open
    # deal's is its Expected Close. HubSpot's default stages map to the template's.
    assert rows[0] == ["9184410321", "Acme Corp - Annual licence", "Acme Corp", "Ana Ruiz",
                       "Won", 12500.0, "2026-01-09", None, "2026-03-14", None, None,
                       "Organic Search", None]
    assert rows[1][4:9] == ["Negotiation", 8200.0, "2026-02-11", "2026-05-30", None]
    assert rows[2][4] == "Lost" and rows[2][8] == "2026-04-02"
    assert rows[2][12] == "Went with a competitor"
    assert rows[3][3:6] == ["Chloé Martin", "Lead", None]
    assert rows[4][:6] == ["9184410325", "Hooli, expansion", "Hooli", "Bo Chen", "Proposal", None]
    assert len(rows) == 5
    unreadable = [(u.source_row, u.column, u.value, u.row_left_out)
                  for u in report.plan.unreadable]
    assert unreadable == [(6, "Amount", "1.5k", False), (7, "Created", "", True)]
    assert report.plan.unused == ["Pipeline", "Deal Type"]


def test_pipedrive_deals(tmp_path: Path) -> None:
    workbook, report = run(tmp_path, "pipedrive_deals.csv", "Pipeline", "pipedrive-deals")
    rows = tab_rows(workbook, "Pipeline")
    # Status won/lost overrides the stage; Won time / Lost time become Closed.
    assert [row[4] for row in rows] == ["Won", "Lost", "Proposal", "Qualified"]
    assert rows[0][:9] == ["101", "Northwind deal", "Northwind Traders", "Ana Ruiz", "Won",
                           5400.0, "2026-01-12", "2026-02-28", "2026-03-02"]
    assert rows[1][8] == "2026-03-10" and rows[1][12] == "Price too high"
    assert rows[3][5] is None  # -50 is below Amount's minimum: left blank, listed
    assert [(u.source_row, u.column, u.problem) for u in report.plan.unreadable] == [
        (5, "Amount", "-50 is below the minimum of 0: type 0 or more")]
    assert "Deal - Currency" in report.plan.unused


def test_salesforce_opportunities(tmp_path: Path) -> None:
    workbook, report = run(tmp_path, "salesforce_opportunities.csv", "Pipeline",
                           "salesforce-opportunities", IMPORT_DATA / "salesforce_map.yaml")
    rows = tab_rows(workbook, "Pipeline")
    # The map says the org writes month-first dates (3/4/2026 = 4 March) and renames an owner.
    assert rows[0][:9] == ["0065g00000AbCdEAAV", "Edge Emergency Generator",
                           "Edge Communications", "Ana Ruiz", "Won", 75000.0, "2026-01-22",
                           None, "2026-03-04"]
    assert rows[1][3:8] == ["Bo Chen-Larsen", "Negotiation", 235000.0, "2026-02-10",
                            "2026-05-29"]
    assert rows[2][4] == "Lost"
    assert len(rows) == 3
    assert report.plan.skipped == [(6, "Deal ID 0065g00000AbCdEAAV is also on source row 2")]
    assert [(u.source_row, u.value, u.row_left_out) for u in report.plan.unreadable] == [
        (5, "31/2/2026", True)]


def test_shopify_orders(tmp_path: Path) -> None:
    workbook, report = run(tmp_path, "shopify_orders.csv", "Orders", "shopify-orders")
    rows = [row[:6] for row in tab_rows(workbook, "Orders")]
    # Order ID, Date, Customer, Amount, Product, Quantity: one row per order for its Total,
    # its line items named and their quantities summed (#1001: 2 tea + 1 mug = 3);
    # a refund is a second row, negative; the pending order #1003 is skipped.
    assert rows == [
        ["#1001", "2026-03-01", "Ana Ruiz", 53.6, "Organic Tea - Green; Ceramic Mug", 3.0],
        ["#1002", "2026-03-03", "Bo Chen", 32.4, "Organic Tea - Black", 3.0],
        ["#1002", "2026-03-03", "Bo Chen", -10.8, "Organic Tea - Black", None],
        ["#1004", "2026-03-06", "Dan Brown", 16.2,
         '=HYPERLINK("http://evil.example","Gift card")', 1.0],
        ["#1004", "2026-03-07", "Dan Brown", -16.2,
         '=HYPERLINK("http://evil.example","Gift card")', None],
    ]
    # Net sales: 53.60 + 32.40 - 10.80 + 16.20 - 16.20 = 75.20
    assert round(sum(row[3] for row in rows), 2) == 75.20
    assert report.plan.skipped == [(5, "not paid (Financial Status pending)")]


def test_generic_chinese_headers_gb18030_tab_separated(tmp_path: Path) -> None:
    workbook, report = run(tmp_path, "generic_customers_gb18030.txt", "Customers", "generic")
    assert (report.source.encoding, report.source.separator) == ("GB18030", "tab")
    rows = tab_rows(workbook, "Customers")
    # Customer, Industry, Region, Owner, Email, Satisfaction, NPS, Since
    assert rows[0] == ["北京星辰科技有限公司", "制造", "华北", "王芳", "contact@xingchen.example",
                       4.0, 9.0, "2025-03-05"]
    assert rows[1][5] is None and rows[1][7] == "2025-06-18"  # 六 is not a number: blank
    assert rows[2][0] == "Acme Ltd"
    assert rows[3][0] == "@SUM(1+1)*cmd"
    assert [(u.source_row, u.column, u.value) for u in report.plan.unreadable] == [
        (3, "Satisfaction", "六")]

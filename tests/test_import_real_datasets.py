"""Real exports imported, then synced: the figures checked against pandas on the raw files.

Maven CRM (tests/data/maven_crm/, see its SOURCE.md): its teams into Team, its accounts
into Customers, `sales_pipeline.csv` into Pipeline with a map for its stages and agents.
UCI Online Retail, December 2010 (tests/data/uci_online_retail/): invoice lines into
Orders, Amount = Quantity x UnitPrice, cancellations (`C...`, negative quantities) as
refunds, lines without a CustomerID kept, `17850.0` read as `17850`.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from import_support import template
from openpyxl import load_workbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.engine import sync_workbook
from sync.imports import import_file

DATA = Path(__file__).parent / "data"
MAVEN = DATA / "maven_crm"
STAGES = {"Prospecting": "Lead", "Engaging": "Qualified", "Won": "Won", "Lost": "Lost"}


def short_name(full: str) -> str:
    """How the owner's Team tab names a rep: `Darcel Schlecht` -> `Darcel S.`."""
    first, last = full.split(" ", 1)
    return f"{first} {last[0]}."


def with_as_of(workbook: Path, as_of: str, currency: str = "USD") -> Path:
    """The owner types As Of and Currency into Settings (the import never touches it)."""
    book = load_workbook(workbook)
    settings = book["Settings"]
    for row in settings.iter_rows(min_row=2):
        if row[0].value == "As Of":
            row[1].value = as_of
        if row[0].value == "Currency":
            row[1].value = currency
    book.save(workbook)
    return workbook


def computed(workbook: Path, tab: str) -> pd.DataFrame:
    grid = XlsxBackend(workbook).read([tab])[tab]
    return pd.DataFrame(grid[1:], columns=grid[0])


def gunzipped(source: Path, folder: Path) -> Path:
    target = folder / source.name.removesuffix(".gz")
    with gzip.open(source, "rb") as packed, target.open("wb") as plain:
        shutil.copyfileobj(packed, plain)
    return target


def write_map(path: Path, mapping: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow
def test_maven_crm_imports_and_syncs(tmp_path: Path) -> None:
    workbook = with_as_of(template(tmp_path), "2017-12-31")
    backend = XlsxBackend(workbook)
    teams = pd.read_csv(MAVEN / "sales_teams.csv")
    agents = {name: short_name(name) for name in teams["sales_agent"]}
    team_map = write_map(tmp_path / "team.yaml", {
        "columns": {"sales_agent": "Rep", "manager": "Manager", "regional_office": "Region"},
        "values": {"Rep": agents},
    })
    team = import_file(backend, MAVEN / "sales_teams.csv", tab="Team", map_file=team_map)
    assert team.summary == "Team rows 2–36 appended"  # 35 agents

    accounts_map = write_map(tmp_path / "accounts.yaml", {
        "columns": {"account": "Customer", "sector": "Industry", "office_location": "Region"}})
    accounts = import_file(backend, MAVEN / "accounts.csv", tab="Customers",
                           map_file=accounts_map)
    assert accounts.summary == "Customers rows 2–86 appended"  # 85 accounts
    assert accounts.plan.unused == ["year_established", "revenue", "employees",
                                    "subsidiary_of"]

    pipeline_map = write_map(tmp_path / "pipeline.yaml", {
        "columns": {"opportunity_id": "Deal ID", "sales_agent": "Owner", "product": "Product",
                    "account": "Customer", "deal_stage": "Stage", "engage_date": "Created",
                    "close_date": "Closed", "close_value": "Amount"},
        "values": {"Stage": STAGES, "Owner": agents},
    })
    source = gunzipped(MAVEN / "sales_pipeline.csv.gz", tmp_path)
    pipeline = import_file(backend, source, tab="Pipeline", map_file=pipeline_map)
    export = pd.read_csv(source, dtype={"opportunity_id": str})
    # The 500 Prospecting deals have no engage_date, and Created is required: left out,
    # each listed with its source row (its CSV line number).
    prospecting = export["engage_date"].isna()
    assert prospecting.sum() == 500
    assert pipeline.plan.left_out == sorted((export.index[prospecting] + 2).tolist())
    assert {u.column for u in pipeline.plan.unreadable} == {"Created"}
    kept = export[~prospecting]
    assert pipeline.summary == f"Pipeline rows 2–{len(kept) + 1:,} appended"  # 8,300 deals

    report = sync_workbook(XlsxBackend(workbook))
    assert report.error_count == 0

    # Independent figures from the raw export, with the map's renames applied.
    kept = kept.assign(stage=kept["deal_stage"].map(STAGES),
                       rep=kept["sales_agent"].map(agents))
    counts = kept["stage"].value_counts()
    funnel = computed(workbook, "Funnel")
    everyone = funnel[funnel["Rep"] == "All"].set_index("Stage")
    assert everyone["Deals"].to_dict() == {
        "Lead": 0, "Qualified": counts["Qualified"], "Proposal": 0, "Negotiation": 0,
        "Won": counts["Won"], "Lost": counts["Lost"]}  # 0, 1,589, 0, 0, 4,238, 2,473
    won = kept[kept["stage"] == "Won"]
    assert everyone.loc["Won", "Amount"] == won["close_value"].sum() == 10_005_534
    per_rep = won.groupby("rep")["close_value"].sum()
    rep_won = funnel[(funnel["Rep"] != "All") & (funnel["Stage"] == "Won")]
    assert rep_won.set_index("Rep")["Amount"].to_dict() == pytest.approx(per_rep.to_dict())
    # Every account the deals name is in Customers: no "not in Customers" warning.
    issues = computed(workbook, "Data Issues")
    assert not issues["Problem"].str.contains("Customers").any()
    assert set(kept["account"].dropna()) <= set(pd.read_csv(MAVEN / "accounts.csv")["account"])
    print(f"\nMaven CRM imported: 35 reps, 85 customers, {len(kept):,} deals "
          f"(500 left out); Won {everyone.loc['Won', 'Amount']:,.0f} over "
          f"{counts['Won']:,} deals")


@pytest.mark.slow
def test_uci_online_retail_imports_and_syncs(tmp_path: Path) -> None:
    workbook = with_as_of(template(tmp_path), "2010-12-31", "GBP")
    source = gunzipped(DATA / "uci_online_retail" / "online_retail_2010-12.csv.gz", tmp_path)
    orders_map = write_map(tmp_path / "uci.yaml", {"columns": {
        "InvoiceNo": "Order ID", "InvoiceDate": "Date", "CustomerID": "Customer",
        "StockCode": "Product", "Quantity": "Quantity", "UnitPrice": "Unit Price"}})
    report = import_file(XlsxBackend(workbook), source, tab="Orders", map_file=orders_map)
    lines = pd.read_csv(source, dtype={"InvoiceNo": str, "StockCode": str})
    assert report.plan.unreadable == [] and report.plan.skipped == []
    assert report.summary == f"Orders rows 2–{len(lines) + 1:,} appended"  # 42,481 lines
    assert sync_workbook(XlsxBackend(workbook)).error_count == 0

    amount = lines["Quantity"] * lines["UnitPrice"]
    cancelled = lines["InvoiceNo"].str.startswith("C")
    assert (amount[cancelled] < 0).all()
    orders = computed(workbook, "Customer Segments").set_index("Customer")
    known = lines["CustomerID"].notna()
    ids = lines.loc[known, "CustomerID"].astype(int).astype(str)  # 17850.0 -> "17850"
    by_customer = amount[known].groupby(ids).sum()
    assert set(orders.index) == set(by_customer.index)
    assert "17850" in orders.index and "17850.0" not in orders.index
    assert orders["Revenue"].astype(float).to_dict() == pytest.approx(by_customer.to_dict())
    # Lines without a CustomerID are imported too (blank Customer): the month's revenue.
    imported = XlsxBackend(workbook).read(["Orders"])["Orders"][1:]
    assert sum(1 for row in imported if row[2] is None) == (~known).sum()
    assert sum(row[3] for row in imported) == pytest.approx(amount.sum())
    print(f"\nUCI December 2010 imported: {len(lines):,} lines, revenue "
          f"{amount.sum():,.2f} GBP incl. {cancelled.sum():,} cancelled lines "
          f"({amount[cancelled].sum():,.2f}); {len(by_customer):,} customers")

"""The real datasets in tests/data/ as workbook grids, the way an owner would paste them.

Each adapter returns `dict[tab name, grid]`: row 1 the English headers of the input tabs
(`sheet_templates/input/*.yaml`), then one row per record of plain cell values. Dates and
percents are given as the text a pasted CSV holds, so the reader's parsing is exercised;
docs/real-datasets.md explains every mapping decision.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sync.schema import input_tabs, tab_spec

DATA = Path(__file__).parent / "data"
Grid = list[list[Any]]
Grids = dict[str, Grid]


def _cells(frame: pd.DataFrame) -> Grid:
    """Rows of plain values: missing values become empty cells (None)."""
    return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()


def _grid(frame: pd.DataFrame) -> Grid:
    """A grid from a frame whose column names are the tab's headers."""
    return [list(frame.columns), *_cells(frame)]


def _settings(values: dict[str, Any]) -> Grid:
    return [["Setting", "Value"], *([key, value] for key, value in values.items())]


def _with_every_tab(grids: Grids) -> Grids:
    """Add the tabs a dataset has no data for, as `salesops init` makes them."""
    tabs = {spec.tab: grids.get(spec.tab, [spec.headers]) for spec in input_tabs()}
    if "Stages" not in grids:  # a new workbook's Stages tab holds the default stages
        stages = tab_spec("Stages")
        tabs["Stages"] += [[row[header] for header in stages.headers] for row in stages.defaults]
    return tabs


def _month_end(first: date) -> date:
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


# --- Maven CRM + Sales Opportunities ---------------------------------------------------

MAVEN_AS_OF = date(2017, 12, 31)
MAVEN_STAGES = (  # Stage, Order, Probability, Type
    ("Prospecting", 1, "10%", "Open"),
    ("Engaging", 2, "40%", "Open"),
    ("Won", 3, "100%", "Won"),
    ("Lost", 4, "0%", "Lost"),
)
MAVEN_PLAN = "Standard"
# Marginal bands of quota attainment: (From, To or None for no cap, Rate, Bonus).
MAVEN_TIERS = ((0.0, 0.5, 0.02, 0.0), (0.5, 1.0, 0.04, 0.0), (1.0, None, 0.06, 1000.0))
MAVEN_QUARTERS = (
    (date(2017, 1, 1), date(2017, 3, 31)), (date(2017, 4, 1), date(2017, 6, 30)),
    (date(2017, 7, 1), date(2017, 9, 30)), (date(2017, 10, 1), date(2017, 12, 31)),
)
# products.csv spells it "GTX Pro"; the pipeline writes "GTXPro".
MAVEN_PRODUCT_SPELLING = {"GTXPro": "GTX Pro"}


def maven_frames() -> dict[str, pd.DataFrame]:
    """The four Maven CSVs as read from tests/data/maven_crm/."""
    folder = DATA / "maven_crm"
    return {
        "accounts": pd.read_csv(folder / "accounts.csv"),
        "products": pd.read_csv(folder / "products.csv"),
        "teams": pd.read_csv(folder / "sales_teams.csv"),
        "pipeline": pd.read_csv(folder / "sales_pipeline.csv.gz", dtype=str),
    }


def maven_quota(won_revenue_2017: float) -> float:
    """A rep's quarterly quota: the rep's average quarter of 2017, to the nearest 1,000."""
    return float(round(won_revenue_2017 / 4, -3))


def maven_stage_history(pipeline: pd.DataFrame) -> Grid:
    """A Stage Log rebuilt from the export: into Engaging on engage_date, out on close_date.

    The export keeps when each deal began Engaging and when it closed, which is exactly
    what a Stage Log would have recorded had the workbook been synced all along.
    """
    rows: Grid = [["Deal ID", "From Stage", "To Stage", "Changed At"]]
    engaged = pipeline.dropna(subset=["engage_date"])
    for deal, stage, engaged_on, closed_on in zip(
        engaged["opportunity_id"], engaged["deal_stage"], engaged["engage_date"],
        engaged["close_date"], strict=True,
    ):
        rows.append([deal, None, "Engaging", engaged_on])
        if isinstance(closed_on, str):
            rows.append([deal, "Engaging", stage, closed_on])
    rows[1:] = sorted(rows[1:], key=lambda row: row[3])  # append-only: oldest first
    return rows


def maven_grids(*, with_history: bool = False) -> Grids:
    """Maven CRM as a workbook: Team, Pipeline, Customers, Stages, Goals and a plan.

    `with_history` adds the Stage Log rebuilt by `maven_stage_history`.
    """
    frames = maven_frames()
    teams, pipeline = frames["teams"], frames["pipeline"]
    region_of = dict(zip(teams["sales_agent"], teams["regional_office"], strict=True))
    products = pipeline["product"].replace(MAVEN_PRODUCT_SPELLING)
    list_price = dict(zip(frames["products"]["product"], frames["products"]["sales_price"],
                          strict=True))
    closed = pipeline["deal_stage"].isin(["Won", "Lost"])
    amount = pd.to_numeric(pipeline["close_value"]).where(closed, products.map(list_price))

    pipeline_tab = pd.DataFrame({
        "Deal ID": pipeline["opportunity_id"],
        "Customer": pipeline["account"],
        "Owner": pipeline["sales_agent"],
        "Stage": pipeline["deal_stage"],
        "Amount": amount,
        "Created": pipeline["engage_date"],
        "Closed": pipeline["close_date"],
        "Product": products,
        "Region": pipeline["sales_agent"].map(region_of),
    })
    team_tab = pd.DataFrame({
        "Rep": teams["sales_agent"],
        "Team": teams["manager"],  # a team is named after its manager
        "Manager": teams["manager"],
        "Region": teams["regional_office"],
        "Commission Plan": MAVEN_PLAN,
        "Active": "Yes",
    })
    accounts = frames["accounts"]
    customers_tab = pd.DataFrame({
        "Customer": accounts["account"],
        "Industry": accounts["sector"],
        "Region": accounts["office_location"],
    })
    plan_tab = pd.DataFrame([
        {"Plan": MAVEN_PLAN, "From %": f"{start:.0%}",
         "To %": None if end is None else f"{end:.0%}", "Rate": f"{rate:.0%}", "Bonus": bonus}
        for start, end, rate, bonus in MAVEN_TIERS
    ])

    won = pipeline_tab[pipeline_tab["Stage"] == "Won"]
    won_by_rep = won.groupby("Owner")["Amount"].sum()
    goals = []
    for start, end in MAVEN_QUARTERS:
        for rep, total in won_by_rep.items():
            goals.append({"Owner": rep, "Metric": "Revenue", "Period Start": start.isoformat(),
                          "Period End": end.isoformat(), "Target": maven_quota(total)})
        goals.append({"Owner": "Company", "Metric": "Revenue",
                      "Period Start": start.isoformat(), "Period End": end.isoformat(),
                      "Target": sum(maven_quota(total) for total in won_by_rep)})
    grids = _with_every_tab({
        "Settings": _settings({"Currency": "USD", "Period": "Quarter",
                               "As Of": MAVEN_AS_OF.isoformat()}),
        "Stages": [["Stage", "Order", "Probability", "Type"], *map(list, MAVEN_STAGES)],
        "Team": _grid(team_tab),
        "Goals": _grid(pd.DataFrame(goals)),
        "Pipeline": _grid(pipeline_tab),
        "Customers": _grid(customers_tab),
        "Commission Plans": _grid(plan_tab),
    })
    if with_history:
        grids["Stage Log"] = maven_stage_history(pipeline)
    return grids


# --- CDNOW -------------------------------------------------------------------------------

CDNOW_AS_OF = date(1998, 6, 30)


def cdnow_history() -> pd.DataFrame:
    """The sample's per-customer purchase history at the end of the 39-week calibration
    period (1997-09-30), the summary BG/NBD was published on."""
    from sync.compute.segments import purchase_history

    raw = pd.read_csv(DATA / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      dtype={2: str}, names=["master_id", "customer", "date", "cds", "amount"])
    lines = pd.DataFrame({
        "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
        "amount": raw["amount"].astype(float),
        "customer_key": raw["customer"].astype(str),
        "order_id": None,
    })
    end = pd.Timestamp("1997-09-30")
    return purchase_history(lines[lines["date"] <= end], end)


def cdnow_transactions() -> pd.DataFrame:
    """The CDNOW 1-in-10 sample: customer_id (zero-padded text), date, cds, dollar_value."""
    frame = pd.read_csv(
        DATA / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["customer_id", "sample_id", "date", "cds", "dollar_value"],
        dtype={"customer_id": str, "date": str},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame.drop(columns="sample_id")


def cdnow_grids() -> Grids:
    """CDNOW as a workbook: one Orders row per purchase and a Customers list."""
    purchases = cdnow_transactions()
    orders = pd.DataFrame({
        "Date": purchases["date"].dt.strftime("%Y-%m-%d"),
        "Customer": purchases["customer_id"],
        "Amount": purchases["dollar_value"],
        "Quantity": purchases["cds"],
    })
    customers = pd.DataFrame({"Customer": purchases["customer_id"].drop_duplicates()})
    return _with_every_tab({
        "Settings": _settings({"Currency": "USD", "As Of": CDNOW_AS_OF.isoformat()}),
        "Orders": _grid(orders),
        "Customers": _grid(customers),
    })


# --- UCI Online Retail, December 2010 -------------------------------------------------

UCI_AS_OF = date(2010, 12, 31)


def uci_lines() -> pd.DataFrame:
    """The invoice lines of December 2010; CustomerID stays a float, as in the file."""
    return pd.read_csv(
        DATA / "uci_online_retail" / "online_retail_2010-12.csv.gz",
        dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": float},
    )


def uci_grids() -> Grids:
    """UCI Online Retail as a workbook: one Orders row per invoice line.

    Lines without a CustomerID are kept with a blank Customer: they are real sales, so
    they count in revenue but belong to no customer.
    """
    lines = uci_lines()
    orders = pd.DataFrame({
        "Order ID": lines["InvoiceNo"],
        "Date": lines["InvoiceDate"],
        "Customer": lines["CustomerID"],  # 17850.0: the reader must make it "17850"
        "Amount": (lines["Quantity"] * lines["UnitPrice"]).round(2),
        "Product": lines["StockCode"],
        "Quantity": lines["Quantity"],
    })
    known = lines.dropna(subset=["CustomerID"]).drop_duplicates("CustomerID")
    customers = pd.DataFrame({"Customer": known["CustomerID"], "Region": known["Country"]})
    return _with_every_tab({
        "Settings": _settings({"Currency": "GBP", "As Of": UCI_AS_OF.isoformat()}),
        "Orders": _grid(orders),
        "Customers": _grid(customers),
    })


# --- Indian e-commerce with monthly category targets ----------------------------------

INDIA_AS_OF = date(2019, 3, 31)


def india_frames() -> dict[str, pd.DataFrame]:
    """List of Orders, Order Details and Sales target as read from tests/data."""
    folder = DATA / "ecommerce_india"
    return {
        "orders": pd.read_csv(folder / "List of Orders.csv", dtype=str),
        "details": pd.read_csv(folder / "Order Details.csv"),
        "targets": pd.read_csv(folder / "Sales target.csv"),
    }


def india_grids() -> Grids:
    """The Indian store as a workbook: order lines by Category, and Company goals per month.

    `01-04-2018` is day-first: it is written `01/04/2018` and read with Date Format DMY.
    Profit and Sub-Category ride along as the owner's own columns.
    """
    frames = india_frames()
    lines = frames["details"].merge(frames["orders"], on="Order ID", how="left",
                                    validate="many_to_one")
    orders = pd.DataFrame({
        "Order ID": lines["Order ID"],
        "Date": lines["Order Date"].str.replace("-", "/"),
        "Customer": lines["CustomerName"],
        "Amount": lines["Amount"],
        "Product": lines["Category"],
        "Quantity": lines["Quantity"],
        "Sub-Category": lines["Sub-Category"],
        "Profit": lines["Profit"],
    })
    first_state = frames["orders"].drop_duplicates("CustomerName")
    customers = pd.DataFrame({"Customer": first_state["CustomerName"],
                              "Region": first_state["State"]})
    targets = frames["targets"]
    starts = pd.to_datetime(targets["Month of Order Date"], format="%b-%y").dt.date
    goals = pd.DataFrame({
        "Owner": "Company",
        "Metric": "Revenue",
        "Period Start": [start.isoformat() for start in starts],
        "Period End": [_month_end(start).isoformat() for start in starts],
        "Target": targets["Target"],
        "Product": targets["Category"],
    })
    return _with_every_tab({
        "Settings": _settings({"Currency": "INR", "Period": "Month", "Date Format": "DMY",
                               "As Of": INDIA_AS_OF.isoformat()}),
        "Orders": _grid(orders),
        "Customers": _grid(customers),
        "Goals": _grid(goals),
    })

"""What each supported tool's export looks like: its columns, its stage names, its quirks.

Each preset names, for every input column it fills, the export headers that feed it (the
first one present wins), as the tool's own documentation lists them (see docs/import.md
for the pages). Two pseudo-columns let a preset say what a tool means rather than where
it goes: `Close Date` (the close date of a Won or Lost deal, else the expected close),
`Status` (`won` / `lost` / `open`, overriding the stage as Pipedrive does), and for Orders
`Unit Price` (an export of invoice lines: Amount = Quantity x Unit Price).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sync.imports.shopify import group_orders
from sync.imports.sources import SourceTable

CLOSE_DATE = "Close Date"
STATUS = "Status"
WON_TIME = "Won Time"
LOST_TIME = "Lost Time"
UNIT_PRICE = "Unit Price"
# Columns a preset or a map may fill that are not input columns, by the tab they serve.
PSEUDO_COLUMNS = {CLOSE_DATE: "Pipeline", STATUS: "Pipeline", WON_TIME: "Pipeline",
                  LOST_TIME: "Pipeline", UNIT_PRICE: "Orders"}

Reshape = Callable[[SourceTable], tuple[SourceTable, list[tuple[int, str]]]]


@dataclass(frozen=True)
class Preset:
    """One tool's export: the tab it fills and how its columns and values map."""

    name: str
    tab: str
    source: str  # where the export's columns are documented
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # input <- export
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # input column -> map
    reshape: Reshape | None = None  # rows to rows before mapping (Shopify's line items)
    match_headers: bool = False  # `generic`: match by the reader's header rules


HUBSPOT = Preset(
    name="hubspot-deals",
    tab="Pipeline",
    source="HubSpot Knowledge Base, 'Export your records' and the default deal properties "
           "(Record ID, Deal Name, Deal Stage, Amount, Close Date, Create Date, Deal owner)",
    columns={
        "Deal ID": ("Record ID", "Deal ID"),
        "Deal": ("Deal Name",),
        "Customer": ("Associated Company (Primary)", "Associated Company", "Company name"),
        "Owner": ("Deal owner", "Deal Owner"),
        "Stage": ("Deal Stage",),
        "Amount": ("Amount", "Amount in company currency"),
        "Created": ("Create Date", "Created Date"),
        CLOSE_DATE: ("Close Date",),
        "Source": ("Original Source Type", "Original Source", "Deal source attribution"),
        "Lost Reason": ("Closed Lost Reason",),
    },
    values={"Stage": {
        "Appointment Scheduled": "Lead",
        "Qualified To Buy": "Qualified",
        "Presentation Scheduled": "Proposal",
        "Decision Maker Bought-In": "Proposal",
        "Contract Sent": "Negotiation",
        "Closed Won": "Won",
        "Closed Lost": "Lost",
    }},
)

PIPEDRIVE = Preset(
    name="pipedrive-deals",
    tab="Pipeline",
    source="Pipedrive Knowledge Base, 'Exporting data' (deal fields: ID, Title, Value, "
           "Organization, Owner, Stage, Status, Deal created, Expected close date, Won time, "
           "Lost time, Lost reason), with or without the 'Deal - ' prefix",
    columns={
        "Deal ID": ("Deal - ID", "ID"),
        "Deal": ("Deal - Title", "Title"),
        "Customer": ("Deal - Organization", "Organization", "Deal - Organization name"),
        "Owner": ("Deal - Owner", "Owner"),
        "Stage": ("Deal - Stage", "Stage"),
        "Amount": ("Deal - Value", "Value"),
        "Created": ("Deal - Deal created", "Deal created"),
        "Expected Close": ("Deal - Expected close date", "Expected close date"),
        STATUS: ("Deal - Status", "Status"),
        WON_TIME: ("Deal - Won time", "Won time"),
        LOST_TIME: ("Deal - Lost time", "Lost time"),
        "Lost Reason": ("Deal - Lost reason", "Lost reason"),
        "Source": ("Deal - Source channel", "Source channel", "Deal - Source", "Source"),
    },
    values={"Stage": {
        "Qualified": "Qualified",
        "Contact Made": "Qualified",
        "Needs Defined": "Proposal",
        "Demo Scheduled": "Proposal",
        "Proposal Made": "Proposal",
        "Negotiations Started": "Negotiation",
    }},
)

SALESFORCE = Preset(
    name="salesforce-opportunities",
    tab="Pipeline",
    source="Salesforce Help, 'Opportunity Fields' and the standard Opportunities report "
           "(Opportunity ID, Opportunity Name, Account Name, Opportunity Owner, Stage, "
           "Amount, Created Date, Close Date, Lead Source, Type)",
    columns={
        "Deal ID": ("Opportunity ID", "Opportunity ID (18)", "Id"),
        "Deal": ("Opportunity Name",),
        "Customer": ("Account Name",),
        "Owner": ("Opportunity Owner", "Owner Name", "Owner Full Name"),
        "Stage": ("Stage", "Stage Name"),
        "Amount": ("Amount",),
        "Created": ("Created Date",),
        CLOSE_DATE: ("Close Date",),
        "Source": ("Lead Source",),
        "Lost Reason": ("Loss Reason", "Closed Lost Reason"),
    },
    values={"Stage": {
        "Prospecting": "Lead",
        "Qualification": "Qualified",
        "Needs Analysis": "Qualified",
        "Value Proposition": "Proposal",
        "Id. Decision Makers": "Proposal",
        "Perception Analysis": "Proposal",
        "Proposal/Price Quote": "Proposal",
        "Negotiation/Review": "Negotiation",
        "Closed Won": "Won",
        "Closed Lost": "Lost",
    }},
)

SHOPIFY = Preset(
    name="shopify-orders",
    tab="Orders",
    source="Shopify Help Center, 'Exporting orders' (the orders CSV: Name, Email, Financial "
           "Status, Paid at, Total, Lineitem quantity, Lineitem name, Lineitem price, "
           "Refunded Amount, Billing Name, ...; one line per line item)",
    columns={
        "Order ID": ("Order ID",), "Date": ("Date",), "Customer": ("Customer",),
        "Amount": ("Amount",), "Product": ("Product",), "Quantity": ("Quantity",),
    },
    reshape=group_orders,
)

GENERIC = Preset(
    name="generic",
    tab="",
    source="the reader's own header rules: English or zh-CN headers, any order, any case",
    match_headers=True,
)

PRESETS = {preset.name: preset for preset in (HUBSPOT, PIPEDRIVE, SALESFORCE, SHOPIFY, GENERIC)}


def preset(name: str) -> Preset:
    """The preset of this name; KeyError lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(name) from None

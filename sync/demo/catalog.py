"""The fixed cast of the demo business: reps, products, customer names, plans, seasons."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoRep:
    """A sales rep of the demo business and how they sell."""

    name: str
    team: str
    manager: str
    region: str
    plan: str
    years_in_team: float
    customer_share: float  # share of the customers this rep looks after
    order_rate: float  # how often this rep's customers buy, relative to the others
    deal_size: float  # this rep's deal amounts, relative to the others
    proposal_days: float  # mean days a deal sits in Proposal
    proposal_pass: float  # chance a deal moves on from Proposal


_EAST = ("East", "Grace Park")
_WEST = ("West", "Omar Haddad")
REPS = (
    DemoRep("Ana Ruiz", *_EAST, "North", "Senior", 3.5, 0.24, 1.30, 1.25, 16, 0.86),
    # The weak spot the Funnel flags: Ben's proposals stall and rarely move on.
    DemoRep("Ben Carter", *_EAST, "East", "Standard", 2.0, 0.20, 1.00, 1.00, 90, 0.35),
    DemoRep("Chloe Nguyen", *_EAST, "North", "Standard", 1.2, 0.18, 0.90, 0.90, 18, 0.80),
    DemoRep("David Kim", *_WEST, "West", "Senior", 4.0, 0.22, 1.15, 1.10, 17, 0.82),
    DemoRep("Elena Rossi", *_WEST, "South", "Standard", 0.8, 0.16, 0.75, 0.85, 20, 0.76),
)

REGIONS = ("North", "South", "East", "West")

# Unit prices; the shares say how often each product appears on an everyday order.
PRODUCT_PRICES = {
    "Starter Kit": 450.0,
    "Pro Kit": 1200.0,
    "Enterprise Suite": 4800.0,
    "Support Plan": 900.0,
    "Training Day": 1500.0,
    "Spare Parts": 120.0,
}
ORDER_PRODUCT_SHARES = {
    "Starter Kit": 0.28, "Pro Kit": 0.25, "Enterprise Suite": 0.05,
    "Support Plan": 0.15, "Training Day": 0.07, "Spare Parts": 0.20,
}
DEAL_PRODUCT_SHARES = {
    "Pro Kit": 0.35, "Enterprise Suite": 0.30, "Support Plan": 0.20, "Training Day": 0.15,
}

# Days a deal typically spends in each open stage, and its chance to move on from it.
STAGE_NAMES = ("Lead", "Qualified", "Proposal", "Negotiation")
STAGE_DAYS = (9.0, 14.0, 18.0, 12.0)
STAGE_PASS = (0.78, 0.82, 0.80, 0.78)

LOST_REASONS = {
    "Price too high": 0.30, "Chose a competitor": 0.25, "No budget": 0.18,
    "No decision": 0.15, "Bad timing": 0.12,
}
LEAD_SOURCES = {
    "Referral": 0.25, "Website": 0.30, "Trade show": 0.12, "Cold call": 0.13,
    "Partner": 0.12, "Email campaign": 0.08,
}

# Sales by calendar month, relative: quiet summer and January, busy year end.
MONTH_SEASON = (0.80, 0.85, 1.05, 0.95, 1.00, 1.05, 0.80, 0.75, 1.05, 1.10, 1.25, 1.35)

NAME_PREFIXES = (
    "Acme", "Northwind", "Blue Harbor", "Summit", "Golden Gate", "Redwood", "Silver Lake",
    "Pinecrest", "Riverside", "Oakridge", "Bright Path", "Cedar", "Evergreen", "Harborview",
    "Ironwood", "Lakeside", "Maple", "Meridian", "Nova", "Orchard", "Pioneer", "Prairie",
    "Quartz", "Sierra", "Starlight", "Sunrise", "Tidewater", "Union", "Valley", "Westfield",
    "Willow", "Zenith", "Aspen", "Beacon", "Coastal", "Crescent", "Falcon", "Granite",
    "Horizon", "Juniper",
)
# The second word of a customer's name, and the industry it implies.
NAME_TRADES = {
    "Foods": "Food & Beverage", "Bakery": "Food & Beverage", "Coffee": "Food & Beverage",
    "Brewing": "Food & Beverage", "Supply": "Wholesale", "Hardware": "Retail",
    "Outfitters": "Retail", "Florist": "Retail", "Pharmacy": "Healthcare",
    "Dental": "Healthcare", "Clinic": "Healthcare", "Labs": "Healthcare",
    "Logistics": "Logistics", "Marine": "Logistics", "Motors": "Automotive",
    "Builders": "Construction", "Plumbing": "Construction", "Electric": "Construction",
    "Studios": "Media", "Printing": "Media", "Fitness": "Hospitality",
    "Realty": "Real Estate", "Academy": "Education", "Textiles": "Manufacturing",
    "Optics": "Manufacturing",
}
NAME_SUFFIXES = ("", " Ltd", " Inc", " Co", " LLC", " & Sons", " Group")


@dataclass(frozen=True)
class DemoTier:
    """One marginal band of a commission plan (fractions of quota)."""

    plan: str
    from_pct: float
    to_pct: float | None
    rate: float
    bonus: float | None


COMMISSION_TIERS = (
    DemoTier("Standard", 0.0, 0.5, 0.02, None),
    DemoTier("Standard", 0.5, 1.0, 0.05, None),
    DemoTier("Standard", 1.0, None, 0.08, 1000.0),
    DemoTier("Senior", 0.0, 0.8, 0.03, None),
    DemoTier("Senior", 0.8, 1.2, 0.06, 500.0),
    DemoTier("Senior", 1.2, None, 0.09, 1500.0),
)

# The owner's choices in the demo's Settings tab; other keys keep their defaults.
DEMO_SETTINGS = {
    "Currency": "USD",
    "Period": "Quarter",
    "Fiscal Year Start": 1,
    "New Customer Bonus": 250,
    "Team Bonus": 1000,
    "Clawback Days": 90,
}


def email_of(name: str, domain: str = "salesops-demo.example") -> str:
    """`Ana Ruiz` -> `ana.ruiz@salesops-demo.example`."""
    return ".".join(name.lower().split()) + "@" + domain


def domain_of(company: str) -> str:
    """`Blue Harbor Foods Ltd` -> `blueharborfoods.example` (a reserved test domain)."""
    words = [word for word in company.lower().replace("&", " ").split()
             if word not in {"ltd", "inc", "co", "llc", "sons", "group"}]
    return "".join(words) + ".example"

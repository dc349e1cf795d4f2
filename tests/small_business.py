"""A business small enough to add up by hand: two reps, one plan, five orders, one refund.

Tests that check a payout, a pace or a digest line use it instead of the demo's random
figures, so the arithmetic can be written out beside each assertion.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sync.backends.xlsx.template import write_input_workbook
from sync.schema import tab_headers, tab_spec

AS_OF = date(2026, 11, 28)
Q4_START, Q4_END = date(2026, 10, 1), date(2026, 12, 31)
# Ana's and Bo's quotas and the Company goal for 2026-Q4.
ANA_QUOTA, BO_QUOTA, COMPANY_GOAL = 100_000, 30_000, 92_000


def small_business(path: Path) -> Path:
    """Write the workbook: Ana Ruiz and Bo Chen on the Standard plan, selling in 2026-Q4.

    Ana's orders: 60,000 (deal D1) on 2026-10-10, 52,000 (deal D2) on 2026-11-05, a 2,000
    refund of deal D2 on 2026-11-20 (15 days after its sale: clawed back), and 1,500 on
    2026-11-27 (the day before As Of). Bo's: 9,000 on 2026-11-10.
    """
    stages = tab_spec("Stages")
    grids = {
        "Settings": [["Setting", "Value"], ["Period", "Quarter"], ["As Of", AS_OF],
                     ["Currency", "USD"]],
        "Stages": [stages.headers,
                   *([row.get(h) for h in stages.headers] for row in stages.defaults)],
        "Team": [tab_headers("Team"),
                 ["Ana Ruiz", "ana@example.com", "East", "", "North", "Standard",
                  date(2025, 1, 6), "Yes"],
                 ["Bo Chen", "bo@example.com", "East", "", "North", "Standard",
                  date(2025, 1, 6), "Yes"]],
        "Commission Plans": [tab_headers("Commission Plans"),
                             ["Standard", 0, 0.8, 0.03, None],
                             ["Standard", 0.8, 1.2, 0.06, 500],
                             ["Standard", 1.2, None, 0.10, None]],
        "Goals": [tab_headers("Goals"),
                  ["Ana Ruiz", "Revenue", Q4_START, Q4_END, ANA_QUOTA, None, None, "quota"],
                  ["Bo Chen", "Revenue", Q4_START, Q4_END, BO_QUOTA, None, None, "quota"],
                  ["Company", "Revenue", Q4_START, Q4_END, COMPANY_GOAL, None, None, ""]],
        "Customers": [tab_headers("Customers"),
                      ["Acme", "Retail", "North", "Ana Ruiz", "", 5, 9, date(2025, 3, 1)],
                      ["Beta", "Retail", "North", "Ana Ruiz", "", 4, 8, date(2025, 5, 1)]],
        "Pipeline": [tab_headers("Pipeline"),
                     ["D1", "Acme order", "Acme", "Ana Ruiz", "Won", 60_000,
                      date(2026, 9, 1), None, date(2026, 10, 10)],
                     ["D2", "Beta order", "Beta", "Ana Ruiz", "Won", 52_000,
                      date(2026, 10, 1), None, date(2026, 11, 5)]],
        "Orders": [tab_headers("Orders"),
                   ["O1", date(2026, 10, 10), "Acme", 60_000, "Pro", 1, "Ana Ruiz", "D1"],
                   ["O2", date(2026, 11, 5), "Beta", 52_000, "Pro", 1, "Ana Ruiz", "D2"],
                   ["O3", date(2026, 11, 20), "Beta", -2_000, "Pro", 1, "Ana Ruiz", "D2"],
                   ["O4", date(2026, 11, 27), "Acme", 1_500, "Pro", 1, "Ana Ruiz", None],
                   ["O5", date(2026, 11, 10), "Beta", 9_000, "Pro", 1, "Bo Chen", None]],
    }
    return write_input_workbook(path, grids)

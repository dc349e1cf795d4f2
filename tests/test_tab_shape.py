"""The shape of a tab (SPEC section 2): one Warning per merged range, one per stray cell far
below the data; cells to the right of the last header are ignored."""

from datetime import date

from sync.backends.base import TabGrid
from sync.compute.revenue import revenue_lines
from sync.read import validate_workbook

TODAY = date(2026, 11, 30)
ORDERS = ["Order ID", "Date", "Customer", "Amount", "Rep"]


def issues_of(issues, tab):
    return [(i.row, i.column, i.value, i.severity, i.problem) for i in issues if i.tab == tab]


def test_each_merged_range_is_one_warning_and_every_row_keeps_its_sale():
    # Orders C2:C3 and E2:E3 merged: the backend fills each cell with the top-left value.
    grid = TabGrid(
        [ORDERS, ["O-1", "2026-11-02", "Acme", 100, "Ana"],
         ["O-2", "2026-11-03", "Acme", 200, "Ana"]],
        merged=["C2:C3", "E2:E3"],
    )
    tables, issues = validate_workbook({"Orders": grid, "Team": [["Rep"], ["Ana"]],
                                        "Customers": [["Customer"], ["Acme"]]}, today=TODAY)
    assert issues_of(issues, "Orders") == [
        (2, "Customer", "Acme", "Warning",
         'Orders!C2:C3 is a merged range, so each of its cells reads as its top-left value '
         '("Acme"): unmerge it and type the value in every row it belongs to'),
        (2, "Rep", "Ana", "Warning",
         'Orders!E2:E3 is a merged range, so each of its cells reads as its top-left value '
         '("Ana"): unmerge it and type the value in every row it belongs to'),
    ]
    lines = revenue_lines(tables)
    assert lines["rep"].tolist() == ["Ana", "Ana"]  # the second row's sale is credited too
    assert lines["amount"].sum() == 300


def test_a_merged_range_in_the_owners_own_column_names_no_column():
    grid = TabGrid([[*ORDERS, "Note"], ["O-1", "2026-11-02", None, 1, None, "x"]],
                   merged=["F2:G2"])
    _, issues = validate_workbook({"Orders": grid}, today=TODAY)
    assert [(r, c, v) for r, c, v, *_ in issues_of(issues, "Orders")] == [(2, "", "x")]


def test_a_stray_cell_far_below_the_data_is_one_warning_naming_it():
    grid = TabGrid(
        [["Deal ID", "Stage", "Created"], ["D-1", "Lead", "2026-11-01"]],
        stray=[(1048576, 16384, "oops"), (5000, 2, 7)],
    )
    tables, issues = validate_workbook({"Pipeline": grid}, today=TODAY)
    assert issues_of(issues, "Pipeline") == [
        (5000, "Stage", "7", "Warning",
         "Pipeline!B5000 holds a value more than 1,000 rows below the last data row, so it is "
         "not read as data: delete it, or move it up next to the data if it belongs there"),
        (1048576, "", "oops", "Warning",
         "Pipeline!XFD1048576 holds a value more than 1,000 rows below the last data row, so "
         "it is not read as data: delete it, or move it up next to the data if it belongs "
         "there"),
    ]
    assert tables.pipeline["deal_id"].tolist() == ["D-1"]


def test_a_stray_cell_in_settings_is_reported_too():
    grid = TabGrid([["Setting", "Value"], ["Currency", "EUR"]], stray=[(3000, 1, "x")])
    tables, issues = validate_workbook({"Settings": grid}, today=TODAY)
    assert [(r, v) for r, _, v, *_ in issues_of(issues, "Settings")] == [(3000, "x")]
    assert tables.settings.currency == "EUR"


def test_cells_right_of_the_last_header_belong_to_no_column_and_are_ignored():
    grid = [ORDERS, ["O-1", "2026-11-02", "Acme", 100, "Ana", "stray", 12, "#N/A"],
            [None, None, None, None, None, "only here"]]
    tables, issues = validate_workbook({"Orders": grid, "Team": [["Rep"], ["Ana"]],
                                        "Customers": [["Customer"], ["Acme"]]}, today=TODAY)
    assert issues_of(issues, "Orders") == []
    assert tables.orders["row"].tolist() == [2]

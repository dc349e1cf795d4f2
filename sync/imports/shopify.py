"""Shopify's orders export: one CSV line per line item, grouped back into orders.

The first line of an order carries the order's fields (`Financial Status`, `Paid at`,
`Total`, `Refunded Amount`, `Billing Name`); the lines after it repeat only `Name` and
the line item. Each order becomes one Orders row for its `Total`, with its line items'
names and quantities; a refund becomes a second row with the refunded amount negative
(dated when the order was cancelled, else when it was paid: the export has no refund
date). Orders not paid (pending, authorized, voided) are skipped with their status.
"""

from __future__ import annotations

import re
from typing import Any

from sync.imports.sources import SourceTable
from sync.read.cells import CellError, format_number, is_blank, parse_number
from sync.read.headers import header_key

HEADERS = ["Order ID", "Date", "Customer", "Amount", "Product", "Quantity"]
_PAID = {"paid", "partially_paid", "refunded", "partially_refunded"}
_OFFSET = re.compile(r"\s*[+-]\d{2}:?\d{2}$")  # `2024-03-05 14:22:10 -0500`


def _field(cells: list[Any], where: dict[str, int], name: str) -> Any:
    index = where.get(header_key(name))
    return cells[index] if index is not None and index < len(cells) else None


def _wall_clock(value: Any) -> Any:
    """Shopify's times carry the shop's UTC offset; keep the shop's wall-clock reading."""
    return _OFFSET.sub("", value) if isinstance(value, str) else value


def _negated(value: Any) -> Any:
    try:
        number = parse_number(value)
    except CellError:
        return value  # unreadable: the plan lists it as typed
    return None if number is None else -number


def group_orders(table: SourceTable) -> tuple[SourceTable, list[tuple[int, str]]]:
    """One row per order (and one per refund); skipped orders with the reason."""
    where: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        where.setdefault(header_key(header), index)
    orders: dict[str, list[tuple[int, list[Any]]]] = {}
    for source_row, cells in table.rows:
        name = _field(cells, where, "Name")
        key = str(name).strip() if not is_blank(name) else f"row {source_row}"
        orders.setdefault(key, []).append((source_row, cells))
    grouped = SourceTable(table.name, list(HEADERS), encoding=table.encoding,
                          separator=table.separator)
    skipped: list[tuple[int, str]] = []
    for lines in orders.values():
        first_row, first = lines[0]
        status = str(_field(first, where, "Financial Status") or "").strip().lower()
        if status not in _PAID:
            shown = status or "blank"
            skipped.append((first_row, f"not paid (Financial Status {shown})"))
            continue
        names, quantity, readable = [], 0.0, True
        for _row, cells in lines:
            item = _field(cells, where, "Lineitem name")
            if not is_blank(item):
                names.append(str(item).strip())
            try:
                quantity += parse_number(_field(cells, where, "Lineitem quantity")) or 0
            except CellError:
                readable = False
        order_id = _field(first, where, "Name")
        customer = _field(first, where, "Billing Name")
        if is_blank(customer):
            customer = _field(first, where, "Email")
        paid = _wall_clock(_field(first, where, "Paid at") or _field(first, where, "Created at"))
        product = "; ".join(names) or None
        grouped.rows.append((first_row, [
            order_id, paid, customer, _field(first, where, "Total"), product,
            format_number(quantity) if readable else _field(first, where, "Lineitem quantity"),
        ]))
        refunded = _field(first, where, "Refunded Amount")
        try:
            has_refund = (parse_number(refunded) or 0) != 0
        except CellError:
            has_refund = True  # listed as unreadable by the plan
        if has_refund:
            when = _wall_clock(_field(first, where, "Cancelled at")) or paid
            grouped.rows.append((first_row, [
                order_id, when, customer, _negated(refunded), product, None,
            ]))
    return grouped, skipped

"""Coalescing edits: the one rule the server and `watch` both follow (SPEC section 7)."""


def due_time(first_edit: float, last_edit: float, debounce: float, max_delay: float) -> float:
    """When waiting edits are recomputed: `debounce` after the last one, but never more than
    `max_delay` after the first."""
    return min(last_edit + debounce, first_edit + max_delay)

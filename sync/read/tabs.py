"""Which template tab a tab name stands for: the reader's rule, shared with the webhook.

A tab is found by its English or zh-CN name, with case, width and surrounding spaces
ignored (`header_key`), exactly as the reader finds the tabs it reads.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from sync.read.headers import header_key
from sync.schema import TabSpec, computed_tabs, input_tabs

TabKind = Literal["input", "computed"]


def tab_keys(spec: TabSpec) -> set[str]:
    """Every spelling that names this tab: its English and its zh-CN name."""
    return {header_key(spec.tab), header_key(spec.zh)}


@cache
def _specs_by_key() -> dict[str, TabSpec]:
    return {key: spec for spec in (*input_tabs(), *computed_tabs()) for key in tab_keys(spec)}


def template_tab(name: str) -> TabSpec | None:
    """The declaration of the template tab this tab name stands for, or None."""
    return _specs_by_key().get(header_key(name))


def tab_kind(name: str) -> TabKind | None:
    """`input` or `computed` for a template tab's name in any spelling; None for any other."""
    spec = template_tab(name)
    return spec.kind if spec is not None else None

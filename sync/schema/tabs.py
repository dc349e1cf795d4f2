"""Finding a template tab in a workbook, the same way for input and computed tabs.

One rule for both backends, the reader, `init`, import and the webhook: a tab is found by
its English or its zh-CN name, with case, character width and surrounding spaces ignored.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Literal

from sync.schema.declarations import TabSpec, computed_tabs, input_tabs


def tab_key(title: str) -> str:
    """How tab names compare: Unicode-normalised, case-folded, surrounding spaces dropped
    (spaces inside a name count, as SPEC section 7 says)."""
    return unicodedata.normalize("NFKC", title).casefold().strip()


def _spec_named(name: str) -> TabSpec | None:
    return next((spec for spec in (*input_tabs(), *computed_tabs()) if spec.tab == name), None)


def find_tab(names: Iterable[str], wanted: str | TabSpec) -> str | None:
    """The title, among `names`, of the tab holding template tab `wanted`.

    The exact English name first, then the exact zh-CN name, then either one ignoring case
    and surrounding spaces (`data issues `, `stage log`, `FUNNEL`). A name that is not a
    template tab's is matched the same way, without a zh-CN name.
    """
    titles = [name for name in names if isinstance(name, str)]
    spec = wanted if isinstance(wanted, TabSpec) else _spec_named(wanted)
    spellings = [spec.tab, spec.zh] if spec is not None else [str(wanted)]
    for spelling in spellings:
        if spelling in titles:
            return spelling
    keys = {tab_key(spelling) for spelling in spellings}
    return next((title for title in titles if tab_key(title) in keys), None)


TabKind = Literal["input", "computed"]


def tab_keys(spec: TabSpec) -> set[str]:
    """Every spelling that names this tab: its English and its zh-CN name."""
    return {tab_key(spec.tab), tab_key(spec.zh)}


@cache
def _specs_by_key() -> dict[str, TabSpec]:
    return {key: spec for spec in (*input_tabs(), *computed_tabs()) for key in tab_keys(spec)}


def template_tab(name: str) -> TabSpec | None:
    """The declaration of the template tab this tab name stands for, or None."""
    return _specs_by_key().get(tab_key(name))


def tab_kind(name: str) -> TabKind | None:
    """`input` or `computed` for a template tab's name in any spelling; None for any other."""
    spec = template_tab(name)
    return spec.kind if spec is not None else None

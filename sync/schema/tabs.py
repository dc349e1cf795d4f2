"""Finding a template tab in a workbook, the same way for input and computed tabs."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sync.schema.declarations import TabSpec, computed_tabs, input_tabs


def tab_key(title: str) -> str:
    """How tab names compare: Unicode-normalised, case-folded, surrounding spaces dropped."""
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

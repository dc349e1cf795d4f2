"""Which export column feeds which input column: the preset, the reader's rules, the map."""

from __future__ import annotations

from sync.errors import SalesOpsError
from sync.imports.mapping import ImportMap, MapFileError
from sync.imports.presets import PSEUDO_COLUMNS, Preset
from sync.read.headers import column_keys, header_key, match_headers
from sync.schema import TabSpec


class CannotImportError(SalesOpsError):
    """The export cannot be imported as asked (no key column, wrong tab for the preset)."""


def _target(spec: TabSpec, name: str) -> str | None:
    """The input column (English header) or pseudo-column that `name` names."""
    key = header_key(name)
    for pseudo, tab in PSEUDO_COLUMNS.items():
        if header_key(pseudo) == key and spec.tab == tab:
            return pseudo
    for column in spec.columns:
        if key in column_keys(column):
            return column.header
    return None


def resolve_columns(spec: TabSpec, headers: list[str], preset: Preset,
                    import_map: ImportMap) -> dict[str, int]:
    """Input column (or pseudo-column) -> index of the export column that feeds it."""
    where: dict[str, int] = {}
    for index, header in enumerate(headers):
        where.setdefault(header_key(header), index)
    found: dict[str, int] = {}
    if preset.match_headers:
        by_field = {column.field: column.header for column in spec.columns}
        for name, index in match_headers(spec, list(headers)).positions.items():
            found[by_field[name]] = index
    for target, sources in preset.columns.items():
        hit = next((where[header_key(s)] for s in sources if header_key(s) in where), None)
        if hit is not None:
            found[target] = hit
    for source, target_name in import_map.columns.items():
        resolved = _target(spec, target_name)
        if resolved is None:
            names = ", ".join(spec.headers)
            raise MapFileError(
                f'the map names "{target_name}", which is not a column of {spec.tab}: '
                f"use one of {names}"
            )
        if header_key(source) not in where:
            raise MapFileError(
                f'the map names the export column "{source}", which the file does not have; '
                f"its columns are: {', '.join(h for h in headers if h)}"
            )
        found = {name: index for name, index in found.items()
                 if index != where[header_key(source)]}
        found[resolved] = where[header_key(source)]
    required = [column.header for column in spec.columns if column.required]
    covered = set(found)
    if "Close Date" in covered:
        covered.add("Closed")
    if "Unit Price" in covered:
        covered.add("Amount")
    missing = [header for header in required if header not in covered]
    if missing:
        first = missing[0]
        raise CannotImportError(
            f'the export has no column for "{first}", which {spec.tab} needs: add a map file '
            f'line under `columns:` naming the export column that holds it (e.g. '
            f'"Id: {first}") and pass it with --map'
        )
    return found

"""`--map FILE`: the owner's own column and value mapping, a small YAML file.

    columns:              # export header: input column (or a preset's pseudo-column)
      opportunity_id: Deal ID
      sales_agent: Owner
    values:               # input column: {export value: input value}
      Stage:
        Prospecting: Lead
        Engaging: Qualified
    date_format: DMY      # optional: how slash dates in this export are written

Headers and values compare trimmed and without case. A map adds to a preset and wins
where both name the same column or value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sync.errors import SalesOpsError
from sync.read.cells import DATE_FORMATS

_KEYS = {"columns", "values", "date_format"}


class MapFileError(SalesOpsError):
    """The --map file cannot be read or says something the import cannot do."""


@dataclass
class ImportMap:
    """Columns (export header -> input column) and values (input column -> old -> new)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_format: str | None = None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"  # YAML reads a bare Yes as true
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _mapping(value: Any, where: str, path: Path) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MapFileError(
            f"{path}: `{where}` should be a list of `name: name` lines, not {type(value).__name__}"
        )
    return value


def load_map(path: str | Path) -> ImportMap:
    """Read and check a --map file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise MapFileError(f"{path}: cannot be read ({error.strerror}); check the path") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MapFileError(
            f"{path} is not valid YAML ({error}): see docs/import.md for an example"
        ) from error
    if data is None:
        return ImportMap()
    if not isinstance(data, dict):
        raise MapFileError(f"{path}: expected `columns:` and `values:` sections (docs/import.md)")
    unknown = sorted(str(key) for key in data if key not in _KEYS)
    if unknown:
        raise MapFileError(
            f"{path}: unknown section {', '.join(unknown)}: use columns, values or date_format"
        )
    result = ImportMap()
    for source, target in _mapping(data.get("columns"), "columns", path).items():
        if target is None:
            raise MapFileError(f"{path}: column {source!r} maps to nothing: name an input column")
        result.columns[_text(source)] = _text(target)
    for column, pairs in _mapping(data.get("values"), "values", path).items():
        table = _mapping(pairs, f"values: {column}", path)
        result.values[_text(column)] = {_text(old): _text(new) for old, new in table.items()}
    date_format = data.get("date_format")
    if date_format is not None:
        if str(date_format).upper() not in DATE_FORMATS:
            raise MapFileError(
                f"{path}: date_format {date_format!r} should be one of {', '.join(DATE_FORMATS)}"
            )
        result.date_format = str(date_format).upper()
    return result

"""Validate request bodies and query parameters against the official discovery document.

The document is the `sheets.v4.json` shipped inside google-api-python-client, so the
emulator refuses exactly what its schema refuses: unknown fields, wrong JSON types, bad
enum values, and requests or values that set more or less than one member of a oneof
(`Request`, `ExtendedValue`). Messages mimic Google's `INVALID_ARGUMENT` answers.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient

DISCOVERY_PATH = (
    Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "sheets.v4.json"
)

# Schemas whose members are a oneof in the proto: exactly one must be set.
_ONE_OF = {"Request": "kind", "ExtendedValue": "value"}
_INT32 = (-(2**31), 2**31 - 1)


class InvalidArgument(ValueError):
    """A body or parameter Google would answer with 400 INVALID_ARGUMENT."""


@cache
def discovery() -> dict[str, Any]:
    """The parsed discovery document."""
    return json.loads(DISCOVERY_PATH.read_text(encoding="utf-8"))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


# A path is built lazily as nested tuples (parent, step) and spelled out only in an error:
# formatting every field's path up front would dominate the cost of validating big bodies.
Path = tuple | None


def _spell(path: Path) -> str:
    steps: list[str] = []
    while path is not None:
        path, step = path
        steps.append(step)
    text = ""
    for step in reversed(steps):
        text += step if step.startswith("[") or not text else "." + step
    return text


def _describe(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def validate_schema(value: Any, schema: dict[str, Any], path: Path = None) -> None:
    """Raise InvalidArgument unless `value` fits the discovery `schema`."""
    ref = schema.get("$ref")
    if ref is not None:
        _validate_object(value, ref, _schemas()[ref], path)
        return
    kind = schema.get("type")
    if kind == "string":
        if type(value) is not str:
            raise InvalidArgument(
                f"Invalid value at '{_where(path)}' (TYPE_STRING), {_describe(value)}"
            )
        if "enum" in schema and value not in schema["enum"]:
            raise InvalidArgument(f"Invalid value at '{_where(path)}', {_describe(value)}")
    elif kind == "number":
        if type(value) not in (int, float) and value not in ("NaN", "Infinity", "-Infinity"):
            raise InvalidArgument(
                f"Invalid value at '{_where(path)}' (TYPE_DOUBLE), {_describe(value)}"
            )
    elif kind == "integer":
        _check_int(value, path)
    elif kind == "boolean":
        if type(value) is not bool:
            raise InvalidArgument(
                f"Invalid value at '{_where(path)}' (TYPE_BOOL), {_describe(value)}"
            )
    elif kind == "array":
        if type(value) is not list:
            raise InvalidArgument(
                f"Invalid value at '{_where(path)}', {_describe(value)}: Proto field is repeated"
            )
        items = schema["items"]
        for index, item in enumerate(value):
            validate_schema(item, items, (path, f"[{index}]"))
    elif kind == "object":
        if type(value) is not dict:
            raise InvalidArgument(f"Invalid value at '{_where(path)}', {_describe(value)}")
        if "additionalProperties" in schema:
            for key, item in value.items():
                validate_schema(item, schema["additionalProperties"], (path, f"[{key}]"))


def _where(path: Path) -> str:
    return _spell(path) or "(root)"


def _check_int(value: Any, path: Path) -> None:
    number = value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        number = int(value)  # proto3 JSON accepts integers as strings
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if type(number) is not int or not _INT32[0] <= number <= _INT32[1]:
        raise InvalidArgument(f"Invalid value at '{_where(path)}' (TYPE_INT32), {_describe(value)}")


@cache
def _schemas() -> dict[str, Any]:
    return discovery()["schemas"]


@cache
def _snake_cached(name: str) -> str:
    return _snake(name)


# CellData holding only a plain value is most of a big body; these exact shapes are valid
# by the schema (ExtendedValue's string, double and bool members), so skip the walk.
_PLAIN_VALUE_TYPES = {"stringValue": (str,), "numberValue": (int, float), "boolValue": (bool,)}


def _plain_cell(value: dict[str, Any]) -> bool:
    if len(value) != 1 or "userEnteredValue" not in value:
        return not value
    inner = value["userEnteredValue"]
    if type(inner) is not dict or len(inner) != 1:
        return False
    ((kind, item),) = inner.items()
    return type(item) in _PLAIN_VALUE_TYPES.get(kind, ())


def _validate_object(value: Any, name: str, schema: dict[str, Any], path: Path) -> None:
    if name == "CellData" and type(value) is dict and _plain_cell(value):
        return
    if type(value) is not dict:
        raise InvalidArgument(
            f"Invalid value at '{_where(path)}' "
            f"(type.googleapis.com/google.apps.sheets.v4.{name}), {_describe(value)}"
        )
    properties = schema.get("properties", {})
    for key, item in value.items():
        spec = properties.get(key)
        if spec is None:
            at = f" at '{_spell(path)}'" if path is not None else ""
            raise InvalidArgument(
                f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.'
            )
        if item is not None:  # JSON null means "not set" in proto3 JSON
            validate_schema(item, spec, (path, _snake_cached(key)))
    if name in _MASK_TARGETS and type(value.get("fields")) is str:
        validate_mask(value["fields"], _MASK_TARGETS[name], (path, "fields"))
    if name in _ONE_OF:
        present = [key for key, item in value.items() if item is not None]
        if len(present) > 1:
            raise InvalidArgument(
                f"Invalid value at '{_spell(path)}' (oneof field '{_ONE_OF[name]}' is already "
                f"set. Cannot set '{_snake(present[1])}')"
            )
        if name == "Request" and not present:
            raise InvalidArgument(f"Invalid {_spell(path) or 'requests'}: No request set.")


# The message a request's `fields` mask selects from (a FieldMask names paths of it).
_MASK_TARGETS = {
    "AppendCellsRequest": "CellData",
    "RepeatCellRequest": "CellData",
    "UpdateCellsRequest": "CellData",
    "UpdateBandingRequest": "BandedRange",
    "UpdateDimensionPropertiesRequest": "DimensionProperties",
    "UpdateDeveloperMetadataRequest": "DeveloperMetadata",
    "UpdateDataSourceRequest": "DataSource",
    "UpdateDimensionGroupRequest": "DimensionGroup",
    "UpdateEmbeddedObjectBorderRequest": "EmbeddedObjectBorder",
    "UpdateEmbeddedObjectPositionRequest": "EmbeddedObjectPosition",
    "UpdateFilterViewRequest": "FilterView",
    "UpdateNamedRangeRequest": "NamedRange",
    "UpdateProtectedRangeRequest": "ProtectedRange",
    "UpdateSheetPropertiesRequest": "SheetProperties",
    "UpdateSlicerSpecRequest": "SlicerSpec",
    "UpdateSpreadsheetPropertiesRequest": "SpreadsheetProperties",
    "UpdateTableRequest": "Table",
}


def mask_paths(mask: str) -> list[list[str]]:
    """The paths a mask names: `a.b,c(d,e/f)` -> [a, b], [c, d], [c, e, f]."""
    paths: list[list[str]] = []
    stack: list[list[str]] = []
    token = ""
    for char in mask.replace(" ", "") + ",":
        if char == "(":
            stack.append(re.split(r"[./]", token))
            token = ""
        elif char in ",)":
            if token:
                prefix = [part for parent in stack for part in parent]
                paths.append(prefix + re.split(r"[./]", token))
            token = ""
            if char == ")":
                if not stack:
                    raise InvalidArgument(f"Invalid field mask '{mask}': unbalanced parentheses")
                stack.pop()
        else:
            token += char
    if stack:
        raise InvalidArgument(f"Invalid field mask '{mask}': unbalanced parentheses")
    return paths


def validate_mask(mask: str, schema_name: str, path: Path = None) -> None:
    """Raise InvalidArgument unless every path of a field mask names fields of the schema.

    Google refuses a mask naming a field its message does not have (`gridProperties.rowcount`,
    `sheets(propertiez)`) instead of ignoring it; `*` selects everything below it.
    """
    for parts in mask_paths(mask):
        schema: dict[str, Any] = _schemas()[schema_name]
        for part in parts:
            if part == "*":
                break
            while "$ref" in schema or schema.get("type") == "array":
                schema = _schemas()[schema["$ref"]] if "$ref" in schema else schema["items"]
            if "additionalProperties" in schema:
                schema = schema["additionalProperties"]
                continue
            field = schema.get("properties", {}).get(part)
            if field is None or not part:
                where = f" at '{_spell(path)}'" if path is not None else ""
                raise InvalidArgument(
                    f"Invalid field mask{where}: '{mask}' names '{part}', which is not a field "
                    f"of {schema_name}"
                )
            schema = field


def validate_body(body: Any, schema_name: str) -> None:
    """Validate a request body against the named schema (`BatchUpdateSpreadsheetRequest`)."""
    _validate_object(body, schema_name, _schemas()[schema_name], None)


def method(resource_path: str) -> dict[str, Any]:
    """A method of the discovery document by dotted path: `spreadsheets.values.batchGet`."""
    node: dict[str, Any] = discovery()
    parts = resource_path.split(".")
    for part in parts[:-1]:
        node = node["resources"][part]
    return node["methods"][parts[-1]]


def validate_query(method_path: str, query: dict[str, list[str]]) -> None:
    """Validate query parameters against the method's and the API's standard parameters."""
    parameters = {**discovery()["parameters"], **method(method_path)["parameters"]}
    for key, values in query.items():
        spec = parameters.get(key)
        if spec is None or spec.get("location") == "path":
            raise InvalidArgument(
                f'Invalid JSON payload received. Unknown name "{key}": Cannot bind query '
                f"parameter. Field '{key}' could not be found in request message."
            )
        if len(values) > 1 and not spec.get("repeated"):
            raise InvalidArgument(f"Invalid value at '{key}': only one value is allowed")
        response = method(method_path).get("response", {}).get("$ref")
        if key == "fields" and response:
            validate_mask(values[0], response)
        for raw in values:
            if "enum" in spec and raw not in spec["enum"]:
                raise InvalidArgument(f"Invalid value at '{_snake(key)}', {_describe(raw)}")
            if spec.get("type") == "boolean" and raw not in ("true", "false", "True", "False"):
                raise InvalidArgument(f"Invalid value at '{_snake(key)}' (TYPE_BOOL), {raw}")
            if spec.get("type") == "integer" and not re.fullmatch(r"-?\d+", raw):
                raise InvalidArgument(f"Invalid value at '{_snake(key)}' (TYPE_INT32), {raw}")

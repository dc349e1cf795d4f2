"""The webhook's OpenAPI document (`docs/openapi.yaml`) as data, and its answers' validators.

`answer_errors(method, path_template, code, body)` lists how one answer differs from what
the document says of it (empty when it matches), so any test can check an answer.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


@cache
def document() -> dict[str, Any]:
    """The parsed document."""
    loaded: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return loaded


def _resolve(node: Any) -> Any:
    """`node` with every local `$ref` replaced by its target and OpenAPI 3.0's `nullable`
    spelled as JSON Schema (a null is allowed)."""
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _resolve(target)
    resolved = {key: _resolve(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, resolved]}
    return resolved


def operations() -> set[tuple[str, str]]:
    """(METHOD, path template) of every documented operation."""
    return {
        (method.upper(), path)
        for path, item in document()["paths"].items()
        for method in item
        if method in METHODS
    }


def answer_errors(method: str, path: str, code: int, body: Any) -> list[str]:
    """How an answer breaks the document: an undocumented code or a body off its schema."""
    operation = document()["paths"][path][method.lower()]
    response = operation["responses"].get(str(code))
    if response is None:
        return [f"{method} {path}: status {code} is not documented"]
    schema = _resolve(response)["content"]["application/json"]["schema"]
    validator = Draft7Validator(schema)
    return [f"{method} {path} {code}: {error.message}" for error in validator.iter_errors(body)]

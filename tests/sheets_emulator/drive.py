"""The Drive API v3 `files.get` of the emulated spreadsheets: their `version`, and refusals.

Faithful to what Google answers, in its v3 error shape (`error.errors[].reason`):

- `GET /drive/v3/files/{fileId}?fields=version` answers `{"version": "<int64 as a string>"}`;
  the version grows with every write to the spreadsheet (the server bumps it).
- A file the caller may not see answers **404 notFound**, as Drive does (it does not tell
  "unshared" from "no such file"); an unknown id answers the same.
- The Drive API disabled for the project (`emulator.drive_enabled = False`) answers 403
  `accessNotConfigured`; a token without a Drive scope that shows metadata answers 403
  `insufficientPermissions`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

DRIVE_PATH = re.compile(r"/drive/v3/files/([^/]+)")
# Scopes under which files.get shows a file's metadata (drive.file only shows files the
# app created or opened, which a spreadsheet shared by its owner is not).
METADATA_SCOPES = frozenset(
    "https://www.googleapis.com/auth/" + name
    for name in ("drive", "drive.readonly", "drive.metadata", "drive.metadata.readonly")
)
PROJECT_NUMBER = "100000000001"
FILE_FIELDS = ("kind", "id", "name", "mimeType")  # what files.get answers without `fields`
KNOWN_PARAMETERS = {"fields", "supportsAllDrives", "supportsTeamDrives", "alt", "prettyPrint",
                    "acknowledgeAbuse", "includePermissionsForView", "includeLabels"}

Answer = tuple[int, dict[str, str], dict[str, Any]]


def drive_error(
    code: int, message: str, reason: str, domain: str = "global", **extra: str
) -> Answer:
    """An error answer in Drive v3's shape."""
    detail = {"message": message, "domain": domain, "reason": reason, **extra}
    return code, {}, {"error": {"code": code, "message": message, "errors": [detail]}}


def files_get(
    emulator: Any,
    method: str,
    path: str,
    query: dict[str, list[str]],
    scopes: frozenset[str] | None,
    email: str | None,
) -> Answer:
    """Answer one Drive request the way Google does (only files.get is served)."""
    match = DRIVE_PATH.fullmatch(path)
    if method != "GET" or match is None:
        return drive_error(404, f"The emulator does not serve {method} {path}", "notFound")
    if scopes is None or email is None:
        return drive_error(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
            "required",
            location="Authorization",
            locationType="header",
        )
    if not emulator.drive_enabled:
        message = (
            f"Google Drive API has not been used in project {PROJECT_NUMBER} before or it is "
            "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
            f"drive.googleapis.com/overview?project={PROJECT_NUMBER} then retry. If you "
            "enabled this API recently, wait a few minutes for the action to propagate to "
            "our systems and retry."
        )
        return drive_error(403, message, "accessNotConfigured", domain="usageLimits")
    if not scopes & METADATA_SCOPES:
        return drive_error(403, "Request had insufficient authentication scopes.",
                           "insufficientPermissions")
    unknown = sorted(set(query) - KNOWN_PARAMETERS)
    if unknown:
        return drive_error(400, f"Invalid field selection {unknown[0]}", "invalidParameter")
    file_id = unquote(match.group(1))
    with emulator.lock:
        book = emulator.books.get(file_id)
        visible = book is not None and email in book.editors
        version = emulator.drive_versions.get(file_id, 1)
        title = book.properties.get("title", "") if book is not None else ""
    if not visible:
        return drive_error(
            404, f"File not found: {file_id}.", "notFound",
            location="fileId", locationType="parameter",
        )
    resource = {
        "kind": "drive#file",
        "id": file_id,
        "name": title,
        "mimeType": "application/vnd.google-apps.spreadsheet",
        "version": str(version),
    }
    fields = query.get("fields", [""])[0].replace(" ", "")
    if not fields:
        return 200, {}, {key: resource[key] for key in FILE_FIELDS}
    wanted = fields.split(",")
    bad = [name for name in wanted if name not in resource and name != "*"]
    if bad:
        return drive_error(400, f"Invalid field selection {bad[0]}", "invalidParameter",
                           location="fields", locationType="parameter")
    if "*" in wanted:
        return 200, {}, resource
    return 200, {}, {key: resource[key] for key in wanted}

"""`POST /hooks/sheets-edit`: the checks of SPEC section 7, in its order, as one function.

413 body over 64 KiB -> 401 signature or clock -> 400 malformed JSON or fields -> 403
spreadsheet not allowed -> 200 duplicate -> 200 ignored (not an input tab) -> 202 queued.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sync.config import Config
from sync.read.tabs import tab_kind
from sync.server.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, check_signature
from sync.server.store import Store

MAX_BODY_BYTES = 64 * 1024
# A Google spreadsheet id is letters, digits, - and _ (44 characters today).
SPREADSHEET_ID = r"^[A-Za-z0-9_-]{1,128}$"
# An A1 range without the tab: F5, B2:D9, A:A, 3:3.
UTC_EXAMPLE = "must be an ISO 8601 date-time in UTC, such as 2026-11-28T09:30:00.000Z"
_CELL = r"(?:[A-Za-z]{1,3}[0-9]{0,7}|[0-9]{1,7})"
_A1 = re.compile(rf"^{_CELL}(?::{_CELL})?$")


@dataclass(frozen=True)
class Answer:
    """An HTTP status and the JSON body `{"status", "reason"}`."""

    code: int
    status: str
    reason: str
    spreadsheet_id: str | None = None  # for the request log, once known

    def body(self) -> dict[str, str]:
        """The JSON body."""
        return {"status": self.status, "reason": self.reason}


class EditEvent(BaseModel):
    """One post of the add-on: which spreadsheet, which tab and range, which event, when."""

    # Unknown fields are ignored, so a newer add-on can send more without being refused.
    model_config = ConfigDict(extra="ignore", strict=True)

    spreadsheet_id: str = Field(pattern=SPREADSHEET_ID)
    sheet: str = Field(max_length=200)
    range: str = Field(max_length=40)
    event_id: str = Field(min_length=1, max_length=200)
    edited_at: AwareDatetime

    @field_validator("range")
    @classmethod
    def _a1_range(cls, value: str) -> str:
        if value and not _A1.match(value):
            raise ValueError("must be an A1 range without the tab, such as F5 or B2:D9")
        return value

    @field_validator("edited_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.utcoffset() != timedelta(0):
            raise ValueError(UTC_EXAMPLE)
        return value

    @model_validator(mode="after")
    def _range_has_tab(self) -> EditEvent:
        if not self.sheet and self.range:
            raise ValueError("sheet: must name the tab of the range (both empty for a change)")
        return self


def describe(error: ValidationError | ValueError) -> str:
    """A 400 reason naming the first bad field."""
    if not isinstance(error, ValidationError):
        return str(error)
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return "body is not valid JSON"
    if first["type"] == "model_type":
        return "body must be a JSON object"
    field = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if not field:
        return message
    if first["type"] == "missing":
        return f"{field}: missing"
    if field == "edited_at" and str(first["type"]).startswith(("datetime", "timezone")):
        return f"edited_at: {UTC_EXAMPLE}"
    return f"{field}: {message[0].lower() + message[1:]}"


def parse_event(body: bytes) -> EditEvent | str:
    """The event in a raw body, or the 400 reason."""
    try:
        return EditEvent.model_validate_json(body)
    except (ValidationError, ValueError) as error:
        return describe(error)


@dataclass(frozen=True)
class Signed:
    """The two signing headers of a request, as sent (None when missing)."""

    timestamp: str | None
    signature: str | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Signed:
        """The signing headers found in a header mapping."""
        return cls(headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER))


def check_caller(config: Config, signed: Signed, body: bytes, now: float) -> Answer | None:
    """The 401 for a request not signed with the webhook secret within 300 s, else None."""
    secret = config.webhook_secret.get_secret_value() if config.webhook_secret else None
    refusal = check_signature(secret, signed.timestamp, signed.signature, body, now)
    return Answer(401, "rejected", refusal) if refusal else None


def check_allowed(config: Config, spreadsheet_id: str) -> Answer | None:
    """The 403 for a spreadsheet not in the allowlist (an empty one allows none), else None."""
    if spreadsheet_id in config.allowed_spreadsheets:
        return None
    return Answer(403, "rejected", "spreadsheet not allowed on this server", spreadsheet_id)


def answer_edit(config: Config, store: Store, signed: Signed, body: bytes, now: float) -> Answer:
    """Check one edit post in SPEC order and queue it when it passes."""
    if len(body) > MAX_BODY_BYTES:
        return Answer(413, "rejected", "body over 64 KiB")
    refused = check_caller(config, signed, body, now)
    if refused:
        return refused
    event = parse_event(body)
    if isinstance(event, str):
        return Answer(400, "rejected", event)
    sid = event.spreadsheet_id
    refused = check_allowed(config, sid)
    if refused:
        return refused
    # The tab is looked at first (no I/O) so that one write records the event and its edit.
    ignored = bool(event.sheet) and tab_kind(event.sheet) != "input"
    if not store.remember_event(event.event_id, now, queue=None if ignored else sid):
        return Answer(200, "duplicate", "event already received", sid)
    if ignored:
        return Answer(200, "ignored", "not an input tab", sid)
    return Answer(202, "queued", "recompute queued", sid)

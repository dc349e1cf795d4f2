"""What the owner sees of the automatic recompute: state, last sync, last error in words.

A failure is transient (quota, Google's 5xx, the network: retried with backoff) or
permanent (not shared, API disabled, no such spreadsheet, a bad key: stops until the next
edit). Its sentence is the engine's own message where that speaks to the owner, and never
holds a secret, a key or a cell value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sync.errors import CredentialsError, SalesOpsError, SheetsApiError
from sync.server.store import Store

State = Literal["idle", "queued", "running"]
_TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Failure:
    """A failed recompute: may it succeed if tried again, and what to tell the owner."""

    transient: bool
    sentence: str


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _http_status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _network_failure(error: BaseException) -> bool:
    # The builtin ones and requests' (ConnectionError, Timeout, ReadTimeout...) by their
    # class names, so that this module needs no HTTP library.
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(names & {"ConnectionError", "TimeoutError", "Timeout"})


def explain_failure(error: BaseException) -> Failure:
    """Whether a recompute's failure is worth retrying, and the sentence for the owner."""
    chain = _causes(error)
    transient = any(
        _http_status(cause) in _TRANSIENT_STATUS or _network_failure(cause) for cause in chain
    )
    if isinstance(error, CredentialsError):
        # The key's path and Google's words are for the operator (they are in the log).
        return Failure(
            False,
            "The server's Google service-account key is not usable, so the server cannot "
            "open spreadsheets: ask the server's operator to install a new JSON key.",
        )
    if isinstance(error, SheetsApiError | SalesOpsError):
        return Failure(transient, str(error))
    if transient:
        return Failure(True, "Google Sheets could not be reached; the server tries again.")
    return Failure(
        False,
        f"The recompute failed unexpectedly ({type(error).__name__}); the server's log has "
        "the details for its operator. Edit the sheet or use Recompute now to try again.",
    )


def iso_utc(seconds: float) -> str:
    """A Unix time as ISO 8601 UTC, to the second."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def state_of(store: Store, spreadsheet_id: str, now: float) -> State:
    """`running` while a recompute holds the lease, `queued` while edits wait, else idle."""
    holder = store.lease_holder(spreadsheet_id, now)
    if holder is not None and store.read_status(spreadsheet_id).get("running") == holder:
        return "running"
    if any(p.spreadsheet_id == spreadsheet_id for p in store.pending()):
        return "queued"
    return "idle"


def status_view(store: Store, spreadsheet_id: str, now: float) -> dict[str, Any]:
    """The body of `GET /status/<spreadsheet_id>` (SPEC section 7)."""
    record = store.read_status(spreadsheet_id)
    return {
        "spreadsheet_id": spreadsheet_id,
        "state": state_of(store, spreadsheet_id, now),
        "last_sync": record.get("last_sync"),
        "last_error": record.get("last_error"),
    }


def health(store: Store, now: float) -> dict[str, Any]:
    """The body of `GET /healthz`: the queue's kind and how much waits or runs."""
    return {"status": "ok", "queue": store.kind, **store.counts(now)}

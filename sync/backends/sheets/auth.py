"""Google credentials and the HTTP client gspread talks through.

The client rewrites gspread's fixed `https://sheets.googleapis.com` URLs to the base URL
it is given (`sheets_api_url` of the operator's configuration: an emulator, a proxy), and
retries 429 and 5xx answers
with Google's truncated exponential backoff, honouring `Retry-After`, within a time budget.

A write (`batchUpdate`) whose answer is lost (no answer, a time-out, a 5xx) may have been
applied: it is not re-sent blindly, which would add a tab or a chart twice. The client
raises `WriteOutcomeUnknown` and the backend reads the spreadsheet again and sends only
what is still missing, waiting and counting against the same budget.

`drive_file_get` is the one Drive API v3 call (`files.get`), for `watch --sheet`.

Nothing here reads the environment: the key file and the base URL come from
`sync/config.py`, and the HTTP client class is a parameter (`open_client(http_client=...)`),
as gspread's `Client(auth, http_client=...)` takes it, so a test or the server can hand in
another.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote

import gspread
import requests
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from sync.errors import CredentialsError, SheetsApiError

# The backend's other modules reach gspread only through this one.
ApiError = APIError

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
# The narrowest Drive scope whose files.get answers `version`.
DRIVE_METADATA_SCOPE = "https://www.googleapis.com/auth/drive.metadata.readonly"
GOOGLE_API_URL = "https://sheets.googleapis.com"
DRIVE_API_URL = "https://www.googleapis.com"
# Named in messages: where an operator sets the key file (see sync/config.py).
CREDENTIALS_ENV = "SALESOPS_GOOGLE_CREDENTIALS"
_KEY_FIELDS = ("client_email", "private_key", "token_uri")
NO_ANSWER = "no answer"
_RETRYABLE = {HTTPStatus.TOO_MANY_REQUESTS, 500, 502, 503, 504}


@dataclass
class RetryPolicy:
    """How long to keep retrying quota (429) and server (5xx) errors, and lost writes.

    The budget is shared by every call of one client (a backend makes one per sync), so a
    sync retries for about `budget_seconds` in all, however many of its calls meet errors.
    It covers the waits and the time the failed attempts took (a server that answers 503
    only after a long pause uses it up sooner). `sleep`, `clock` and `jitter` are
    injectable so tests run the whole schedule instantly.
    """

    budget_seconds: float = 60.0
    base_delay: float = 1.0
    max_delay: float = 32.0
    max_attempts: int = 12
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random
    waits: list[float] = field(default_factory=list)
    spent: float = 0.0  # seconds of the budget used by earlier calls and this one so far

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Google's truncated exponential backoff for the Sheets API: min(2^n s + a random
        part of up to 1 s, the maximum), and never sooner than Retry-After.

        Waiting at least 2^n s keeps a retry after a 429 from spending another call of a
        per-minute quota a few milliseconds later.
        """
        backoff = min(self.base_delay * 2**attempt + self.jitter(), self.max_delay)
        return max(backoff, retry_after or 0.0)

    def pause(
        self, attempt: int, retry_after: float | None, spent: float, reason: str, failure: Exception
    ) -> float:
        """Wait before retry `attempt + 1`; raise when the attempts or the budget run out.

        `spent` is the budget used so far, this call's failed attempts included. Returns the
        seconds waited.
        """
        delay = self.delay(attempt, retry_after)
        attempts = attempt + 1
        if attempts >= self.max_attempts or spent + delay > self.budget_seconds:
            self.spent = spent
            counted = f"{attempts} attempt" + ("s" if attempts > 1 else "")
            if reason == NO_ANSWER:
                raise SheetsApiError(
                    f"Google Sheets did not answer for {spent:.0f} s after {counted}: check the "
                    "network and sync again (a write Google may have applied is completed, not "
                    "repeated)."
                ) from failure
            raise SheetsApiError(
                f"Google Sheets kept answering {reason} for {spent:.0f} s after {counted}: "
                "the API quota is probably used up; wait a minute and sync again."
            ) from failure
        self.waits.append(delay)
        self.sleep(delay)
        self.spent = spent + delay
        return delay


class WriteOutcomeUnknown(SheetsApiError):
    """A write's answer was lost (no answer, time-out, 5xx): it may have been applied."""

    def __init__(self, reason: str, spent: float, retry_after: float | None = None):
        super().__init__(
            f"Google Sheets did not answer a write ({reason}); it may have been applied: "
            "sync again, and the sync completes it."
        )
        self.reason = reason
        self.spent = spent
        self.retry_after = retry_after


@dataclass(frozen=True)
class ServiceAccountKey:
    """A parsed service-account key file."""

    path: Path
    client_email: str
    credentials: service_account.Credentials


def credentials_path(path: str | Path | None = None) -> Path:
    """The key file to use, as configured (`google_credentials`); none is an error."""
    if not path:
        raise CredentialsError(
            f"No service-account key: set {CREDENTIALS_ENV} to the path of the JSON key file "
            "you downloaded for the service account (see docs/google-sheets.md)."
        )
    return Path(path).expanduser()


def load_key(path: str | Path | None = None) -> ServiceAccountKey:
    """Read a service-account key file and make credentials for the spreadsheets scope."""
    key_path = credentials_path(path)
    try:
        info = json.loads(key_path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CredentialsError(
            f"The key file {key_path} does not exist: check {CREDENTIALS_ENV} or download a "
            "JSON key for the service account (see docs/google-sheets.md)."
        ) from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CredentialsError(
            f"The key file {key_path} is not a readable JSON key: download a new JSON key "
            "for the service account and point "
            f"{CREDENTIALS_ENV} at it."
        ) from error
    if not isinstance(info, dict) or info.get("type") != "service_account":
        kind = info.get("type") if isinstance(info, dict) else None
        raise CredentialsError(
            f"The key file {key_path} is not a service-account key (type {kind!r}): create a "
            "service account, add a JSON key and point "
            f"{CREDENTIALS_ENV} at it."
        )
    missing = [name for name in _KEY_FIELDS if not info.get(name)]
    if missing:
        raise CredentialsError(
            f"The key file {key_path} lacks {', '.join(missing)}: download a new JSON key for "
            "the service account."
        )
    try:
        # token_uri comes from the key file itself, so another token endpoint can serve it.
        credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    except (ValueError, TypeError) as error:
        raise CredentialsError(
            f"The key file {key_path} holds a malformed private key: download a new JSON key "
            "for the service account."
        ) from error
    return ServiceAccountKey(key_path, info["client_email"], credentials)


def api_url(url: str | None = None) -> str:
    """The Sheets API base URL: the configured one, else Google's."""
    return (url or GOOGLE_API_URL).rstrip("/")


class SheetsHTTPClient(HTTPClient):
    """gspread's HTTP client with a configurable base URL and bounded retries."""

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.base_url = GOOGLE_API_URL
        self.retry = RetryPolicy()
        self.timeout = (10.0, 120.0)

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one API call, retrying quota and server errors within the budget."""
        if endpoint.startswith(GOOGLE_API_URL):
            # gspread builds its URLs at import time; swap the host here, not in its constants.
            endpoint = self.base_url + endpoint[len(GOOGLE_API_URL) :]
        waited = 0.0
        attempt = 0
        started = self.retry.clock()
        earlier = self.retry.spent
        # Only a write's answer can be lost with its effect kept; reads are safe to repeat.
        is_write = method.lower() == "post" and endpoint.endswith(":batchUpdate")
        while True:
            try:
                return super().request(method, endpoint, params, data, json, files, headers)
            except APIError as error:
                status = error.response.status_code
                if status not in _RETRYABLE:
                    raise
                failure: Exception = error
                retry_after = _retry_after(error.response)
                reason = f"{status} {error.response.reason or ''}".strip()
            except (requests.ConnectionError, requests.Timeout) as error:
                failure, retry_after, reason = error, None, NO_ANSWER
            except RefreshError as error:
                raise CredentialsError(
                    f"Google refused the service account's key ({error.args[0]}): create a new "
                    f"JSON key for the service account and point {CREDENTIALS_ENV} at it."
                ) from error
            except TransportError as error:
                raise SheetsApiError(
                    f"Could not reach Google's token endpoint ({error}): check the network."
                ) from error
            # Time spent so far: the waits, plus the attempts themselves when they were slow.
            spent = earlier + max(self.retry.clock() - started, waited)
            refused = (
                isinstance(failure, APIError)
                and failure.response.status_code == HTTPStatus.TOO_MANY_REQUESTS
            )
            if is_write and not refused:
                # A refused quota (429) applied nothing; anything else may have.
                self.retry.spent = spent
                raise WriteOutcomeUnknown(reason, spent, retry_after) from failure
            waited += self.retry.pause(attempt, retry_after, spent, reason, failure)
            attempt += 1

    def batch_update_encoded(self, spreadsheet_id: str, body: bytes) -> Any:
        """spreadsheets.batchUpdate with a body already encoded as JSON."""
        url = SPREADSHEET_BATCH_UPDATE_URL % spreadsheet_id
        headers = {"Content-Type": "application/json"}
        return self.request("post", url, data=body, headers=headers).json()


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare for Google APIs, fall back to backoff


def open_client(
    key: ServiceAccountKey,
    base_url: str | None = None,
    retry: RetryPolicy | None = None,
    http_client: type[SheetsHTTPClient] = SheetsHTTPClient,
) -> gspread.Client:
    """A gspread client that talks to `base_url` with this key and retry policy, through
    `http_client` (the transport: this module's, or a subclass a test or server hands in)."""
    client = gspread.Client(key.credentials, http_client=http_client)
    http = client.http_client
    assert isinstance(http, SheetsHTTPClient)
    http.base_url = api_url(base_url)
    if retry is not None:
        http.retry = retry
    return client


@dataclass(frozen=True)
class DriveAnswer:
    """One Drive API answer: HTTP status (0 when none came) and its JSON body."""

    status: int
    body: dict[str, Any]
    retry_after: float | None = None

    @property
    def message(self) -> str:
        """Google's error message, or what went wrong on the way."""
        error = self.body.get("error")
        if isinstance(error, dict):
            return str(error.get("message", ""))
        return str(error or "")

    @property
    def reasons(self) -> set[str]:
        """Google's machine-readable reasons (`accessNotConfigured`, `notFound`, ...)."""
        error = self.body.get("error")
        details = error.get("errors", []) if isinstance(error, dict) else []
        return {str(item.get("reason", "")) for item in details if isinstance(item, dict)}


def drive_session(key: ServiceAccountKey) -> AuthorizedSession:
    """An HTTP session signed in with the key for Drive file metadata (read-only)."""
    return AuthorizedSession(key.credentials.with_scopes([DRIVE_METADATA_SCOPE]))


def drive_file_get(
    session: requests.Session, file_id: str, fields: str, base_url: str | None = None
) -> DriveAnswer:
    """Drive API v3 `files.get` of one file's `fields`; a network failure is status 0."""
    base = (base_url or DRIVE_API_URL).rstrip("/")
    url = f"{base}/drive/v3/files/{quote(file_id, safe='')}"
    params = {"fields": fields, "supportsAllDrives": "true"}
    try:
        response = session.get(url, params=params, timeout=(10.0, 30.0))
    except RefreshError as error:
        raise CredentialsError(
            f"Google refused the service account a token for reading Drive file metadata "
            f"({error.args[0]}): if your organisation restricts the service account's scopes, "
            f"allow {DRIVE_METADATA_SCOPE}; otherwise create a new JSON key and point "
            f"{CREDENTIALS_ENV} at it."
        ) from error
    except (requests.ConnectionError, requests.Timeout, TransportError) as error:
        return DriveAnswer(0, {"error": f"no answer ({type(error).__name__})"})
    try:
        body = response.json()
    except ValueError:
        body = {"error": f"an answer that is not JSON ({response.status_code})"}
    return DriveAnswer(
        response.status_code, body if isinstance(body, dict) else {}, _retry_after(response)
    )

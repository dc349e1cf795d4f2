"""schemathesis against the webhook app in-process: generated requests from
`docs/openapi.yaml`, valid and invalid, signed and unsigned. No answer is a 5xx, and every
answer (status, content type, body) is one the document describes.

The default run sends about 1,000 requests; `make campaign` sends ten times as many.
Signed runs go through `Signer`, which signs each raw body with the server's secret the way
the add-on does, so that the checks after the signature (fields, allowlist, queue) are
reached; the app itself is the one `salesops serve` runs.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from sync.server.signing import signed_headers
from tests.openapi_support import OPENAPI
from tests.server_fixtures import SECRET
from webhook_app import create_app

ALLOWED = "1FuzzAllowedSheet0123456789"
RUNS = [  # (method, path, generation mode): only the body has a schema to break
    ("POST", "/hooks/sheets-edit", "positive"), ("POST", "/hooks/sheets-edit", "negative"),
    ("GET", "/status/{spreadsheet_id}", "positive"), ("GET", "/healthz", "positive"),
]
# Per run and signing (/healthz has one request to make): about 1,000 requests in all.
DEFAULT_EXAMPLES = 170
CAMPAIGN_EXAMPLES = 1700  # about 10,000
SEEN: Counter[int] = Counter()  # status codes answered, for the report at the end


class Signer:
    """WSGI middleware that signs each request with the server's secret, as the add-on does
    (HMAC over timestamp + "." + raw body), and counts the answers' status codes."""

    def __init__(self, app: Callable[..., Any], sign: bool) -> None:
        self.app, self.sign = app, sign

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable:
        if self.sign:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            for name, value in signed_headers(SECRET, body).items():
                environ["HTTP_" + name.upper().replace("-", "_")] = value

        def counting(status: str, headers: list, *args: Any) -> Any:
            SEEN[int(status.split()[0])] += 1
            return start_response(status, headers, *args)

        return self.app(environ, counting)


@pytest.fixture
def flask_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("SALESOPS_ALLOWED_SPREADSHEETS", ALLOWED)
    monkeypatch.setenv("SALESOPS_LOG_LEVEL", "WARNING")
    return create_app({"queue": f"sqlite:///{tmp_path / 'queue.sqlite3'}"})


def fuzz(flask_app: Any, method: str, path: str, sign: bool, mode: str, examples: int) -> None:
    flask_app.wsgi_app = Signer(flask_app.wsgi_app, sign)
    schema = schemathesis.openapi.from_path(OPENAPI)
    schema.app = flask_app
    operation = schema[path][method]
    before = sum(SEEN.values())

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(GenerationMode(mode)), allowed=st.booleans(),
           tab=st.sampled_from([None, "Pipeline", " orders "]))
    def one_request(case: Any, allowed: bool, tab: str | None) -> None:
        allowed = allowed and mode == "positive"  # a negative case stays invalid
        if allowed and isinstance(case.body, dict) and "spreadsheet_id" in case.body:
            case.body["spreadsheet_id"] = ALLOWED  # reach the checks past the allowlist
            if tab and case.body.get("sheet"):
                case.body["sheet"] = tab  # ... and the queue
        if allowed and case.path_parameters:
            case.path_parameters["spreadsheet_id"] = ALLOWED
        response = case.call()
        case.validate_response(response)
        assert response.status_code < 500

    one_request()
    assert sum(SEEN.values()) > before  # requests did reach the app


@pytest.mark.parametrize("sign", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize(("method", "path", "mode"), RUNS)
def test_generated_requests_get_documented_answers(flask_app, method, path, sign, mode):
    fuzz(flask_app, method, path, sign, mode, DEFAULT_EXAMPLES)


@pytest.mark.campaign
@pytest.mark.parametrize("sign", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize(("method", "path", "mode"), RUNS)
def test_many_generated_requests_get_documented_answers(flask_app, method, path, sign, mode):
    fuzz(flask_app, method, path, sign, mode, CAMPAIGN_EXAMPLES)


def test_report_what_the_fuzzing_saw(request: pytest.FixtureRequest) -> None:
    """Runs last in this module: the status codes answered, for the run's summary."""
    print(f"\nwebhook fuzz: {sum(SEEN.values())} requests, status codes {dict(SEEN)}")
    assert all(code < 500 for code in SEEN)

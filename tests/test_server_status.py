"""A failed recompute: retried or not, and the sentence the owner reads in the status."""

from __future__ import annotations

import pytest
import requests

from sync.errors import CredentialsError, MissingTabError, SheetsApiError
from sync.server.status import explain_failure


class AnswerError(Exception):
    """An HTTP error carrying its response, as gspread's APIError does."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.response = requests.Response()
        self.response.status_code = status


def chained(error: Exception, cause: BaseException) -> Exception:
    error.__cause__ = cause
    return error


QUOTA = "Google Sheets kept answering 429 for 61 s after 7 attempts: wait a minute."
SHARE = "No access to spreadsheet 1AbC. Share the spreadsheet with x@y as an editor."


@pytest.mark.parametrize(
    ("error", "transient", "sentence"),
    [
        (chained(SheetsApiError(QUOTA), AnswerError(429)), True, QUOTA),
        (chained(SheetsApiError("Google said 503"), AnswerError(503)), True, "Google said 503"),
        (chained(SheetsApiError(SHARE), AnswerError(403)), False, SHARE),
        (chained(SheetsApiError("no answer"), requests.ConnectionError("reset")), True,
         "no answer"),
        (MissingTabError("Pipeline is missing: add it."), False, "Pipeline is missing: add it."),
        (CredentialsError("The key file /etc/salesops/key.json is not a readable JSON key"),
         False,
         "The server's Google service-account key is not usable, so the server cannot open "
         "spreadsheets: ask the server's operator to install a new JSON key."),
        (requests.Timeout("read timed out"), True,
         "Google Sheets could not be reached; the server tries again."),
        (KeyError("Amount"), False,
         "The recompute failed unexpectedly (KeyError); the server's log has the details for "
         "its operator. Edit the sheet or use Recompute now to try again."),
    ],
)
def test_failures_are_classified_and_worded_for_the_owner(error, transient, sentence):
    failure = explain_failure(error)
    assert (failure.transient, failure.sentence) == (transient, sentence)

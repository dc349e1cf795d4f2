"""`salesops watch --sheet ID`: sync a Google spreadsheet again when someone changed it.

For an owner with no public server (the add-on's webhook needs one). Once per interval it
asks the Drive API v3 for the spreadsheet file's `version` (`files.get`, `fields=version`),
a number that grows with every change. A new version waits out the debounce, polled at
the debounce's pace so a burst of edits gives one sync; the version right after our own
write is remembered, so that write does not start another sync.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus

from sync.backends.base import Backend
from sync.backends.sheets.auth import (
    DRIVE_METADATA_SCOPE,
    DriveAnswer,
    ServiceAccountKey,
    drive_file_get,
    drive_session,
    load_key,
)
from sync.config import Config
from sync.engine import sync_workbook
from sync.errors import CredentialsError, DriveApiError, SalesOpsError
from sync.i18n import _, writing_in
from sync.watch.debounce import Debounce
from sync.watch.files import describe
from sync.watch.lines import Say, Trigger, count, spoken, stamped, sync_line, trigger_text

DEFAULT_INTERVAL_SECONDS = 15.0
MAX_RETRY_SECONDS = 600.0  # a sync that keeps failing is tried again at least every 10 min
_NOT_ENABLED = ("accessNotConfigured", "SERVICE_DISABLED")
_SCOPE_REFUSED = ("insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT")
_RATE_LIMITED = ("userRateLimitExceeded", "rateLimitExceeded")


class DriveBusyError(DriveApiError):
    """Drive did not answer this time (quota, server error, network): ask again later."""


class DriveVersion:
    """Reads one spreadsheet's Drive version with the service account's key."""

    def __init__(self, spreadsheet_id: str, key: ServiceAccountKey, base_url: str | None = None):
        self.spreadsheet_id = spreadsheet_id
        self.key = key
        self.base_url = base_url
        self.session = drive_session(key)

    def current(self) -> int:
        """The version now; DriveBusyError when Drive did not answer, DriveApiError else."""
        answer = drive_file_get(self.session, self.spreadsheet_id, "version", self.base_url)
        if answer.status == HTTPStatus.OK:
            try:
                return int(answer.body["version"])
            except (KeyError, TypeError, ValueError) as error:
                raise DriveApiError(
                    f"Drive answered without a version for spreadsheet {self.spreadsheet_id}: "
                    "check that the id is a Google spreadsheet's."
                ) from error
        raise self.explain(answer)

    def explain(self, answer: DriveAnswer) -> DriveApiError | CredentialsError:
        """Google's refusal as a sentence that says what to do."""
        sheet, email, reasons = self.spreadsheet_id, self.key.client_email, answer.reasons
        message = answer.message
        status = answer.status
        if status == 0 or status == HTTPStatus.TOO_MANY_REQUESTS or status >= 500:
            return DriveBusyError(f"Google Drive did not answer ({status or message})")
        if status == HTTPStatus.FORBIDDEN and (
            reasons & set(_RATE_LIMITED) or "rate limit" in message.lower()
        ):
            return DriveBusyError(f"Google Drive asked to slow down ({message})")
        if status == HTTPStatus.FORBIDDEN and (
            reasons & set(_NOT_ENABLED) or "has not been used" in message
            or "is disabled" in message
        ):
            return DriveApiError(
                "The Google Drive API is not enabled for the service account's project, and "
                "`watch --sheet` asks it for the spreadsheet's version: enable it in the Cloud "
                "console (APIs & Services > Library > Google Drive API > Enable), wait a "
                "minute, and start the watch again."
            )
        if status == HTTPStatus.FORBIDDEN and (
            reasons & set(_SCOPE_REFUSED) or "insufficient authentication scopes" in message
        ):
            return DriveApiError(
                f"Google did not grant the service account the Drive scope "
                f"{DRIVE_METADATA_SCOPE}, which `watch --sheet` needs to read the "
                "spreadsheet's version: if your Google Workspace admin restricts the service "
                "account's scopes, ask them to allow this one (read-only file metadata)."
            )
        if status in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND):
            # Drive answers 404, not 403, for a file the caller may not see.
            return DriveApiError(
                f"The service account cannot see spreadsheet {sheet} in Google Drive: share the "
                f"spreadsheet with {email} as an editor (Share button, paste the address, "
                "choose Editor), and check the id is the part of its address between /d/ and "
                "/edit."
            )
        if status == HTTPStatus.UNAUTHORIZED:
            return CredentialsError(
                f"Google Drive did not accept the service account's credentials ({message}): "
                "create a new JSON key and point SALESOPS_GOOGLE_CREDENTIALS at it."
            )
        return DriveApiError(f"Google Drive refused the request ({status}): {message}")


@dataclass
class SpreadsheetWatch:
    """Polls one spreadsheet's version and syncs it after each change, until stopped."""

    spreadsheet_id: str
    versions: DriveVersion
    open_backend: Callable[[], Backend]
    interval: float
    debounce_seconds: float
    max_delay_seconds: float
    say: Say
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], float] = time.monotonic
    syncs: int = 0
    seen: int | None = None
    retry_at: float | None = None
    retry_delay: float = 0.0
    pending: Debounce = field(init=False)
    # The language of the watch's lines: the operator's until a sync reads the workbook's.
    locale: str = "en"

    def __post_init__(self) -> None:
        self.pending = Debounce(self.debounce_seconds, self.max_delay_seconds)

    def _trigger(self, event: str, version: int | None) -> Trigger:
        """What started a sync, put in words when its line is written."""
        return lambda: trigger_text(self.subject(), event, version)

    def subject(self) -> str:
        """The spreadsheet as the lines name it."""
        return _("spreadsheet {id}").format(id=self.spreadsheet_id)

    def run(self) -> None:
        """Sync once, then after each change of the version; returns when `stop` is set."""
        if self.seen is None:
            self.seen = self.versions.current()  # a refusal here stops the watch with its reason
        self.run_sync(lambda: trigger_text(self.subject(), "start"))
        while not self.stop.wait(self._wait_seconds()):
            version = None
            try:
                version = self.versions.current()
            except DriveBusyError as error:
                with writing_in(self.locale):
                    self.say(stamped(_("{error} Asking again in {seconds} s.").format(
                        error=describe(error), seconds=f"{self.interval:g}")))
            now = self.clock()
            if version is not None and version != self.seen:
                self.seen = version
                self.pending.edit(now)
            if self.pending.is_due(now) or (self.retry_at is not None and now >= self.retry_at):
                retried = not self.pending.waiting
                self.pending.take()
                self.retry_at = None
                self.run_sync(self._trigger("retried" if retried else "changed", self.seen))

    def _wait_seconds(self) -> float:
        now = self.clock()
        waits = [self.interval, self.pending.seconds_left(now)]
        if self.retry_at is not None:
            waits.append(max(0.0, self.retry_at - now))
        # While edits wait, look again when the debounce ends: a newer version extends it.
        return min(wait for wait in waits if wait is not None)

    def run_sync(self, trigger: Trigger) -> None:
        """One sync, reported in one line; a failed one is tried again later, with backoff."""
        try:
            with writing_in(self.locale):
                report = sync_workbook(self.open_backend())
        except SalesOpsError as error:
            self.retry_delay = min(MAX_RETRY_SECONDS, max(self.interval, self.retry_delay * 2))
            self.retry_at = self.clock() + self.retry_delay
            with writing_in(self.locale):
                self.say(stamped(_("{trigger}: not synced: {error} Trying again in {seconds} s, "
                                   "or at the next change.").format(
                    trigger=spoken(trigger), error=describe(error),
                    seconds=f"{self.retry_delay:g}")))
            return
        self.locale = report.locale
        self.retry_delay = 0.0
        self.syncs += 1
        if report.requests:
            # Our write made a new version: remember it so it does not start another sync.
            # Unanswered, the next poll sees a new version and that sync finds nothing to write.
            with contextlib.suppress(DriveBusyError):
                self.seen = self.versions.current()
        with writing_in(report.locale):
            self.say(stamped(sync_line(spoken(trigger), report)))

    def summary(self) -> str:
        """What the watch did, for its last line."""
        with writing_in(self.locale):
            return _("Stopped watching {workbook} after {syncs}.").format(
                workbook=self.subject(), syncs=count(self.syncs, "sync"))


def watch_spreadsheet(
    spreadsheet_id: str,
    config: Config,
    *,
    say: Say,
    interval: float = DEFAULT_INTERVAL_SECONDS,
    stop: threading.Event | None = None,
) -> SpreadsheetWatch:
    """Sync the spreadsheet now and after each change until `stop` is set or Ctrl-C.

    Credentials, API URLs and the debounce come from `config`. Refusals that will not go
    away by waiting (Drive API not enabled, spreadsheet not shared) raise; a sync that
    fails is reported by `say` and the watch goes on.
    """
    from sync.workbooks import open_backend

    key = load_key(config.google_credentials)
    watch = SpreadsheetWatch(
        spreadsheet_id,
        DriveVersion(spreadsheet_id, key, config.drive_api_url),
        lambda: open_backend(config, sheet=spreadsheet_id),
        interval,
        config.debounce_seconds,
        config.max_delay_seconds,
        say,
        stop=stop or threading.Event(),
        locale=config.locale,
    )
    watch.seen = watch.versions.current()  # Drive refusing stops here, before any sync
    with writing_in(config.locale):
        say(_("Watching {workbook} (Ctrl-C to stop): its version is checked every {interval} s; "
              "a change is synced {seconds} s after the last one.").format(
            workbook=watch.subject(), interval=f"{interval:g}",
            seconds=f"{config.debounce_seconds:g}"))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a watch ends
        watch.run()
    say(watch.summary())
    return watch

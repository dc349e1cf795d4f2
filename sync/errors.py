"""The project's exceptions: each one speaks to the person who can fix it."""

from typing import Any

from sync.i18n import current_locale


class SalesOpsError(Exception):
    """Base of every error the product reports to its user as `Error: ...`."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.locale = current_locale()  # the language its message is written in


class ConfigError(SalesOpsError):
    """A setting in config.yaml or a SALESOPS_ variable has a bad value."""


class WorkbookError(SalesOpsError):
    """The workbook cannot be opened, read or written."""


class WorkbookLockedError(WorkbookError):
    """Another program (Excel, LibreOffice) holds the workbook open."""


class WorkbookChangedError(WorkbookError):
    """The workbook was saved by another program while a sync was reading or writing it."""


class NotAWorkbookError(WorkbookError):
    """The file is not an .xlsx workbook."""


class WorkbookTooLargeError(WorkbookError):
    """The workbook would unpack to more than a sync reads (a damaged file or a zip bomb)."""


class PasswordProtectedError(WorkbookError):
    """The workbook is encrypted with a password."""


class WorkbookReadOnlyError(WorkbookError):
    """The workbook file is read-only, so the product will not replace it."""


class MissingTabError(WorkbookError):
    """A template tab the engine needs is not in the workbook."""


class SheetsApiError(SalesOpsError):
    """The Google Sheets API refused or failed a request."""


class DriveApiError(SalesOpsError):
    """The Google Drive API refused to say a spreadsheet's version (`watch --sheet`)."""


class CredentialsError(SalesOpsError):
    """The service-account key file is missing or malformed."""


class NoWorkbookError(ConfigError):
    """No workbook or spreadsheet was named, on the command line or in config.yaml."""


class StatementError(SalesOpsError):
    """A rep's statement cannot be made: a missing font, PDF library or output folder."""


class MailError(SalesOpsError):
    """An e-mail cannot be sent: no SMTP server configured, or the server refused it."""

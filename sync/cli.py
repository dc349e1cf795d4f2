"""The `salesops` command: a thin shell over the library.

Each command parses its arguments, calls one library function and prints what it did.
The product's exceptions become `Error: ...` with exit status 1; `check` exits 2 when
the workbook has an Error-severity issue, so scripts can gate on it.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from sync import __version__
from sync.cli_output import (  # noqa: F401 - the commands' printing, used by name from here
    format_kpi,
    issues_table,
    kpi_table,
    plural,
    print_issues,
    summary_table,
)
from sync.errors import SalesOpsError
from sync.i18n import _, writing_in

# What a command needs (the settings, rich, the engine) is imported when it runs, so that
# `salesops --help` and a mistyped command line answer at once.
if TYPE_CHECKING:
    from rich.console import Console

    from sync.backends.base import Backend
    from sync.config import Config

ISSUES_FOUND_EXIT = 2


class LocaleType(click.ParamType):
    """`en` or `zh-CN`, spelled as the help spells them (`zh_CN` and `zh-cn` are accepted)."""

    name = "locale"
    spellings = {"en": "en", "zh-cn": "zh-CN"}

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        """The locale in its one spelling; anything else is a command-line mistake."""
        spelled = self.spellings.get(str(value).strip().lower().replace("_", "-"))
        if spelled is None:
            self.fail(f'"{value}" is not a locale: use en or zh-CN', param, ctx)
        return spelled


LOCALES = LocaleType()


class CommandError(click.ClickException):
    """`Error: ...` with exit status 1, its prefix in the language spoken where it was raised
    (zh-CN `错误：...`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.prefix = _("Error: {message}")

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the error on stderr."""
        stream = file if file is not None else sys.stderr
        click.echo(self.prefix.format(message=self.format_message()), file=stream,
                   color=self.show_color)


class CommandLineMistake(click.UsageError):
    """A mistake in the command line: exit status 1, keeping 2 for `check`'s findings."""

    exit_code = 1


class SalesOpsGroup(click.Group):
    """A click group whose command-line mistakes exit 1 and whose bare call shows help."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:
            # A bare `salesops` asks for help: it is not a mistake.
            click.echo(error.ctx.get_help() if error.ctx else error.format_message())
            raise click.exceptions.Exit(0) from None
        except click.UsageError as error:
            raise CommandLineMistake(error.format_message(), error.ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        # Until a command knows the workbook's own Locale, it speaks the operator's.
        with writing_in(operator_locale()):
            try:
                return super().invoke(ctx)
            except CommandLineMistake:
                raise
            except click.UsageError as error:
                raise CommandLineMistake(error.format_message(), error.ctx) from None


def operator_locale() -> str:
    """config.yaml's (or SALESOPS_LOCALE's) locale; English while the configuration is bad
    (the command then says what is wrong with it)."""
    from sync.config import load_config

    try:
        return load_config().locale
    except SalesOpsError:
        return "en"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the product's errors, and files that cannot be opened, into `Error: ...`."""
    try:
        yield
    except SalesOpsError as error:
        with writing_in(error.locale):  # `Error:` in the language of its message
            raise CommandError(str(error)) from error
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise CommandError(f"{where}{error.strerror or error}") from error


class _NoTracebackFormatter(logging.Formatter):
    """Log lines without tracebacks (they are shown at DEBUG level only)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and logging.getLogger().level > logging.DEBUG:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def configure(**overrides: Any) -> Config:
    """The layered configuration, with logging set to its level; bad values become errors."""
    from sync.config import load_config

    with user_errors():
        config = load_config(**overrides)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_NoTracebackFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.log_level)
    return config


def stdout() -> Console:
    """Where results go: standard output, whatever it is at the time of printing."""
    from rich.console import Console

    return Console(highlight=False)


@contextmanager
def progress_shown(console: Console | None = None) -> Iterator[Callable[[str], None]]:
    """A live status line on stderr while a command runs; nothing when not a terminal."""
    from rich.console import Console

    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield lambda _message: None
        return
    with console.status(_("Starting")) as status:
        yield lambda message: status.update(message)


def read_early(backend: Backend) -> None:
    """Start reading a workbook file now, on a thread, so that it is parsed while the
    command loads the engine (pandas); a Google spreadsheet is read when the sync reads."""
    start = getattr(backend, "read_ahead", None)
    if start is not None:
        from sync.schema import tabs_read

        start(tabs_read())


def xlsx_path(path: Path) -> Path:
    """Check a workbook path the user typed ends in .xlsx."""
    if path.suffix.lower() != ".xlsx":
        raise CommandError(_(
            "{path}: the workbook should be an .xlsx file (e.g. {example}).").format(
            path=path, example=path.with_suffix(".xlsx")))
    return path


def open_backend(path: Path | None, sheet: str | None) -> Backend:
    """The workbook to work on: PATH, --sheet ID, or the one config.yaml names."""
    from sync.workbooks import open_backend as open_configured

    if path is not None and sheet is not None:
        raise CommandLineMistake(_("give either a workbook PATH or --sheet ID, not both."))
    config = configure(**({"backend": "sheets", "spreadsheet_id": sheet} if sheet else {}))
    with user_errors():
        return open_configured(config, path=path, sheet=sheet)


@contextmanager
def stopped_by_terminate() -> Iterator[None]:
    """SIGTERM (a service manager stopping the command) ends it as cleanly as Ctrl-C."""

    def interrupt(_signal: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


Params = ParamSpec("Params")
Returned = TypeVar("Returned")


def fits_purchase_models(command: Callable[Params, Returned]) -> Callable[Params, Returned]:
    """A command that computes Customer Segments: from its first moment, its purchase models
    load and fit on another core while it reads and computes (`sync/fitting.py`)."""

    @functools.wraps(command)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> Returned:
        from sync.fitting import fitting_on_another_core

        with fitting_on_another_core():
            return command(*args, **kwargs)

    return run


workbook_argument = click.argument(
    "path", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
sheet_option = click.option(
    "--sheet", "sheet", metavar="ID", help="A Google spreadsheet id instead of a local PATH."
)


@click.group(
    name="salesops", cls=SalesOpsGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="salesops")
def main() -> None:
    """SalesOps Sheets: goals, funnel, commissions, customer segments and a dashboard,
    computed back into your spreadsheet.

    Settings come from config.yaml and SALESOPS_ environment variables
    (see docs/configuration.md).
    """


@main.command()
@click.argument("path", default="demo.xlsx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--size", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="Scale: 1 writes 300 deals, 120 customers and 2,000 orders; 10 ten times that.")
@click.option("--seed", default=7, show_default=True, type=int,
              help="Random seed: the same seed writes the same business.")
@click.option("--locale", type=LOCALES, metavar="[en|zh-CN]",
              help="Header language (default: config.yaml's locale).")
@click.option("--force", is_flag=True, help="Replace PATH even if it is not a demo workbook.")
def demo(path: Path, size: int, seed: int, locale: str | None, force: bool) -> None:
    """Write a sample workbook, sync it and print the key figures.

    Writes a realistic small business (five reps, deals, customers, orders, goals and
    commission plans) to PATH (default demo.xlsx). Needs no account.

    Example: salesops demo demo.xlsx --size 2
    """
    from sync.demo.workbook import run_demo

    config = configure(**({"locale": locale} if locale else {}))
    with writing_in(config.locale), user_errors(), progress_shown() as progress:
        xlsx_path(path)
        report = run_demo(path, size=size, seed=seed, locale=config.locale, replace=force,
                          progress=progress)
    console = stdout()
    with writing_in(report.locale):
        console.print(kpi_table(report))
        console.print(summary_table(report, wrote=True))
        console.print(_("Open {path} in Excel or LibreOffice; edit it, then run "
                        "`salesops sync {path}`.").format(path=path))


@main.command()
@workbook_argument
@sheet_option
@click.option("--locale", type=LOCALES, metavar="[en|zh-CN]",
              help="Language of the new tabs: headers, stages, dropdowns, notes "
                   "(default: config.yaml's locale).")
def init(path: Path | None, sheet: str | None, locale: str | None) -> None:
    """Create the input tabs: headers, dropdowns, frozen header row, help notes.

    PATH creates a new .xlsx workbook, or adds the missing input tabs to an existing one
    (every tab already there is kept exactly as it is); --sheet ID adds the missing tabs to
    a Google spreadsheet shared with the service account.

    Example: salesops init sales.xlsx --locale zh-CN
    """
    if (path is None) == (sheet is None):
        raise CommandLineMistake(_("give either a workbook PATH or --sheet ID."))
    overrides: dict[str, Any] = {"locale": locale} if locale else {}
    if sheet:
        overrides.update(backend="sheets", spreadsheet_id=sheet)
    config = configure(**overrides)
    with writing_in(config.locale):  # the language of the tabs it creates
        _init(path, sheet, config)


def _init(path: Path | None, sheet: str | None, config: Config) -> None:
    """`init`'s work, in the language of the tabs it creates."""
    if path is not None:
        xlsx_path(path)
        if not path.exists() and not path.is_symlink():
            from sync.backends.xlsx.template import create_template

            with user_errors():
                create_template(path, config.locale)
            stdout().print(_(
                "Created the input tabs in {path}. Fill in Team, Pipeline, Orders and "
                "Goals, then run `salesops sync {path}`.").format(path=path))
            return
        from sync.backends.xlsx.init import add_input_tabs

        with user_errors():
            added = add_input_tabs(path, config.locale)
        console = stdout()
        for label, tabs in ((_("Created: {tabs}"), added.created),
                            (_("Left as they are (they exist already): {tabs}"), added.kept)):
            if tabs:
                console.print(label.format(tabs=_(", ").join(tabs)))
        if not added.created:
            console.print(_("{path} has every input tab already: nothing was written.").format(
                path=path))
        console.print(_("Next: fill in the tabs, then run `salesops sync {path}`.").format(
            path=path))
        return
    from sync.backends.sheets.template import init_sheet

    with user_errors():
        result = init_sheet(
            str(sheet), config.google_credentials, config.locale, config.sheets_api_url
        )
    console = stdout()
    for label, tabs in ((_("Created: {tabs}"), result.created),
                        (_("Filled in the empty tabs: {tabs}"), result.filled),
                        (_("Left as they are (they hold data): {tabs}"), result.kept)):
        if tabs:
            console.print(label.format(tabs=_(", ").join(tabs)))
    console.print(_("Next: fill in the tabs, then run `salesops sync --sheet {sheet}`.").format(
        sheet=sheet))


@main.command(name="sync")
@workbook_argument
@sheet_option
@fits_purchase_models
def sync_command(path: Path | None, sheet: str | None) -> None:
    """Read, validate and compute, then write the computed tabs back.

    Problems in the data are listed in the Data Issues tab; they do not make the command
    fail. Without PATH or --sheet, the workbook named in config.yaml is used.

    Example: salesops sync sales.xlsx
    """
    backend = open_backend(path, sheet)
    read_early(backend)
    from sync.engine import sync_workbook

    with user_errors(), progress_shown() as progress:
        report = sync_workbook(backend, progress=progress)
    with writing_in(report.locale):
        stdout().print(summary_table(report, wrote=True))


@main.command()
@workbook_argument
@sheet_option
@click.pass_context
@fits_purchase_models
def check(ctx: click.Context, path: Path | None, sheet: str | None) -> None:
    """Validate only: print the data issues and write nothing.

    Exits 2 when an Error-severity issue exists, 0 otherwise, so scripts can gate on it.

    Example: salesops check sales.xlsx || echo "fix the errors first"
    """
    backend = open_backend(path, sheet)
    read_early(backend)
    from sync.engine import check_workbook

    with user_errors(), progress_shown() as progress:
        report = check_workbook(backend, progress=progress)
    console = stdout()
    with writing_in(report.locale):
        if report.issues:
            print_issues(console, report)
        else:
            console.print(_("No data issues found."))
        console.print(summary_table(report, wrote=False))
    if report.error_count:
        ctx.exit(ISSUES_FOUND_EXIT)


# The other commands live in modules of their own; importing them registers them on `main`,
# in the order `salesops --help` lists them.
import sync.cli_automatic  # noqa: E402, F401
import sync.cli_import  # noqa: E402, F401
import sync.cli_reports  # noqa: E402, F401

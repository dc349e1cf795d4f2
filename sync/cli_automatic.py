"""`salesops watch`, `serve` and `worker`: the commands that keep the computed tabs fresh."""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli import (
    CommandError,
    CommandLineMistake,
    configure,
    main,
    sheet_option,
    stopped_by_terminate,
    user_errors,
    workbook_argument,
    xlsx_path,
)
from sync.i18n import _


@main.command()
@workbook_argument
@sheet_option
@click.option("--interval", type=click.FloatRange(min=1), metavar="SECONDS",
              help="With --sheet: seconds between two checks of the spreadsheet's version "
                   "(default 15).")
def watch(path: Path | None, sheet: str | None, interval: float | None) -> None:
    """Sync again each time the workbook is saved, until Ctrl-C.

    PATH: a local .xlsx, synced a few seconds after each save (config.yaml's
    debounce_seconds), also while Excel or LibreOffice has it open. --sheet ID: a Google
    spreadsheet, for an owner with no webhook server: its Drive version is checked every
    --interval seconds (the Drive API must be enabled; see docs/watch.md). One line per
    sync; the watch's own writes never start another sync.

    Example: salesops watch sales.xlsx
    """
    from sync.watch import watch_spreadsheet, watch_workbook
    from sync.watch.drive import DEFAULT_INTERVAL_SECONDS as DEFAULT_INTERVAL

    if path is not None and sheet is not None:
        raise CommandLineMistake(_("give either a workbook PATH or --sheet ID, not both."))
    config = configure(**({"backend": "sheets", "spreadsheet_id": sheet} if sheet else {}))
    if path is None and sheet is None:
        if config.backend == "xlsx":
            path = config.workbook
        else:
            sheet = config.spreadsheet_id
    if path is None and sheet is None:
        raise CommandError(_(
            "no workbook given: pass a PATH (e.g. `salesops watch sales.xlsx`), --sheet ID, "
            "or set `workbook` or `spreadsheet_id` in config.yaml."))
    if interval is not None and sheet is None:
        raise CommandLineMistake(_("--interval applies to --sheet ID only: a file is watched "
                                   "through the system's notifications."))

    def say(line: str) -> None:
        click.echo(line)

    with user_errors(), stopped_by_terminate():
        if sheet is not None:
            watch_spreadsheet(sheet, config, say=say, interval=interval or DEFAULT_INTERVAL)
        else:
            assert path is not None
            watch_workbook(
                xlsx_path(path),
                debounce_seconds=config.debounce_seconds,
                max_delay_seconds=config.max_delay_seconds,
                say=say,
                locale=config.locale,
            )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface; prefer a TLS proxy).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="TCP port to listen on.")
@click.option("--no-worker", is_flag=True,
              help="Serve the webhook only; `salesops worker` processes recompute.")
@click.option("--processes", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Web server processes sharing the port (about one per core).")
def serve(host: str, port: int, no_worker: bool, processes: int) -> None:
    """Run the webhook server the add-on posts edits to (SPEC section 7).

    Answers POST /hooks/sheets-edit, GET /status/<spreadsheet_id> and GET /healthz under
    the waitress WSGI server, with an embedded worker that recomputes queued spreadsheets
    unless --no-worker. Needs SALESOPS_WEBHOOK_SECRET and allowed_spreadsheets. Stops
    cleanly on SIGTERM or Ctrl-C: requests in flight are answered, the running recompute
    finishes or is handed back.

    Example: salesops serve --port 8080   (with SALESOPS_WEBHOOK_SECRET set)
    """
    from sync.server.consumer import SHUTDOWN_SECONDS
    from sync.server.wsgi import (
        listen,
        serve_forked,
        start_embedded_worker,
        stop_embedded_worker,
    )
    from webhook_app import create_app, queue_of

    config = configure()
    if config.webhook_secret is None:
        raise CommandError(_(
            "no webhook secret: set SALESOPS_WEBHOOK_SECRET to the secret the add-on signs "
            "with (see docs/deploy.md); the server refuses every edit without it."))
    with user_errors():
        # Built once here to stop on a bad setting before anything starts; each web process
        # then builds its own after the fork.
        close = getattr(queue_of(create_app(config)).store, "close", None)
        if close is not None:
            close()
    try:
        listener = listen(host, port)
    except OSError as error:
        raise CommandError(_(
            "cannot listen on {host}:{port} ({error}): stop the program that uses it or choose "
            "another --port.").format(host=host, port=port, error=error.strerror or error)
        ) from error
    worker = None if no_worker else start_embedded_worker()
    try:
        with user_errors():
            serve_forked(lambda: create_app(config), listener, host, port, processes)
    finally:
        if worker is not None:
            stop_embedded_worker(worker, SHUTDOWN_SECONDS + 5)


@main.command()
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Recomputes run at once by this process (never two of one spreadsheet).")
def worker(threads: int) -> None:
    """Take recomputes from the shared queue (SQLite file or Redis) and run them.

    Start as many as you like, on one machine or many sharing a redis:// queue: two
    recomputes of one spreadsheet never run at once. SIGTERM or Ctrl-C lets the running
    recomputes finish, then exits.

    Example: salesops worker --threads 4   (with SALESOPS_QUEUE=redis://host:6379/0)
    """
    from sync.server.consumer import run_worker

    config = configure()
    with user_errors():
        run_worker(config, threads)

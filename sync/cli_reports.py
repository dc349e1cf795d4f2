"""`salesops statements` and `salesops digest`: what the manager's assistant makes and sends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sync.cli import (
    CommandError,
    configure,
    fits_purchase_models,
    main,
    open_backend,
    plural,
    progress_shown,
    sheet_option,
    stdout,
    user_errors,
    workbook_argument,
)
from sync.i18n import _, current_locale, writing_in

if TYPE_CHECKING:
    from sync.config import Config
    from sync.mail import SmtpServer
    from sync.statements import StatementFile


@main.command()
@workbook_argument
@sheet_option
@click.option("--period", metavar="P",
              help="The period, e.g. 2026-11 (Month) or 2026-Q4 (Quarter); default: As Of's.")
@click.option("--out", "out_dir", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder the PDFs are written into (created if missing).")
@click.option("--send", is_flag=True,
              help="Also e-mail each rep their own statement (Team Email) over smtp_url.")
@fits_purchase_models
def statements(path: Path | None, sheet: str | None, period: str | None, out_dir: Path,
               send: bool) -> None:
    """Write one PDF per rep with their payout explained: tiers, bonuses, clawbacks and the
    deals and orders credited, to the cent as in the Commissions tab.

    Files are named so they sort: "2026-11 Ana Ruiz.pdf". The language is the workbook's
    Locale setting, else config.yaml's locale.

    Example: salesops statements sales.xlsx --period 2026-11 --out statements/ --send
    """
    from sync.statements import make_statements

    backend = open_backend(path, sheet)
    config = configure()
    server = None
    if send:
        with user_errors():
            server = config.smtp_server()
    with user_errors(), progress_shown() as progress:
        progress(_("Writing statements"))
        written = make_statements(backend, out_dir, period=period, locale=config.locale)
    with writing_in(written[0].locale if written else current_locale()):
        _report_statements(written, out_dir, server, config)


def _report_statements(written: list[StatementFile], out_dir: Path, server: SmtpServer | None,
                       config: Config) -> None:
    """What `statements` wrote and sent, in the workbook's language."""
    from sync.statements.send import send_statements

    console = stdout()
    for item in written:
        console.print(_("Wrote {path}").format(path=item.path))
    console.print(_("{statements} in {folder}").format(
        statements=plural(len(written), "statement"), folder=out_dir))
    if server is None or not written:
        return
    with user_errors():
        sent, unsent = send_statements(written, server, config.mail_from)
    for rep in sent:
        console.print(_("Sent {rep}'s statement").format(rep=rep))
    if unsent:
        raise CommandError(_(
            "{statements} not sent: no Email in the Team tab for {reps}. Add their addresses "
            "and run again with --send.").format(statements=plural(len(unsent), "statement"),
                                                 reps=_(", ").join(unsent)))


@main.command()
@workbook_argument
@sheet_option
@click.option("--to", "to", multiple=True, metavar="EMAIL",
              help="E-mail the digest to this address (repeatable); default: print it.")
@click.option("--smtp", metavar="URL",
              help="Mail server, smtp://host:587 or smtps://host:465 (default: smtp_url).")
@fits_purchase_models
def digest(path: Path | None, sheet: str | None, to: tuple[str, ...], smtp: str | None) -> None:
    """Print the daily digest: the Dashboard's key figures, then what needs attention since
    the previous digest (deals that moved, became stuck or overdue, customers who turned At
    Risk or Churned, reps behind pace, new Data Issues). With --to, e-mail it instead.

    The previous digest's snapshot is kept in config's state_dir, not in the workbook; each
    digest made becomes the one the next compares with. Run it daily from cron.

    Example: salesops digest sales.xlsx --to owner@example.com
    """
    from rich.panel import Panel

    from sync.digest import DigestStore, make_digest, send_digest

    backend = open_backend(path, sheet)
    config = configure()
    server = None
    if to or smtp:
        if not to:
            raise CommandError(_("--smtp needs at least one --to EMAIL to send to."))
        with user_errors():
            server = config.smtp_server(smtp)
    with user_errors(), progress_shown() as progress:
        progress(_("Making the digest"))
        made = make_digest(backend, DigestStore(config.digest_dir), locale=config.locale)
    console = stdout()
    if server is None:
        console.print(Panel(made.text.rstrip("\n"), title=made.subject, expand=False))
        return
    with user_errors(), writing_in(made.locale):
        send_digest(made, server, config.mail_from, to)
        console.print(_('Sent "{subject}" to {addresses}').format(subject=made.subject,
                                                                addresses=_(", ").join(to)))

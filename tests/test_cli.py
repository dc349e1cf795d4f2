"""The `salesops` command: help, arguments, errors, exit codes, and the demo end to end."""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from sync.cli import configure, main, progress_shown
from sync.demo.workbook import SHORTHAND_AMOUNT, UNKNOWN_STAGE, demo_grids
from sync.schema import tab_spec

COMMANDS = [
    "demo", "init", "sync", "check", "watch", "serve", "worker", "import", "statements", "digest",
]
KPIS = [
    "Revenue This Period", "Revenue Goal Attainment", "Win Rate", "Average Deal Size",
    "Sales Cycle Days", "Sales Velocity Per Day", "Open Pipeline", "Weighted Pipeline",
    "Pipeline Coverage", "Stuck Deals", "Customers At Risk", "NPS", "Data Issues",
]


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No SALESOPS_ variables, an empty working directory, and logging restored afterwards."""
    for name in list(os.environ):
        if name.upper().startswith("SALESOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")  # wide tables: whole messages on one line
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def run(*args: str) -> Result:
    """Run `salesops ARGS` and check a user mistake never ends in a traceback."""
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    """A demo workbook written and synced once by `salesops demo`."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.xlsx"
    unset = {name: None for name in os.environ if name.upper().startswith("SALESOPS_")}
    unset["SALESOPS_CONFIG"] = None
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    result = CliRunner().invoke(main, ["demo", str(path)], env=unset)
    root.handlers[:], root.level = handlers, level
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def book(demo_book, tmp_path) -> Path:
    """A private copy of the demo workbook."""
    return Path(shutil.copy(demo_book, tmp_path / "sales.xlsx"))


def test_the_commands_are_the_ones_spec_section_6_names():
    assert sorted(main.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"Usage: salesops {command}" in result.output
    assert "Example: salesops " + command in result.output
    assert main.commands[command].help


def test_bare_salesops_shows_help_and_succeeds():
    result = run()
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and "salesops, version" in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["serf"], "No such command 'serf'"),
        (["sync", "--nope"], "No such option '--nope'"),
        (["demo", "--size", "0"], "Invalid value for '--size'"),
        (["init", "--locale", "fr", "x.xlsx"], "Invalid value for '--locale'"),
        (["watch", "x.xlsx", "--sheet", "1AbC"], "either a workbook PATH or --sheet ID"),
        (["watch", "x.xlsx", "--interval", "5"], "--interval applies to --sheet ID only"),
        (["watch", "--sheet", "1AbC", "--interval", "0.5"], "Invalid value for '--interval'"),
        (["watch"], "no workbook given: pass a PATH (e.g. `salesops watch sales.xlsx`)"),
        (["watch", "notes.txt"], "the workbook should be an .xlsx file"),
    ],
)
def test_command_line_mistakes_exit_1_not_2(args, fragment):
    # 2 is reserved for `check` finding Error-severity issues.
    result = run(*args)
    assert result.exit_code == 1
    assert fragment in result.output


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_shows_only_in_a_terminal(terminal):
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=terminal, width=60)
    with progress_shown(console) as progress:
        progress("Reading sales.xlsx")
        progress("Computing")
    if terminal:
        assert "Computing" in screen.getvalue()
    else:
        assert screen.getvalue() == ""


@pytest.mark.parametrize("command", ["demo", "sync", "check"])
def test_the_long_commands_report_their_progress(monkeypatch, book, command):
    import sync.cli

    seen: list[str] = []

    @contextmanager
    def recorded(console=None):
        yield seen.append

    monkeypatch.setattr(sync.cli, "progress_shown", recorded)
    result = run(command, str(book) if command != "demo" else "shop.xlsx")
    assert result.exit_code in (0, 2), result.output
    assert any(step.startswith("Reading ") for step in seen), seen
    assert "Computing" in seen
    assert ("Writing computed tabs" in seen) is (command != "check")


@pytest.mark.parametrize(("level", "traceback_shown"), [("INFO", False), ("DEBUG", True)])
def test_tracebacks_are_logged_only_at_debug_level(capsys, level, traceback_shown):
    configure(log_level=level)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("sync.engine").exception("computing Funnel failed")
    logged = capsys.readouterr().err
    assert "ERROR sync.engine: computing Funnel failed" in logged
    assert ("Traceback" in logged) is traceback_shown


def test_sync_a_missing_file():
    result = run("sync", "nope.xlsx")
    assert result.exit_code == 1
    assert result.output.startswith("Error: nope.xlsx does not exist")
    assert "salesops init nope.xlsx" in result.output


def test_sync_something_that_is_not_a_workbook(tmp_path):
    (tmp_path / "notes.xlsx").write_text("just text", encoding="utf-8")
    result = run("sync", "notes.xlsx")
    assert result.exit_code == 1
    assert "Error: notes.xlsx is not an .xlsx workbook" in result.output


def test_path_and_sheet_together():
    result = run("sync", "a.xlsx", "--sheet", "abc")
    assert result.exit_code == 1
    assert "either a workbook PATH or --sheet ID, not both" in result.output


@pytest.mark.parametrize("command", ["sync", "check"])
def test_no_workbook_given_nor_configured(command):
    result = run(command)
    assert result.exit_code == 1
    assert "Error: no workbook given" in result.output


def test_sheets_backend_configured_without_a_spreadsheet(monkeypatch):
    monkeypatch.setenv("SALESOPS_BACKEND", "sheets")
    result = run("sync")
    assert result.exit_code == 1
    assert "Error: no spreadsheet given: pass --sheet ID" in result.output


@pytest.mark.parametrize("command", ["sync", "check", "demo", "init"])
def test_a_bad_environment_variable_names_the_key(monkeypatch, command):
    monkeypatch.setenv("SALESOPS_LOG_LEVEL", "LOUD")
    result = run(command, "x.xlsx")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: Bad configuration: log_level = 'LOUD' (from SALESOPS_LOG_LEVEL)"
    )


def test_a_bad_config_yaml_names_the_key_and_the_file(tmp_path):
    (tmp_path / "config.yaml").write_text("debounce_seconds: soon\n", encoding="utf-8")
    result = run("sync", "x.xlsx")
    assert result.exit_code == 1
    assert "Error: Bad configuration: debounce_seconds = 'soon'" in result.output
    assert f"(from {tmp_path / 'config.yaml'})" in result.output


def test_a_secret_in_config_yaml_is_refused(tmp_path):
    (tmp_path / "config.yaml").write_text("webhook_secret: s3cret\n", encoding="utf-8")
    result = run("check", "x.xlsx")
    assert result.exit_code == 1
    assert "webhook_secret must not be stored in the file" in result.output


def test_init_creates_the_input_tabs(tmp_path):
    from sync.backends.xlsx.backend import XlsxBackend

    result = run("init", "new.xlsx")
    assert result.exit_code == 0, result.output
    assert "Created the input tabs in new.xlsx" in result.output
    grids = XlsxBackend(tmp_path / "new.xlsx").read(["Pipeline", "Stages"])
    assert grids["Pipeline"][0] == tab_spec("Pipeline").headers
    assert [row[0] for row in grids["Stages"][1:]] == [
        "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"
    ]


@pytest.mark.parametrize("how", ["option", "config"])
def test_init_in_chinese(tmp_path, how):
    from sync.backends.xlsx.backend import XlsxBackend

    if how == "option":
        result = run("init", "zh.xlsx", "--locale", "zh-CN")
    else:
        (tmp_path / "config.yaml").write_text("locale: zh-CN\n", encoding="utf-8")
        result = run("init", "zh.xlsx")
    assert result.exit_code == 0, result.output
    headers = XlsxBackend(tmp_path / "zh.xlsx").read(["Orders"])["Orders"][0]
    assert headers == [column.zh for column in tab_spec("Orders").columns]


def test_init_on_a_complete_workbook_changes_nothing(book):
    before = book.read_bytes()
    result = run("init", str(book))
    assert result.exit_code == 0
    assert f"{book} has every input tab already: nothing was written." in result.output
    assert book.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "give either a workbook PATH or --sheet ID"),
        (["a.xlsx", "--sheet", "abc"], "give either a workbook PATH or --sheet ID"),
        (["sales.csv"], "the workbook should be an .xlsx file (e.g. sales.xlsx)"),
    ],
)
def test_init_argument_mistakes(args, fragment):
    result = run("init", *args)
    assert result.exit_code == 1
    assert fragment in result.output


def test_demo_prints_the_key_figures_and_the_summary(tmp_path):
    result = run("demo", "shop.xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shop.xlsx").is_file()
    positions = [result.output.index(kpi) for kpi in KPIS]
    assert positions == sorted(positions)  # in the Dashboard's order
    for label in ("Read", "Issues", "Wrote", "Time"):
        assert f"\n{label} " in result.output
    assert "Pipeline 300" in result.output and "Orders 2,000" in result.output
    assert "4 errors" in result.output  # the four honest mistakes


def test_the_demo_funnel_flags_the_rep_whose_proposals_stall(demo_book):
    from sync.backends.xlsx.backend import XlsxBackend

    header, *rows = XlsxBackend(demo_book).read(["Funnel"])["Funnel"]
    rep, flag = header.index("Rep"), header.index("Flag")
    assert "Ben Carter" in {row[rep] for row in rows if row[flag]}


def test_demo_defaults_to_demo_xlsx(tmp_path):
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo.xlsx").is_file()


def test_demo_replaces_an_earlier_demo_but_not_an_owners_workbook(tmp_path, book):
    assert run("demo", str(book), "--seed", "8").exit_code == 0  # an earlier demo: replaced
    assert run("init", "mine.xlsx").exit_code == 0
    before = (tmp_path / "mine.xlsx").read_bytes()
    refused = run("demo", "mine.xlsx")
    assert refused.exit_code == 1
    assert "mine.xlsx already exists and is not a demo workbook" in refused.output
    assert (tmp_path / "mine.xlsx").read_bytes() == before
    assert run("demo", "mine.xlsx", "--force").exit_code == 0


def test_check_exits_2_on_error_issues_and_writes_nothing(book):
    before = book.read_bytes()
    result = run("check", str(book))
    assert result.exit_code == 2
    assert UNKNOWN_STAGE in result.output and SHORTHAND_AMOUNT in result.output
    assert "4 errors" in result.output
    assert "Wrote" not in result.output
    assert book.read_bytes() == before


def test_check_exits_0_when_only_warnings_remain(tmp_path):
    from sync.backends.xlsx.template import write_input_workbook

    grids = demo_grids(seed=7)
    fix_honest_mistakes(grids)
    write_input_workbook(tmp_path / "clean.xlsx", grids)
    result = run("check", "clean.xlsx")
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output
    assert "Warning" in result.output  # the East team's goal above its members' quotas


def fix_honest_mistakes(grids: dict[str, list[list]]) -> None:
    """Correct the demo's four mistakes the way the Data Issues tab asks."""
    pipeline = grids["Pipeline"]
    header = pipeline[0]
    deal_id, stage, closed = (header.index(h) for h in ("Deal ID", "Stage", "Closed"))
    seen = set()
    for number, row in enumerate(pipeline[1:]):
        if row[stage] == UNKNOWN_STAGE:
            row[stage] = "Proposal"
        if isinstance(row[closed], str):  # the impossible date on an open deal
            row[closed] = None
        if row[deal_id] in seen:
            row[deal_id] = f"D-9{number:04d}"
        seen.add(row[deal_id])
    amount = grids["Orders"][0].index("Amount")
    for row in grids["Orders"][1:]:
        if row[amount] == SHORTHAND_AMOUNT:
            row[amount] = 1200.0


def test_sync_writes_the_computed_tabs_and_reports(book):
    result = run("sync", str(book))
    assert result.exit_code == 0, result.output
    assert "Wrote   Dashboard, Funnel, Deal Health" in result.output
    assert "4 errors" in result.output and "(see the Data Issues tab)" in result.output


def test_sync_uses_the_workbook_in_config_yaml(tmp_path, book):
    (tmp_path / "config.yaml").write_text(f"workbook: {book.name}\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert UNKNOWN_STAGE in result.output


@pytest.mark.parametrize("lock", [".~lock.sales.xlsx#", "~$sales.xlsx"])
def test_syncing_a_workbook_open_elsewhere_is_an_error(book, lock):
    (book.parent / lock).write_text("someone", encoding="utf-8")
    before = book.read_bytes()
    result = run("sync", str(book))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {book} is open in ")
    assert book.read_bytes() == before


def test_checking_a_workbook_open_elsewhere_is_fine(book):
    # check writes nothing, so it reads the last saved state even while LibreOffice has it.
    (book.parent / ".~lock.sales.xlsx#").write_text("someone", encoding="utf-8")
    assert run("check", str(book)).exit_code == 2


# ---- Google Sheets, through the Sheets API emulator ---------------------------------------

from tests.sheets_emulator.fixtures import CLIENT_EMAIL  # noqa: E402


@pytest.fixture
def google(monkeypatch, service_account, sheets_emulator):
    """The emulator, with the CLI's environment pointing at it and its key file."""
    monkeypatch.setenv("SALESOPS_GOOGLE_CREDENTIALS", str(service_account.key_path))
    monkeypatch.setenv("SALESOPS_SHEETS_API_URL", sheets_emulator.url)
    return sheets_emulator


def test_check_and_sync_a_google_spreadsheet(google):
    google.create("demo-sheet", tabs=demo_grids(), editors=(CLIENT_EMAIL,))
    checked = run("check", "--sheet", "demo-sheet")
    assert checked.exit_code == 2, checked.output
    assert UNKNOWN_STAGE in checked.output
    synced = run("sync", "--sheet", "demo-sheet")
    assert synced.exit_code == 0, synced.output
    assert "Wrote   Dashboard" in synced.output
    assert " API request" in synced.output  # one batchUpdate, or a few for a huge plan
    assert google.values("demo-sheet", "Dashboard")[0][:4] == ["KPI", "Value", "Target", "Status"]


def test_the_spreadsheet_in_config_yaml(google, tmp_path):
    google.create("configured", tabs=demo_grids(), editors=(CLIENT_EMAIL,))
    (tmp_path / "config.yaml").write_text(
        "backend: sheets\nspreadsheet_id: configured\n", encoding="utf-8"
    )
    assert run("check").exit_code == 2


def test_init_a_google_spreadsheet(google):
    google.create("empty", editors=(CLIENT_EMAIL,))
    result = run("init", "--sheet", "empty")
    assert result.exit_code == 0, result.output
    assert "Created: Settings, Stages, Team, Goals, Pipeline" in result.output
    assert google.values("empty", "Pipeline")[0] == tab_spec("Pipeline").headers


def test_a_spreadsheet_not_shared_with_the_service_account(google):
    google.create("private")
    result = run("sync", "--sheet", "private")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert f"Share the spreadsheet with {CLIENT_EMAIL}" in result.output


def test_no_service_account_key():
    result = run("sync", "--sheet", "abc")
    assert result.exit_code == 1
    assert "Error: No service-account key: set SALESOPS_GOOGLE_CREDENTIALS" in result.output


@pytest.mark.parametrize(
    ("value", "kind", "currency", "shown"),
    [
        (12345.6, "money", "USD", "$12,346"),
        (-250.0, "money", "EUR", "-€250"),
        (900.0, "money", "XYZ", "XYZ 900"),
        (0.41499, "percent", "USD", "41.5%"),
        (6.6, "integer", "USD", "7"),
        (2.25, "number", "USD", "2.2"),
        (None, "money", "USD", "-"),
        (float("nan"), "percent", "USD", "-"),
    ],
)
def test_key_figures_are_formatted_for_the_terminal(value, kind, currency, shown):
    from sync.cli import format_kpi
    from sync.engine import Kpi

    assert format_kpi(Kpi("Figure", value, kind), currency) == shown
def issue_blocks(output: str) -> list[str]:
    """The issues `check` printed as lines: each starts with its severity, then wraps."""
    body = output.split("Data issues\n", 1)[1].split("\nRead ", 1)[0]
    blocks: list[str] = []
    for line in body.splitlines():
        if line.startswith(("Error ", "Warning ")):
            blocks.append(line)
        elif line.startswith(" " * 8) and blocks:
            blocks[-1] += " " + line.strip()
    return blocks


def test_check_at_80_columns_prints_wrapped_lines_not_a_narrow_table(book, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run("check", str(book))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "┃" not in result.output and "│" not in result.output
    blocks = issue_blocks(result.output)
    assert len(blocks) == result.output.count("\nError ") + result.output.count("\nWarning ")
    assert any(block.startswith("Error   Orders row") and 'type the full number, e.g. 1200'
               in block for block in blocks)


def test_check_piped_prints_one_wrapped_line_per_issue(book):
    env = {name: value for name, value in os.environ.items()
           if name not in ("COLUMNS", "LINES") and not name.upper().startswith("SALESOPS_")}
    salesops = Path(sys.executable).with_name("salesops")
    piped = subprocess.run([str(salesops), "check", str(book)], capture_output=True, text=True,
                           env=env, check=False)
    assert piped.returncode == 2, piped.stderr
    assert "┃" not in piped.stdout and "\x1b[" not in piped.stdout  # no table, no colours
    blocks = issue_blocks(piped.stdout)
    assert blocks and all(block.split()[0] in ("Error", "Warning") for block in blocks)
    assert f'"{UNKNOWN_STAGE}" is not a stage of the Stages tab' in " ".join(blocks)


@pytest.mark.parametrize(("width", "table"), [(160, True), (119, False)])
def test_a_wide_terminal_gets_the_table(width, table):
    from sync.cli import print_issues
    from sync.contract.tables import Issue

    class Report:
        issues = [Issue(tab="Orders", row=2, column="Amount", value="1.2k", severity="Error",
                        problem='"1.2k" is not accepted as a number: type the full number')]

    out = io.StringIO()
    print_issues(Console(file=out, force_terminal=True, width=width), Report())  # type: ignore[arg-type]
    assert ("Problem" in out.getvalue()) is table
    assert ("Error\x1b[0m   Orders row 2, Amount: " in out.getvalue()) is not table  # red


@pytest.mark.parametrize("spelling", ["zh-CN", "zh_CN", "zh-cn", "ZH-CN"])
def test_locale_accepts_zh_cn_as_the_help_spells_it(tmp_path, spelling):
    from sync.backends.xlsx.backend import XlsxBackend

    result = run("init", "zh.xlsx", "--locale", spelling)
    assert result.exit_code == 0, result.output
    headers = XlsxBackend(tmp_path / "zh.xlsx").read(["Orders"])["Orders"][0]
    assert headers == [column.zh for column in tab_spec("Orders").columns]


def test_an_unknown_locale_names_the_two_spellings():
    result = run("init", "x.xlsx", "--locale", "cn")
    assert result.exit_code == 1
    assert '"cn" is not a locale: use en or zh-CN' in result.output


def test_an_ods_file_is_told_to_be_saved_as_xlsx(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "sales.ods", "w") as package:  # how LibreOffice lays it out
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", "<office:document-content/>")
        package.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    result = run("check", "sales.ods")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: sales.ods is an OpenDocument (.ods) file, not an .xlsx workbook: open it in "
        "LibreOffice and save it as an Excel 2007-365 (.xlsx) workbook.")


def test_serve_on_a_port_in_use_says_so(tmp_path, monkeypatch):
    import socket

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("SALESOPS_QUEUE", f"sqlite:///{tmp_path / 'q.sqlite3'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--no-worker")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot listen on 127.0.0.1:{port} (Address already in use): stop the program "
        "that uses it or choose another --port.\n"
    )


def test_serve_without_a_secret_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESOPS_WEBHOOK_SECRET", raising=False)
    result = run("serve", "--no-worker")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no webhook secret: set SALESOPS_WEBHOOK_SECRET")

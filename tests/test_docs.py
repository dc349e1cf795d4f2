"""The docs tell the truth: README links exist, its commands exist and have help, and the
demo transcript shows what the demo prints."""

import os
import re
import shlex
import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.cli import format_kpi, plural
from sync.cli import main as cli
from sync.demo.workbook import write_demo_workbook
from sync.engine import sync_workbook

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_relative_link_points_to_a_file(doc):
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_the_readme_shows_the_two_set_up_commands_and_the_makefile_has_them():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in ("demo", "test"):
        assert f"make {command}" in README
        assert re.search(rf"^{command}:", makefile, re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(set(re.findall(r"`salesops (\w+)", README))))
def test_every_command_the_readme_names_exists_and_has_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output and len(result.output.splitlines()) > 4


def transcript_figures(doc: Path) -> tuple[date, dict[str, str], dict[str, str]]:
    """The As Of date, key figures and summary lines of the first `salesops demo` transcript."""
    text = doc.read_text(encoding="utf-8")
    transcript = text[text.index("salesops demo demo.xlsx\nKey figures"):]
    transcript = transcript[: transcript.index("```")]
    kpis = dict(re.findall(r"^│ ([A-Za-z ]+?) +│ +(\S+) │$", transcript, re.MULTILINE))
    summary = {}
    for label, lines in re.findall(r"^(Read|Issues|Wrote) +(.+(?:\n {8}.+)*)", transcript,
                                   re.MULTILINE):
        summary[label] = " ".join(lines.split())
    as_of = date.fromisoformat(re.search(r"^As of +(\S+)", transcript, re.MULTILINE).group(1))
    return as_of, kpis, summary


@pytest.mark.parametrize("doc", [ROOT / "README.md", ROOT / "docs" / "cli.md"],
                         ids=lambda path: path.name)
def test_the_demo_transcript_is_what_the_demo_prints_on_its_day(doc, tmp_path):
    as_of, kpis, summary = transcript_figures(doc)
    assert len(kpis) == 13
    book = write_demo_workbook(tmp_path / "demo.xlsx", today=as_of)
    report = sync_workbook(XlsxBackend(book), now=datetime.combine(as_of, time(9, 30)))
    assert {kpi.name: format_kpi(kpi, report.currency) for kpi in report.kpis} == kpis
    assert summary["Read"] == ", ".join(f"{tab} {n:,}" for tab, n in report.rows_read.items())
    issues = f"{plural(report.error_count, 'error')}, {plural(report.warning_count, 'warning')}"
    assert summary["Issues"] == f"{issues} (see the Data Issues tab)"
    assert summary["Wrote"] == f"{', '.join(report.tabs_written)}: {report.cells_written:,} cells"


# Every `salesops ...` command the docs show runs ------------------------------------------

SHEET_ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
# Commands SPEC section 6 names that this version does not have yet: the docs may name them
# only as coming, and each must stay a SPEC command.
NOT_YET_BUILT = {
}
# Stand-ins for the placeholders the docs write.
PLACEHOLDERS = {"[PATH]": "sales.xlsx", "PATH": "sales.xlsx", "ID": SHEET_ID, "1AbC…": SHEET_ID,
                "[--sheet ID]": f"--sheet {SHEET_ID}", "[--period P]": "", "[--send]": "",
                "[--to EMAIL…]": "", "[--to EMAIL...]": "", "[--smtp URL]": "", "DIR": "out"}
# Commands that send e-mail run against a real SMTP server the test starts.
MAILING_OPTIONS = {"--send", "--to", "--smtp"}
# Commands that run until stopped: the docs test checks their help names every option shown.
LONG_RUNNING = {"serve", "worker", "watch"}
# The exports the docs' import examples name, from the realistic ones the import tests use.
EXPORTS = ROOT / "tests" / "data" / "imports"
EXPORT_FILES = {"deals.csv": "hubspot_deals.csv", "orders_export.csv": "shopify_orders.csv"}
# Exit statuses SPEC section 6 gives: `check` says 2 when the workbook has an Error.
ALLOWED_EXIT = {"check": {0, 2}}


def documented_commands() -> dict[str, list[str]]:
    """Every `salesops ...` command line in README.md and docs/*.md -> the docs naming it."""
    found: dict[str, list[str]] = {}

    def add(text: str, doc: Path) -> None:
        command = re.split(r"\s(?:;|\|\||&&|\||#)\s?|;", " ".join(text.split()), maxsplit=1)[0]
        if re.match(r"salesops [a-z]", command):
            found.setdefault(command.strip(), []).append(doc.name)

    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M):
            for line in block.splitlines():
                if match := re.match(r"\s*(?:\$\s+)?(salesops\s.*)$", line):
                    add(match.group(1), doc)
        for line in text.splitlines():
            if match := re.match(r"^ {4}(?:\$ )?(salesops\s.*)$", line):
                add(match.group(1), doc)
        for inline in re.findall(r"(?<!`)`(salesops\s[^`]+)`", text):
            add(inline, doc)
    return found


COMMANDS = documented_commands()


def concrete(command: str) -> list[str]:
    """The arguments of a documented command, placeholders replaced by runnable values."""
    for placeholder, value in PLACEHOLDERS.items():
        command = re.sub(rf"(?<![\w\[]){re.escape(placeholder)}(?![\w\]])", value, command)
    return shlex.split(command)[1:]


def test_the_docs_name_commands():
    assert {"salesops demo demo.xlsx", "salesops init PATH", "salesops sync --sheet ID",
            "salesops check demo.xlsx"} <= set(COMMANDS)


def test_every_command_not_built_yet_is_named_in_spec():
    spec = (ROOT.parent.parent / "shared" / "SPEC.md")
    text = spec.read_text(encoding="utf-8") if spec.exists() else ""
    for name in NOT_YET_BUILT:
        assert name not in cli.commands, f"{name} is built now: run it in the docs test"
        if text:
            assert f"`salesops {name}" in text, f"SPEC names no `salesops {name}`"


@pytest.fixture(scope="module")
def synced_demo(tmp_path_factory) -> Path:
    """The demo workbook, written and synced once; each command gets its own copy."""
    book = write_demo_workbook(tmp_path_factory.mktemp("demo") / "demo.xlsx")
    sync_workbook(XlsxBackend(book))
    return book


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=lambda command: command)
def test_every_documented_command_runs(command, synced_demo, tmp_path, monkeypatch, request):
    name = command.split()[1]
    if name in NOT_YET_BUILT:
        assert name not in cli.commands, f"{name} is built now: remove it from NOT_YET_BUILT"
        return  # named as coming (see NOT_YET_BUILT for why it cannot run here)
    assert name in cli.commands, f"{COMMANDS[command]} name a command that does not exist"
    if name in LONG_RUNNING or (name == "import" and "--tab" not in command):
        # A long-running command, or a synopsis of import: its help names every option shown.
        shown = CliRunner().invoke(cli, [name, "--help"], env={"COLUMNS": "200"})
        assert shown.exit_code == 0, shown.output
        for option in re.findall(r"--[a-z][a-z-]*", command):
            assert option in shown.output, f"{command}: {option} is not an option of {name}"
        return
    for variable in [v for v in os.environ if v.upper().startswith("SALESOPS_")]:
        monkeypatch.delenv(variable)
    monkeypatch.chdir(tmp_path)
    args = concrete(command)
    if "--sheet" in args:
        from sync.demo.workbook import demo_grids
        from tests.sheets_emulator.fixtures import CLIENT_EMAIL

        emulator = request.getfixturevalue("sheets_env")
        emulator.create(SHEET_ID, demo_grids(), editors=(CLIENT_EMAIL,))
    elif name in ("sync", "check", "init", "statements", "digest") and not any(
            a.endswith(".xlsx") for a in args):
        args.append("sales.xlsx")  # named in prose without its workbook
    for arg in (a for a in args if a in EXPORT_FILES):
        shutil.copy(EXPORTS / EXPORT_FILES[arg], tmp_path / arg)
    if name == "statements" and "--out" not in args:
        args += ["--out", "out"]
    for arg in (a for a in args if a.endswith(".xlsx")):
        if name == "init" and arg == "budget.xlsx":
            owners_budget = Workbook()
            owners_budget.active.append(["Month", "Spend"])
            owners_budget.save(tmp_path / arg)  # init's example: an owner's other file
        else:
            shutil.copy(synced_demo, tmp_path / arg)
    env = {"COLUMNS": "200", "SALESOPS_STATE_DIR": str(tmp_path / "state")}
    if MAILING_OPTIONS & set(args):
        inbox = request.getfixturevalue("smtp_for_docs")
        env["SALESOPS_SMTP_URL"] = inbox.url
        args = [inbox.url if arg.startswith("smtp://") else arg for arg in args]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code in ALLOWED_EXIT.get(name, {0}), (command, args, result.output)
    assert "Traceback" not in result.output and "Error:" not in result.output, result.output


@pytest.fixture
def smtp_for_docs():
    """A real SMTP server for a documented command that sends mail."""
    from tests.smtp_server import smtp_inbox

    with smtp_inbox() as inbox:
        yield inbox


def load_run_all():
    """benchmarks/run_all.py as a module (benchmarks/ is a folder of scripts)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_all", ROOT / "benchmarks" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_bench_runs_the_script_that_rewrites_the_performance_tables():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^bench: install\n\t\$\(BIN\)/python benchmarks/run_all.py$", makefile,
                     re.MULTILINE)
    run_all = load_run_all()
    output = "writing...\n| size | s |\n|---|---|\n| 1 | 0.40 |\ndone\n"
    table = run_all.markdown_table(output)
    assert table == "| size | s |\n|---|---|\n| 1 | 0.40 |"
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    updated = run_all.replace_section_table(page, run_all.XLSX_SECTION, table)
    # Only the first table of the .xlsx section changed; the words and other sections stay.
    before, after = page.split(run_all.XLSX_SECTION), updated.split(run_all.XLSX_SECTION)
    assert before[0] == after[0]
    assert "| 1 | 0.40 |" in after[1].split("\n## ")[0]
    assert after[1].split("\n## ", 1)[1] == before[1].split("\n## ", 1)[1]
    assert "The demo business at 1, 10 and 25 times its size" in after[1]

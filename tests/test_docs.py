"""The docs tell the truth: README links exist, its commands exist and have help, and the
demo transcript shows what the demo prints."""

import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.backends.xlsx import XlsxBackend
from sync.cli import format_kpi, plural
from sync.cli import main as cli
from sync.demo import write_demo_workbook
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

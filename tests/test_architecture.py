"""The layout shows the architecture: I/O libraries stay at the edges."""

import ast
import re
from pathlib import Path

import pytest

SYNC = Path(__file__).resolve().parent.parent / "sync"
IO_LIBRARIES = {"gspread", "google", "openpyxl", "python_calamine", "requests", "flask",
                "zipfile", "httplib2", "urllib3", "socket", "http"}
# About 400 lines: a module a reader takes in at one sitting (the longest today is 463).
LONGEST = 470
# The one place each backend's library may be imported.
ALLOWED = {
    "gspread": {"backends/sheets/auth.py"},
    "google": {"backends/sheets/auth.py"},
    "requests": {"backends/sheets/auth.py"},
    "python_calamine": {"backends/xlsx/read.py"},
    "openpyxl": {"backends/xlsx/template.py"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "module", sorted(p.relative_to(SYNC).as_posix() for p in (SYNC / "compute").glob("*.py"))
)
def test_compute_modules_import_no_io_library(module):
    assert not imported_roots(SYNC / module) & IO_LIBRARIES


@pytest.mark.parametrize("library", sorted(ALLOWED))
def test_each_backend_library_is_imported_in_one_place(library):
    importers = {
        path.relative_to(SYNC).as_posix()
        for path in SYNC.rglob("*.py")
        if library in imported_roots(path)
    }
    assert importers <= ALLOWED[library]


SERVER = SYNC / "server"


@pytest.mark.parametrize("module", sorted(p.name for p in SERVER.glob("*.py")))
def test_the_server_library_imports_no_flask(module):
    # The worker and the tests use it without a web framework; webhook_app.py is the shell.
    assert "flask" not in imported_roots(SERVER / module)


def test_the_webhook_app_holds_only_the_factory_and_routes():
    tree = ast.parse((SYNC.parent / "webhook_app.py").read_text(encoding="utf-8"))
    top_functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert top_functions == ["create_app", "queue_of"]


def test_the_architecture_page_names_every_module():
    """docs/architecture.md lists each module under its folder's heading."""
    page = (SYNC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(sync[\w/]*)/`\n(.*?)(?=^### |\Z)", page, re.M | re.S))
    for path in sorted(SYNC.rglob("*.py")):
        folder = path.parent.relative_to(SYNC.parent).as_posix()
        if path.name == "__init__.py" and folder != "sync":
            continue
        assert folder in sections, f"docs/architecture.md has no section for {folder}/"
        assert f"`{path.name}`" in sections[folder], f"{folder}/{path.name} is not described"


def test_no_module_grows_past_about_four_hundred_lines():
    sizes = {path.relative_to(SYNC).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in SYNC.rglob("*.py")}
    assert {name: size for name, size in sizes.items() if size > LONGEST} == {}


def test_importing_the_compute_modules_reads_no_declaration():
    """The tab declarations are read once, on first use, never as a side effect of import."""
    import subprocess
    import sys

    modules = sorted(p.stem for p in (SYNC / "compute").glob("*.py") if p.stem != "__init__")
    script = "\n".join([
        *(f"import sync.compute.{name}" for name in modules),
        "import sync.write.dashboard_layout",
        "from sync.schema.declarations import computed_tabs, input_tabs",
        "print(computed_tabs.cache_info().currsize, input_tabs.cache_info().currsize)",
    ])
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           cwd=SYNC.parent, check=True)
    assert found.stdout.split() == ["0", "0"]

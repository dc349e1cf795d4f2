"""The Google Sheets add-on: its generated files are current, and its Node tests and type
check pass (they run the add-on's own code under Apps Script stand-ins, and its sidebar in
headless Chromium)."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "addon"
NODE_ENV = {
    **os.environ,
    "PUPPETEER_SKIP_DOWNLOAD": "1",
    "npm_config_audit": "false",
    "npm_config_fund": "false",
    "npm_config_update_notifier": "false",
}


def _build_module():
    spec = importlib.util.spec_from_file_location("addon_build", ADDON / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ADDON, env=NODE_ENV, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """addon/node_modules, installed from the committed lockfile when missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(
            "Node.js and npm are needed for the add-on's tests: `bash .ci/run` installs them."
        )
    folder = ADDON / "node_modules"
    if not (folder / ".package-lock.json").exists():
        result = _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"])
        assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_the_generated_files_match_the_declarations_and_the_deployment():
    result = subprocess.run(
        [sys.executable, str(ADDON / "build.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_templates_js_holds_every_input_tab_with_its_chinese_name():
    text = (ADDON / "Templates.js").read_text(encoding="utf-8")
    from sync.schema import computed_tabs, input_tabs

    for spec in (*input_tabs(), *computed_tabs()):
        assert f'"tab": "{spec.tab}"' in text and f'"zh": "{spec.zh}"' in text


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("https://salesops.example.com", "https://salesops.example.com/"),
        ("https://salesops.example.com/", "https://salesops.example.com/"),
        (" https://ops.example.org:8443/acme ", "https://ops.example.org:8443/acme/"),
    ],
)
def test_a_server_url_becomes_a_whitelist_prefix(url, prefix):
    assert build.server_prefix(url) == prefix


@pytest.mark.parametrize("url", ["http://salesops.example.com", "salesops.example.com", "https://"])
def test_a_server_url_that_google_would_refuse_is_refused(url):
    with pytest.raises(build.BuildError, match="must be an https:// address with a host name"):
        build.server_prefix(url)


def test_the_manifest_asks_for_the_narrowest_scopes_and_whitelists_the_server():
    deployment = {
        "server_urls": ["https://ops.example.org/"],
        "time_zone": "Europe/Paris",
        "editor_add_on": True,
    }
    manifest = build.manifest_json(deployment)
    assert '"urlFetchWhitelist": [\n    "https://ops.example.org/"\n  ]' in manifest
    assert '"runtimeVersion": "V8"' in manifest and '"exceptionLogging": "STACKDRIVER"' in manifest
    assert [
        line.strip(' ",') for line in manifest.splitlines() if "googleapis.com/auth" in line
    ] == [
        "https://www.googleapis.com/auth/spreadsheets.currentonly",
        "https://www.googleapis.com/auth/script.external_request",
        "https://www.googleapis.com/auth/script.scriptapp",
        "https://www.googleapis.com/auth/script.container.ui",
    ]
    assert "var SALESOPS_EDITOR_ADD_ON = true;" in build.deployment_js(deployment)


def test_build_check_with_a_bad_url_says_what_to_do_and_writes_nothing():
    before = (ADDON / "appsscript.json").read_bytes()
    result = subprocess.run(
        [sys.executable, str(ADDON / "build.py"), "--server-url", "http://x.example", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: server URL 'http://x.example' must be an https://")
    assert (ADDON / "appsscript.json").read_bytes() == before


def test_the_node_tests_pass(node_modules):
    tests = sorted(str(path.relative_to(ADDON)) for path in (ADDON / "test").glob("*.test.mjs"))
    assert len(tests) >= 6
    result = _run(["node", "--test", *tests])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def test_the_scripts_type_check_against_the_apps_script_types(node_modules):
    result = _run([str(node_modules / ".bin" / "tsc"), "-p", "tsconfig.json"])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", ["UrlFetchApp", "computeHmacSha256Signature"])
def test_only_the_signed_transport_reaches_the_server(service):
    users = sorted(p.name for p in ADDON.glob("*.js") if service in p.read_text(encoding="utf-8"))
    assert users == ["Transport.js"]


def test_the_trigger_handlers_are_the_global_functions_the_protocol_names():
    triggers = (ADDON / "Triggers.js").read_text(encoding="utf-8")
    assert "function onSheetEdit(e) {" in triggers and "function onSheetChange(e) {" in triggers
    transport = (ADDON / "Transport.js").read_text(encoding="utf-8")
    for name in ("'SALESOPS_SERVER_URL'", "'SALESOPS_WEBHOOK_SECRET'", "'/hooks/sheets-edit'"):
        assert name in transport


def run_addon(url: str, secret: str, spreadsheet_id: str, *args: str) -> dict:
    """Run the add-on's own trigger code against a server (addon/test/run_edit.mjs).

    `args`: `--tab T --range A1`, `--change INSERT_ROW`, `--recompute` or `--test-connection`.
    Returns the printed JSON: outcome, requests, toasts, last_refusal.
    """
    command = ["node", "test/run_edit.mjs", "--url", url, "--secret", secret,
               "--spreadsheet", spreadsheet_id, *args]  # fmt: skip
    result = _run(command)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def reference_server():
    """The add-on tests' section-7 reference server, allowing spreadsheet `sheet-1`."""
    process = subprocess.Popen(
        ["node", "test/reference_server.mjs", "--secret=s3cret-for-tests", "--allow=sheet-1"],
        cwd=ADDON, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("listening "), line
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_python_drives_the_add_on_against_a_server(node_modules, reference_server):
    edit = run_addon(reference_server, "s3cret-for-tests", "sheet-1", "--tab", "Orders",
                     "--range", "A2:H40")  # fmt: skip
    assert edit["outcome"]["status"] == 202
    assert json.loads(edit["requests"][0]["payload"])["range"] == "A2:H40"
    wrong = run_addon(reference_server, "not-the-secret", "sheet-1", "--test-connection")
    assert wrong["outcome"]["kind"] == "signature"
    assert wrong["outcome"]["message"].startswith("The server refused the secret.")

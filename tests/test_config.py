"""Configuration: defaults -> config.yaml -> SALESOPS_ variables -> overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.config import DEFAULT_QUEUE, Config, load_config
from sync.errors import ConfigError

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No SALESOPS_ variables and an empty working directory, so only the test's values count."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("SALESOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_config(folder: Path, text: str) -> Path:
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file():
    config = load_config()
    assert config.backend == "xlsx"
    assert config.workbook is None and config.spreadsheet_id is None
    assert config.google_credentials is None
    assert config.sheets_api_url == "https://sheets.googleapis.com"
    assert config.locale == "en"
    assert config.webhook_secret is None
    assert config.allowed_spreadsheets == []
    assert config.debounce_seconds == 3 and config.max_delay_seconds == 30
    assert config.queue == DEFAULT_QUEUE == "sqlite:///salesops-queue.sqlite3"
    assert config.queue_path == Path("salesops-queue.sqlite3")
    assert config.log_level == "INFO"


def test_the_shipped_config_yaml_holds_the_defaults(monkeypatch):
    monkeypatch.setenv("SALESOPS_CONFIG", str(REPO_CONFIG))
    assert load_config().model_dump() == Config.model_construct().model_dump()
    assert "webhook_secret:" not in [line.split()[0] for line in
                                     REPO_CONFIG.read_text().splitlines() if line.strip()
                                     and not line.startswith("#")]


def test_config_yaml_in_the_working_directory(tmp_path):
    write_config(tmp_path, "backend: sheets\nspreadsheet_id: abc123\ndebounce_seconds: 5\n")
    config = load_config()
    assert (config.backend, config.spreadsheet_id, config.debounce_seconds) == (
        "sheets", "abc123", 5
    )


def test_salesops_config_points_to_another_file(tmp_path, monkeypatch):
    write_config(tmp_path, "log_level: ERROR\n")
    other = tmp_path / "etc"
    other.mkdir()
    monkeypatch.setenv("SALESOPS_CONFIG", str(write_config(other, "log_level: DEBUG\n")))
    assert load_config().log_level == "DEBUG"


def test_salesops_config_to_a_missing_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SALESOPS_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match=r"SALESOPS_CONFIG points to .*nope\.yaml"):
        load_config()


@pytest.mark.parametrize(
    ("file_value", "env_value", "override", "expected"),
    [
        (None, None, None, 3.0),  # default
        ("4", None, None, 4.0),  # config.yaml beats the default
        ("4", "5", None, 5.0),  # the environment beats config.yaml
        ("4", "5", 6, 6.0),  # an explicit override beats everything
        (None, "5", None, 5.0),
        (None, None, 6, 6.0),
    ],
)
def test_layering(tmp_path, monkeypatch, file_value, env_value, override, expected):
    if file_value is not None:
        write_config(tmp_path, f"debounce_seconds: {file_value}\n")
    if env_value is not None:
        monkeypatch.setenv("SALESOPS_DEBOUNCE_SECONDS", env_value)
    overrides = {} if override is None else {"debounce_seconds": override}
    assert load_config(**overrides).debounce_seconds == expected


# A value other than the default for every key, as an environment variable spells it, and
# what the loaded configuration then holds.
EVERY_KEY = {
    "backend": ("sheets", "sheets"),
    "workbook": ("/srv/books/sales.xlsx", Path("/srv/books/sales.xlsx")),
    "spreadsheet_id": ("1AbC", "1AbC"),
    "google_credentials": ("/srv/keys/key.json", Path("/srv/keys/key.json")),
    "sheets_api_url": ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
    "drive_api_url": ("http://127.0.0.1:9001", "http://127.0.0.1:9001"),
    "locale": ("zh-CN", "zh-CN"),
    "webhook_secret": ("s3cret", "s3cret"),
    "allowed_spreadsheets": ("id1,id2", ["id1", "id2"]),
    "debounce_seconds": ("5", 5.0),
    "max_delay_seconds": ("60", 60.0),
    "queue": ("redis://cache:6379/0", "redis://cache:6379/0"),
    "lease_seconds": ("45", 45.0),
    "log_level": ("WARNING", "WARNING"),
    "smtp_url": ("smtps://mail.example.com", "smtps://mail.example.com"),
    "smtp_username": ("ana", "ana"),
    "smtp_password": ("pa55", "pa55"),
    "mail_from": ("Sales <sales@example.com>", "Sales <sales@example.com>"),
    "state_dir": ("/srv/state", Path("/srv/state")),
    "cache_dir": ("/srv/cache", Path("/srv/cache")),
}
ENV_ONLY = {"webhook_secret", "smtp_username", "smtp_password"}


def test_every_key_has_an_example_here():
    assert sorted(EVERY_KEY) == sorted(Config.model_fields)


@pytest.mark.parametrize("key", sorted(EVERY_KEY))
def test_every_key_is_overridden_by_its_environment_variable(tmp_path, monkeypatch, key):
    text, expected = EVERY_KEY[key]
    if key not in ENV_ONLY:  # secrets may not be in the file at all
        default = Config.model_construct().model_dump()[key]
        write_config(tmp_path, f"{key}: {default!r}\n" if default is not None else f"{key}:\n")
    monkeypatch.setenv(f"SALESOPS_{key.upper()}", text)
    value = getattr(load_config(), key)
    if key in ("webhook_secret", "smtp_password"):
        value = value.get_secret_value()
    assert value == expected
    assert value != Config.model_construct().model_dump()[key]


def test_a_misspelt_variable_is_named_in_a_warning(monkeypatch, caplog):
    monkeypatch.setenv("SALESOPS_DEBOUNCE", "5")
    monkeypatch.setenv("SALESOPS_LOG_LEVEL", "INFO")
    monkeypatch.setenv("OTHER_DEBOUNCE", "5")
    with caplog.at_level("WARNING", logger="sync.config"):
        config = load_config()
    assert config.debounce_seconds == 3.0
    assert caplog.messages == [
        "SALESOPS_DEBOUNCE is not a setting and is ignored; did you mean SALESOPS_DEBOUNCE_SECONDS?"
    ]


def test_none_overrides_are_ignored(monkeypatch):
    monkeypatch.setenv("SALESOPS_LOCALE", "zh-CN")
    assert load_config(locale=None).locale == "zh-CN"


def test_allowed_spreadsheets_from_the_environment_is_comma_separated(monkeypatch):
    monkeypatch.setenv("SALESOPS_ALLOWED_SPREADSHEETS", " abc, def ,,ghi")
    assert load_config().allowed_spreadsheets == ["abc", "def", "ghi"]


def test_allowed_spreadsheets_from_config_yaml_is_a_list(tmp_path):
    write_config(tmp_path, "allowed_spreadsheets:\n  - abc\n  - def\n")
    assert load_config().allowed_spreadsheets == ["abc", "def"]


def test_webhook_secret_from_the_environment_is_kept_hidden(monkeypatch):
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", "s3cret")
    config = load_config()
    assert config.webhook_secret is not None
    assert config.webhook_secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(config)


def test_webhook_secret_in_config_yaml_is_refused(tmp_path):
    write_config(tmp_path, "webhook_secret: s3cret\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert "webhook_secret must not be stored in the file" in message
    assert "SALESOPS_WEBHOOK_SECRET" in message
    assert "s3cret" not in message


def test_relative_paths_in_config_yaml_are_taken_from_its_folder(tmp_path, monkeypatch):
    folder = tmp_path / "ops"
    folder.mkdir()
    monkeypatch.setenv("SALESOPS_CONFIG", str(write_config(
        folder, "workbook: books/sales.xlsx\ngoogle_credentials: key.json\n"
    )))
    config = load_config()
    assert config.workbook == (folder / "books" / "sales.xlsx").resolve()
    assert config.google_credentials == (folder / "key.json").resolve()


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("locale", "zh_cn", "zh-CN"),
        ("locale", "EN", "en"),
        ("log_level", "debug", "DEBUG"),
        ("backend", "Sheets", "sheets"),
        ("sheets_api_url", "http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("drive_api_url", " http://127.0.0.1:8080/ ", "http://127.0.0.1:8080"),
        ("queue", "redis://cache:6379/0", "redis://cache:6379/0"),
        ("spreadsheet_id", "  ", None),
    ],
)
def test_spellings_are_normalised(monkeypatch, key, value, expected):
    monkeypatch.setenv(f"SALESOPS_{key.upper()}", value)
    # An all-blank variable counts as unset.
    assert getattr(load_config(), key) == expected


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("backend", "excel", "Input should be 'xlsx' or 'sheets'"),
        ("locale", "fr", "Input should be 'en' or 'zh-CN'"),
        ("debounce_seconds", "soon", "valid number"),
        ("debounce_seconds", "-1", "from 0 to 3600"),
        ("max_delay_seconds", "0", "positive number of seconds"),
        ("lease_seconds", "0.5", "from 1 to 3600"),
        ("queue", "mysql://db/queue", "sqlite:///path/to/queue.sqlite3 or a redis://"),
        ("queue", "sqlite:///", "sqlite:///path/to/queue.sqlite3"),
        ("sheets_api_url", "sheets.googleapis.com", "http(s) URL"),
        ("drive_api_url", "www.googleapis.com", "http(s) URL such as https://www.googleapis.com"),
        ("log_level", "LOUD", "'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'"),
    ],
)
@pytest.mark.parametrize("source", ["config.yaml", "environment"])
def test_a_bad_value_names_the_key_and_its_source(tmp_path, monkeypatch, key, value, fragment,
                                                  source):
    if source == "environment":
        monkeypatch.setenv(f"SALESOPS_{key.upper()}", value)
        where = f"SALESOPS_{key.upper()}"
    else:
        where = str(write_config(tmp_path, f"{key}: '{value}'\n"))
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert message.startswith(f"Bad configuration: {key} = '{value}' (from {where}): ")
    assert fragment in message


def test_a_bad_override_names_the_command_line():
    with pytest.raises(ConfigError, match=r"backend = 'ftp' \(from the command line\)"):
        load_config(backend="ftp")


def test_max_delay_must_not_be_shorter_than_the_debounce(monkeypatch):
    monkeypatch.setenv("SALESOPS_DEBOUNCE_SECONDS", "40")
    with pytest.raises(ConfigError, match=r"max_delay_seconds = 30\.0 .*at least debounce_seconds"):
        load_config()


def test_building_config_directly_also_raises_config_error():
    with pytest.raises(ConfigError, match="locale"):
        Config(locale="klingon")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("debounce_second: 5\n", "unknown key debounce_second. Did you mean debounce_seconds?"),
        ("colour: blue\n", "unknown key colour."),
        ("- a\n- b\n", "should hold `key: value` lines, not a list"),
        ("backend: [xlsx\n", "is not valid YAML"),
    ],
)
def test_a_malformed_config_yaml_says_what_is_wrong(tmp_path, text, fragment):
    write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert fragment in str(caught.value)
    assert "config.yaml" in str(caught.value)


def test_an_empty_config_yaml_means_defaults(tmp_path):
    write_config(tmp_path, "# nothing set yet\n")
    assert load_config() == Config()


@given(value=st.text(max_size=40))
def test_any_queue_value_is_accepted_or_named_in_the_error(value):
    try:
        config = load_config(queue=value)
    except ConfigError as error:
        assert str(error).startswith("Bad configuration: queue = ")
    else:
        assert config.queue.startswith(("sqlite:///", "redis://", "rediss://"))


@pytest.mark.parametrize("key", ["smtp_username", "smtp_password"])
def test_mail_credentials_are_refused_in_the_file(tmp_path, key):
    write_config(tmp_path, f"{key}: x\n")
    with pytest.raises(ConfigError, match=f"SALESOPS_{key.upper()} environment variable"):
        load_config()


def test_digest_snapshots_default_beside_the_sqlite_queue(tmp_path):
    config = load_config(queue=f"sqlite:///{tmp_path}/q/queue.sqlite3")
    assert config.digest_dir == tmp_path / "q" / "salesops-state"
    assert load_config(state_dir=tmp_path / "s").digest_dir == tmp_path / "s"

"""The operator's settings: defaults, then config.yaml, then SALESOPS_ variables, then overrides.

`config.yaml` is read from the working directory, or from the path in `SALESOPS_CONFIG`.
Every key can be set by an environment variable named `SALESOPS_` + the key in capitals
(`SALESOPS_DEBOUNCE_SECONDS=5`); `allowed_spreadsheets` takes a comma-separated list there.
The webhook secret is read from the environment only. A bad value raises `ConfigError`
naming the key and where the value came from.
"""

from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from sync.errors import ConfigError

if TYPE_CHECKING:
    from sync.mail import SmtpServer

ENV_PREFIX = "SALESOPS_"
CONFIG_FILE_NAME = "config.yaml"
CONFIG_PATH_VARIABLE = "SALESOPS_CONFIG"
DEFAULT_QUEUE = "sqlite:///salesops-queue.sqlite3"
ENV_ONLY_KEYS = frozenset({"webhook_secret", "smtp_username", "smtp_password"})
# Keys holding a file path: a relative path in config.yaml is taken from the file's folder,
# so the same config works whatever directory the command is started from.
PATH_KEYS = frozenset({"workbook", "google_credentials", "state_dir", "cache_dir"})

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

log = logging.getLogger(__name__)


def config_file_path() -> Path | None:
    """The config.yaml to read: `SALESOPS_CONFIG`, else ./config.yaml if it exists."""
    explicit = os.environ.get(CONFIG_PATH_VARIABLE, "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"{CONFIG_PATH_VARIABLE} points to {path}, which is not a file. "
                f"Fix the path or unset {CONFIG_PATH_VARIABLE} to use ./{CONFIG_FILE_NAME}."
            )
        return path
    local = Path.cwd() / CONFIG_FILE_NAME
    return local if local.is_file() else None


def read_config_file(path: Path) -> dict[str, Any]:
    """The settings in a config.yaml, checked for unknown and environment-only keys."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path} cannot be read: {error.strerror or error}.") from error
    except yaml.YAMLError as error:
        raise ConfigError(
            f"{path} is not valid YAML ({error}). Each line should read `key: value`."
        ) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ConfigError(f"{path} should hold `key: value` lines, not {kind}.")
    known = set(Config.model_fields)
    settings: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key)
        if name in ENV_ONLY_KEYS:
            raise ConfigError(
                f"{path}: {name} must not be stored in the file. Remove it and set the "
                f"{ENV_PREFIX}{name.upper()} environment variable instead."
            )
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise ConfigError(f"{path}: unknown key {name}.{hint}")
        if name in PATH_KEYS and isinstance(value, str) and value.strip():
            value = str((path.parent / Path(value).expanduser()).resolve())
        settings[name] = value
    return settings


class Config(BaseSettings):
    """The operator's settings (not the owner's: those live in the Settings tab)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", env_ignore_empty=True, validate_default=True
    )

    backend: Literal["xlsx", "sheets"] = "xlsx"
    workbook: Path | None = None
    spreadsheet_id: str | None = None
    google_credentials: Path | None = None
    sheets_api_url: str = "https://sheets.googleapis.com"
    drive_api_url: str = "https://www.googleapis.com"
    locale: Literal["en", "zh-CN"] = "en"
    webhook_secret: SecretStr | None = None
    allowed_spreadsheets: Annotated[list[str], NoDecode] = []
    debounce_seconds: float = 3.0
    max_delay_seconds: float = 30.0
    queue: str = DEFAULT_QUEUE
    lease_seconds: float = 30.0
    log_level: LogLevel = "INFO"
    smtp_url: str | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "SalesOps <salesops@localhost>"
    state_dir: Path | None = None
    cache_dir: Path | None = None

    def __init__(self, **overrides: Any) -> None:
        try:
            super().__init__(**overrides)
        except ValidationError as error:
            raise ConfigError(describe_errors(error, overrides)) from error

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Overrides win over the environment, which wins over config.yaml."""
        path = config_file_path()
        file_values = read_config_file(path) if path else {}
        return init_settings, env_settings, InitSettingsSource(settings_cls, file_values)

    @field_validator("spreadsheet_id", "workbook", "google_credentials", "smtp_url",
                     "state_dir", "cache_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("locale", mode="before")
    @classmethod
    def _locale_spelling(cls, value: Any) -> Any:
        # zh_CN and zh-cn are the same wish; keep one spelling downstream.
        if isinstance(value, str) and value.strip().lower().replace("_", "-") == "zh-cn":
            return "zh-CN"
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("backend", mode="before")
    @classmethod
    def _backend_spelling(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_spelling(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("sheets_api_url", "drive_api_url")
    @classmethod
    def _api_url(cls, value: str, info: ValidationInfo) -> str:
        url = value.strip().rstrip("/")
        if not url.startswith(("https://", "http://")) or len(url.split("://", 1)[1]) == 0:
            example = cls.model_fields[str(info.field_name)].default
            raise ValueError(f"must be an http(s) URL such as {example}")
        return url

    @field_validator("allowed_spreadsheets", mode="before")
    @classmethod
    def _id_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("debounce_seconds")
    @classmethod
    def _debounce(cls, value: float) -> float:
        if not 0 <= value <= 3600:
            raise ValueError("must be a number of seconds from 0 to 3600, e.g. 3")
        return value

    @field_validator("max_delay_seconds")
    @classmethod
    def _max_delay(cls, value: float, info: ValidationInfo) -> float:
        debounce = info.data.get("debounce_seconds")
        if value <= 0:
            raise ValueError("must be a positive number of seconds, e.g. 30")
        if debounce is not None and value < debounce:
            raise ValueError(f"must be at least debounce_seconds ({debounce:g})")
        return value

    @field_validator("lease_seconds")
    @classmethod
    def _lease(cls, value: float) -> float:
        if not 1 <= value <= 3600:
            raise ValueError("must be a number of seconds from 1 to 3600, e.g. 30")
        return value

    @field_validator("queue")
    @classmethod
    def _queue_url(cls, value: str) -> str:
        url = value.strip()
        if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
            return url
        if url.startswith(("redis://", "rediss://")) and len(url.split("://", 1)[1]) > 0:
            return url
        raise ValueError(
            "must be sqlite:///path/to/queue.sqlite3 or a redis://host:6379/0 URL"
        )

    @property
    def digest_dir(self) -> Path:
        """Where digest snapshots are kept: `state_dir`, else beside the SQLite queue."""
        if self.state_dir is not None:
            return self.state_dir
        queue = self.queue_path
        base = queue.parent if queue is not None else Path.cwd()
        return base / "salesops-state"

    @property
    def cache_folder(self) -> Path | None:
        """Where `sync` remembers what it may skip next time: `cache_dir`, else the user's
        cache folder (`$XDG_CACHE_HOME`, `~/.cache`, on Windows `%LOCALAPPDATA%`) + salesops;
        None when there is no home folder to put it in."""
        if self.cache_dir is not None:
            return self.cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA")
        if base:
            return Path(base) / "salesops"
        try:
            return Path.home() / ".cache" / "salesops"
        except RuntimeError:
            return None

    def smtp_server(self, url: str | None = None) -> SmtpServer:
        """The mail server of `url`, else of `smtp_url`, with the environment's credentials."""
        from sync.mail import SmtpServer

        password = self.smtp_password.get_secret_value() if self.smtp_password else None
        return SmtpServer.from_url(url or self.smtp_url, self.smtp_username, password)

    @property
    def queue_path(self) -> Path | None:
        """The SQLite file of a `sqlite:///` queue (None for Redis)."""
        if self.queue.startswith("sqlite:///"):
            return Path(self.queue[len("sqlite:///"):])
        return None


def value_source(key: str, overrides: dict[str, Any]) -> str:
    """Where the value of a key came from, for error messages."""
    if key in overrides:
        return "the command line"
    variable = f"{ENV_PREFIX}{key.upper()}"
    if any(name.upper() == variable and value for name, value in os.environ.items()):
        return variable
    path = config_file_path()
    if path is not None and key in read_config_file(path):
        return str(path)
    return "the defaults"


def describe_errors(error: ValidationError, overrides: dict[str, Any]) -> str:
    """One line per bad key: the key, its value, where it came from and what is expected."""
    lines = []
    for detail in error.errors():
        key = str(detail["loc"][0]) if detail["loc"] else "config"
        message = detail["msg"].removeprefix("Value error, ")
        shown = "(hidden)" if key in ENV_ONLY_KEYS else repr(detail.get("input"))
        if detail["type"] == "extra_forbidden":
            lines.append(f"{key}: unknown setting (from {value_source(key, overrides)}).")
            continue
        lines.append(f"{key} = {shown} (from {value_source(key, overrides)}): {message}.")
    return "Bad configuration: " + " ".join(lines)


def unknown_variables() -> list[str]:
    """`SALESOPS_` environment variables that name no setting, each with a likely fix."""
    known = [f"{ENV_PREFIX}{key.upper()}" for key in Config.model_fields]
    found = []
    for name in sorted(os.environ):
        variable = name.upper()
        if not variable.startswith(ENV_PREFIX) or variable in (*known, CONFIG_PATH_VARIABLE):
            continue
        close = difflib.get_close_matches(variable, [*known, CONFIG_PATH_VARIABLE], n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        found.append(f"{name} is not a setting and is ignored{hint}")
    return found


def load_config(**overrides: Any) -> Config:
    """The settings, layered defaults -> config.yaml -> SALESOPS_ variables -> overrides."""
    config = Config(**{key: value for key, value in overrides.items() if value is not None})
    # A misspelt variable would otherwise be ignored without a word.
    for message in unknown_variables():
        log.warning(message)
    return config

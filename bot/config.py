"""Settings from the environment and ``.env`` (mirrored by ``.env.example``).

Where a setting comes from, first match wins: a command-line flag, an environment variable,
a line in ``.env`` in the *current working directory* (not the project or install
directory), the default. One ``Settings`` object is created in the CLI and passed down; no
other module reads ``os.environ``.

Settings files are read by three parsers with different rules: python-dotenv (``.env``),
systemd's ``EnvironmentFile`` and ``docker run --env-file``. Only dotenv strips a trailing
``# comment``, so ``Settings`` strips it too: ``ADMIN_USER_IDS=111,222   # admins`` means the
same in all three.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shipped_content_dir() -> Path:
    """The folder of the article shipped by default: ``content/`` of a source checkout, else
    the copy an installed wheel carries as the data package ``bot.content`` (see
    pyproject.toml)."""
    checkout = PROJECT_ROOT / "content"
    if (PROJECT_ROOT / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "content"


SHIPPED_CONTENT_DIR = shipped_content_dir()

_TOKEN_SHAPE = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,60}$")
# A comment after a value (`KEY=value   # note`), or a value that is only a comment.
_INLINE_COMMENT = re.compile(r"(?:^|\s+)#.*$", re.DOTALL)
ENV_FILE = ".env"


class _NameTheEnvFile(logging.Filter):
    """python-dotenv reports a line of ``.env`` it cannot parse without naming the file
    ("could not parse statement starting at line 4"), and again each time the file is read:
    say which file and line, once."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, object]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("python-dotenv could not parse"):
            return True
        line = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        key = (str(_env_file()), line)
        if key in self._seen:
            return False
        self._seen.add(key)
        record.msg = "warning: %s: line %s is not KEY=value; it is ignored"
        record.args = key
        return True


logging.getLogger("dotenv.main").addFilter(_NameTheEnvFile())


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "tanyaberita"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    content_dir: Path = SHIPPED_CONTENT_DIR
    telegram_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret_token: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    default_language: Literal["id", "en"] = "id"
    top_k: int = Field(default=3, ge=1, le=20)
    flood_max_questions: int = Field(default=8, ge=0)
    flood_window_seconds: float = Field(default=30.0, ge=0)
    rate_limit_per_second: float = Field(default=30.0, ge=0)
    health_listen: str = "127.0.0.1"
    health_port: int = Field(default=0, ge=0, le=65535)  # 0: no health endpoint
    retention_days: int = Field(default=0, ge=0)  # 0: articles never expire
    feed_check_seconds: float = Field(default=5.0, ge=0)  # 0: this instance polls no feeds
    feeds_allow_private: bool = False  # feeds on private/loopback hosts (own network only)
    # Re-rank with the sentence encoder: auto (when it loads), on (required), off. Off by
    # default: measured, it helps Wikipedia and many-article stores, news only within noise,
    # and costs QASiNa documents and ~20 ms a question (docs/quality.md).
    semantic_rerank: Literal["auto", "on", "off"] = "off"

    @model_validator(mode="before")
    @classmethod
    def _strip_inline_comments(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {
            key: _INLINE_COMMENT.sub("", value).strip() if isinstance(value, str) else value
            for key, value in data.items()
        }

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(
                    "must be comma-separated numeric Telegram user ids, e.g. 111,222"
                ) from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def resolved_database_url(self) -> str:
        """``DATABASE_URL`` or the default SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tanyaberita.sqlite3'}"

    def token_problem(self) -> str | None:
        """Why the configured token cannot work, or ``None`` when it looks right."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            return "TELEGRAM_BOT_TOKEN is not set."
        if not _TOKEN_SHAPE.match(self.telegram_bot_token.get_secret_value().strip()):
            return "TELEGRAM_BOT_TOKEN does not look like a bot token (expected '123456:ABC…')."
        return None


TOKEN_HELP = (
    "Create a bot with @BotFather in Telegram (/newbot), copy the token it gives you and put it "
    "in .env as TELEGRAM_BOT_TOKEN=123456789:AA... (see .env.example)."
)


# --- explaining settings to an operator ------------------------------------------------------

_SECRET_SETTINGS = frozenset({"telegram_bot_token", "webhook_secret_token", "database_url"})


def _plain_reason(error: Any) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    reasons = {
        "int_parsing": "is not a whole number",
        "int_from_float": "is not a whole number",
        "float_parsing": "is not a number",
        "bool_parsing": "is not true or false",
        "literal_error": f"must be one of {ctx.get('expected')}",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "value_error": str(ctx.get("error", "")),
    }
    reason = reasons.get(kind) or str(error.get("msg", "is not valid"))
    return reason if reason[:1].islower() else reason[:1].lower() + reason[1:]


def settings_error_lines(error: ValidationError) -> list[str]:
    """One plain line per bad setting (secrets never shown), then where settings are read."""
    lines = []
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item.get("loc") else ""
        name = field.upper() or "settings"
        value = item.get("input")
        shown = (
            f"={value!r}"
            if field and field not in _SECRET_SETTINGS and isinstance(value, str | int | float)
            else ""
        )
        reason = _plain_reason(item)
        joint = " " if reason.startswith(("is ", "must ")) else ": "
        lines.append(f"{name}{shown}{joint}{reason}")
    lines.append(f"settings are read from {settings_sources()}; see .env.example")
    return lines


def settings_read_problem(exc: Exception) -> str:
    """Why the settings could not be read at all, in one line: a ``.env`` that is not UTF-8
    is named with the line of its first bad byte."""
    if isinstance(exc, UnicodeDecodeError) and isinstance(exc.object, bytes):
        line = exc.object[: exc.start].count(b"\n") + 1
        byte = exc.object[exc.start : exc.start + 1].hex().upper()
        return f"{_env_file()} is not UTF-8 (byte 0x{byte} on line {line}); save it as UTF-8"
    return str(exc)


def _env_file() -> Path:
    return Path.cwd() / ENV_FILE


def settings_sources() -> str:
    """Where settings are read from, for messages (the ``.env`` looked at, and whether it
    exists)."""
    env = _env_file()
    where = str(env) if env.is_file() else f"{env} (not found)"
    return f"flags, environment variables and {where}"


def setting_origin(name: str, *, flag: bool = False) -> str:
    """Where setting ``name`` came from: the flag, the environment, ``.env`` or the default."""
    if flag:
        return f"--{name.replace('_', '-')}"
    upper = name.upper()
    if any(key.upper() == upper and value for key, value in os.environ.items()):
        return f"{upper} from the environment"
    env = _env_file()
    if env.is_file():
        values = {key.upper(): value for key, value in dotenv_values(env).items()}
        if values.get(upper):
            return f"{upper} from {env}"
    return f"{upper} not set"


def describe_store(settings: Settings, *, database_url_flag: bool = False) -> str:
    """One line naming the database a command uses and why (never the password):
    ``SQLite /path/file.sqlite3 (...)`` or ``PostgreSQL user@host:port/db (...)``."""
    from sqlalchemy import make_url  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that `ask --help`, `eval` do not need
    from sqlalchemy.exc import ArgumentError  # noqa: PLC0415 - the same

    url = settings.resolved_database_url()
    if settings.database_url:
        origin = setting_origin("database_url", flag=database_url_flag)
    else:
        data_dir = setting_origin("data_dir")
        if data_dir.endswith("not set"):
            data_dir = "default DATA_DIR"
        env = _env_file()
        no_env = "" if env.is_file() else f"; no {ENV_FILE} in {env.parent}"
        origin = f"DATABASE_URL not set; {data_dir}{no_env}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"an unreadable DATABASE_URL ({origin})"
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        where = parsed.database or ":memory:"
        if where.startswith("file:"):
            where = where[len("file:") :]
        if where != ":memory:":  # the file itself: `~` and a relative DATA_DIR resolved
            where = os.path.abspath(Path(where).expanduser())
        return f"SQLite {where} ({origin})"
    user = f"{parsed.username}@" if parsed.username else ""
    port = f":{parsed.port}" if parsed.port else ""
    name = "PostgreSQL" if backend == "postgresql" else backend
    schema = _search_path(parsed.query.get("options"))
    in_schema = f", schema {schema}" if schema else ""
    where = f"{user}{parsed.host or 'localhost'}{port}/{parsed.database or ''}{in_schema}"
    return f"{name} {where} ({origin})"


_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*(\S+)")


def _search_path(options: str | tuple[str, ...] | None) -> str | None:
    """The schema a PostgreSQL URL's ``options=-csearch_path=…`` selects (deployments sharing
    one database each use their own), or None."""
    for option in (options,) if isinstance(options, str) else options or ():
        found = _SEARCH_PATH.search(option)
        if found:
            return found.group(1)
    return None


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite file the settings point to (``None`` for PostgreSQL, memory or URIs)."""
    from sqlalchemy import make_url  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that `ask --help`, `eval` do not need
    from sqlalchemy.exc import ArgumentError  # noqa: PLC0415 - the same

    try:
        parsed = make_url(settings.resolved_database_url())
    except ArgumentError:
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def store_write_problem(settings: Settings) -> str | None:
    """Why the SQLite store cannot be written (a read-only file, directory or file system),
    or ``None``. SQLite needs the directory too: it keeps ``-wal`` and ``-shm`` files there."""
    path = sqlite_path(settings)
    if path is None:
        return None
    if path.exists():
        if not os.access(path, os.W_OK):
            return f"the SQLite database {path} is read-only"
        if not os.access(path.parent, os.W_OK | os.X_OK):
            return (
                f"the directory of the SQLite database, {path.parent}, is read-only (SQLite "
                f"writes {path.name}-wal and -shm next to the file)"
            )
        return None
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
        return f"the data directory {existing} is read-only: cannot create {path} there"
    return None

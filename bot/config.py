"""Settings from the environment and ``.env`` (mirrored by ``.env.example``).

One ``Settings`` object is created in the CLI and passed down; no other module reads
``os.environ``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONTENT_DIR = PROJECT_ROOT / "content"

_TOKEN_SHAPE = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,60}$")


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "tanyaberita"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
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

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(
                    "ADMIN_USER_IDS must be comma-separated numeric Telegram user ids"
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

"""Logging for the running bot: the bot token must never reach a log line.

``httpx`` logs every request URL at INFO, and Bot API URLs contain the token
(``…/bot<token>/sendMessage``), so those loggers are raised to WARNING. As a second line of
defence a filter on every root handler replaces the token — in the message, its arguments, the
formatted traceback and the stack — with a fixed placeholder.

Every line logged while an update is handled carries that update's id (``UPDATE_ID``, set by
the first handler group of ``bot.app``; worker threads started with ``asyncio.to_thread``
inherit it): ``… update=812`` in the text format, ``"update_id": 812`` in the JSON format
(``LOG_FORMAT=json``, one object per line, for log collectors).
"""

from __future__ import annotations

import json
import logging
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = [
    "REDACTED",
    "UPDATE_ID",
    "JsonFormatter",
    "TextFormatter",
    "TokenRedactingFilter",
    "UpdateIdFilter",
    "configure_logging",
    "install_token_redaction",
    "redact",
]

REDACTED = "<bot-token>"
_NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "tornado.access")


def redact(value: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            value = value.replace(secret, REDACTED)
    return value


class TokenRedactingFilter(logging.Filter):
    """Rewrites each record so that none of ``secrets`` appears in what handlers format."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        # The numeric bot id before ':' is public (getMe); the secret part alone must go too.
        parts = {s for s in secrets if s} | {s.split(":", 1)[1] for s in secrets if ":" in s}
        self.secrets = tuple(sorted((p for p in parts if len(p) >= 8), key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw text, still redacted
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = ()
        if record.exc_info and record.exc_info[0] is not None:
            formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(formatted, self.secrets)
            record.exc_info = None  # the formatter would otherwise format it again, unredacted
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def install_token_redaction(token: str, *extra_secrets: str) -> TokenRedactingFilter:
    """Quiet the URL-logging libraries and redact ``token`` on every root handler."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    redactor = TokenRedactingFilter(token, *extra_secrets)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig()
    for handler in root.handlers:
        handler.addFilter(redactor)
    return redactor


# --- structured lines with the update id -----------------------------------------------------

UPDATE_ID: ContextVar[int | None] = ContextVar("tanyaberita_update_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class UpdateIdFilter(logging.Filter):
    """Puts the id of the update being handled (if any) on the record as ``update_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = UPDATE_ID.get()
        return True


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message update=N`` (the suffix only while an update is handled)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        update_id = getattr(record, "update_id", None)
        if update_id is None:
            return line
        first, newline, rest = line.partition("\n")  # before a traceback, if there is one
        return f"{first} update={update_id}{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, update_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None)
        if update_id is not None:
            entry["update_id"] = update_id
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, fmt: str = "text") -> None:
    """Log to stderr in ``fmt`` ("text" or "json"), every line with its update id. Like
    ``logging.basicConfig``, it leaves a root logger that already has handlers alone (tests)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(UpdateIdFilter())
    logging.basicConfig(level=level, handlers=[handler])

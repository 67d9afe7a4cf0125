"""Logging for the running bot: the bot token must never reach a log line.

``httpx`` logs every request URL at INFO, and Bot API URLs contain the token
(``…/bot<token>/sendMessage``), so those loggers are raised to WARNING. As a second line of
defence a filter on every root handler replaces the token — in the message, its arguments, the
formatted traceback and the stack — with a fixed placeholder.
"""

from __future__ import annotations

import logging
import traceback

__all__ = ["REDACTED", "TokenRedactingFilter", "install_token_redaction", "redact"]

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

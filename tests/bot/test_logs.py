"""bot/logs.py: the token never reaches a formatted log line."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import REDACTED, TokenRedactingFilter, install_token_redaction

TOKEN = "7654321:AAGsecretSecretSecretSecretSecret123"


@pytest.fixture
def stream_logger() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    handler.addFilter(TokenRedactingFilter(TOKEN))
    logger = logging.getLogger("test.redaction")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_token_is_redacted_in_messages_args_tracebacks_and_stacks(
    stream_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = stream_logger
    logger.info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logger.info(f"direct {TOKEN}")
    logger.info("only the secret half %s", TOKEN.split(":")[1])
    try:
        raise RuntimeError(f"connect failed for /bot{TOKEN}/sendMessage")
    except RuntimeError:
        logger.exception("boom")
    logger.warning("where", stack_info=True)
    logger.info("bad format %s %s", "one")  # noqa: PLE1206 - a broken format must not crash
    out = stream.getvalue()
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert out.count(REDACTED) >= 4
    assert "RuntimeError: connect failed" in out


def test_install_quiets_httpx_and_filters_root_handlers() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        redactor = install_token_redaction(TOKEN)
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("httpcore").level == logging.WARNING
        assert redactor in handler.filters
    finally:
        root.removeHandler(handler)
        for h in root.handlers:
            for f in list(h.filters):
                if isinstance(f, TokenRedactingFilter):
                    h.removeFilter(f)

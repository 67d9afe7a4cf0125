"""Structured logs: every line logged while an update is handled carries that update's id —
also from worker threads and when updates are handled concurrently — in the text format
(``update=N``) and the JSON format; secrets stay redacted in both."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import sys
from collections.abc import Iterator

import pytest
from telegram import Update

from benchmarks.processes import run_cli
from bot.logs import (
    UPDATE_ID,
    JsonFormatter,
    TextFormatter,
    TokenRedactingFilter,
    UpdateIdFilter,
)
from tests.support.bot import TOKEN, Harness


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """A root handler writing JSON lines, as ``LOG_FORMAT=json`` does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(UpdateIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_concurrent_updates_log_their_own_ids(bot: Harness, json_lines: io.StringIO) -> None:
    bot.service.fail_logging = True  # a warning from the worker thread as well
    payloads = [
        bot.updates.message("Siapa perantara gencatan senjata?", user_id=u)
        for u in range(9001, 9009)
    ]
    await asyncio.gather(
        *(bot.app.process_update(Update.de_json(p, bot.app.bot)) for p in payloads)
    )
    expected = {p["message"]["chat"]["id"]: p["update_id"] for p in payloads}
    entries = _entries(json_lines)
    answered = [e for e in entries if str(e["message"]).startswith("chat 90")]
    worker = [e for e in entries if str(e["message"]).startswith("could not log a question")]
    assert len(answered) == len(worker) == len(payloads)
    for entry in answered + worker:
        chat = int(str(entry["message"]).split("chat ")[1].split(":")[0].split()[0])
        assert entry["update_id"] == expected[chat]
    assert UPDATE_ID.get() is None  # nothing leaks out of the updates' own contexts


def test_text_lines_end_with_the_update_id_before_any_traceback() -> None:
    record = logging.LogRecord(
        "bot.handlers", logging.ERROR, __file__, 1, "update failed", (), None
    )
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    record.update_id = 812
    first, *rest = TextFormatter().format(record).splitlines()
    assert first.endswith("bot.handlers: update failed update=812")
    assert rest[0].startswith("Traceback") and rest[-1] == "RuntimeError: boom"
    record.update_id = None
    assert "update=" not in TextFormatter().format(record)


def test_json_lines_keep_secrets_redacted() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST https://api/bot%s/sendMessage", (TOKEN,), None
    )
    TokenRedactingFilter(TOKEN).filter(record)
    UpdateIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert TOKEN not in json.dumps(entry) and TOKEN.split(":")[1] not in json.dumps(entry)
    assert entry["message"] == "POST https://api/bot<bot-token>/sendMessage"
    assert set(entry) == {"time", "level", "logger", "message"}


def test_log_format_json_from_the_environment() -> None:
    done = run_cli(
        ["--log-level", "INFO", "documents"],
        env={"LOG_FORMAT": "json", "DATA_DIR": os.environ["DATA_DIR"]},
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(e) for e in lines)

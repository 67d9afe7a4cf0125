"""The bot under faults, through the real Application (recording Bot API):

- **the database goes away** while the bot runs (the real store-backed ``QAService`` on SQLite;
  its data directory disappears): questions are still answered from the in-memory index,
  ``/artikel`` and "not in the article" still list what it knows, admin changes fail with a
  clear message, nothing escapes; when the directory is back, everything works again;
- **Telegram fails**: ``RetryAfter`` (429), a 502 from Telegram's front end, refused or reset
  connections and timeouts on ``sendMessage`` are retried (``bot.retry``) — the answer is sent,
  once; a failure that outlasts the retries is logged, and the update's handling still ends.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.error import NetworkError, TimedOut

from bot import retry
from bot.app import build_application
from index.service import QAService
from tests.fakes import CONTENT_DIR, FakeService
from tests.support.bot import ADMIN_ID, Harness, RecordingRequest, Updates, make_settings

PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
UNANSWERABLE = "Bagaimana cara memasak rendang yang enak?"


# --- the database goes away -----------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[QAService, Path]]:
    folder = tmp_path / "data"
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    service = QAService.open(f"sqlite:///{folder / 'store.sqlite3'}", content_dir=content)
    try:
        yield service, folder
    finally:
        service.close()


@pytest.fixture
async def store_bot(store: tuple[QAService, Path]) -> AsyncIterator[Harness]:
    service, _ = store
    request = RecordingRequest()
    app = build_application(
        make_settings(), service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        yield Harness(app, request, service, Updates())  # type: ignore[arg-type]
    finally:
        await app.shutdown()


def _take_away(service: QAService, folder: Path) -> Path:
    """The data directory disappears (an unmounted volume): open connections are dropped and
    new ones cannot be made."""
    service._require_store().db.engine.dispose()
    away = folder.with_name("away")
    folder.rename(away)
    return away


async def test_database_away_questions_still_answered(
    store: tuple[QAService, Path], store_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    service, folder = store
    bot = store_bot
    away = _take_away(service, folder)

    await bot.feed(bot.updates.message(PUTIN, user_id=2001))
    [answer] = bot.request.sent()
    assert "Putin" in answer["text"]
    assert "reply_markup" not in answer  # the question could not be logged: no buttons

    await bot.feed(bot.updates.message(UNANSWERABLE, user_id=2002))
    [polite] = bot.request.texts()
    assert "Armenia" in polite  # what it knows about, from the index in memory

    await bot.feed(bot.updates.message("/artikel", user_id=2003))
    assert "Armenia" in bot.request.texts()[0]

    await bot.feed(bot.updates.message("/hapus 1", user_id=ADMIN_ID))
    [refused] = bot.request.texts()
    assert "basis data tidak tersedia (" in refused  # the store's reason, in Indonesian too
    assert "Basis data sedang tidak bisa dipakai" in refused and "tidak ada yang diubah" in refused
    assert len(service.snapshot.documents) == 1

    original = bot.updates.message("Teks artikel baru tentang banjir di Bekasi.", user_id=ADMIN_ID)
    reply = bot.updates.message("/tambah Banjir", user_id=ADMIN_ID, reply_to=original["message"])
    await bot.feed(reply)
    assert "Gagal menambah Banjir: kesalahan basis data (" in bot.request.texts()[0]

    await bot.feed(bot.updates.message("/reload", user_id=ADMIN_ID))
    assert bot.request.sent()  # a report (with the error), not silence
    assert "• muat ulang gagal: basis data tidak tersedia (" in bot.request.texts()[0]

    failures = [r for r in caplog.records if r.getMessage().startswith("update ")]
    assert failures == []  # every path above was handled, none fell to the error handler

    away.rename(folder)  # the database is back
    await bot.feed(bot.updates.message(PUTIN, user_id=2004))
    [answer] = bot.request.sent()
    assert "Putin" in answer["text"] and "reply_markup" in answer  # logged again: buttons
    await bot.feed(bot.updates.message("/hapus 1", user_id=ADMIN_ID))
    assert "dihapus" in bot.request.texts()[0]


async def test_database_away_a_vote_is_answered(
    store: tuple[QAService, Path], store_bot: Harness
) -> None:
    service, folder = store
    bot = store_bot
    await bot.feed(bot.updates.message(PUTIN, user_id=2005))
    [answer] = bot.request.sent()
    vote = answer["reply_markup"]["inline_keyboard"][-1][0]["callback_data"]  # 👍
    shown = bot.updates.bot_message(answer["text"], chat_id=2005, chat_type="private")
    _take_away(service, folder)
    await bot.feed(bot.updates.callback(vote, shown, user_id=2005))
    [toast] = bot.request.sent("answerCallbackQuery")
    assert toast["text"]  # the click is acknowledged (a short apology), never left hanging


# --- Telegram fails -----------------------------------------------------------------------


class FlakyRequest(RecordingRequest):
    """Fails the first calls of a method in the listed ways, then answers normally."""

    def __init__(self, failures: dict[str, list[str]]) -> None:
        super().__init__()
        self.failures = failures
        self.attempts: dict[str, int] = {}

    async def do_request(  # noqa: PLR0917 - BaseRequest's signature
        self,
        url: str,
        method: str,
        request_data: Any = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[1]
        self.attempts[name] = self.attempts.get(name, 0) + 1
        queue = self.failures.get(name, [])
        if queue:
            kind = queue.pop(0)
            if kind == "refused":
                raise NetworkError("httpx.ConnectError: [Errno 111] Connection refused")
            if kind == "timeout":
                raise TimedOut("Timed out")
            if kind == "429":
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
                return 429, json.dumps(body).encode()
            body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            return 502, json.dumps(body).encode()
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "BACKOFF_S", 0.01)


async def _flaky_bot(failures: dict[str, list[str]]) -> tuple[Any, FlakyRequest]:
    request = FlakyRequest(failures)
    app = build_application(
        make_settings(), FakeService(), request=request, revision_poll_seconds=0
    )
    await app.initialize()
    return app, request


@pytest.mark.parametrize(
    "failures",
    [
        ["refused"],
        ["timeout"],
        ["502"],
        ["429"],
        ["refused", "502", "timeout"],  # three in a row: the last retry succeeds
        ["429", "refused"],
    ],
)
async def test_transient_telegram_failures_are_retried(failures: list[str]) -> None:
    app, request = await _flaky_bot({"sendMessage": list(failures)})
    try:
        started = time.monotonic()
        payload = Updates().message(PUTIN, user_id=3001)
        await app.process_update(Update.de_json(payload, app.bot))
        [answer] = request.sent()  # delivered, once
        assert "Putin" in answer["text"]
        assert request.attempts["sendMessage"] == len(failures) + 1
        assert time.monotonic() - started < 10
    finally:
        await app.shutdown()


async def test_a_failure_outlasting_the_retries_is_logged_and_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, request = await _flaky_bot({"sendMessage": ["refused"] * 20})
    try:
        started = time.monotonic()
        payload = Updates().message(PUTIN, user_id=3002)
        with caplog.at_level(logging.WARNING):
            await app.process_update(Update.de_json(payload, app.bot))
        assert request.sent() == []
        # The answer, then the apology: each tried 1 + NETWORK_RETRIES times.
        assert request.attempts["sendMessage"] == 2 * (retry.NETWORK_RETRIES + 1)
        messages = [r.getMessage() for r in caplog.records]
        assert any(m.startswith("update ") and m.endswith(" failed") for m in messages)
        assert time.monotonic() - started < 10
    finally:
        await app.shutdown()


async def test_bad_requests_are_not_retried() -> None:
    request = RecordingRequest()
    request.errors["sendMessage"] = (400, "Bad Request: chat not found")
    app = build_application(
        make_settings(), FakeService(), request=request, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        await app.process_update(Update.de_json(Updates().message(PUTIN, user_id=3003), app.bot))
        # The answer and the apology, one attempt each.
        assert [c.method for c in request.calls].count("sendMessage") == 2
    finally:
        await app.shutdown()

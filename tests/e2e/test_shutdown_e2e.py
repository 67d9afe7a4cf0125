"""SIGTERM while the bot is busy: answers in flight are finished and sent, the polling offset
is committed, and the next process takes over exactly where the first stopped — every question
is answered exactly once, none twice, none dropped.

The emulator runs with ``--telegram-offsets`` (see ``emulator/server.js``): an update stays
pending until a ``getUpdates`` offset confirms it, as on Telegram, so a shutdown that forgot to
confirm would show up as a second answer and one that confirmed unhandled updates as a missing
answer.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.emulator_client import EmulatorProcess, FakeUser, ServeProcess
from tests.support.e2e import fresh_token, wait_until_answering

QUESTIONS = [
    "Siapa yang menjadi perantara gencatan senjata?",
    "Kapan Armenia dan Azerbaijan menyetujui gencatan senjata?",
    "Berapa lama pembicaraan di Moskow?",
    "Apa isi kesepakatan gencatan senjata?",
]
BEFORE, AFTER = 120, 40  # questions sent before the SIGTERM, and while the bot shuts down
FIRST_USER = 7001
_ANSWERED = re.compile(r"bot\.handlers: chat (\d+): ")


@pytest.fixture(scope="module")
def telegram_offsets_emulator() -> Iterator[str]:
    process = EmulatorProcess("--telegram-offsets")
    url = process.start()
    try:
        yield url
    finally:
        process.stop()


async def _burst(user: FakeUser, users: range) -> None:
    await asyncio.gather(*(user.send(QUESTIONS[u % len(QUESTIONS)], user_id=u) for u in users))


def _answered_chats(log: str) -> list[int]:
    return [int(chat) for chat in _ANSWERED.findall(log)]


@pytest.mark.slow
async def test_sigterm_loses_and_repeats_nothing(
    telegram_offsets_emulator: str, tmp_path: Path
) -> None:
    emulator = telegram_offsets_emulator
    token = fresh_token()
    # Telegram's outgoing rate limit stays on: at 30 messages/s a burst keeps answers queued
    # in the limiter when the signal arrives — those are the answers in flight.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "RATE_LIMIT_PER_SECOND": "30"}
    first = ServeProcess(emulator, token, env=env)
    users = range(FIRST_USER, FIRST_USER + BEFORE + AFTER)
    async with httpx.AsyncClient(timeout=70) as http:
        user = FakeUser(emulator, token, http)
        try:
            wait_until_answering(emulator, token, first)
            await _burst(user, users[:BEFORE])
            replies = {u: 0 for u in users}
            # The first answer is out: the bot is busy with the rest now.
            replies[FIRST_USER] += len(await user.wait_for_replies(FIRST_USER, timeout=30))
            first.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            await _burst(user, users[BEFORE:])  # arriving while it shuts down
            assert await asyncio.to_thread(first.process.wait, 60) == 0
            stop_seconds = time.monotonic() - signalled
        finally:
            first_log = first.stop()
        assert "Traceback" not in first_log, first_log[-3000:]

        second = ServeProcess(emulator, token, env=env)
        try:
            wait_until_answering(emulator, token, second)
            for u in users:
                if replies[u] == 0:
                    replies[u] += len(await user.wait_for_replies(u, timeout=60))
            await asyncio.sleep(1.0)  # late duplicates would arrive now
            for u in users:
                replies[u] += len(await user.new_bot_messages(u))
        finally:
            second_log = second.stop()
        assert "Traceback" not in second_log, second_log[-3000:]

    assert {u: n for u, n in replies.items() if n != 1} == {}  # exactly one answer each
    by_first = [c for c in _answered_chats(first_log) if c in replies]
    by_second = [c for c in _answered_chats(second_log) if c in replies]
    assert sorted(by_first + by_second) == list(users)  # each question handled once, in all
    assert by_first and by_second, "the shutdown should have fallen in the middle of the work"
    assert stop_seconds < 30

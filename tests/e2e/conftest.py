"""End-to-end fixtures: the Bot API emulator and the real ``tanyaberita serve`` processes.

One emulator per session; one polling bot and one webhook bot per module, each a real
``serve`` process with its own token and SQLite store in a temporary directory (so the emulator
keeps their messages apart). Tests use distinct user and chat ids. Skipped, with the reason,
only where Node.js or the emulator's node_modules is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from benchmarks.emulator_client import EmulatorProcess, FakeUser, ServeProcess, unavailable_reason
from tests.support.e2e import (
    ADMIN_ID,
    START_TIMEOUT,
    WEBHOOK_SECRET,
    free_port,
    fresh_token,
    stop_and_check,
    wait_until_answering,
)

__all__ = [  # importable from here too, for tests written before they moved to tests.support
    "ADMIN_ID",
    "START_TIMEOUT",
    "WEBHOOK_SECRET",
    "free_port",
    "fresh_token",
    "stop_and_check",
    "wait_until_answering",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = unavailable_reason()
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    process = EmulatorProcess()
    url = process.start()
    try:
        yield url
    finally:
        process.stop()


@pytest.fixture(scope="module")
def polling_bot(emulator: str) -> Iterator[tuple[str, ServeProcess]]:
    """``tanyaberita serve`` (long polling) answering from its own SQLite store."""
    token = fresh_token()
    bot = ServeProcess(emulator, token, env={"ADMIN_USER_IDS": str(ADMIN_ID)})
    try:
        wait_until_answering(emulator, token, bot)
        yield token, bot
    finally:
        stop_and_check(bot)


@pytest.fixture(scope="module")
def webhook_bot(emulator: str) -> Iterator[tuple[str, ServeProcess, str]]:
    """``tanyaberita serve --webhook``: the emulator posts updates with the secret token."""
    token = fresh_token()
    port = free_port()
    url = f"http://127.0.0.1:{port}/tanyaberita"
    args = (
        "--webhook",
        "--webhook-url",
        url,
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--secret-token",
        WEBHOOK_SECRET,
    )
    bot = ServeProcess(emulator, token, args=args)
    try:
        wait_until_answering(emulator, token, bot)
        yield token, bot, url
    finally:
        stop_and_check(bot)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=70) as client:
        yield client


@pytest.fixture
def user(emulator: str, polling_bot: tuple[str, ServeProcess], http: httpx.AsyncClient) -> FakeUser:
    return FakeUser(emulator, polling_bot[0], http)

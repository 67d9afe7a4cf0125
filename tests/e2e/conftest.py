"""End-to-end fixtures: the Bot API emulator and the real ``tanyaberita serve`` processes.

One emulator per session; one polling bot and one webhook bot per module, each a real
``serve`` process with its own token and SQLite store in a temporary directory (so the emulator
keeps their messages apart). Tests use distinct user and chat ids. Skipped, with the reason,
only where Node.js or the emulator's node_modules is missing.
"""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from benchmarks.emulator_client import EmulatorProcess, FakeUser, ServeProcess, unavailable_reason

ADMIN_ID = 5005
WEBHOOK_SECRET = "e2e-webhook-secret_42"
START_TIMEOUT = 60.0


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


def fresh_token() -> str:
    return f"{secrets.randbelow(9 * 10**8) + 10**8}:AA{secrets.token_urlsafe(30)[:35]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(emulator: str, token: str, bot: ServeProcess) -> None:
    """Block until the bot answers /start (content loaded, updates flowing). /start is sent
    again every second: the emulator keeps updates that arrive before a webhook is set and
    never delivers them (Telegram would)."""
    start = {
        "botToken": token,
        "message_id": 1,
        "date": int(time.time()),
        "from": FakeUser.user(1),
        "chat": FakeUser.private_chat(1),
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline:
            if not bot.running():
                pytest.fail(f"tanyaberita serve exited:\n{bot.stop()[-3000:]}")
            client.post(f"{emulator}/sendCommand", json=start)
            waited = client.post(
                f"{emulator}/waitUpdates", json={"token": token, "chatId": 1, "timeout": 1}
            )
            if waited.json()["result"]:
                return
    log = bot.stop()
    pytest.fail(f"tanyaberita serve did not answer within {START_TIMEOUT} s:\n{log[-3000:]}")


def stop_and_check(bot: ServeProcess) -> None:
    log = bot.stop()
    assert bot.process.returncode == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


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

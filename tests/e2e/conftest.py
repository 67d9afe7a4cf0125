"""End-to-end fixtures: the Bot API emulator (one per session) and a running bot per test.

Each test gets its own bot token, so the emulator keeps its messages apart. Skipped, with the
reason, only where Node.js or the emulator's node_modules is missing.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from tests.e2e.emulator_client import EmulatorProcess, FakeUser, unavailable_reason
from tests.fakes import FakeService

ADMIN_ID = 5005
POLL_INTERVAL = 0.01  # the emulator answers getUpdates at once: poll often, never spin


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


def bot_settings(emulator_url: str, token: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": SecretStr(token),
        "admin_user_ids": frozenset({ADMIN_ID}),
        "telegram_base_url": emulator_url,
        "flood_max_questions": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class RunningBot:
    app: Application[Any, Any, Any, Any, Any, Any]
    service: FakeService
    user: FakeUser
    webhook_url: str = ""


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=70) as client:
        yield client


@pytest.fixture
async def polling_bot(emulator: str, http: httpx.AsyncClient) -> AsyncIterator[RunningBot]:
    """The bot's Application polling the emulator, as `tanyaberita serve` runs it."""
    token = fresh_token()
    service = FakeService()
    app = build_application(bot_settings(emulator, token), service, revision_poll_seconds=0)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=POLL_INTERVAL)
    try:
        yield RunningBot(app, service, FakeUser(emulator, token, http))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


WEBHOOK_SECRET = "e2e-webhook-secret_42"


@pytest.fixture
async def webhook_bot(emulator: str, http: httpx.AsyncClient) -> AsyncIterator[RunningBot]:
    """The bot's Application behind a webhook the emulator posts updates to."""
    token = fresh_token()
    service = FakeService()
    port = free_port()
    app = build_application(bot_settings(emulator, token), service, revision_poll_seconds=0)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tanyaberita",
        webhook_url=f"http://127.0.0.1:{port}/tanyaberita",
        secret_token=WEBHOOK_SECRET,
    )
    try:
        yield RunningBot(
            app, service, FakeUser(emulator, token, http), f"http://127.0.0.1:{port}/tanyaberita"
        )
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

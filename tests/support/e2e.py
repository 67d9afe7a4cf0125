"""End-to-end helpers: fresh tokens and ports, waiting for a real ``tanyaberita serve`` to
answer, stopping it cleanly. ``tests/e2e/conftest.py`` holds the fixtures built on them."""

from __future__ import annotations

import secrets
import socket
import time

import httpx
import pytest

from benchmarks.emulator_client import FakeUser, ServeProcess

ADMIN_ID = 5005
WEBHOOK_SECRET = "e2e-webhook-secret_42"
START_TIMEOUT = 60.0


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

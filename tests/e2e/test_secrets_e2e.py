"""Secrets stay out of the logs of a real ``tanyaberita serve`` at DEBUG level: the bot token
(whole, or its secret half), the database password and the webhook secret — through start-up,
answers, refused admin commands, forged and stale buttons, forged webhook requests and a
SIGTERM shutdown."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from sqlalchemy import make_url

from benchmarks.emulator_client import FakeUser, ServeProcess
from tests.support.e2e import free_port, fresh_token, wait_until_answering
from tests.support.store import TEST_DATABASE_URL, pg_admin_url

DB_PASSWORD = "Db-pass-9f8e7d6c5b"
WEBHOOK_SECRET = "Hook-secret_0a1b2c3d4e5f"
QUESTION = "Siapa yang menjadi perantara gencatan senjata?"


@pytest.fixture
def database_env() -> Iterator[dict[str, str]]:
    """A PostgreSQL URL carrying a password (the local server trusts loopback, so any
    password works), in a schema of its own; without a server, nothing (SQLite)."""
    if not TEST_DATABASE_URL:
        yield {}
        return

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(TEST_DATABASE_URL).set(password=DB_PASSWORD)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield {"DATABASE_URL": url.render_as_string(hide_password=False)}
    finally:
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _secrets(token: str) -> list[str]:
    return [token, token.split(":", 1)[1], DB_PASSWORD, WEBHOOK_SECRET]


async def _exercise(user: FakeUser, user_id: int) -> None:
    """A question, a click on its buttons, forged and stale button data, a refused admin
    command."""
    await user.send(QUESTION, user_id=user_id)
    [reply] = await user.wait_for_replies(user_id)
    chat = user.private_chat(user_id)
    for data in [*reply.callback_data(), "more:999999:1", "vote:1:up;DROP", "x" * 64, ""]:
        await user.click(reply, data, user_id=user_id, chat=chat)
    await user.send("/reload", user_id=user_id)
    await user.send("/tambah http://127.0.0.1:1/rahasia", user_id=user_id)
    await user.wait_for_replies(user_id, count=2)
    await asyncio.sleep(0.3)  # let the callbacks be handled before the shutdown


async def test_polling_bot_logs_no_secret(emulator: str, database_env: dict[str, str]) -> None:
    token = fresh_token()
    env = {"LOG_LEVEL": "DEBUG", **database_env}
    bot = ServeProcess(emulator, token, env=env)
    try:
        wait_until_answering(emulator, token, bot)
        async with httpx.AsyncClient(timeout=30) as http:
            await _exercise(FakeUser(emulator, token, http), 4101)
    finally:
        log = bot.stop()
    assert bot.process.returncode == 0, log[-2000:]
    assert " DEBUG " in log and "getUpdates" in log  # it did log at DEBUG level
    store = "store: PostgreSQL " if database_env else "store: SQLite "
    assert f"INFO tanyaberita.serve: {store}" in log  # which database, without the password
    for secret in _secrets(token):
        assert secret not in log


async def test_webhook_bot_logs_no_secret(emulator: str, database_env: dict[str, str]) -> None:
    """(Also the health endpoint of a real webhook bot: it says what it serves, no secret.)"""
    token = fresh_token()
    port, health_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}/tanyaberita"
    args = ("--webhook", "--webhook-url", url, "--port", str(port))
    args += ("--secret-token", WEBHOOK_SECRET)
    env = {"LOG_LEVEL": "DEBUG", "HEALTH_PORT": str(health_port), **database_env}
    bot = ServeProcess(emulator, token, env=env, args=args)
    try:
        wait_until_answering(emulator, token, bot)
        async with httpx.AsyncClient(timeout=30) as http:
            health = await http.get(f"http://127.0.0.1:{health_port}/healthz")
            assert health.status_code == 200
            body = health.json()
            assert (body["status"], body["mode"], body["documents"]) == ("ok", "webhook", 1)
            assert not any(secret in health.text for secret in _secrets(token))
            await _exercise(FakeUser(emulator, token, http), 4102)
            for secret in ("", "wrong", WEBHOOK_SECRET[:-1]):
                forged = await http.post(
                    url,
                    json={"update_id": 1},
                    headers={"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {},
                )
                assert forged.status_code == 403
    finally:
        log = bot.stop()
    assert bot.process.returncode == 0, log[-2000:]
    assert " DEBUG " in log and "setWebhook" in log
    # The forged requests are logged (one line a minute at most), without the secret they sent.
    refused = [line for line in log.splitlines() if "webhook: refused a request" in line]
    assert len(refused) == 1 and "no secret token" in refused[0], refused
    for secret in _secrets(token):
        assert secret not in log

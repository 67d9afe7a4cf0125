"""Two real ``tanyaberita serve`` bots sharing one PostgreSQL database: an article an admin
adds through one bot is answered by the other within a few seconds, and an article removed
through the second disappears from the first — the several-instances deployment of
docs/deploy.md, with the revision watcher doing the work."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from sqlalchemy import make_url

from benchmarks.emulator_client import FakeUser, ServeProcess
from index.service import WATCH_INTERVAL_S
from tests.support.e2e import ADMIN_ID, fresh_token, wait_until_answering
from tests.support.store import ARTICLE_BANJIR, PG_SKIP, TEST_DATABASE_URL, pg_admin_url

BANJIR = "Berapa rumah yang terendam banjir di Bekasi?"
FACT = "450 rumah"
LIMIT_S = WATCH_INTERVAL_S + 5.0  # one poll interval plus the rebuild, with slack


@pytest.fixture
def shared_database() -> Iterator[str]:
    if not TEST_DATABASE_URL:
        pytest.skip(PG_SKIP)

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


async def _answer(user: FakeUser, user_id: int, question: str) -> str:
    """The reply's text without its HTML marks (matched words are in bold)."""
    await user.send(question, user_id=user_id)
    [reply] = await user.wait_for_replies(user_id, timeout=30)
    return re.sub(r"<[^>]+>", "", reply.text)


async def _until(user: FakeUser, user_id: int, want_fact: bool) -> float:
    started = time.monotonic()
    while (FACT in await _answer(user, user_id, BANJIR)) != want_fact:
        if time.monotonic() - started > LIMIT_S:
            raise AssertionError(f"not propagated within {LIMIT_S} s")
        await asyncio.sleep(0.2)
    return time.monotonic() - started


@pytest.mark.slow
async def test_content_changes_propagate_between_two_bots(
    emulator: str, shared_database: str
) -> None:
    tokens = [fresh_token(), fresh_token()]
    env = {"DATABASE_URL": shared_database, "ADMIN_USER_IDS": str(ADMIN_ID)}
    bots = [ServeProcess(emulator, token, env=env) for token in tokens]
    try:
        for token, bot in zip(tokens, bots, strict=True):
            wait_until_answering(emulator, token, bot)
        async with httpx.AsyncClient(timeout=70) as http:
            first, second = (FakeUser(emulator, token, http) for token in tokens)
            assert FACT not in await _answer(second, 6001, BANJIR)

            article = await first.send(ARTICLE_BANJIR, user_id=ADMIN_ID)  # a question to it…
            await first.wait_for_replies(ADMIN_ID)
            original = {
                "message_id": article,
                "date": int(time.time()),
                "chat": FakeUser.private_chat(ADMIN_ID),
                "from": FakeUser.user(ADMIN_ID),
                "text": ARTICLE_BANJIR,
            }
            await first.send("/tambah Banjir Bekasi", user_id=ADMIN_ID, reply_to=original)
            [added] = await first.wait_for_replies(ADMIN_ID, timeout=30)
            match = re.search(r"#(\d+) ditambahkan", added.text)
            assert match, added.text
            added_at = time.monotonic()
            await _until(second, 6001, want_fact=True)
            assert time.monotonic() - added_at < LIMIT_S

            await second.send(f"/hapus {match.group(1)}", user_id=ADMIN_ID)
            [removed] = await second.wait_for_replies(ADMIN_ID, timeout=30)
            assert "dihapus" in removed.text, removed.text
            removed_at = time.monotonic()
            await _until(first, 6002, want_fact=False)
            assert time.monotonic() - removed_at < LIMIT_S
    finally:
        logs = [bot.stop() for bot in bots]
    for bot, log in zip(bots, logs, strict=True):
        assert bot.process.returncode == 0, log[-2000:]
        assert "Traceback" not in log, log[-2000:]
        assert "loaded (changed by another instance)" in log

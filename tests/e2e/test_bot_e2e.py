"""The bot end to end: the real ``tanyaberita serve`` process, its SQLite store and the real
engine, talking HTTP to the Bot API emulator; fake users on the other side."""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path

import httpx
import pytest

from benchmarks.emulator_client import BOT_USERNAME, BotMessage, FakeUser, ServeProcess
from index.engine import IndexSnapshot
from index.service import load_content_dir
from tests.support.e2e import ADMIN_ID

pytestmark = pytest.mark.e2e

QUESTION = "Siapa yang menjadi perantara gencatan senjata?"


async def ask(user: FakeUser, user_id: int) -> BotMessage:
    await user.send(QUESTION, user_id=user_id)
    [reply] = await user.wait_for_replies(user_id)
    return reply


async def test_private_question_gets_an_answer_with_buttons(user: FakeUser) -> None:
    reply = await ask(user, 3001)
    assert "Putin" in reply.text and "<b>perantara</b>" in reply.text
    assert reply.raw["message"]["parse_mode"] == "HTML"
    more, up, down = reply.callback_data()
    question_id = more.split(":")[1]
    assert (more, up, down) == (
        f"more:{question_id}:1",
        f"vote:{question_id}:up",
        f"vote:{question_id}:down",
    )


async def test_feedback_click_is_acknowledged_and_counted(user: FakeUser) -> None:
    reply = await ask(user, 3002)
    before = len(await user.callback_answers())
    await user.click(reply, reply.callback_data()[1], user_id=3002, chat=user.private_chat(3002))
    for _ in range(500):
        answers = await user.callback_answers()
        if len(answers) > before:
            break
        await asyncio.sleep(0.01)
    assert answers[-1]["text"] == "Terima kasih! 👍"
    await user.send("/stats", user_id=ADMIN_ID)
    [stats] = await user.wait_for_replies(ADMIN_ID)
    assert "👍 1" in stats.text  # stored in the database


async def test_more_answers_click_edits_the_answer(user: FakeUser) -> None:
    reply = await ask(user, 3003)
    await user.click(reply, reply.callback_data()[0], user_id=3003, chat=user.private_chat(3003))
    for _ in range(500):
        edited = await user.bot_message(reply.message_id, 3003)
        if "Jawaban 2/3" in edited.text:
            break
        await asyncio.sleep(0.01)
    assert "Jawaban 2/3" in edited.text
    assert edited.callback_data()[0].endswith(":2")


async def test_group_tanya_is_answered_and_chatter_ignored(user: FakeUser) -> None:
    group = user.group_chat(-100500)
    await user.send("Kapan kita makan siang?", user_id=3004, chat=group)
    await user.send(f"/tanya@{BOT_USERNAME} {QUESTION}", user_id=3004, chat=group)
    [reply] = await user.wait_for_replies(-100500)
    assert "Putin" in reply.text and reply.reply_to is not None
    await asyncio.sleep(0.3)  # give the chatter every chance to (wrongly) get a reply
    assert await user.new_bot_messages(-100500) == []


async def test_reply_to_the_bot_is_answered(user: FakeUser) -> None:
    group = user.group_chat(-100600)
    await user.send(f"/tanya {QUESTION}", user_id=3005, chat=group)
    [answer] = await user.wait_for_replies(-100600)
    await user.send(
        "Senjata apa yang diberikan Turki kepada Azerbaijan?",
        user_id=3006,
        chat=group,
        reply_to=answer.as_telegram_message(group),
    )
    [follow_up] = await user.wait_for_replies(-100600)
    assert "drone" in follow_up.text


async def test_reload_for_admins_only(user: FakeUser) -> None:
    await user.send("/reload", user_id=3007)
    [refusal] = await user.wait_for_replies(3007)
    assert "hanya untuk admin" in refusal.text
    await user.send("/reload", user_id=ADMIN_ID)
    [report] = await user.wait_for_replies(ADMIN_ID)
    assert "Dimuat ulang" in report.text and "1 artikel" in report.text


async def test_webhook_round_trip_and_forged_requests_refused(
    emulator: str, webhook_bot: tuple[str, ServeProcess, str], http: httpx.AsyncClient
) -> None:
    token, _, url = webhook_bot
    user = FakeUser(emulator, token, http)
    reply = await ask(user, 3008)
    assert "Putin" in reply.text
    forged = {
        "update_id": 99,
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": 3008, "type": "private"},
            "from": {"id": 3008, "is_bot": False, "first_name": "X"},
            "text": QUESTION,
        },
    }
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        response = await http.post(url, json=forged, headers=headers)
        assert response.status_code == 403
    await asyncio.sleep(0.2)
    assert await user.new_bot_messages(3008) == []


async def test_factoid_question_opens_with_its_short_answer(user: FakeUser) -> None:
    """What the engine answers in-process, the running bot shows: the short answer in bold on
    the line under the header, and marked in the sentence, privately and in a group."""
    question = "Kapan pertempuran dimulai?"
    snapshot = IndexSnapshot(load_content_dir(Path(__file__).resolve().parents[2] / "content"))
    short = snapshot.ask(question, top_k=3).hits[0].short_answer
    assert short is not None, "the shipped model no longer answers this question short"
    await user.send(question, user_id=3101)
    [reply] = await user.wait_for_replies(3101)
    lines = reply.text.split("\n")
    assert lines[0].startswith("💡 <b>Jawaban 1/") and lines[1] == f"<b>{escape(short.text)}</b>"
    assert f"<b><i>{escape(short.text)}</i></b>" in reply.text
    group = user.group_chat(-100700)
    await user.send(f"/tanya {question}", user_id=3102, chat=group)
    [answer] = await user.wait_for_replies(group["id"])
    assert answer.text.split("\n")[1] == f"<b>{escape(short.text)}</b>"

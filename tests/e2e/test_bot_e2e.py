"""The bot end to end through the Bot API emulator: real HTTP, real PTB, real engine."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import ADMIN_ID, RunningBot
from tests.e2e.emulator_client import BOT_USERNAME

QUESTION = "Siapa yang menjadi perantara gencatan senjata?"
USER = 3003


async def test_private_question_gets_an_answer_with_buttons(polling_bot: RunningBot) -> None:
    user = polling_bot.user
    await user.send(QUESTION, user_id=USER)
    [reply] = await user.wait_for_replies(USER)
    assert "Putin" in reply.text and "<b>perantara</b>" in reply.text
    assert reply.raw["message"]["parse_mode"] == "HTML"
    assert reply.callback_data() == ["more:1:1", "vote:1:up", "vote:1:down"]


async def test_feedback_click_is_stored_and_acknowledged(polling_bot: RunningBot) -> None:
    user = polling_bot.user
    await user.send(QUESTION, user_id=USER)
    [reply] = await user.wait_for_replies(USER)
    await user.click(reply, "vote:1:up", user_id=USER, chat=user.private_chat(USER))
    for _ in range(500):
        if answers := await user.callback_answers():
            break
        await asyncio.sleep(0.01)
    assert [a["text"] for a in answers] == ["Terima kasih! 👍"]
    assert polling_bot.service.votes == {(1, USER): 1}


async def test_more_answers_click_edits_the_answer(polling_bot: RunningBot) -> None:
    user = polling_bot.user
    await user.send(QUESTION, user_id=USER)
    [reply] = await user.wait_for_replies(USER)
    await user.click(reply, "more:1:1", user_id=USER, chat=user.private_chat(USER))
    for _ in range(500):
        edited = await user.bot_message(reply.message_id, USER)
        if "Jawaban 2/3" in edited.text:
            break
        await asyncio.sleep(0.01)
    assert "Jawaban 2/3" in edited.text
    assert edited.callback_data()[0] == "more:1:2"


async def test_group_tanya_is_answered_and_chatter_ignored(polling_bot: RunningBot) -> None:
    user = polling_bot.user
    group = user.group_chat(-100500)
    await user.send("Kapan kita makan siang?", user_id=USER, chat=group)
    await user.send(f"/tanya@{BOT_USERNAME} {QUESTION}", user_id=USER, chat=group)
    [reply] = await user.wait_for_replies(-100500)
    assert "Putin" in reply.text and reply.reply_to is not None
    await asyncio.sleep(0.2)  # give the chatter every chance to (wrongly) get a reply
    assert await user.new_bot_messages(-100500) == []
    assert [q.question for q in polling_bot.service.questions.values()] == [QUESTION]


async def test_reply_to_the_bot_is_answered(polling_bot: RunningBot) -> None:
    user = polling_bot.user
    group = user.group_chat(-100600)
    await user.send(f"/tanya {QUESTION}", user_id=USER, chat=group)
    [answer] = await user.wait_for_replies(-100600)
    await user.send(
        "Senjata apa yang diberikan Turki kepada Azerbaijan?",
        user_id=USER + 1,
        chat=group,
        reply_to=answer.as_telegram_message(group),
    )
    [follow_up] = await user.wait_for_replies(-100600)
    assert "drone" in follow_up.text


async def test_reload_for_admins_only(polling_bot: RunningBot) -> None:
    user = polling_bot.user
    await user.send("/reload", user_id=USER)
    [refusal] = await user.wait_for_replies(USER)
    assert "hanya untuk admin" in refusal.text
    await user.send("/reload", user_id=ADMIN_ID)
    [report] = await user.wait_for_replies(ADMIN_ID)
    assert "Dimuat ulang" in report.text and "1 artikel" in report.text
    assert polling_bot.service.calls.count("reload") == 1


async def test_webhook_round_trip_and_forged_requests_refused(webhook_bot: RunningBot) -> None:
    user = webhook_bot.user
    await user.send(QUESTION, user_id=USER)
    [reply] = await user.wait_for_replies(USER)
    assert "Putin" in reply.text
    forged = {
        "update_id": 99,
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": USER, "type": "private"},
            "from": {"id": USER, "is_bot": False, "first_name": "X"},
            "text": "/reload",
        },
    }
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        response = await user.client.post(webhook_bot.webhook_url, json=forged, headers=headers)
        assert response.status_code == 403
    await asyncio.sleep(0.1)
    assert await user.new_bot_messages(USER) == []

"""Answer buttons: paging by editing, votes, and stale or forged callback data."""

from __future__ import annotations

from typing import Any

import pytest

from bot.state import state
from tests.bot.telegram_html import check
from tests.support.bot import USER_ID, Harness

QUESTION = "Siapa yang menjadi perantara gencatan senjata?"


async def ask(bot: Harness, question: str = QUESTION, **kwargs: Any) -> dict[str, Any]:
    """Ask, and return the bot's answer message as Telegram would show it in a callback."""
    update = bot.updates.message(question, **kwargs)
    await bot.feed(update)
    [reply] = bot.request.sent()
    asked = update["message"]
    return {
        "message_id": 9000 + len(bot.service.questions),
        "date": asked["date"],
        "chat": asked["chat"],
        "from": {"id": 1, "is_bot": True, "first_name": "Tanya"},
        "text": reply["text"],
        "reply_to_message": asked,
    }


def callback_answer(bot: Harness) -> dict[str, Any]:
    [answered] = bot.request.sent("answerCallbackQuery")
    return answered


async def test_more_pages_through_the_hits_by_editing_the_message(bot: Harness) -> None:
    message = await ask(bot)
    pages = []
    data = "more:1:1"
    for _ in range(3):
        await bot.feed(bot.updates.callback(data, message))
        [edit] = bot.request.sent("editMessageText")
        check(edit["text"])
        assert (edit["chat_id"], edit["message_id"]) == (USER_ID, message["message_id"])
        pages.append(edit["text"].split("</b>")[0])
        data = edit["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert callback_answer(bot).keys() == {"callback_query_id"}  # answered, no note
    assert pages == ["💡 <b>Jawaban 2/3", "💡 <b>Jawaban 3/3", "💡 <b>Jawaban 1/3"]
    assert bot.service.calls.count("ask") == 1  # paging reuses the ranked hits


async def test_paging_after_a_restart_asks_the_replied_question_again(bot: Harness) -> None:
    message = await ask(bot)
    state(bot.app).answers._data.clear()  # what a restart leaves
    await bot.feed(bot.updates.callback("more:1:2", message))
    [edit] = bot.request.sent("editMessageText")
    assert "Jawaban 3/3" in edit["text"]
    assert 1 not in state(bot.app).answers  # the re-asked answer is not cached


async def test_paging_after_a_restart_of_a_group_command(bot: Harness) -> None:
    message = await ask(bot, f"/tanya@TanyaBeritaBot {QUESTION}", chat_type="group")
    state(bot.app).answers._data.clear()
    await bot.feed(bot.updates.callback("more:1:1", message))
    assert "Jawaban 2/3" in bot.request.sent("editMessageText")[0]["text"]


@pytest.mark.parametrize("vote", ["up", "down"])
async def test_votes_are_stored_and_acknowledged(bot: Harness, vote: str) -> None:
    message = await ask(bot)
    await bot.feed(bot.updates.callback(f"vote:1:{vote}", message, user_id=USER_ID))
    assert bot.service.votes == {(1, USER_ID): 1 if vote == "up" else -1}
    assert "Terima kasih" in callback_answer(bot)["text"]
    assert bot.request.sent("editMessageText") == []


@pytest.mark.parametrize(
    "data",
    [
        "",
        "more",
        "more:1",
        "more:abc:1",
        "more:1:99",
        "more:01:1",
        "vote:1:sideways",
        "vote:1:0",
        "delete:1:1",
        "more:1:1:extra",
        "x" * 64,
        "more:-1:1",
        "vote:99999999999999999999:up",
    ],
)
async def test_forged_callback_data_does_nothing(bot: Harness, data: str) -> None:
    message = await ask(bot)
    await bot.feed(bot.updates.callback(data, message))
    assert [c.method for c in bot.request.calls] == ["answerCallbackQuery"]
    assert "kedaluwarsa" in callback_answer(bot)["text"]
    assert bot.service.votes == {}


async def test_vote_for_an_unknown_question_is_stale(bot: Harness) -> None:
    message = await ask(bot)
    await bot.feed(bot.updates.callback("vote:77:up", message))
    assert "kedaluwarsa" in callback_answer(bot)["text"]
    assert bot.service.votes == {}


async def test_buttons_of_another_chats_answer_do_nothing(bot: Harness) -> None:
    await ask(bot)  # question 1 in the user's private chat
    other = await ask(bot, "Kapan gencatan senjata disepakati?", user_id=USER_ID + 5)
    await bot.feed(bot.updates.callback("more:1:1", other, user_id=USER_ID + 5))
    await bot.feed(bot.updates.callback("vote:1:down", other, user_id=USER_ID + 5))
    assert bot.request.sent("editMessageText") == []
    assert bot.service.votes == {}


async def test_old_answer_whose_message_is_gone(bot: Harness) -> None:
    await ask(bot)
    await bot.feed(bot.updates.callback("more:1:1", None))  # e.g. an inline message
    assert "kedaluwarsa" in callback_answer(bot)["text"]
    inaccessible = {"chat": {"id": USER_ID, "type": "private"}, "message_id": 5, "date": 0}
    await bot.feed(bot.updates.callback("more:1:1", inaccessible))
    assert "kedaluwarsa" in callback_answer(bot)["text"]
    assert bot.request.sent("editMessageText") == []


async def test_unknown_answer_without_a_question_to_recover_is_stale(bot: Harness) -> None:
    message = await ask(bot)
    message.pop("reply_to_message")
    await bot.feed(bot.updates.callback("more:42:1", message))
    assert "kedaluwarsa" in callback_answer(bot)["text"]


@pytest.mark.parametrize(
    ("error", "note"),
    [
        ("Bad Request: message is not modified", False),
        ("Bad Request: message to edit not found", True),
    ],
)
async def test_edit_failures(bot: Harness, error: str, note: bool) -> None:
    message = await ask(bot)
    bot.request.errors["editMessageText"] = (400, error)
    await bot.feed(bot.updates.callback("more:1:1", message))
    assert ("text" in callback_answer(bot)) is note


async def test_english_note_for_english_users(bot: Harness) -> None:
    message = await ask(bot)
    await bot.feed(bot.updates.callback("nonsense", message, lang="en"))
    assert "expired" in callback_answer(bot)["text"]

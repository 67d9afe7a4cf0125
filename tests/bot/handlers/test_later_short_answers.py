"""The hits after the best one get their short answer when they are shown — a "Jawaban lain"
page, an inline result — with the shipped span model: ``ask`` looks in the best hit only."""

from __future__ import annotations

from typing import Any

from bot.state import state
from index.spans import ShortAnswer
from tests.bot.telegram_html import check
from tests.support.bot import USER_ID, Harness

# The shipped model is sure of a date in the second hit too ("10/10" first, then "10/10/2020").
QUESTION = "Kapan gencatan senjata disepakati?"


def later_short_answer(bot: Harness, question: str, rank: int) -> ShortAnswer:
    """The short answer of hit ``rank`` (1-based) as the engine finds it for all hits."""
    service = bot.service
    answer = service.with_short_answers(service.ask(question, 3), rank)
    short = answer.hits[rank - 1].short_answer
    assert short is not None, "precondition: the model is sure of a span in that hit"
    return short


async def ask(bot: Harness, question: str = QUESTION) -> dict[str, Any]:
    """Ask in private; the bot's answer message as a callback carries it."""
    update = bot.updates.message(question)
    await bot.feed(update)
    [reply] = bot.request.sent()
    return {
        "message_id": 9000 + len(bot.service.questions),
        "date": update["message"]["date"],
        "chat": update["message"]["chat"],
        "from": {"id": 1, "is_bot": True, "first_name": "Tanya"},
        "text": reply["text"],
        "reply_to_message": update["message"],
    }


def edited(bot: Harness) -> str:
    [edit] = bot.request.sent("editMessageText")
    text: str = edit["text"]
    check(text)
    return text


def note(bot: Harness) -> str:
    [answered] = bot.request.sent("answerCallbackQuery")
    return str(answered.get("text", ""))


def assert_on_top(text: str, short: ShortAnswer, page: str) -> None:
    lines = text.split("\n")
    assert lines[0].startswith(f"💡 <b>Jawaban {page}")
    assert lines[1] == f"<b>{short.text}</b>"  # the short answer in bold, first
    assert f"<b><i>{short.text}</i></b>" in text  # and marked in its sentence below


async def test_page_two_opens_with_its_short_answer(bot: Harness) -> None:
    expected = later_short_answer(bot, QUESTION, 2)
    message = await ask(bot)
    cached = state(bot.app).answers.get(1)
    assert cached is not None and cached.answer.hits[1].short_answer is None  # not yet looked for
    bot.service.calls.clear()
    await bot.feed(bot.updates.callback("more:1:1", message))
    assert_on_top(edited(bot), expected, "2/3")
    assert bot.service.calls == ["with_short_answers"]
    # the cache keeps the completed answer: the next visit of page 2 looks for nothing
    cached = state(bot.app).answers.get(1)
    assert cached is not None and cached.answer.hits[1].short_answer == expected
    bot.service.calls.clear()
    await bot.feed(bot.updates.callback("more:1:1", message))
    assert_on_top(edited(bot), expected, "2/3")
    assert bot.service.calls == []


async def test_page_two_after_a_restart_opens_with_its_short_answer(bot: Harness) -> None:
    expected = later_short_answer(bot, QUESTION, 2)
    message = await ask(bot)
    state(bot.app).answers._data.clear()  # what a restart leaves
    await bot.feed(bot.updates.callback("more:1:1", message))
    assert_on_top(edited(bot), expected, "2/3")
    assert 1 not in state(bot.app).answers


async def test_inline_result_two_opens_with_its_short_answer(bot: Harness) -> None:
    expected = later_short_answer(bot, QUESTION, 2)
    await bot.feed(bot.updates.inline(QUESTION))
    [call] = bot.request.sent("answerInlineQuery")
    second = call["results"][1]
    assert second["title"] == expected.text
    body = second["input_message_content"]["message_text"]
    check(body)
    assert body.split("\n\n")[1] == f"<b>{expected.text}</b>"
    assert f"<b><i>{expected.text}</i></b>" in body


async def test_a_why_question_pages_without_looking_for_short_answers(bot: Harness) -> None:
    message = await ask(bot, "Mengapa Armenia dan Azerbaijan berperang?")
    bot.service.calls.clear()
    await bot.feed(bot.updates.callback("more:1:1", message))
    page = edited(bot)
    assert page.split("\n")[1] == "" and "<b><i>" not in page
    assert bot.service.calls == []  # ask already said: no hit of it gets one


async def test_a_page_beyond_the_hits_is_stale(bot: Harness) -> None:
    message = await ask(bot)
    bot.service.calls.clear()
    await bot.feed(bot.updates.callback("more:1:7", message))
    assert "kedaluwarsa" in note(bot)
    assert bot.request.sent("editMessageText") == [] and bot.service.calls == []


async def test_a_deleted_answer_message_is_still_stale(bot: Harness) -> None:
    await ask(bot)
    bot.service.calls.clear()
    inaccessible = {"chat": {"id": USER_ID, "type": "private"}, "message_id": 5, "date": 0}
    await bot.feed(bot.updates.callback("more:1:1", inaccessible))
    assert "kedaluwarsa" in note(bot)
    assert bot.request.sent("editMessageText") == [] and bot.service.calls == []


async def test_another_chats_answer_is_stale_and_not_completed(bot: Harness) -> None:
    await ask(bot)  # question 1, in the user's private chat
    other = bot.updates.message(QUESTION, user_id=USER_ID + 5)
    await bot.feed(other)
    forged = {
        "message_id": 9999,
        "date": other["message"]["date"],
        "chat": other["message"]["chat"],
        "from": {"id": 1, "is_bot": True, "first_name": "Tanya"},
        "text": "…",
        "reply_to_message": other["message"],
    }
    bot.service.calls.clear()
    await bot.feed(bot.updates.callback("more:1:1", forged, user_id=USER_ID + 5))
    assert "kedaluwarsa" in note(bot)
    assert bot.service.calls == []
    cached = state(bot.app).answers.get(1)
    assert cached is not None and cached.answer.short_answers_examined == 1


async def test_an_answer_gone_from_the_articles_is_stale(bot: Harness) -> None:
    """After the article is removed and the cache forgotten, asking again abstains."""
    message = await ask(bot)
    assert bot.service.remove(1)
    state(bot.app).answers._data.clear()
    await bot.feed(bot.updates.callback("more:1:1", message))
    assert "kedaluwarsa" in note(bot)
    assert bot.request.sent("editMessageText") == []

"""Short answers everywhere an answer goes: private and group replies, the "Jawaban lain"
pages and inline results. A hand-set span model makes the short answer certain, so these
tests check the plumbing and layout, not the learned weights."""

from __future__ import annotations

from typing import Any

import pytest

from index import engine
from index.spans import SpanModel
from tests.bot.conftest import Harness
from tests.bot.telegram_html import check

QUESTION = "Siapa yang menjadi perantara gencatan senjata?"
SHORT = "<b>Vladimir Putin</b>"
MARKED = "<b><i>Vladimir Putin</i></b>"


@pytest.fixture(autouse=True)
def sure_of_names(monkeypatch: pytest.MonkeyPatch) -> None:
    weights = {"k=name|q=who": 3.0, "inq_all": -6.0, "len=2|q=who": 2.0, "prev=rusia": 5.0}
    monkeypatch.setattr(engine, "default_span_model", lambda: SpanModel(weights, 0.2))


def reply_text(bot: Harness, method: str = "sendMessage") -> str:
    [reply] = bot.request.sent(method)
    text: str = reply["text"]
    check(text)
    return text


def assert_short_answer_on_top(text: str) -> None:
    lines = text.split("\n")
    assert lines[0].startswith("💡 <b>Jawaban 1/") and lines[1] == SHORT
    assert MARKED in text and text.index(SHORT) < text.index(MARKED)


async def test_private_reply_starts_with_the_short_answer(bot: Harness) -> None:
    await bot.feed(bot.updates.message(QUESTION))
    assert_short_answer_on_top(reply_text(bot))


async def test_group_reply_starts_with_the_short_answer(bot: Harness) -> None:
    await bot.feed(bot.updates.message(f"/tanya {QUESTION}", chat_type="group"))
    assert_short_answer_on_top(reply_text(bot))


async def test_why_questions_get_the_sentence_only(bot: Harness) -> None:
    await bot.feed(bot.updates.message("Mengapa Putin menjadi perantara gencatan senjata?"))
    text = reply_text(bot)
    assert "<i>" not in text.split("<blockquote>")[0].replace("<i>Armenia", "")
    assert "<b><i>" not in text


async def test_other_pages_show_their_own_short_answer_or_none(bot: Harness) -> None:
    update = bot.updates.message(QUESTION)
    await bot.feed(update)
    first = reply_text(bot)
    message: dict[str, Any] = {
        "message_id": 9001,
        "date": update["message"]["date"],
        "chat": update["message"]["chat"],
        "from": {"id": 1, "is_bot": True, "first_name": "Tanya"},
        "text": first,
        "reply_to_message": update["message"],
    }
    answer = bot.service.ask(QUESTION)
    await bot.feed(bot.updates.callback("more:1:1", message))
    page = reply_text(bot, "editMessageText")
    assert page.startswith("💡 <b>Jawaban 2/")
    second = answer.hits[1].short_answer
    if second is None:
        assert "<b><i>" not in page and page.split("\n")[1] == ""
    else:
        assert page.split("\n")[1] == f"<b>{second.text}</b>"


async def test_inline_results_title_the_short_answer(bot: Harness) -> None:
    await bot.feed(bot.updates.inline("siapa yang menjadi perantara"))
    [call] = bot.request.sent("answerInlineQuery")
    first = call["results"][0]
    assert first["title"] == "Vladimir Putin"
    body = first["input_message_content"]["message_text"]
    check(body)
    assert body.split("\n\n")[1] == SHORT and MARKED in body

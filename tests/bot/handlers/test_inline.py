"""Inline mode: top answers as articles, an honest result when there is none."""

from __future__ import annotations

from tests.bot.telegram_html import check
from tests.support.bot import Harness


async def test_inline_question_offers_the_top_answers(bot: Harness) -> None:
    await bot.feed(bot.updates.inline("siapa yang menjadi perantara"))
    [call] = bot.request.sent("answerInlineQuery")
    results = call["results"]
    assert 1 <= len(results) <= 5
    assert all(r["type"] == "article" for r in results)
    first = results[0]["input_message_content"]
    assert first["parse_mode"] == "HTML"
    check(first["message_text"])
    assert "Putin" in first["message_text"]
    assert bot.service.questions == {}  # keystrokes are not logged as questions


async def test_inline_without_an_answer(bot: Harness) -> None:
    await bot.feed(bot.updates.inline("resep rendang padang", lang="en"))
    [call] = bot.request.sent("answerInlineQuery")
    assert [r["title"] for r in call["results"]] == ["Not in the articles"]


async def test_empty_inline_query_shows_a_hint_button(bot: Harness) -> None:
    await bot.feed(bot.updates.inline("   "))
    [call] = bot.request.sent("answerInlineQuery")
    assert call["results"] == []
    assert call["button"]["start_parameter"] == "inline"

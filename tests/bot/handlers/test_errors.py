"""The global error handler: log it, tell the user something short, never a traceback."""

from __future__ import annotations

import logging

import pytest

from tests.support.bot import TOKEN, Harness


@pytest.fixture
def broken(bot: Harness) -> Harness:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"database exploded near {TOKEN}")

    bot.service.ask = fail  # type: ignore[method-assign]
    bot.service.reload = fail  # type: ignore[method-assign]
    return bot


async def test_failure_in_private_chat_gets_a_short_apology(
    broken: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        await broken.feed(broken.updates.message("Siapa perantara?"))
    [reply] = broken.request.sent()
    assert reply["text"] == "Maaf, terjadi kesalahan. Silakan coba lagi sebentar lagi."
    assert "Traceback" not in reply["text"]
    assert any(r.exc_info and "database exploded" in str(r.exc_info[1]) for r in caplog.records)


async def test_failure_in_english(broken: Harness) -> None:
    await broken.feed(broken.updates.message("/reload", user_id=4242, lang="en"))
    assert broken.request.texts() == ["Sorry, something went wrong. Please try again in a moment."]


async def test_failure_on_a_button_answers_the_callback(broken: Harness) -> None:
    message = broken.updates.message("x")["message"]
    message["reply_to_message"] = broken.updates.message("Siapa perantara?")["message"]
    await broken.feed(broken.updates.callback("more:5:1", message))
    [answered] = broken.request.sent("answerCallbackQuery")
    assert answered["text"].startswith("Maaf")


async def test_failure_in_inline_mode_is_only_logged(broken: Harness) -> None:
    await broken.feed(broken.updates.inline("siapa"))
    assert broken.request.calls == []


async def test_error_while_apologising_is_swallowed(broken: Harness) -> None:
    broken.request.errors["sendMessage"] = (400, "Bad Request: chat not found")
    await broken.feed(broken.updates.message("Siapa perantara?"))
    assert [c.method for c in broken.request.calls] == ["sendMessage"]


async def test_blocked_by_the_user_is_not_an_apology(bot: Harness) -> None:
    bot.request.errors["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    await bot.feed(bot.updates.message("Siapa perantara?"))
    assert [c.method for c in bot.request.calls] == ["sendMessage"]

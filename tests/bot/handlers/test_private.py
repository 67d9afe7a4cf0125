"""Private chats: questions, commands, language, non-text input, edits, flood guard."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import build_application
from tests.bot.telegram_html import check
from tests.support.bot import (
    ADMIN_ID,
    BOT_USERNAME,
    MEDIA_PAYLOADS,
    USER_ID,
    Harness,
    RecordingRequest,
    Updates,
    make_settings,
)

QUESTION = "Siapa yang menjadi perantara gencatan senjata?"


def only_reply(bot: Harness) -> dict[str, Any]:
    [reply] = bot.request.sent()
    check(reply["text"])
    assert reply["parse_mode"] == "HTML"
    return reply


async def test_question_gets_the_answer_with_buttons_and_is_logged(bot: Harness) -> None:
    update = bot.updates.message(QUESTION)
    await bot.feed(update)
    reply = only_reply(bot)
    assert reply["chat_id"] == USER_ID
    assert reply["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert "Putin" in reply["text"] and "<b>perantara</b>" in reply["text"]
    assert "Sumber:" in reply["text"]
    rows = reply["reply_markup"]["inline_keyboard"]
    assert rows[0][0]["callback_data"] == "more:1:1" and rows[0][0]["text"].startswith(
        "Jawaban lain"
    )
    assert [b["text"] for b in rows[1]] == ["👍", "👎"]
    logged = bot.service.questions[1]
    assert (logged.chat_id, logged.user_id, logged.question) == (USER_ID, USER_ID, QUESTION)


async def test_english_user_gets_english_labels(bot: Harness) -> None:
    await bot.feed(bot.updates.message(QUESTION, lang="en-GB"))
    reply = only_reply(bot)
    assert "Answer 1/" in reply["text"] and "Source:" in reply["text"]
    assert reply["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("Other answers")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berapa harga tiket pesawat ke Bali bulan depan?", "tidak menjawab"),
        ("terima kasih", "Sama-sama"),
        ("???", "Tulis pertanyaan"),
    ],
)
async def test_abstentions_are_polite_and_offer_what_the_bot_knows(
    bot: Harness, text: str, expected: str
) -> None:
    await bot.feed(bot.updates.message(text))
    reply = only_reply(bot)
    assert expected in reply["text"]
    assert "reply_markup" not in reply
    if expected == "tidak menjawab":
        assert "Armenia Azerbaijan" in reply["text"]  # the shipped article's title


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("halo", "id", "Halo! 👋 Tanyakan apa saja tentang berita"),
        ("Hai kak", "id", "Halo!"),
        ("hello", "en", "Hi! 👋 Ask me anything about the news I have"),
        ("Selamat malam", "id", "Selamat malam!"),
        ("assalamualaikum", "id", "Waalaikumsalam!"),
        ("ok sip", "id", "🙂 Tanyakan"),
        ("halo 👋", "id", "Halo! 👋 Tanyakan"),
        ("👋", "en", "Hi! 👋 Ask me anything"),
        ("good morning", "en", "Good morning! 👋 Ask me"),
    ],
)
async def test_greetings_are_greeted_back_with_what_to_ask(
    bot: Harness, text: str, lang: str, expected: str
) -> None:
    await bot.feed(bot.updates.message(text, lang=lang))
    reply = only_reply(bot)
    assert reply["text"].startswith(expected)
    assert "<i>Armenia Azerbaijan Gencatan Senjata</i>" in reply["text"]  # what to ask about
    assert "Sama-sama" not in reply["text"] and "welcome" not in reply["text"]
    assert "\n" not in reply["text"]  # one line
    assert bot.service.questions == {}  # no question: stays out of /stats


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("terima kasih", "id", "Sama-sama!"),
        ("makasih ya min", "id", "Sama-sama!"),
        ("terimakasih", "id", "Sama-sama!"),
        ("thanks", "en", "You're welcome!"),
        ("halo, makasih", "id", "Sama-sama!"),
        ("terima kasih banyak", "id", "Sama-sama!"),
        ("makasih atas infonya 🙏", "id", "Sama-sama!"),
        ("🙏", "id", "Sama-sama!"),
        ("thank you very much", "en", "You're welcome!"),
        ("thanks a lot!", "en", "You're welcome!"),
    ],
)
async def test_thanks_are_answered_with_thanks(
    bot: Harness, text: str, lang: str, expected: str
) -> None:
    await bot.feed(bot.updates.message(text, lang=lang))
    reply = only_reply(bot)
    assert reply["text"].startswith(expected)
    assert "Armenia" not in reply["text"]
    assert bot.service.questions == {}


@pytest.mark.parametrize(
    "greeting", ["halo, ", "Selamat pagi min! ", "hai 👋 ", "assalamualaikum. "]
)
async def test_a_greeting_with_a_question_is_answered_as_the_question(
    bot: Harness, greeting: str
) -> None:
    await bot.feed(bot.updates.message(greeting + QUESTION))
    reply = only_reply(bot)
    assert reply["text"].startswith("💡 <b>Jawaban 1/") and "Putin" in reply["text"]
    assert "Tanyakan apa saja" not in reply["text"]
    assert [q.question for q in bot.service.questions.values()] == [greeting + QUESTION]


async def test_user_text_is_escaped(bot: Harness) -> None:
    await bot.feed(bot.updates.message("<b>gencatan</b> & <script>senjata?"))
    reply = only_reply(bot)
    assert "<script>" not in reply["text"]


async def test_mention_of_the_bot_in_private_is_stripped(bot: Harness) -> None:
    await bot.feed(bot.updates.message(f"@{BOT_USERNAME} {QUESTION}"))
    assert "Putin" in only_reply(bot)["text"]
    assert bot.service.questions[1].question == QUESTION


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/start", "Armenia Azerbaijan Gencatan Senjata"),
        ("/help", "/tanya"),
        ("/artikel", "#1 — Armenia Azerbaijan Gencatan Senjata"),
        ("/bantuan", "Cara bertanya"),
        (f"/help@{BOT_USERNAME}", "Cara bertanya"),
        ("/tanya", "Tulis pertanyaannya"),
        (f"/tanya {QUESTION}", "Putin"),
        ("/perintahaneh", "tidak saya kenal"),
    ],
)
async def test_commands(bot: Harness, command: str, expected: str) -> None:
    await bot.feed(bot.updates.message(command))
    assert expected in only_reply(bot)["text"]


async def test_help_lists_admin_commands_only_for_admins(bot: Harness) -> None:
    await bot.feed(bot.updates.message("/help"))
    assert "/reload" not in only_reply(bot)["text"]
    await bot.feed(bot.updates.message("/help", user_id=ADMIN_ID))
    assert "/reload" in only_reply(bot)["text"]


async def test_language_command_sets_and_persists_the_chat_language(bot: Harness) -> None:
    await bot.feed(bot.updates.message("/bahasa en"))
    assert "English" in only_reply(bot)["text"]
    assert bot.service.languages == {USER_ID: "en"}
    await bot.feed(bot.updates.message(QUESTION, lang="id"))  # the chat setting wins
    assert "Answer 1/" in only_reply(bot)["text"]
    await bot.feed(bot.updates.message("/bahasa xx"))
    assert "/bahasa id" in only_reply(bot)["text"]


async def test_stored_chat_language_is_read_once(bot: Harness) -> None:
    bot.service.languages[USER_ID] = "en"
    await bot.feed(bot.updates.message(QUESTION, lang="id"))
    assert "Answer 1/" in only_reply(bot)["text"]
    await bot.feed(bot.updates.message(QUESTION, lang="id"))
    assert "Answer 1/" in only_reply(bot)["text"]
    assert bot.service.language_reads == 1  # the second message uses the cached setting


@pytest.mark.parametrize(
    "extra",
    [
        *MEDIA_PAYLOADS,
        {"location": {"latitude": -6.2, "longitude": 106.8}},
    ],
    ids=["sticker", "photo", "voice", "location"],
)
async def test_non_text_gets_a_hint(bot: Harness, extra: dict[str, Any]) -> None:
    await bot.feed(bot.updates.message(None, extra=extra))
    assert "teks" in only_reply(bot)["text"]


async def test_document_from_a_non_admin_gets_the_hint(bot: Harness) -> None:
    doc = {"file_id": "d1", "file_unique_id": "d1", "file_name": "a.txt", "mime_type": "text/plain"}
    await bot.feed(bot.updates.message(None, extra={"document": doc}))
    assert "teks" in only_reply(bot)["text"]
    assert "ingest_upload" not in bot.service.calls


async def test_edited_question_is_answered_again(bot: Harness) -> None:
    await bot.feed(bot.updates.message(QUESTION, kind="edited_message"))
    assert "Putin" in only_reply(bot)["text"]


async def test_message_posted_via_inline_mode_is_ignored(bot: Harness) -> None:
    await bot.feed(bot.updates.message("💡 Jawaban ...", via_bot=True))
    assert bot.request.calls == []


async def test_flood_guard_warns_once_then_stays_quiet(service: Any) -> None:
    settings = make_settings(flood_max_questions=2, flood_window_seconds=60)
    request = RecordingRequest()
    app = build_application(
        settings, service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    bot = Harness(app, request, service, Updates())
    try:
        replies = []
        for _ in range(5):
            await bot.feed(bot.updates.message(QUESTION))
            replies.append([p["text"] for p in bot.request.sent()])
        assert all("Putin" in r[0] for r in replies[:2])
        assert "Pelan-pelan" in replies[2][0] and "60 detik" in replies[2][0]
        assert replies[3:] == [[], []]
        assert len(service.questions) == 2  # refused questions never reach the engine
        await bot.feed(bot.updates.message(QUESTION, user_id=USER_ID + 1))  # others unaffected
        assert "Putin" in bot.request.texts()[0]
    finally:
        await app.shutdown()


async def test_answer_still_sent_when_logging_fails(bot: Harness) -> None:
    bot.service.fail_logging = True
    await bot.feed(bot.updates.message(QUESTION))
    reply = only_reply(bot)
    assert "Putin" in reply["text"] and "reply_markup" not in reply


async def test_flood_note_in_english_says_1_second(service: Any) -> None:
    settings = make_settings(flood_max_questions=1, flood_window_seconds=1)
    request = RecordingRequest()
    app = build_application(
        settings, service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    bot = Harness(app, request, service, Updates())
    try:
        await bot.feed(bot.updates.message(QUESTION, lang="en"))
        await bot.feed(bot.updates.message(QUESTION, lang="en"))
        assert "Try again in 1 second." in only_reply(bot)["text"]
    finally:
        await app.shutdown()


async def test_english_question_is_told_the_articles_are_indonesian(bot: Harness) -> None:
    await bot.feed(bot.updates.message("Who mediated the ceasefire?", lang="en"))
    text = only_reply(bot)["text"]
    assert "do not answer" in text and "They are in Indonesian" in text

"""Groups and supergroups: answer when addressed, in the asking message's topic; else quiet."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import build_application
from tests.bot.telegram_html import check
from tests.support.bot import (
    ADMIN_RIGHTS,
    BOT_USERNAME,
    GROUP_ID,
    MEDIA_PAYLOADS,
    Harness,
    RecordingRequest,
    Updates,
    make_settings,
)

QUESTION = "Siapa yang menjadi perantara gencatan senjata?"


def only_reply(bot: Harness) -> dict[str, Any]:
    [reply] = bot.request.sent()
    check(reply["text"])
    return reply


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
@pytest.mark.parametrize(
    "text",
    [
        f"/tanya {QUESTION}",
        f"/ask {QUESTION}",
        f"/tanya@{BOT_USERNAME} {QUESTION}",
        f"@{BOT_USERNAME} {QUESTION}",
        f"{QUESTION} @{BOT_USERNAME.lower()}",
    ],
    ids=["tanya", "ask", "tanya@bot", "mention-first", "mention-last"],
)
async def test_addressed_questions_are_answered_as_replies(
    bot: Harness, chat_type: str, text: str
) -> None:
    update = bot.updates.message(text, chat_type=chat_type)
    await bot.feed(update)
    reply = only_reply(bot)
    assert reply["chat_id"] == GROUP_ID
    assert reply["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert "Putin" in reply["text"]
    assert "message_thread_id" not in reply
    assert bot.service.questions[1].question == QUESTION


async def test_reply_to_the_bot_is_a_follow_up_question(bot: Harness) -> None:
    answer = bot.updates.bot_message("💡 Jawaban 1/3 …")
    await bot.feed(
        bot.updates.message(
            "Senjata apa yang diberikan Turki kepada Azerbaijan?",
            chat_type="supergroup",
            reply_to=answer,
        )
    )
    assert "drone" in only_reply(bot)["text"]


async def test_answer_goes_to_the_same_forum_topic(bot: Harness) -> None:
    update = bot.updates.message(f"/tanya {QUESTION}", chat_type="supergroup", thread_id=77)
    await bot.feed(update)
    reply = only_reply(bot)
    assert reply["message_thread_id"] == 77
    assert reply["reply_parameters"]["message_id"] == update["message"]["message_id"]


@pytest.mark.parametrize(
    ("text", "kwargs"),
    [
        ("Kapan gencatan senjata disepakati?", {}),  # plain chatter
        (f"/tanya@OtherBot {QUESTION}", {}),  # a command for another bot
        ("@someoneelse siapa itu?", {}),  # someone else mentioned
        ("setuju", {"reply_to": "human"}),  # a reply to a person
        ("lihat ini", {"via_bot": True}),  # our own inline result posted by a user
        ("balasan di topik", {"reply_to": "topic-root"}),
    ],
    ids=["chatter", "other-bot-command", "other-mention", "reply-to-human", "via-bot", "topic"],
)
async def test_everything_else_is_ignored(bot: Harness, text: str, kwargs: dict[str, Any]) -> None:
    reply_to = kwargs.pop("reply_to", None)
    if reply_to == "human":
        kwargs["reply_to"] = bot.updates.message("halo", chat_type="group")["message"]
    elif reply_to == "topic-root":
        root = bot.updates.bot_message("")
        root.pop("text")
        root["forum_topic_created"] = {"name": "Topik", "icon_color": 7322096}
        kwargs["reply_to"] = root
    await bot.feed(bot.updates.message(text, chat_type="supergroup", **kwargs))
    assert bot.request.calls == []
    assert bot.service.questions == {}


@pytest.mark.parametrize(
    "extra",
    [
        *MEDIA_PAYLOADS,
        {"new_chat_members": [{"id": 5, "is_bot": False, "first_name": "Baru"}]},
        {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "a.txt"}},
    ],
    ids=["sticker", "photo", "voice", "join", "document"],
)
async def test_non_text_in_groups_is_silent(bot: Harness, extra: dict[str, Any]) -> None:
    await bot.feed(bot.updates.message(None, chat_type="group", extra=extra))
    assert bot.request.calls == []


async def test_edited_messages_in_groups_are_ignored(bot: Harness) -> None:
    await bot.feed(
        bot.updates.message(f"/tanya {QUESTION}", chat_type="group", kind="edited_message")
    )
    await bot.feed(
        bot.updates.message(f"@{BOT_USERNAME} {QUESTION}", chat_type="group", kind="edited_message")
    )
    assert bot.request.calls == []


async def test_channel_posts_are_ignored(bot: Harness) -> None:
    await bot.feed(
        bot.updates.message(f"/tanya {QUESTION}", chat_type="channel", kind="channel_post")
    )
    assert bot.request.calls == []


async def test_bare_tanya_explains_usage(bot: Harness) -> None:
    await bot.feed(bot.updates.message(f"/tanya@{BOT_USERNAME}", chat_type="group"))
    assert "/tanya Siapa" in only_reply(bot)["text"]
    await bot.feed(bot.updates.message("/ask", chat_type="group", lang="en"))
    assert "Put the question after the command" in only_reply(bot)["text"]


async def test_bare_tanya_replying_to_someones_question_asks_it(bot: Harness) -> None:
    asked = bot.updates.message(QUESTION, chat_type="group", user_id=555)["message"]
    await bot.feed(bot.updates.message("/tanya", chat_type="group", reply_to=asked))
    assert "Putin" in only_reply(bot)["text"]


async def test_anonymous_admin_can_ask(bot: Harness) -> None:
    sender = {"id": GROUP_ID, "type": "supergroup", "title": "Grup Berita"}
    await bot.feed(
        bot.updates.message(
            f"/tanya {QUESTION}", chat_type="supergroup", user_id=1087968824, sender_chat=sender
        )
    )
    assert "Putin" in only_reply(bot)["text"]
    assert bot.service.questions[1].user_id == GROUP_ID


def member(user: dict[str, Any], status: str) -> dict[str, Any]:
    rights = ("is_anonymous", *ADMIN_RIGHTS)
    extra = {right: False for right in rights} if status == "administrator" else {}
    return {"user": user, "status": status, **extra}


def membership(old: str, new: str, chat_type: str = "supergroup") -> dict[str, Any]:
    bot_user = {"id": 123456789, "is_bot": True, "first_name": "Tanya", "username": BOT_USERNAME}
    return {
        "update_id": 77,
        "my_chat_member": {
            "chat": {"id": GROUP_ID, "type": chat_type, "title": "Grup"},
            "from": {"id": 9, "is_bot": False, "first_name": "Admin", "language_code": "en"},
            "date": 1,
            "old_chat_member": member(bot_user, old),
            "new_chat_member": member(bot_user, new),
        },
    }


async def test_added_to_a_group_introduces_itself_once(bot: Harness) -> None:
    await bot.feed(membership("left", "member"))
    intro = only_reply(bot)["text"]
    assert "/ask question" in intro and "reply to my message" in intro
    assert "reaches me only if I am a group admin" in intro  # privacy mode: the default
    for change in (
        membership("member", "administrator"),
        membership("member", "left"),
        membership("left", "member", chat_type="channel"),
    ):
        await bot.feed(change)
        assert bot.request.calls == []


async def test_entity_offsets_splitting_a_character_are_not_an_error(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by the update fuzzer: a mention whose UTF-16 offsets cut an emoji in half made
    # PTB's entity parsing raise inside our "addressed to the bot?" filter.
    broken = {"entities": [{"type": "mention", "offset": 1, "length": 2}]}
    await bot.feed(bot.updates.message("🙂🙂 halo", chat_type="group", extra=broken))
    assert bot.request.calls == []
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []


@pytest.mark.parametrize(
    ("status", "lang", "expected"),
    [
        ("member", "id", "hanya admin grup"),
        ("member", "en", "only the group's admins"),
        ("left", "id", "hanya admin grup"),
        ("administrator", "id", "This chat's language: English."),
        ("creator", "id", "This chat's language: English."),
    ],
)
async def test_only_group_admins_may_change_the_language(
    bot: Harness, status: str, lang: str, expected: str
) -> None:
    bot.request.member_status = status
    await bot.feed(bot.updates.message("/bahasa en", chat_type="supergroup", lang=lang))
    assert expected in only_reply(bot)["text"]
    assert bot.service.languages == ({GROUP_ID: "en"} if "English" in expected else {})


async def test_bad_language_argument_in_a_group_gets_the_usage(bot: Harness) -> None:
    await bot.feed(bot.updates.message("/bahasa klingon", chat_type="group"))
    assert "/bahasa id" in only_reply(bot)["text"]
    assert "getChatMember" not in [c.method for c in bot.request.calls]


async def test_anonymous_admin_may_change_the_language(bot: Harness) -> None:
    sender = {"id": GROUP_ID, "type": "supergroup", "title": "Grup Berita"}
    await bot.feed(
        bot.updates.message(
            "/bahasa en", chat_type="supergroup", user_id=1087968824, sender_chat=sender
        )
    )
    assert "English" in only_reply(bot)["text"]
    assert bot.service.languages == {GROUP_ID: "en"}


async def test_language_change_when_telegram_cannot_check_the_member(bot: Harness) -> None:
    bot.request.errors["getChatMember"] = (400, "Bad Request: member not found")
    await bot.feed(bot.updates.message("/bahasa en", chat_type="group"))
    assert "terjadi kesalahan" in only_reply(bot)["text"]
    assert bot.service.languages == {}


@pytest.mark.parametrize("command", ["/help", f"/help@{BOT_USERNAME}"])
async def test_help_in_privacy_mode_does_not_promise_mentions(bot: Harness, command: str) -> None:
    await bot.feed(bot.updates.message(command, chat_type="supergroup"))
    help_text = only_reply(bot)["text"]
    assert "<code>/tanya pertanyaan</code> atau balas pesan saya" in help_text
    assert f"Menyebut @{BOT_USERNAME} dalam pesan biasa hanya sampai" in help_text
    assert "jika saya admin grup" in help_text


async def test_help_with_privacy_mode_off_offers_mentions(service: Any) -> None:
    request = RecordingRequest(privacy_mode=False)
    app = build_application(
        make_settings(), service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    bot = Harness(app, request, service, Updates())
    try:
        await bot.feed(bot.updates.message("/help", chat_type="group", lang="en"))
        help_text = only_reply(bot)["text"]
        assert f"reply to my message, or mention @{BOT_USERNAME} in a message" in help_text
        assert "only if" not in help_text
        await bot.feed(membership("left", "member"))
        assert f"mention @{BOT_USERNAME}" in only_reply(bot)["text"]
        # and a mention is then answered (the bot receives every group message)
        await bot.feed(bot.updates.message(f"@{BOT_USERNAME} {QUESTION}", chat_type="group"))
        assert "Putin" in only_reply(bot)["text"]
    finally:
        await app.shutdown()

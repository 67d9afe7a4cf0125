"""Only admins change content — whatever way someone else tries. Every admin action (reload,
add by URL, add a replied text, upload a document, add a replied document, remove, statistics)
is tried by every kind of sender that is *not* a listed admin speaking as themselves:

- ordinary users, in private chats, groups and supergroups;
- anonymous group admins (Telegram's GroupAnonymousBot with ``sender_chat``), also carrying
  the admin's own user id;
- a channel speaking in a group; a command posted in a channel;
- a command *forwarded* from an admin, and one an admin forwards from someone else;
- a bot account with an admin's numeric id; a message sent via an inline bot;
- an admin's command *edited* after the fact;
- a command addressed to another bot (``/reload@OtherBot``).

None may change content or read statistics; each is refused politely (and logged) or
ignored. Forged button data (another chat's answers, huge or negative ids, other actions,
injection attempts) records nothing and changes nothing. The real admin, speaking as
themselves, can do every action (so the matrix does test something).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from index.results import Stats
from index.service import QAService
from tests.fakes import CONTENT_DIR, FakeService
from tests.support.bot import ADMIN_ID, GROUP_ID, USER_ID, Harness

ARTICLE = (
    "Pemerintah kota Bandung meresmikan jembatan baru pada hari Senin. Jembatan itu dibangun "
    "selama dua tahun dan menghubungkan dua kecamatan."
)
CONTENT_CHANGES = {"reload", "ingest_url", "ingest_upload", "ingest_text", "remove"}
ANONYMOUS_BOT = 1087968824  # GroupAnonymousBot


class CountingService(FakeService):
    """The fake service, also counting statistics reads (admins only)."""

    def stats(self, top: int = 5) -> Stats:
        self.calls.append("stats")
        return super().stats(top)


@pytest.fixture
def service() -> FakeService:
    return CountingService()


def _document(name: str = "artikel.txt") -> dict[str, Any]:
    return {"file_id": f"id-{name}", "file_unique_id": f"u-{name}", "file_name": name}


# Each action: (command text or None, extra message fields, what the service call would be).
ACTIONS: dict[str, tuple[str | None, dict[str, Any], str]] = {
    "reload": ("/reload", {}, "reload"),
    "add-url": ("/tambah https://berita.example/a", {}, "ingest_url"),
    "add-replied-text": ("/tambah Judul", {"reply": "text"}, "ingest_text"),
    "add-replied-document": ("/tambah", {"reply": "document"}, "ingest_upload"),
    "upload-with-caption": (None, {"document": True, "caption": "/tambah"}, "ingest_upload"),
    "remove": ("/hapus 1", {}, "remove"),
    "stats": ("/stats", {}, "stats"),
}

# Each sender: keyword arguments for Updates.message (plus a few special shapes).
SENDERS: dict[str, dict[str, Any]] = {
    "user-private": {"user_id": USER_ID},
    "user-group": {"user_id": USER_ID, "chat_type": "group"},
    "user-supergroup": {"user_id": USER_ID, "chat_type": "supergroup"},
    "anonymous-admin": {
        "user_id": ANONYMOUS_BOT,
        "chat_type": "supergroup",
        "sender_chat": {"id": GROUP_ID, "type": "supergroup", "title": "G"},
    },
    "anonymous-with-admin-id": {
        "user_id": ADMIN_ID,
        "chat_type": "supergroup",
        "sender_chat": {"id": GROUP_ID, "type": "supergroup", "title": "G"},
    },
    "channel-in-group": {
        "user_id": ADMIN_ID,
        "chat_type": "supergroup",
        "sender_chat": {"id": -100999, "type": "channel", "title": "C"},
    },
    "channel-post": {"user_id": ADMIN_ID, "chat_type": "channel", "kind": "channel_post"},
    "forwarded-from-admin": {"user_id": USER_ID, "forwarded": True},
    "admin-forwarding": {"user_id": ADMIN_ID, "forwarded": True},
    "bot-with-admin-id": {"user_id": ADMIN_ID, "is_bot": True},
    "via-inline-bot": {"user_id": USER_ID, "via_bot": True},
    "edited-by-admin": {"user_id": ADMIN_ID, "kind": "edited_message"},
    "addressed-to-another-bot": {"user_id": ADMIN_ID, "chat_type": "group", "other_bot": True},
}


def _update(bot: Harness, action: str, sender: str) -> dict[str, Any]:
    command, extra, _ = ACTIONS[action]
    kwargs = dict(SENDERS[sender])
    is_bot = kwargs.pop("is_bot", False)
    other_bot = kwargs.pop("other_bot", False)
    if other_bot and command:
        first, _, rest = command.partition(" ")
        command = f"{first}@OtherBot {rest}".strip()
    fields: dict[str, Any] = {}
    if extra.get("document"):
        fields["document"] = _document()
        fields["caption"] = extra["caption"] + ("@OtherBot" if other_bot else "")
    if extra.get("reply") == "text":
        kwargs["reply_to"] = bot.updates.message(ARTICLE, user_id=USER_ID)["message"]
    if extra.get("reply") == "document":
        kwargs["reply_to"] = bot.updates.message(
            None, user_id=USER_ID, extra={"document": _document()}
        )["message"]
    if kwargs.get("chat_type") == "channel":
        kwargs["sender_chat"] = {"id": GROUP_ID, "type": "channel", "title": "C"}
    payload = bot.updates.message(command, extra=fields, **kwargs)
    message = next(v for k, v in payload.items() if k != "update_id")
    if is_bot:
        message["from"]["is_bot"] = True
    if kwargs.get("kind") == "edited_message" and command:
        message["text"] = command  # the admin edits an old message into a command
    return payload


def _prepare(bot: Harness) -> None:
    bot.service.pages["https://berita.example/a"] = ARTICLE
    bot.request.files["documents/id-artikel.txt"] = ARTICLE.encode()


@pytest.mark.parametrize("sender", list(SENDERS))
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_nobody_but_an_admin_changes_content(bot: Harness, action: str, sender: str) -> None:
    _prepare(bot)
    await bot.feed(_update(bot, action, sender))
    acted = [c for c in bot.service.calls if c in CONTENT_CHANGES or c == "stats"]
    assert acted == []
    assert len(bot.service.documents()) == 1
    for reply in bot.request.texts():  # a refusal or a hint, never a result
        assert "✅" not in reply and "dihapus" not in reply and "Statistik" not in reply


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_the_admin_speaking_as_themselves_can(bot: Harness, action: str) -> None:
    _prepare(bot)
    payload = _update(bot, action, "user-private")
    message = next(v for k, v in payload.items() if k != "update_id")
    message["from"]["id"] = ADMIN_ID
    message["chat"]["id"] = ADMIN_ID
    await bot.feed(payload)
    assert ACTIONS[action][2] in bot.service.calls


FORGED = [
    "vote:{other}:up",  # another chat's answer
    "more:{other}:1",
    "vote:{mine}:sideways",
    "vote:-1:up",
    "vote:99999999999999999999:up",
    "more:{mine}:-1",
    "more:{mine}:99",
    "reload",
    "hapus:1",
    "tambah:https://berita.example/a",
    "stats",
    'vote:{mine}:up"; DROP TABLE questions; --',
    "vote:{mine}:up:extra",
    "vote:{mine}",
    "",
    "\u202evote:{mine}:up",
    "x" * 64,
]


@pytest.mark.parametrize("template", FORGED)
async def test_forged_button_data_changes_nothing(bot: Harness, template: str) -> None:
    _prepare(bot)
    question = "Siapa yang meresmikan gencatan senjata?"
    await bot.feed(bot.updates.message(question, user_id=ADMIN_ID))  # another chat's answer
    other = max(bot.service.questions)
    await bot.feed(bot.updates.message(question, user_id=USER_ID))
    mine = max(bot.service.questions)
    shown = bot.updates.bot_message("jawaban", chat_id=USER_ID, chat_type="private")
    votes = dict(bot.service.votes)
    bot.service.calls.clear()
    data = template.format(other=other, mine=mine)
    await bot.feed(bot.updates.callback(data, shown, user_id=USER_ID))
    assert bot.service.votes == votes
    assert [c for c in bot.service.calls if c in CONTENT_CHANGES or c == "stats"] == []
    assert len(bot.service.documents()) == 1
    assert bot.request.sent("answerCallbackQuery")  # the click is answered, never left hanging
    assert not any(p.get("chat_id") == ADMIN_ID for p in bot.request.sent())


def test_the_store_binds_votes_to_the_chat_of_the_question(tmp_path: Path) -> None:
    service = QAService.open(f"sqlite:///{tmp_path / 'store.sqlite3'}", content_dir=CONTENT_DIR)
    try:
        answer = service.ask("Siapa yang menjadi perantara gencatan senjata?")
        question = service.log_question(
            chat_id=-100777, user_id=5, question="q", answer=answer, latency_ms=1.0
        )
        assert not service.record_feedback(question_id=question, user_id=6, vote=1, chat_id=6)
        assert service.stats().thumbs_up == 0
        assert service.record_feedback(question_id=question, user_id=6, vote=1, chat_id=-100777)
        assert service.stats().thumbs_up == 1
    finally:
        service.close()

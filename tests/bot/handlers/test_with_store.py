"""The handlers against the real store-backed QAService (SQLite in a temporary directory):
the contract between bot and store, exercised through Telegram updates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from index.service import QAService
from tests.bot.conftest import ADMIN_ID, USER_ID, Harness, RecordingRequest, Updates
from tests.bot.telegram_html import check
from tests.fakes import CONTENT_DIR

ARTICLE = (
    "Pemerintah kota Bandung meresmikan jembatan baru pada hari Senin. Jembatan itu dibangun "
    "selama dua tahun dan menghubungkan dua kecamatan. Wali kota mengatakan jembatan mengurangi "
    "kemacetan di pusat kota."
)


@pytest.fixture
async def store_bot(tmp_path: Path, settings: Settings) -> AsyncIterator[Harness]:
    service = QAService.open(f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=CONTENT_DIR)
    request = RecordingRequest()
    app = build_application(
        settings, service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        yield Harness(app, request, service, Updates())  # type: ignore[arg-type]
    finally:
        await app.shutdown()
        service.close()


def last_text(bot: Harness) -> str:
    text = bot.request.texts()[-1]
    check(text)
    return text


async def test_question_vote_and_stats(store_bot: Harness) -> None:
    bot = store_bot
    update = bot.updates.message("Siapa yang menjadi perantara gencatan senjata?")
    await bot.feed(update)
    [reply] = bot.request.sent()
    more, up, _ = (
        b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row
    )
    message = {**update["message"], "message_id": 9999, "reply_to_message": update["message"]}
    await bot.feed(bot.updates.callback(up, message))
    assert "Terima kasih" in bot.request.sent("answerCallbackQuery")[0]["text"]
    await bot.feed(bot.updates.callback(more, message))
    assert "Jawaban 2/" in bot.request.sent("editMessageText")[0]["text"]
    await bot.feed(bot.updates.message("Berapa harga cabai di pasar?"))
    await bot.feed(bot.updates.message("/stats", user_id=ADMIN_ID))
    stats = last_text(bot)
    assert "Pertanyaan: 2" in stats and "Terjawab: 1 (50%)" in stats and "👍 1" in stats


async def test_language_setting_is_stored(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/bahasa en"))
    assert store_bot.service.chat_language(USER_ID) == "en"


async def test_admin_content_commands(store_bot: Harness) -> None:
    bot = store_bot
    source = bot.updates.message(ARTICLE)["message"]
    await bot.feed(
        bot.updates.message("/tambah Jembatan Bandung", user_id=ADMIN_ID, reply_to=source)
    )
    added = last_text(bot)
    assert "✅ Artikel #" in added and "Jembatan Bandung" in added
    document_id = int(added.split("#")[1].split()[0])
    await bot.feed(bot.updates.message("Kapan jembatan diresmikan?"))
    assert "Senin" in last_text(bot)
    await bot.feed(bot.updates.message("/artikel"))
    assert f"#{document_id} — Jembatan Bandung" in last_text(bot)
    await bot.feed(bot.updates.message(f"/hapus {document_id}", user_id=ADMIN_ID))
    assert "dihapus" in last_text(bot)
    await bot.feed(bot.updates.message("Kapan jembatan diresmikan?"))
    assert "tidak menjawab" in last_text(bot)
    await bot.feed(bot.updates.message("/reload", user_id=ADMIN_ID))
    assert "1 artikel" in last_text(bot)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("jembatan.txt", ARTICLE.encode(), "✅ Artikel #"),
        ("biner.txt", b"\x00\x01\x02\x03" * 100, "❌"),
        ("kosong.txt", b"   \n", "❌"),
    ],
)
async def test_uploads(store_bot: Harness, name: str, content: bytes, expected: str) -> None:
    bot = store_bot
    bot.request.files[f"documents/id-{name}"] = content
    doc = {
        "file_id": f"id-{name}",
        "file_unique_id": "u",
        "file_name": name,
        "mime_type": "text/plain",
    }
    await bot.feed(bot.updates.message(None, user_id=ADMIN_ID, extra={"document": doc}))
    assert expected in last_text(bot)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/rahasia", "http://localhost/admin", "file:///etc/passwd"]
)
async def test_tambah_refuses_local_addresses(store_bot: Harness, url: str) -> None:
    await store_bot.feed(store_bot.updates.message(f"/tambah {url}", user_id=ADMIN_ID))
    text = last_text(store_bot)
    assert text.startswith("❌"), text
    assert len(store_bot.service.documents()) == 1

"""The handlers against the real store-backed QAService (SQLite in a temporary directory):
the contract between bot and store, exercised through Telegram updates."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from index.service import QAService
from tests.bot.telegram_html import check
from tests.fakes import CONTENT_DIR
from tests.support.bot import ADMIN_ID, USER_ID, Harness, running_bot

ARTICLE = (
    "Pemerintah kota Bandung meresmikan jembatan baru pada hari Senin. Jembatan itu dibangun "
    "selama dua tahun dan menghubungkan dua kecamatan. Wali kota mengatakan jembatan mengurangi "
    "kemacetan di pusat kota."
)


@pytest.fixture
async def store_bot(tmp_path: Path, settings: Settings) -> AsyncIterator[Harness]:
    service = QAService.open(f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=CONTENT_DIR)
    try:
        async with running_bot(settings, service) as harness:
            yield harness
    finally:
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


async def test_greetings_and_thanks_stay_out_of_the_stats(store_bot: Harness) -> None:
    bot = store_bot
    for message in ("halo", "Selamat pagi!", "makasih ya min", "terima kasih", "???"):
        await bot.feed(bot.updates.message(message))
    await bot.feed(bot.updates.message("Berapa harga cabai di pasar?"))
    await bot.feed(bot.updates.message("/stats", user_id=ADMIN_ID))
    stats = last_text(bot)
    assert "Pertanyaan: 1" in stats and "Tidak terjawab: 1" in stats
    unanswered = stats.split("Belum terjawab")[1]
    assert "cabai" in unanswered
    assert "halo" not in stats and "kasih" not in stats and "pagi" not in stats


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
    ("name", "content", "lang", "expected"),
    [
        (
            "jembatan.txt",
            ARTICLE.encode(),
            "id",
            "✅ Artikel #2 ditambahkan: Jembatan (3 kalimat).",
        ),
        (
            "biner.txt",
            b"\x00\x01\x02\x03" * 100,
            "id",
            "❌ Gagal menambah biner.txt: biner.txt bukan berkas teks (berkas biner)",
        ),
        ("kosong.txt", b"   \n", "id", "❌ Gagal menambah kosong.txt: kosong.txt kosong"),
        ("kosong.txt", b"   \n", "en", "❌ Could not add kosong.txt: kosong.txt is empty"),
        (
            "tanda.txt",
            b"... !!! ???",
            "id",
            "❌ Gagal menambah tanda.txt: tanda.txt tidak berisi kalimat dengan kata-kata",
        ),
        (
            "foto.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "id",
            "❌ Gagal menambah foto.txt: foto.txt adalah berkas PNG, bukan teks",
        ),
    ],
)
async def test_uploads(
    store_bot: Harness, name: str, content: bytes, lang: str, expected: str
) -> None:
    bot = store_bot
    bot.request.files[f"documents/id-{name}"] = content
    doc = {
        "file_id": f"id-{name}",
        "file_unique_id": "u",
        "file_name": name,
        "mime_type": "text/plain",
    }
    await bot.feed(bot.updates.message(None, user_id=ADMIN_ID, lang=lang, extra={"document": doc}))
    assert last_text(bot) == expected


@pytest.mark.parametrize(
    ("url", "lang", "expected"),
    [
        (
            "http://127.0.0.1:9/rahasia",
            "id",
            "127.0.0.1 mengarah ke alamat jaringan privat/lokal (127.0.0.1); "
            "hanya halaman web publik yang bisa ditambahkan",
        ),
        ("http://localhost/admin", "id", "localhost mengarah ke alamat jaringan privat/lokal"),
        (
            "file:///etc/passwd",
            "id",
            "hanya URL http dan https yang bisa ditambahkan, bukan file",
        ),
        (
            "http://127.0.0.1:9/rahasia",
            "en",
            "127.0.0.1 points to a private or local address (127.0.0.1); "
            "only public web pages can be added",
        ),
    ],
)
async def test_tambah_refuses_local_addresses_in_the_chat_language(
    store_bot: Harness, url: str, lang: str, expected: str
) -> None:
    await store_bot.feed(store_bot.updates.message(f"/tambah {url}", user_id=ADMIN_ID, lang=lang))
    text = last_text(store_bot)
    prefix = "❌ Gagal menambah" if lang == "id" else "❌ Could not add"
    assert text.startswith(f"{prefix} {url}: "), text
    assert expected in text
    assert len(store_bot.service.documents()) == 1


async def test_tambah_follows_the_chat_setting_not_the_user_language(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/bahasa id", user_id=ADMIN_ID, lang="en"))
    await store_bot.feed(
        store_bot.updates.message("/tambah ftp://contoh.id/x", user_id=ADMIN_ID, lang="en")
    )
    assert "hanya URL http dan https" in last_text(store_bot)


async def test_reload_problems_are_in_the_chat_language(store_bot: Harness, tmp_path: Path) -> None:
    content = tmp_path / "konten"
    shutil.copytree(CONTENT_DIR, content)
    (content / "kosong.txt").write_bytes(b" \n")
    store_bot.service._content_dir = content  # type: ignore[attr-defined]
    await store_bot.feed(store_bot.updates.message("/reload", user_id=ADMIN_ID))
    assert last_text(store_bot).endswith("Masalah:\n• kosong.txt kosong")
    shutil.rmtree(content)
    await store_bot.feed(store_bot.updates.message("/reload", user_id=ADMIN_ID, lang="en"))
    assert last_text(store_bot).endswith(
        f"Problems:\n• reload failed: content directory {content} does not exist (CONTENT_DIR)"
    )
    await store_bot.feed(store_bot.updates.message("/reload", user_id=ADMIN_ID))
    assert last_text(store_bot).endswith(
        f"Masalah:\n• muat ulang gagal: folder konten {content} tidak ada (CONTENT_DIR)"
    )

"""Admin commands: allowed for listed admins only; refusals polite and logged; bad uploads."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from telegram import Update

from tests.bot.telegram_html import check
from tests.support.bot import ADMIN_ID, GROUP_ID, USER_ID, Harness

ARTICLE = (
    "Pemerintah kota Bandung meresmikan jembatan baru pada hari Senin. Jembatan itu dibangun "
    "selama dua tahun dan menghubungkan dua kecamatan. Wali kota mengatakan jembatan mengurangi "
    "kemacetan di pusat kota."
)


def only_text(bot: Harness) -> str:
    [reply] = bot.request.sent()
    return check(reply["text"]) and reply["text"]


@pytest.mark.parametrize(
    "command",
    ["/reload", "/tambah https://berita.example/a", "/hapus 1", "/stats"],
)
@pytest.mark.parametrize(
    "who",
    ["user", "anonymous-admin", "forwarded-from-admin", "channel"],
)
async def test_non_admins_are_refused_and_logged(
    bot: Harness, caplog: pytest.LogCaptureFixture, command: str, who: str
) -> None:
    kwargs: dict[str, Any] = {"chat_type": "supergroup"}
    if who == "user":
        kwargs.update(user_id=USER_ID)
    elif who == "anonymous-admin":  # from_user is GroupAnonymousBot; even an admin id hides
        kwargs.update(
            user_id=1087968824, sender_chat={"id": GROUP_ID, "type": "supergroup", "title": "G"}
        )
    elif who == "forwarded-from-admin":
        kwargs.update(user_id=ADMIN_ID, forwarded=True)
    else:
        kwargs.update(
            user_id=ADMIN_ID, sender_chat={"id": -100999, "type": "channel", "title": "C"}
        )
    bot.service.pages["https://berita.example/a"] = ARTICLE
    with caplog.at_level(logging.WARNING):
        await bot.feed(bot.updates.message(command, **kwargs))
    assert "hanya untuk admin" in only_text(bot)
    assert [c for c in bot.service.calls if c != "ask"] == []
    assert any("refused admin command" in r.getMessage() for r in caplog.records)
    assert len(bot.service.documents()) == 1


async def test_reload_reports_counts_and_time(bot: Harness) -> None:
    await bot.feed(bot.updates.message("/reload", user_id=ADMIN_ID))
    text = only_text(bot)
    assert "Dimuat ulang dalam" in text and "1 artikel" in text and "kalimat" in text
    assert bot.service.calls == ["reload"]


async def test_admin_commands_work_in_groups_too(bot: Harness) -> None:
    await bot.feed(bot.updates.message("/reload", user_id=ADMIN_ID, chat_type="group", lang="en"))
    assert "Reloaded in" in only_text(bot)


async def test_second_content_change_while_one_runs_is_told_to_wait(bot: Harness) -> None:
    bot.service.reload_delay = 0.3
    first = bot.app.process_update(
        Update.de_json(bot.updates.message("/reload", user_id=ADMIN_ID), bot.app.bot)
    )
    second = bot.app.process_update(
        Update.de_json(bot.updates.message("/reload", user_id=ADMIN_ID), bot.app.bot)
    )
    await asyncio.gather(first, second)
    texts = [p["text"] for p in bot.request.sent()]
    assert sorted(t.split()[0] for t in texts) == ["Perubahan", "🔄"]
    assert bot.service.calls == ["reload"]


@pytest.mark.parametrize(
    ("command", "lang", "expected"),
    [
        ("/tambah https://berita.example/jembatan", "id", "✅ Artikel #2 ditambahkan"),
        (
            "/tambah https://berita.example/hilang",
            "id",
            "❌ Gagal menambah https://berita.example/hilang: "
            "https://berita.example/hilang menjawab HTTP 404 Not Found",
        ),
        (
            "/tambah https://berita.example/hilang",
            "en",
            "❌ Could not add https://berita.example/hilang: "
            "https://berita.example/hilang answered HTTP 404 Not Found",
        ),
        ("/tambah ftp://berita.example/x", "id", "hanya URL http dan https"),
        ("/tambah ftp://berita.example/x", "en", "only http and https URLs can be added, not ftp"),
        ("/tambah", "id", "Cara menambah artikel"),
        ("/tambah", "id", "kirim berkas .txt, .md atau .html"),
        ("/tambah", "en", "send a .txt, .md or .html file"),
        ("/tambah bukan-url", "id", "Cara menambah artikel"),
    ],
)
async def test_tambah_url(bot: Harness, command: str, lang: str, expected: str) -> None:
    bot.service.pages["https://berita.example/jembatan"] = ARTICLE
    await bot.feed(bot.updates.message(command, user_id=ADMIN_ID, lang=lang))
    assert expected in only_text(bot)


async def test_tambah_as_a_reply_to_a_text_ingests_it_with_the_title(bot: Harness) -> None:
    source = bot.updates.message(ARTICLE, user_id=USER_ID)["message"]
    await bot.feed(
        bot.updates.message("/tambah Jembatan <Bandung>", user_id=ADMIN_ID, reply_to=source)
    )
    text = only_text(bot)
    assert "#2" in text and "Jembatan &lt;Bandung&gt;" in text
    await bot.feed(bot.updates.message("Kapan jembatan diresmikan?"))
    assert "Senin" in only_text(bot)


def document(name: str, mime: str | None = "text/plain", size: int | None = 300) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "file_id": f"id-{name}",
        "file_unique_id": f"u-{name}",
        "file_name": name,
    }
    if mime:
        doc["mime_type"] = mime
    if size is not None:
        doc["file_size"] = size
    return doc


@pytest.mark.parametrize(
    ("name", "mime", "content"),
    [
        ("jembatan.txt", "text/plain", ARTICLE.encode()),
        ("jembatan.html", "text/html", f"<html><body><p>{ARTICLE}</p></body></html>".encode()),
        ("jembatan.md", None, ARTICLE.encode("utf-8-sig")),
    ],
)
async def test_admin_document_upload_is_ingested(
    bot: Harness, name: str, mime: str | None, content: bytes
) -> None:
    bot.request.files[f"documents/id-{name}"] = content
    await bot.feed(
        bot.updates.message(
            None, user_id=ADMIN_ID, extra={"document": document(name, mime, len(content))}
        )
    )
    assert "✅ Artikel #2 ditambahkan" in only_text(bot)
    assert [c.method for c in bot.request.calls] == ["getFile", "sendMessage"]


@pytest.mark.parametrize(
    ("doc", "content", "expected"),
    [
        (
            document("besar.txt", size=51199 * 1024),
            b"",
            "Berkas terlalu besar (50 MB); batasnya 2 MB.",
        ),
        (document("laporan.pdf", "application/pdf"), b"%PDF", "Hanya berkas teks"),
        (document("program.exe", "application/octet-stream"), b"MZ", "Hanya berkas teks"),
        (document("menyamar.txt", "application/octet-stream"), b"\x00", "Hanya berkas teks"),
        (document("biner.txt"), b"\x00\x01\x02binary", "biner.txt bukan berkas teks"),
        (document("latin1.txt"), "café olé".encode("latin-1"), "not UTF-8"),  # no key
        (
            document("besar-tanpa-ukuran.txt", size=None),
            b"a " * (1024 * 1024 + 10),
            "terlalu besar (2,1 MB); batasnya 2 MB",
        ),
    ],
    ids=["too-large", "pdf", "exe", "binary-mime", "binary-content", "latin1", "large-unsized"],
)
async def test_bad_uploads_get_a_clear_error(
    bot: Harness, doc: dict[str, Any], content: bytes, expected: str
) -> None:
    bot.request.files[f"documents/{doc['file_id']}"] = content
    await bot.feed(bot.updates.message(None, user_id=ADMIN_ID, extra={"document": doc}))
    assert expected in bot.request.texts()[-1]
    assert len(bot.service.documents()) == 1


async def test_document_with_tambah_caption_in_a_group(bot: Harness) -> None:
    bot.request.files["documents/id-a.txt"] = ARTICLE.encode()
    extra = {"document": document("a.txt"), "caption": "/tambah"}
    await bot.feed(bot.updates.message(None, chat_type="group", user_id=ADMIN_ID, extra=extra))
    assert "✅" in only_text(bot)
    await bot.feed(bot.updates.message(None, chat_type="group", user_id=USER_ID, extra=extra))
    assert "hanya untuk admin" in only_text(bot)


async def test_tambah_replying_to_a_document(bot: Harness) -> None:
    bot.request.files["documents/id-a.txt"] = ARTICLE.encode()
    doc_message = bot.updates.message(
        None, chat_type="group", user_id=USER_ID, extra={"document": document("a.txt")}
    )["message"]
    await bot.feed(
        bot.updates.message("/tambah", chat_type="group", user_id=ADMIN_ID, reply_to=doc_message)
    )
    assert "✅ Artikel #2" in only_text(bot)


@pytest.mark.parametrize(
    ("command", "expected", "left"),
    [
        ("/hapus 1", "dihapus", 0),
        ("/hapus #1", "dihapus", 0),
        ("/hapus 99", "Tidak ada artikel #99", 1),
        ("/hapus satu", "Tulis ID", 1),
        ("/hapus", "Tulis ID", 1),
        ("/hapus 1" + "0" * 30, "Tulis ID", 1),
    ],
)
async def test_hapus(bot: Harness, command: str, expected: str, left: int) -> None:
    await bot.feed(bot.updates.message(command, user_id=ADMIN_ID))
    assert expected in only_text(bot)
    assert len(bot.service.documents()) == left


async def test_stats(bot: Harness) -> None:
    for question in [
        "Siapa yang menjadi perantara?",
        "Siapa yang menjadi perantara?",
        "Berapa harga cabai?",
    ]:
        await bot.feed(bot.updates.message(question))
    bot.service.record_feedback(question_id=1, user_id=USER_ID, vote=1)
    await bot.feed(bot.updates.message("/stats", user_id=ADMIN_ID))
    text = only_text(bot)
    assert "Pertanyaan: 3" in text and "Terjawab: 2 (67%)" in text and "👍 1" in text
    assert "2× Siapa yang menjadi perantara?" in text and "1× Berapa harga cabai?" in text

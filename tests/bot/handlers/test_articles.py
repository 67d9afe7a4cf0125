"""/artikel: pages of ten, newest first, a search term, and buttons that turn the pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import build_application
from index.engine import prepare_document
from tests.bot.telegram_html import check
from tests.fakes import FakeService
from tests.support.bot import GROUP_ID, Harness, RecordingRequest, Updates, make_settings

ARTICLES = 25  # 3 pages; every third one is about a flood


@pytest.fixture
async def store_bot() -> AsyncIterator[Harness]:
    documents = [
        prepare_document(
            i,
            f"Banjir di kota {i}" if i % 3 == 0 else f"Berita ekonomi {i}",
            f"Ini kalimat pertama artikel {i}. Ini kalimat kedua.",
        )
        for i in range(1, ARTICLES + 1)
    ]
    service = FakeService(documents)
    request = RecordingRequest()
    app = build_application(
        make_settings(), service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        yield Harness(app, request, service, Updates())
    finally:
        await app.shutdown()


def ids(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) —", text, flags=re.MULTILINE)]


def buttons(reply: dict[str, Any]) -> list[tuple[str, str]]:
    rows = reply.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def as_shown(reply: dict[str, Any], chat_type: str = "group") -> dict[str, Any]:
    """The bot's list message as it comes back inside a callback query."""
    return {
        "message_id": 9001,
        "date": 1,
        "chat": {"id": reply["chat_id"], "type": chat_type, "title": "Grup Berita"},
        "from": {"id": 1, "is_bot": True, "first_name": "Tanya"},
        "text": reply["text"],
    }


async def test_artikel_is_one_message_with_the_newest_ten_and_a_count(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/artikel", chat_type="group"))
    [reply] = store_bot.request.sent()
    check(reply["text"])
    assert ids(reply["text"]) == list(range(25, 15, -1))
    assert "Artikel (25)" in reply["text"] and "halaman 1/3" in reply["text"]
    assert "/artikel banjir" in reply["text"]  # how to search
    assert "(2 kalimat)" in reply["text"]
    assert buttons(reply) == [("Berikutnya ▸", "list:1")]


async def test_next_and_previous_buttons_edit_the_list_in_place(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/artikel", chat_type="group"))
    [reply] = store_bot.request.sent()
    shown = as_shown(reply)
    await store_bot.feed(store_bot.updates.callback("list:1", shown))
    [edit] = store_bot.request.sent("editMessageText")
    check(edit["text"])
    assert (edit["chat_id"], edit["message_id"]) == (GROUP_ID, 9001)
    assert ids(edit["text"]) == list(range(15, 5, -1)) and "halaman 2/3" in edit["text"]
    assert buttons(edit) == [("◂ Sebelumnya", "list:0"), ("Berikutnya ▸", "list:2")]
    await store_bot.feed(store_bot.updates.callback("list:2", shown))
    [edit] = store_bot.request.sent("editMessageText")
    assert ids(edit["text"]) == [5, 4, 3, 2, 1]
    assert buttons(edit) == [("◂ Sebelumnya", "list:1")]
    assert store_bot.request.sent() == []  # nothing new posted to the group


async def test_a_page_past_the_end_shows_the_last_page(store_bot: Harness) -> None:
    await store_bot.feed(
        store_bot.updates.callback("list:99", as_shown({"chat_id": 5, "text": "x"}))
    )
    [edit] = store_bot.request.sent("editMessageText")
    assert ids(edit["text"]) == [5, 4, 3, 2, 1]


async def test_search_term_filters_titles_and_pages_keep_it(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/artikel BANJIR kota", lang="en"))
    [reply] = store_bot.request.sent()
    check(reply["text"])
    assert ids(reply["text"]) == [24, 21, 18, 15, 12, 9, 6, 3]
    assert "Articles with “BANJIR kota” (8)" in reply["text"]
    assert "(2 sentences)" in reply["text"]
    assert buttons(reply) == []  # one page


async def test_search_without_results_says_so(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/artikel gempa <b>"))
    [reply] = store_bot.request.sent()
    check(reply["text"])
    assert "Tidak ada artikel dengan “gempa &lt;b&gt;”" in reply["text"]


async def test_search_term_travels_in_the_button(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/artikel berita"))
    [reply] = store_bot.request.sent()
    assert "(17)" in reply["text"]
    [(_, data)] = buttons(reply)
    assert data == "list:1:berita"
    await store_bot.feed(store_bot.updates.callback(data, as_shown(reply, "private")))
    [edit] = store_bot.request.sent("editMessageText")
    assert ids(edit["text"]) == [10, 8, 7, 5, 4, 2, 1]


async def test_long_search_term_is_cut_to_fit_the_button(store_bot: Harness) -> None:
    await store_bot.feed(store_bot.updates.message("/artikel " + "berita " * 20))
    [reply] = store_bot.request.sent()
    [(_, data)] = buttons(reply)
    assert len(data.encode()) <= 64


@pytest.mark.parametrize("data", ["list:-1", "list:1:a\nb", "list:1: x", "list:01"])
async def test_forged_list_data_changes_nothing(store_bot: Harness, data: str) -> None:
    await store_bot.feed(store_bot.updates.callback(data, as_shown({"chat_id": 5, "text": "x"})))
    assert store_bot.request.sent("editMessageText") == []
    [note] = store_bot.request.sent("answerCallbackQuery")
    assert "kedaluwarsa" in note["text"]


async def test_double_click_is_not_an_error(store_bot: Harness) -> None:
    store_bot.request.errors["editMessageText"] = (400, "Bad Request: message is not modified")
    await store_bot.feed(
        store_bot.updates.callback("list:0", as_shown({"chat_id": 5, "text": "x"}))
    )
    [answered] = store_bot.request.sent("answerCallbackQuery")
    assert "text" not in answered


async def test_empty_store(bot: Harness) -> None:
    bot.service.remove(1)
    await bot.feed(bot.updates.message("/artikel"))
    [reply] = bot.request.sent()
    assert "Belum ada artikel" in reply["text"] and "reply_markup" not in reply

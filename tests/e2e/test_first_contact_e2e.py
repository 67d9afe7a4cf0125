"""What a new user meets first, end to end: the real ``tanyaberita serve`` on a store of 26
articles (the shipped one and 25 short ones), driven through the Bot API emulator — greetings
and thanks, /artikel paged by editing one message (also after articles were removed), /help in
a group under privacy mode, the language switch, and the best sentence shown once."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator

import httpx
import pytest

from benchmarks.emulator_client import BOT_USERNAME, BotMessage, FakeUser, ServeProcess
from tests.fakes import CONTENT_DIR
from tests.support.e2e import ADMIN_ID, fresh_token, stop_and_check, wait_until_answering

pytestmark = pytest.mark.e2e

EXTRA = 25  # with the shipped article: 26 articles, three pages of ten
QUESTION = "Siapa yang menjadi perantara gencatan senjata?"


@pytest.fixture(scope="module")
def many_articles_bot(
    emulator: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, ServeProcess]]:
    content = tmp_path_factory.mktemp("content")
    for path in CONTENT_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, content / path.name)
    for i in range(1, EXTRA + 1):
        title = f"Banjir di kota {i}" if i % 5 == 0 else f"Berita ekonomi nomor {i}"
        (content / f"z{i:02}.txt").write_text(
            f"{title}\n\nIni kalimat pertama berita {i}. Harga cabai naik {i} persen.",
            encoding="utf-8",
        )
    token = fresh_token()
    bot = ServeProcess(
        emulator, token, env={"ADMIN_USER_IDS": str(ADMIN_ID), "CONTENT_DIR": str(content)}
    )
    try:
        wait_until_answering(emulator, token, bot)
        yield token, bot
    finally:
        stop_and_check(bot)


@pytest.fixture
def user(
    emulator: str, many_articles_bot: tuple[str, ServeProcess], http: httpx.AsyncClient
) -> FakeUser:
    return FakeUser(emulator, many_articles_bot[0], http)


def ids(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) —", text, flags=re.MULTILINE)]


async def edited(user: FakeUser, message: BotMessage, chat_id: int, marker: str) -> BotMessage:
    """``message`` once an edit has put ``marker`` into it (or as it is after 5 s)."""
    for _ in range(500):
        current = await user.bot_message(message.message_id, chat_id)
        if marker in current.text:
            break
        await asyncio.sleep(0.01)
    return current


async def test_greetings_and_thanks_get_their_own_replies_and_stay_out_of_stats(
    user: FakeUser,
) -> None:
    await user.send("halo", user_id=4101)
    [hello] = await user.wait_for_replies(4101)
    assert hello.text.startswith("Halo! 👋 Tanyakan apa saja tentang berita")
    assert "(semua 26 artikel: /artikel)" in hello.text and "\n" not in hello.text
    await user.send("makasih ya min", user_id=4101)
    [thanks] = await user.wait_for_replies(4101)
    assert thanks.text.startswith("Sama-sama!")
    await user.send("thank you very much", user_id=4102, lang="en")
    [welcome] = await user.wait_for_replies(4102)
    assert welcome.text.startswith("You're welcome!")
    await user.send(f"halo, {QUESTION}", user_id=4101)
    [answer] = await user.wait_for_replies(4101)
    assert "Putin" in answer.text  # a greeting with a question is answered as the question
    await user.send("/stats", user_id=ADMIN_ID)
    [stats] = await user.wait_for_replies(ADMIN_ID)
    assert "Pertanyaan: 1\n" in stats.text and "Tidak terjawab: 0" in stats.text


async def test_the_best_sentence_is_shown_once_in_its_passage(user: FakeUser) -> None:
    await user.send(QUESTION, user_id=4103)
    [answer] = await user.wait_for_replies(4103)
    assert answer.text.count("Vladimir Putin") == 1
    assert "<blockquote>" in answer.text and "<u>Kesepakatan ini diperoleh" in answer.text


async def test_artikel_in_a_group_is_one_page_turned_in_place(user: FakeUser) -> None:
    group = user.group_chat(-100810)
    await user.send(f"/artikel@{BOT_USERNAME}", user_id=4104, chat=group)
    [listing] = await user.wait_for_replies(group["id"])
    assert listing.text.startswith("<b>Artikel (26)</b> — terbaru dulu, halaman 1/3")
    assert ids(listing.text) == list(range(26, 16, -1))
    assert listing.callback_data() == ["list:1"]
    await user.click(listing, "list:1", user_id=4105, chat=group)
    page2 = await edited(user, listing, group["id"], "halaman 2/3")
    assert ids(page2.text) == list(range(16, 6, -1))
    assert page2.callback_data() == ["list:0", "list:2"]
    await asyncio.sleep(0.2)
    assert await user.new_bot_messages(group["id"]) == []  # edited, never a second message


async def test_search_and_an_old_button_after_articles_were_removed(user: FakeUser) -> None:
    await user.send("/artikel banjir", user_id=4106)
    [found] = await user.wait_for_replies(4106)
    assert found.text.startswith("<b>Artikel dengan “banjir” (5)</b>")
    await user.send("/artikel <i>tidak ada</i>", user_id=4106)
    [none] = await user.wait_for_replies(4106)
    assert (
        none.text
        == "Tidak ada artikel dengan “&lt;i&gt;tidak ada&lt;/i&gt;”. Semua artikel: /artikel"
    )
    await user.send("/artikel", user_id=4106)
    [listing] = await user.wait_for_replies(4106)
    for document_id in range(26, 19, -1):  # 19 articles left: two pages
        await user.send(f"/hapus {document_id}", user_id=ADMIN_ID)
        [removed] = await user.wait_for_replies(ADMIN_ID)
        assert removed.text == f"🗑 Artikel #{document_id} dihapus."
    await user.click(listing, "list:2", user_id=4106, chat=user.private_chat(4106))
    last = await edited(user, listing, 4106, "halaman 2/2")
    assert "<b>Artikel (19)</b>" in last.text and ids(last.text) == list(range(9, 0, -1))


async def test_help_in_a_group_and_the_language_switch(user: FakeUser) -> None:
    group = user.group_chat(-100820)
    await user.send(f"/help@{BOT_USERNAME}", user_id=4107, chat=group)
    [help_text] = await user.wait_for_replies(group["id"])
    assert "<code>/tanya pertanyaan</code> atau balas pesan saya" in help_text.text
    assert "hanya sampai kepada saya jika saya admin grup" in help_text.text
    await user.send("/bahasa en", user_id=4108)
    [switched] = await user.wait_for_replies(4108)
    assert switched.text == "This chat's language: English."
    await user.send("/artikel", user_id=4108)
    [listing] = await user.wait_for_replies(4108)
    assert listing.text.startswith("<b>Articles (")
    assert "(2 sentences)" in listing.text and listing.keyboard[0][0]["text"] == "Next ▸"

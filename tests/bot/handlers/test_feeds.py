"""/langganan, /berhenti, /feeds and the feed part of /stats, through Telegram updates, against
the real store-backed service and a local news site."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from benchmarks.feedsite import FeedSite, serve_site
from bot.config import Settings
from bot.handlers.feeds import _announce, feeds_of
from index.feeds import NewArticle
from index.service import QAService
from tests.bot.telegram_html import check
from tests.fakes import CONTENT_DIR
from tests.support.bot import ADMIN_ID, GROUP_ID, USER_ID, Harness, running_bot

BANJIR = [
    "Hujan deras yang mengguyur sejak Senin malam membuat Kali Bekasi meluap dan merendam "
    "sedikitnya 450 rumah di Kecamatan Rawalumbu.",
    "Kepala BPBD Kota Bekasi, Agus Salim, mengatakan petugas telah mengevakuasi 1.200 warga.",
]


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with serve_site() as served:
        served.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
        yield served


async def _harness(tmp_path: Path, settings: Settings) -> AsyncIterator[Harness]:
    service = QAService.open(
        f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=CONTENT_DIR, fetch_timeout=1.0
    )
    try:
        async with running_bot(settings, service) as harness:
            yield harness
    finally:
        service.close()


@pytest.fixture
async def feed_bot(tmp_path: Path, settings: Settings) -> AsyncIterator[Harness]:
    local = settings.model_copy(update={"feeds_allow_private": True, "feed_check_seconds": 0})
    async for harness in _harness(tmp_path, local):
        yield harness


@pytest.fixture
async def strict_bot(tmp_path: Path, settings: Settings) -> AsyncIterator[Harness]:
    async for harness in _harness(tmp_path, settings):
        yield harness


async def say(bot: Harness, message: str, user_id: int = ADMIN_ID) -> str:
    bot.request.clear()
    await bot.feed(bot.updates.message(message, user_id=user_id))
    texts = bot.request.texts()
    for text in texts:
        check(text)
    return "\n".join(texts)


async def test_subscribe_list_stats_and_unsubscribe(feed_bot: Harness, site: FeedSite) -> None:
    reply = await say(feed_bot, f"/langganan {site.url('/rss')} 30m")
    assert "Berlangganan feed #1" in reply and "tiap 30m" in reply
    assert "1 entri, 1 artikel baru/diperbarui, 0 gagal" in reply
    answer = feed_bot.service.ask("Berapa rumah terendam banjir di Rawalumbu?")
    assert answer.hits and "450 rumah" in answer.hits[0].sentence

    listing = await say(feed_bot, "/feeds")
    assert "#1 <b>Kabar Kota</b>" in listing and "1 artikel" in listing
    assert "terakhir berhasil: 20" in listing  # a date, not "belum pernah"
    stats = await say(feed_bot, "/stats")
    assert "<b>Feed</b>" in stats and "Kabar Kota" in stats

    again = await say(feed_bot, f"/langganan {site.url('/rss')}")
    assert "sudah dilanggan" in again and "Tidak ada yang baru" in again

    assert "dihentikan" in await say(feed_bot, "/berhenti 1")
    assert "Tidak ada feed #1" in await say(feed_bot, "/berhenti #1")
    assert "Belum ada feed" in await say(feed_bot, "/feeds")


async def test_a_feed_that_fails_is_marked_with_its_error(
    feed_bot: Harness, site: FeedSite
) -> None:
    site.raw["/rusak"] = (500, {"Content-Type": "text/html"}, b"galat")
    reply = await say(feed_bot, f"/langganan {site.url('/rusak')}")
    assert "Feed belum bisa dibaca" in reply and "menjawab HTTP 500" in reply
    listing = await say(feed_bot, "/feeds")
    assert "galat terakhir" in listing and "1× berturut-turut" in listing
    assert "terakhir berhasil: belum pernah" in listing


async def test_private_feeds_are_refused_unless_allowed(
    strict_bot: Harness, site: FeedSite
) -> None:
    reply = await say(strict_bot, f"/langganan {site.url('/rss')}")
    assert "tidak bisa dilanggan" in reply and "alamat jaringan privat/lokal" in reply
    assert "Belum ada feed" in await say(strict_bot, "/feeds")
    assert site.hits["/rss"] == 0


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("/langganan", "Tulis alamat feed"),
        ("/langganan https://contoh.id/rss 1s", "Interval 1s tidak dikenal"),
        ("/langganan https://contoh.id/rss tiap jam", "Tulis alamat feed"),
        ("/berhenti dua", "Tulis ID feed"),
    ],
)
async def test_usage(feed_bot: Harness, message: str, expected: str) -> None:
    assert expected in await say(feed_bot, message)


async def test_only_admins(feed_bot: Harness, site: FeedSite) -> None:
    for command in (f"/langganan {site.url('/rss')}", "/berhenti 1", "/feeds"):
        assert "hanya untuk admin" in await say(feed_bot, command, user_id=5555)
    assert site.hits["/rss"] == 0


async def test_without_a_store_feeds_are_unavailable(bot: Harness) -> None:
    assert "Feed tidak tersedia" in await say(bot, "/feeds")


async def test_kabari_tells_the_chats_that_asked(feed_bot: Harness, site: FeedSite) -> None:
    assert "Kabari chat ini" in await say(feed_bot, "/kabari", user_id=USER_ID)
    assert "akan diberi tahu" in await say(feed_bot, "/kabari on", user_id=USER_ID)
    feed_bot.request.clear()
    await feed_bot.feed(
        feed_bot.updates.message("/kabari on", chat_type="supergroup", chat_id=GROUP_ID)
    )
    assert "hanya admin grup" in feed_bot.request.texts()[-1]  # a plain member may not

    feeds = feeds_of(feed_bot.app.bot_data)
    assert feeds is not None and feeds.notice_chats() == [USER_ID]
    feed_bot.request.clear()
    article = NewArticle(7, "Banjir <Bekasi>", site.url("/berita/banjir"))
    await _announce(feed_bot.app, feeds, [article] * 7)
    [notice] = feed_bot.request.sent()
    check(notice["text"])
    assert notice["chat_id"] == USER_ID
    assert notice["text"].count("Banjir &lt;Bekasi&gt;") == 5 and "dan 2 lainnya" in notice["text"]

    assert "tidak lagi" in await say(feed_bot, "/kabari off", user_id=USER_ID)
    assert feeds.notice_chats() == []

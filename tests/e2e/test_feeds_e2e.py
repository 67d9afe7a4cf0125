"""A real ``tanyaberita serve`` following a feed: an admin subscribes with /langganan, a new
entry appears on the (local) news site, and the bot answers a question about it without any
other command."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from benchmarks.emulator_client import FakeUser, ServeProcess
from benchmarks.feedsite import serve_site
from tests.support.e2e import ADMIN_ID, fresh_token, stop_and_check, wait_until_answering

BANJIR = [
    "Hujan deras yang mengguyur sejak Senin malam membuat Kali Bekasi meluap dan merendam "
    "sedikitnya 450 rumah di Kecamatan Rawalumbu.",
    "Kepala BPBD Kota Bekasi, Agus Salim, mengatakan petugas telah mengevakuasi 1.200 warga.",
]
KERETA = [
    "Kereta cepat Jakarta-Bandung mengangkut 18.000 penumpang pada akhir pekan pertama "
    "setelah tarif promosi berakhir.",
    "Direktur utama KCIC mengatakan jadwal perjalanan ditambah menjadi 48 perjalanan sehari.",
]
QUESTION = "Berapa penumpang kereta cepat pada akhir pekan pertama?"
INTERVAL_S = 5
LIMIT_S = INTERVAL_S + 10.0  # one poll interval, the check period and the rebuild, with slack
USER = 7101


def _plain(message_text: str) -> str:
    return re.sub(r"<[^>]+>", "", message_text)


@pytest.mark.slow
async def test_admin_subscribes_and_a_new_entry_is_answered(emulator: str) -> None:
    token = fresh_token()
    env = {
        "ADMIN_USER_IDS": str(ADMIN_ID),
        # The news site runs on this machine (127.0.0.1): only this opt-in lets a feed there.
        "FEEDS_ALLOW_PRIVATE": "true",
        "FEED_CHECK_SECONDS": "0.5",
    }
    with serve_site() as site:
        site.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
        bot = ServeProcess(emulator, token, env=env)
        try:
            wait_until_answering(emulator, token, bot)
            async with httpx.AsyncClient(timeout=70) as http:
                user = FakeUser(emulator, token, http)
                await user.send(f"/langganan {site.url('/rss')} {INTERVAL_S}s", user_id=ADMIN_ID)
                [subscribed] = await user.wait_for_replies(ADMIN_ID, timeout=30)
                assert "Berlangganan feed #1" in subscribed.text, subscribed.text
                assert "1 artikel baru/diperbarui" in subscribed.text, subscribed.text

                await user.send(QUESTION, user_id=USER)
                [before] = await user.wait_for_replies(USER, timeout=30)
                assert "18.000" not in _plain(before.text)

                site.add_article("/berita/kereta", "Kereta Cepat Angkut Penumpang", KERETA)
                appeared = time.monotonic()
                while True:
                    await user.send(QUESTION, user_id=USER)
                    [reply] = await user.wait_for_replies(USER, timeout=30)
                    if "18.000 penumpang" in _plain(reply.text):
                        break
                    assert time.monotonic() - appeared < LIMIT_S, bot.log()[-3000:]
                    await asyncio.sleep(0.3)
                assert site.hits["/berita/kereta"] == 1

                await user.send("/feeds", user_id=ADMIN_ID)
                [listing] = await user.wait_for_replies(ADMIN_ID, timeout=30)
                assert "Kabar Kota" in listing.text and "2 artikel" in listing.text

                await user.send("/langganan http://127.0.0.1:1/", user_id=USER)
                [refused] = await user.wait_for_replies(USER, timeout=30)
                assert "admin" in refused.text.lower()
        finally:
            stop_and_check(bot)

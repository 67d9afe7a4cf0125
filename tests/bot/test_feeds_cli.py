"""``tanyaberita feeds add | list | remove | poll`` against a local feed site."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from benchmarks.feedsite import FeedSite, serve_site
from bot.cli import main
from tests.support.cli import run

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


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with serve_site() as served:
        yield served


def test_feeds_commands(
    db_args: list[str], site: FeedSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
    url = site.url("/rss")

    code, _, err = run([*db_args, "feeds", "add", url], capsys)
    assert code == 1 and "private or local address" in err and "--allow-private" in err

    code, out, err = run(
        [*db_args, "feeds", "add", url, "--every", "10m", "--allow-private"], capsys
    )
    assert code == 0, err
    subscribed, note, polled = out.splitlines()
    assert subscribed == f"subscribed: feed 1 {url}"
    # The flag covers this call only: the operator learns what the bot's poller needs.
    assert note.startswith("note:") and "FEEDS_ALLOW_PRIVATE=true" in note
    assert "1 entry, 1 new: 1 stored, 0 failed" in polled

    site.add_article("/berita/kereta", "Kereta Cepat", KERETA)
    code, out, err = run([*db_args, "feeds", "poll", "1", "--allow-private"], capsys)
    assert code == 0 and "2 entries, 1 new: 1 stored" in out, err
    code, out, _ = run([*db_args, "feeds", "poll", "--allow-private"], capsys)
    assert code == 0 and "feed 1 Kabar Kota: not modified" in out

    code, out, _ = run([*db_args, "feeds", "list", "--json"], capsys)
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["articles"] == 2 and row["interval_s"] == 600 and row["last_error"] is None

    code, out, _ = run([*db_args, "ask", "Berapa penumpang kereta cepat pada akhir pekan?"], capsys)
    assert code == 0 and "18.000" in out

    site.raw["/rss"] = (500, {}, b"")
    code, out, _ = run([*db_args, "feeds", "poll", "1", "--allow-private"], capsys)
    assert code == 1 and "failed: " in out and "HTTP 500" in out
    code, out, _ = run([*db_args, "feeds", "list"], capsys)
    assert "last error" in out and "(1 in a row)" in out and "HTTP 500" in out

    code, out, _ = run([*db_args, "feeds", "remove", "1"], capsys)
    assert code == 0 and "removed feed 1" in out
    code, _, err = run([*db_args, "feeds", "remove", "1"], capsys)
    assert code == 1 and "no feed with id 1" in err
    with pytest.raises(SystemExit) as usage:
        main([*db_args, "feeds", "add", url, "--every", "1s"])
    assert usage.value.code == 2 and "at most every 5 s" in capsys.readouterr().err


def test_the_private_feed_setting_covers_the_cli_too(
    db_args: list[str],
    site: FeedSite,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
    monkeypatch.setenv("FEEDS_ALLOW_PRIVATE", "true")
    code, out, err = run([*db_args, "feeds", "add", site.url("/rss")], capsys)
    assert code == 0, err
    assert "note:" not in out and "1 entry, 1 new: 1 stored" in out
    code, out, err = run([*db_args, "feeds", "poll"], capsys)
    assert code == 0 and "not modified" in out, err


def test_stats_lists_the_feeds_with_their_last_error(
    db_args: list[str], site: FeedSite, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([*db_args, "stats"], capsys)
    assert code == 0 and "feeds:" not in out  # no subscriptions: no empty table
    site.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
    code, _, err = run([*db_args, "feeds", "add", site.url("/rss"), "--allow-private"], capsys)
    assert code == 0, err
    site.raw["/rss"] = (500, {}, b"")
    code, _, _ = run([*db_args, "feeds", "poll", "--allow-private"], capsys)
    assert code == 1

    code, out, err = run([*db_args, "stats"], capsys)
    assert code == 0, err
    table = out.split("feeds:\n", 1)[1].splitlines()
    assert table[1].split()[0] == "1" and table[1].endswith(site.url("/rss"))
    assert "last error" in table[2] and "HTTP 500" in table[2]
    code, out, err = run([*db_args, "stats", "--json"], capsys)
    [feed] = json.loads(out)["feeds"]
    assert feed["id"] == 1 and feed["failures"] == 1 and "HTTP 500" in feed["last_error"]

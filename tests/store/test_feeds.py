"""Following RSS/Atom feeds against a local site whose feeds change between polls.

The site listens on 127.0.0.2, which these tests count as a public address (as the SSRF tests
do), so the fetcher's private-address refusal stays on: a redirect to 127.0.0.1 is refused.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.feedsite import Entry, FeedSite, rss, serve_site
from index import feedparse
from index.feeds import FeedService
from index.service import QAService, StoreError
from index.store import fetch
from index.store.feeds import backoff, interval_from_text
from index.store.models import DocumentRow, FeedRow
from tests.support.store import postgres_schema_url

PUBLIC_TEST_IP = "127.0.0.2"

BANJIR = [
    "Hujan deras yang mengguyur sejak Senin malam membuat Kali Bekasi meluap dan merendam "
    "sedikitnya 450 rumah di Kecamatan Rawalumbu.",
    "Kepala BPBD Kota Bekasi, Agus Salim, mengatakan petugas telah mengevakuasi 1.200 warga "
    "ke masjid dan sekolah terdekat.",
]
BENDUNGAN = [
    "Presiden meresmikan Bendungan Jragung di Kabupaten Semarang pada Kamis pagi bersama "
    "Gubernur Jawa Tengah.",
    "Bendungan itu mampu mengairi 4.528 hektare sawah di tiga kabupaten, kata Menteri "
    "Pekerjaan Umum.",
]
KERETA = [
    "Kereta cepat Jakarta-Bandung mengangkut 18.000 penumpang pada akhir pekan pertama "
    "setelah tarif promosi berakhir.",
    "Direktur utama KCIC, Dwiyana Slamet, mengatakan jadwal perjalanan ditambah menjadi 48 "
    "perjalanan sehari.",
]


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedSite]:
    real_is_public = fetch._is_public
    monkeypatch.setattr(fetch, "_is_public", lambda a: a == PUBLIC_TEST_IP or real_is_public(a))
    with serve_site(PUBLIC_TEST_IP) as served:
        yield served


@pytest.fixture
def feeds(database_url: str, content_dir: Path) -> Iterator[FeedService]:
    service = QAService.open(database_url, content_dir=content_dir, fetch_timeout=0.5)
    feed_service = FeedService(service)
    try:
        yield feed_service
    finally:
        feed_service.close()
        service.close()


def _active_documents(feeds: FeedService) -> int:
    with feeds.store.db.read() as session:
        return int(
            session.scalar(select(func.count(DocumentRow.id)).where(DocumentRow.active)) or 0
        )


def test_rss_subscription_ingests_the_pages_and_answers_from_them(
    feeds: FeedService, site: FeedSite
) -> None:
    site.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
    site.add_article("/berita/bendungan", "Presiden Resmikan Bendungan Jragung", BENDUNGAN)
    before = _active_documents(feeds)

    sub = feeds.subscribe(site.url("/rss"))

    assert sub.feed_id is not None and sub.new and sub.poll is not None
    assert sub.poll.status == "polled" and sub.poll.added == 2 and sub.poll.failed == 0
    assert not any(o.fallback for o in sub.poll.outcomes)  # the pages gave the articles
    assert _active_documents(feeds) == before + 2
    answer = feeds.service.ask("Berapa hektare sawah yang diairi Bendungan Jragung?")
    assert answer.hits and "4.528 hektare" in answer.hits[0].sentence
    [info] = feeds.feeds()
    assert info.title == "Kabar Kota" and info.articles == 2 and info.last_error is None


def test_unchanged_feed_costs_one_conditional_request(feeds: FeedService, site: FeedSite) -> None:
    site.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
    sub = feeds.subscribe(site.url("/rss"))
    assert sub.feed_id is not None
    page_hits = site.hits["/berita/banjir"]

    [again] = feeds.poll(sub.feed_id)

    assert again.status == "not_modified"
    assert site.not_modified["/rss"] == 1 and site.hits["/berita/banjir"] == page_hits


def test_new_updated_and_removed_entries_between_polls(feeds: FeedService, site: FeedSite) -> None:
    banjir = site.add_article("/berita/banjir", "Banjir Rendam Rumah di Bekasi", BANJIR)
    site.add_article("/berita/bendungan", "Presiden Resmikan Bendungan Jragung", BENDUNGAN)
    sub = feeds.subscribe(site.url("/rss"))
    assert sub.feed_id is not None

    # A new entry, an updated one (new title and page), and one that leaves the feed.
    site.add_article("/berita/kereta", "Kereta Cepat Angkut 18.000 Penumpang", KERETA)
    banjir.title = "Banjir Bekasi: 2.000 Warga Mengungsi"
    site.pages["/berita/banjir"] = site.pages["/berita/banjir"].replace(b"1.200", b"2.000")
    site.rss_entries = [e for e in site.rss_entries if e.link != "/berita/bendungan"]
    [poll] = feeds.poll(sub.feed_id)

    statuses = sorted(o.result.status for o in poll.outcomes)
    assert poll.status == "polled" and statuses == ["added", "updated"]
    assert feeds.service.ask("Berapa penumpang kereta cepat?").hits[0].sentence.count("18.000")
    hit = feeds.service.ask("Berapa warga yang dievakuasi petugas BPBD Bekasi?").hits[0]
    assert "2.000" in hit.sentence
    # The entry that left the feed keeps its article; retention is what expires articles.
    assert feeds.service.ask("Bendungan Jragung mengairi berapa hektare sawah?").hits


def test_atom_feed_with_last_modified(feeds: FeedService, site: FeedSite) -> None:
    site.add_article("/atom/kereta", "Kereta Cepat Angkut Penumpang", KERETA, feed="atom")
    sub = feeds.subscribe(site.url("/atom"))
    assert sub.poll is not None and sub.poll.added == 1 and sub.feed_id is not None
    assert feeds.poll(sub.feed_id)[0].status == "not_modified"
    site.add_article("/atom/banjir", "Banjir Bekasi", BANJIR, feed="atom")
    [poll] = feeds.poll(sub.feed_id)
    assert poll.status == "polled" and poll.added == 1
    assert site.not_modified["/atom"] == 1


def test_bad_entries_never_stop_the_feed(feeds: FeedService, site: FeedSite) -> None:
    summary = " ".join(BENDUNGAN)
    site.rss_entries = [
        Entry("a", "Halaman hilang, ringkasan ada", "/hilang", summary=f"<p>{summary}</p>"),
        Entry("b", "Tanpa tautan", None, summary=" ".join(KERETA)),
        Entry("c", "Tanpa tautan dan teks", None),
        Entry("d", "Halaman gambar", "/gambar", summary="Singkat."),
    ]
    site.raw["/gambar"] = (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n")
    site.add_article("/berita/banjir", "Banjir Bekasi", BANJIR)
    site.rss_entries.append(Entry("a", "Duplikat id a", "/berita/banjir"))

    sub = feeds.subscribe(site.url("/rss"))

    poll = sub.poll
    assert poll is not None and poll.status == "polled"
    assert poll.details["duplicates"] == 1
    by_title = {o.link: o for o in poll.outcomes}
    fallback = by_title[site.url("/hilang")]
    assert fallback.fallback and fallback.result.status == "added"
    assert poll.added == 3 and poll.failed == 2
    failures = [o.result.error for o in poll.outcomes if o.result.status == "failed"]
    assert any("no link and no text" in f for f in failures)
    assert any("not an HTML page" in f for f in failures)
    assert feeds.service.ask("Berapa penumpang kereta cepat akhir pekan?").hits
    # Failed entries are remembered: the next poll (feed changed) does not fetch them again.
    hits = site.hits["/gambar"]
    site.add_article("/berita/kereta", "Kereta", KERETA)
    assert sub.feed_id is not None
    feeds.poll(sub.feed_id)
    assert site.hits["/gambar"] == hits


@pytest.mark.parametrize(
    ("path", "answer", "message"),
    [
        (
            "/halaman",
            (200, {"Content-Type": "text/html"}, b"<html><p>halo</p></html>"),
            "not an RSS or Atom feed",
        ),
        (
            "/data.json",
            (200, {"Content-Type": "application/json"}, b'{"a": 1}'),
            "not an RSS or Atom feed",
        ),
        (
            "/biner",
            (200, {"Content-Type": "application/octet-stream"}, b"\x00\x01\x02"),
            "not an RSS or Atom feed",
        ),
        (
            "/rusak.xml",
            (
                200,
                {"Content-Type": "application/rss+xml"},
                b"<rss version='2.0'><channel><title>x</title><item><title>a</channel></rss>",
            ),
            "not well-formed XML",
        ),
        ("/tidak-ada", None, "HTTP 404"),
        ("/galat", (500, {"Content-Type": "text/html"}, b"error"), "HTTP 500"),
        ("/lambat", None, "did not answer within"),
        ("/ke-privat", None, "private or local address"),
        ("/besar", None, "10,000 entries"),
    ],
)
def test_bad_feeds_mark_the_feed_and_change_nothing(
    feeds: FeedService,
    site: FeedSite,
    path: str,
    answer: tuple[int, dict[str, str], bytes] | None,
    message: str,
) -> None:
    if answer is not None:
        site.raw[path] = answer
    site.slow_seconds = 1.5
    port = site.base.rsplit(":", 1)[1]
    site.raw["/ke-privat"] = (302, {"Location": f"http://127.0.0.1:{port}/rss"}, b"")
    big = [Entry(f"id{i}", f"Berita {i}", f"/b/{i}") for i in range(10_000)]
    site.raw["/besar"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        rss("Besar", site.base, big),
    )
    site.add_article("/berita/banjir", "Banjir", BANJIR)
    before = _active_documents(feeds)
    revision = feeds.store.store.revision()

    sub = feeds.subscribe(site.url(path))

    assert sub.poll is not None and sub.poll.status == "failed"
    assert sub.poll.error is not None and message in sub.poll.error.message
    [info] = feeds.feeds()
    assert info.last_error is not None and message in info.last_error and info.failures == 1
    assert info.next_poll_at is not None
    assert _active_documents(feeds) == before and feeds.store.store.revision() == revision
    assert site.hits["/berita/banjir"] == 0


def test_errors_back_off_and_success_resets(feeds: FeedService, site: FeedSite) -> None:
    site.raw["/rss2"] = (500, {}, b"")
    sub = feeds.subscribe(site.url("/rss2"))
    assert sub.feed_id is not None
    feeds.poll(sub.feed_id)
    [info] = feeds.feeds()
    assert info.failures == 2
    assert backoff(info.interval_s, 2) == timedelta(seconds=info.interval_s * 4)
    assert backoff(60, 30) == timedelta(hours=6)
    del site.raw["/rss2"]
    site.raw["/rss2"] = (
        200,
        {"Content-Type": "text/xml"},
        b"<rss version='2.0'><channel><title>ok</title></channel></rss>",
    )
    feeds.poll(sub.feed_id)
    [info] = feeds.feeds()
    assert info.failures == 0 and info.last_error is None and info.last_success_at is not None


def test_refused_subscription_changes_nothing(feeds: FeedService) -> None:
    too_long = "https://contoh.id/" + "a" * 2000
    for url in ("ftp://contoh.id/rss", "http://127.0.0.1:9/rss", "bukan url", too_long):
        sub = feeds.subscribe(url)
        assert sub.feed_id is None and sub.error is not None
    assert feeds.feeds() == []


def test_remove_and_unknown_feed(feeds: FeedService, site: FeedSite) -> None:
    site.add_article("/berita/banjir", "Banjir", BANJIR)
    sub = feeds.subscribe(site.url("/rss"))
    assert sub.feed_id is not None
    assert feeds.unsubscribe(sub.feed_id) and not feeds.unsubscribe(sub.feed_id)
    assert feeds.feeds() == []
    assert feeds.service.ask("Berapa rumah terendam banjir di Rawalumbu?").hits  # article stays
    with pytest.raises(StoreError, match="no feed"):
        feeds.poll(sub.feed_id)


def test_same_url_twice_is_one_subscription(feeds: FeedService, site: FeedSite) -> None:
    site.add_article("/berita/banjir", "Banjir", BANJIR)
    first = feeds.subscribe(site.url("/rss"), 600)
    second = feeds.subscribe(site.url("/rss"), 120)
    assert first.feed_id == second.feed_id and not second.new
    [info] = feeds.feeds()
    assert info.interval_s == 120 and info.articles == 1


def test_retention_expires_old_articles_and_skips_old_entries(
    feeds: FeedService, site: FeedSite
) -> None:
    old = datetime.now(UTC) - timedelta(days=40)
    site.add_article("/berita/banjir", "Banjir", BANJIR, published=old)
    site.add_article("/berita/kereta", "Kereta", KERETA)
    sub = feeds.subscribe(site.url("/rss"))
    assert sub.poll is not None and sub.poll.added == 2
    assert feeds.service.ask("Berapa rumah terendam banjir di Rawalumbu?").hits

    feeds.retention_days = 30
    report = feeds.run_due()  # the poller's cycle applies retention too
    assert report is not None and report.expired == 1 and feeds.expire() == 0
    assert not feeds.service.ask("Berapa rumah terendam banjir di Rawalumbu?").hits
    assert feeds.service.ask("Berapa penumpang kereta cepat?").hits
    # The shipped content-directory article is the operator's own: never expired.
    assert any(d.source_kind == "content" for d in feeds.service.documents())

    # With retention on, a new feed's old entries are not even fetched.
    site.add_article("/atom/lama", "Lama", BENDUNGAN, feed="atom", published=old)
    atom = feeds.subscribe(site.url("/atom"))
    assert atom.poll is not None and atom.poll.added == 0 and site.hits["/atom/lama"] == 0


def _make_due(feeds: FeedService, feed_id: int | None) -> None:
    """Make the feed's next poll due now (as if its interval had passed)."""
    with feeds.store.db.write() as session:
        row = session.get(FeedRow, feed_id)
        assert row is not None
        row.next_poll_at = datetime.now(UTC) - timedelta(seconds=1)


def test_run_due_polls_only_feeds_whose_time_has_come(feeds: FeedService, site: FeedSite) -> None:
    site.add_article("/berita/banjir", "Banjir", BANJIR)
    sub = feeds.subscribe(site.url("/rss"), 3600)
    report = feeds.run_due()
    assert report is not None and report.polls == ()
    _make_due(feeds, sub.feed_id)
    report = feeds.run_due()
    assert report is not None and [p.status for p in report.polls] == ["not_modified"]


@contextmanager
def _polling_in_another_thread(feeds: FeedService) -> Iterator[None]:
    """While the block runs, another thread holds ``feeds``' poller lock, as a cycle does."""
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with feeds._exclusive(wait=False) as mine:
            assert mine
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()


def test_one_poller_at_a_time(database_url: str, content_dir: Path, site: FeedSite) -> None:
    """While one poller cycle runs, another skips its cycle: on PostgreSQL a second instance
    (its own connections) is kept out by the advisory lock; in one process by the local lock."""
    first = QAService.open(database_url, content_dir=content_dir)
    second = QAService.open(database_url, content_dir=content_dir)
    one = FeedService(first)
    other = FeedService(second) if "postgresql" in database_url else one
    try:
        with _polling_in_another_thread(one):
            assert other.run_due() is None
            if other is not one:
                with pytest.raises(StoreError, match="another instance"):
                    other.poll()
        assert other.run_due() is not None
    finally:
        first.close()
        second.close()


def test_deployments_in_other_schemas_of_one_database_poll_independently(
    content_dir: Path,
) -> None:
    """The poller's lock belongs to the deployment's schema: a database shared by deployments
    (or test runs) in their own schemas never makes one wait for, or refuse, another."""
    with postgres_schema_url() as url_a, postgres_schema_url() as url_b:
        first = QAService.open(url_a, content_dir=content_dir)
        second = QAService.open(url_b, content_dir=content_dir)
        mine, neighbour = FeedService(first), FeedService(second)
        try:
            with _polling_in_another_thread(mine):
                assert neighbour.run_due() is not None
                assert neighbour.poll() == []  # no feeds there: polled, not refused
        finally:
            first.close()
            second.close()


def test_parse_limits() -> None:
    with pytest.raises(feedparse.FeedError, match="not an RSS or Atom feed"):
        feedparse.parse_feed(b"", "http://contoh.id/rss")
    assert interval_from_text("15m") == 900 and interval_from_text("2h") == 7200
    assert interval_from_text("90") == 90
    for bad in ("0m", "1s", "soon", "-5m"):
        with pytest.raises(ValueError):
            interval_from_text(bad)


def test_a_background_cycle_announces_the_articles_it_added(
    feeds: FeedService, site: FeedSite
) -> None:
    site.add_article("/berita/banjir", "Banjir", BANJIR)
    sub = feeds.subscribe(site.url("/rss"), 5)
    assert sub.feed_id is not None
    told: list[list[str]] = []
    feeds.on_new_articles = lambda articles: told.append([a.title for a in articles])
    site.add_article("/berita/kereta", "Kereta Cepat Angkut Penumpang", KERETA)
    _make_due(feeds, sub.feed_id)
    feeds._cycle()
    assert told == [["Kereta Cepat Angkut Penumpang"]]
    feeds._cycle()  # nothing due, nothing new: nobody is told again
    assert len(told) == 1


def test_another_instance_answers_what_the_poller_added(
    database_url: str, content_dir: Path, site: FeedSite
) -> None:
    """The instance that polls stores the article; another one (not polling) answers it after
    the change notification (PostgreSQL) or its revision check (SQLite)."""
    poller = QAService.open(database_url, content_dir=content_dir)
    other = QAService.open(database_url, content_dir=content_dir)
    feeds = FeedService(poller)
    try:
        assert not other.ask("Berapa penumpang kereta cepat akhir pekan?").hits
        other.start_watching(0.2)
        site.add_article("/berita/kereta", "Kereta Cepat", KERETA)
        sub = feeds.subscribe(site.url("/rss"))
        assert sub.poll is not None and sub.poll.added == 1
        deadline = time.monotonic() + 10
        while not other.ask("Berapa penumpang kereta cepat akhir pekan?").hits:
            assert time.monotonic() < deadline, "the other instance never saw the article"
            time.sleep(0.05)
    finally:
        feeds.close()
        other.close()
        poller.close()


def test_failures_are_logged_as_warnings_only_where_nobody_else_reports_them(
    feeds: FeedService, site: FeedSite, caplog: pytest.LogCaptureFixture
) -> None:
    """A poll someone asked for (the CLI, an admin) shows its outcome to them: logging it as a
    warning too printed it twice. A background cycle has no one else to tell."""
    site.add_article("/berita/banjir", "Banjir", BANJIR)
    sub = feeds.subscribe(site.url("/rss"), 3600)
    assert sub.feed_id is not None
    site.raw["/rss"] = (500, {}, b"")
    caplog.set_level(logging.DEBUG, logger="index")
    [asked] = feeds.poll(sub.feed_id)
    assert asked.status == "failed"
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert [r.levelno for r in failures] == [logging.INFO]
    caplog.clear()
    _make_due(feeds, sub.feed_id)
    report = feeds.run_due()
    assert report is not None and [p.status for p in report.polls] == ["failed"]
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert [r.levelno for r in failures] == [logging.WARNING]
    assert "HTTP 500" in failures[0].getMessage()

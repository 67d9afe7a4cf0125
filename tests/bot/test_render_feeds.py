"""bot/render_feeds.py: feed reports count entries and articles in the chat's language."""

from __future__ import annotations

import pytest

from bot.render_feeds import feed_lines, render_poll
from index.results import IngestResult
from index.store.feeds import EntryOutcome, FeedInfo, FeedPoll


def poll(added: int, entries: int, left: int = 0) -> FeedPoll:
    outcomes = tuple(
        EntryOutcome(f"https://contoh.id/{i}", IngestResult(f"https://contoh.id/{i}", "added", i))
        for i in range(added)
    )
    return FeedPoll(1, "https://contoh.id/rss", "polled", entries, added, left, outcomes)


@pytest.mark.parametrize(
    ("lang", "entries", "added", "left", "expected"),
    [
        ("en", 1, 1, 0, "1 entry, 1 article new or updated, 0 failed."),
        ("en", 2, 0, 1, "2 entries, 0 articles new or updated, 0 failed.\n1 entry left"),
        ("en", 1200, 30, 1170, "1,200 entries, 30 articles new or updated, 0 failed."),
        ("id", 1, 1, 0, "1 entri, 1 artikel baru/diperbarui, 0 gagal."),
        ("id", 1200, 30, 1170, "1.200 entri, 30 artikel baru/diperbarui, 0 gagal.\n1.170 entri"),
    ],
)
def test_poll_counts(lang: str, entries: int, added: int, left: int, expected: str) -> None:
    assert render_poll(poll(added, entries, left), lang).startswith(expected)


@pytest.mark.parametrize(
    ("lang", "articles", "expected"),
    [
        ("en", 1, "every 15m · 1 article ·"),
        ("en", 0, "every 15m · 0 articles ·"),
        ("id", 1, "tiap 15m · 1 artikel ·"),
        ("id", 3464, "tiap 15m · 3.464 artikel ·"),
    ],
)
def test_feed_list_counts_articles(lang: str, articles: int, expected: str) -> None:
    info = FeedInfo(2, "https://contoh.id/rss", "Contoh", 900, articles, None, None, None, 0, None)
    [block] = feed_lines([info], lang)
    assert expected in block

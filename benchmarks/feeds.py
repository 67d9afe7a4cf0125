"""Feed benchmark at IndoSum scale: how soon a new feed entry is answerable, and what polling an
unchanged feed costs.

Usage: ``python -m benchmarks.feeds [--data DIR] [--rounds 10] [--json]``

Setup: a fresh SQLite store holding the IndoSum articles except the last ``--rounds`` ones
(ingested with two worker processes), a ``QAService`` answering from it, and a local news site
(127.0.0.1, allowed explicitly) with an RSS feed of 20 entries already read once.

1. **New entry → answer**: each round puts one held-out IndoSum article on the site as a page
   and a new feed entry, then polls the feed (as the bot's poller does when the feed is due)
   and asks the article's first sentence as a question until the top answer comes from the new
   article. Reported per round: the poll (conditional GET of the changed feed, parse, page
   download, extraction, stemming, the write) and the rebuild, and the whole time from the
   poll's start to that answer. Target ≤ 2 s.
2. **Unchanged feed**: ``--polls`` polls of the same feed, answered 304 (the validators match):
   time per poll and requests/bytes it costs; the same with a server that ignores validators
   (200 and the full feed every time: parsed, every entry known, nothing fetched); and one
   poller cycle with nothing due (the query the poller runs every ``FEED_CHECK_SECONDS``).

Means come with their standard errors (sample standard deviation / √n).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.feedsite import serve_site
from benchmarks.paths import DEFAULT_DATA
from index.feeds import FeedService
from index.service import QAService
from index.sources import iter_jsonl
from index.store.feeds import FeedStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = "indosum_news.jsonl"
TARGET_S = 2.0
INITIAL_ENTRIES = 20


def _mean_se(values: list[float]) -> dict[str, float]:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return {
        "n": len(values),
        "mean": round(mean, 4),
        "se": round(se, 4),
        "p50": round(statistics.median(values), 4),
        "max": round(max(values), 4),
    }


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def run(data: Path, rounds: int, polls: int) -> dict[str, Any]:
    records = [i for i in iter_jsonl(data / CORPUS) if i.source is not None]
    held_out, kept = records[-rounds:], records[:-rounds]
    report: dict[str, Any] = {"articles": len(records), "rounds": rounds}
    with tempfile.TemporaryDirectory(prefix="tanyaberita-feeds-") as tmp:
        folder = Path(tmp)
        batch = folder / "kept.jsonl"
        with batch.open("w", encoding="utf-8") as out:
            for item in kept:
                assert item.source is not None
                row = {"id": item.key, "title": item.source.title, "text": item.source.text}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        url = f"sqlite:///{folder / 'store.sqlite3'}"
        started = time.perf_counter()
        service = QAService.open(url, content_dir=None, allow_private_urls=True)
        service.ingest_paths([str(batch)], workers=2)
        report["setup_ingest_s"] = round(time.perf_counter() - started, 1)
        report["sentences"] = service.snapshot.sentence_count
        feeds = FeedService(service)
        try:
            with serve_site() as site:
                base = datetime.now(UTC) - timedelta(days=1)
                for n, item in enumerate(kept[:INITIAL_ENTRIES]):
                    assert item.source is not None
                    site.add_article(
                        f"/lama/{n}",
                        item.source.title or f"Berita {n}",
                        _paragraphs(item.source.text),
                        published=base + timedelta(minutes=n),
                    )
                sub = feeds.subscribe(site.url("/rss"), 60)
                assert sub.feed_id is not None and sub.poll is not None
                report["first_poll"] = {
                    "entries": sub.poll.entries,
                    "stored": sub.poll.added,
                    "seconds": round(sub.poll.seconds, 3),
                }
                report["new_entry"] = _new_entries(feeds, site, sub.feed_id, held_out)
                report["unchanged"] = _unchanged(feeds, site, sub.feed_id, polls)
        finally:
            feeds.close()
            service.close()
    return report


def _new_entries(feeds: Any, site: Any, feed_id: int, held_out: list[Any]) -> dict[str, Any]:
    poll_s: list[float] = []
    rebuild_s: list[float] = []
    total_s: list[float] = []
    for n, item in enumerate(held_out):
        paragraphs = _paragraphs(item.source.text)
        site.add_article(f"/baru/{n}", item.source.title or f"Baru {n}", paragraphs)
        question = paragraphs[0].split(". ")[0]
        started = time.perf_counter()
        [poll] = feeds.poll(feed_id)  # the poll includes the rebuild (content_changed)
        polled = time.perf_counter()
        new_ids = {o.result.document_id for o in poll.outcomes}
        while True:
            answer = feeds.service.ask(question)
            if answer.hits and answer.hits[0].document_id in new_ids:
                break
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"round {n}: the new article was never the top answer")
            time.sleep(0.01)
        done = time.perf_counter()
        poll_s.append(poll.seconds)
        rebuild_s.append(polled - started - poll.seconds)
        total_s.append(done - started)
    return {
        "poll_s": _mean_se(poll_s),
        "rebuild_s": _mean_se(rebuild_s),
        "entry_to_answer_s": _mean_se(total_s),
        "target_s": TARGET_S,
        "met": max(total_s) <= TARGET_S,
    }


def _unchanged(feeds: Any, site: Any, feed_id: int, polls: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    before_hits = site.hits["/rss"]
    seconds = []
    for _ in range(polls):
        [poll] = feeds.poll(feed_id)
        assert poll.status == "not_modified", poll
        seconds.append(poll.seconds)
    result["not_modified_304"] = {
        **_mean_se(seconds),
        "requests_per_poll": (site.hits["/rss"] - before_hits) / polls,
        "body_bytes": 0,
    }
    # A server that ignores validators: the full feed every time.
    body = site.answer("/rss", {})[2]
    site.raw["/rss"] = (200, {"Content-Type": "application/rss+xml"}, body)
    seconds = []
    for _ in range(polls):
        [poll] = feeds.poll(feed_id)
        assert poll.status == "polled" and poll.new == 0, poll
        seconds.append(poll.seconds)
    result["full_feed_all_known"] = {**_mean_se(seconds), "body_bytes": len(body)}
    del site.raw["/rss"]
    store: FeedStore = feeds.store
    seconds = []
    for _ in range(polls):
        started = time.perf_counter()
        store.due()
        seconds.append(time.perf_counter() - started)
    result["cycle_nothing_due"] = _mean_se(seconds)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--polls", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.data / CORPUS).is_file():
        print(f"error: {args.data / CORPUS} not found (--data DIR)", file=sys.stderr)
        return 1
    report = run(args.data, args.rounds, args.polls)
    print(json.dumps(report, indent=None if args.json else 2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``tanyaberita stats``: usage figures from the stored question log (as the bot's /stats)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot import i18n
from bot.cli.arguments import Subcommands, positive_int
from bot.cli.errors import EXIT_OK
from bot.cli.feeds import feed_json, feed_table
from bot.cli.service import open_service, read_only_store
from bot.config import Settings

if TYPE_CHECKING:
    from index.results import Stats
    from index.store.feeds import FeedInfo

__all__ = ["cmd_stats", "register"]


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    stats, subscriptions = _read(args, settings)
    extra = stats.extra
    if args.json:
        row = {
            "questions": stats.questions,
            "answered": stats.answered,
            "abstained": stats.abstained,
            "thumbs_up": stats.thumbs_up,
            "thumbs_down": stats.thumbs_down,
            "p50_ms": stats.p50_ms,
            "top_questions": [list(q) for q in stats.top_questions],
            "unanswered_questions": [list(q) for q in stats.unanswered_questions],
            **{key: int(value) for key, value in extra.items()},
            "feeds": [feed_json(f) for f in subscriptions],
        }
        print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    share = f" ({100 * stats.answered / stats.questions:.1f} %)" if stats.questions else ""
    print(f"questions        {stats.questions:,}")
    print(f"answered         {stats.answered:,}{share}")
    print(f"not answered     {stats.abstained:,}")
    print(f"feedback         {stats.thumbs_up:,} 👍  {stats.thumbs_down:,} 👎")
    print(f"median latency   {stats.p50_ms:.1f} ms")
    if extra:
        documents, sentences = int(extra.get("documents", 0)), int(extra.get("sentences", 0))
        revision = int(extra.get("revision", 0))
        articles = i18n.count("en", "article", documents)
        content = f"{articles}, {i18n.count('en', 'sentence', sentences)}, revision {revision}"
        print(f"content          {content}")
        if "embedded_sentences" in extra:
            print(f"embeddings       {int(extra['embedded_sentences']):,} sentences")
    for heading, rows in (
        ("most asked", stats.top_questions),
        ("most asked without an answer", stats.unanswered_questions),
    ):
        if rows:
            print(f"{heading}:")
            for question, times in rows:
                print(f"  {times:>5}  {' '.join(question.split())}")
    if subscriptions:  # as the bot's /stats: a feed that stopped working shows its last error
        print("feeds:")
        for line in feed_table(subscriptions):
            print(f"  {line}")
    return EXIT_OK


def _read(args: argparse.Namespace, settings: Settings) -> tuple[Stats, list[FeedInfo]]:
    """The statistics and the feeds, from a read-only backup as they are, else through the
    service (which brings the store's schema up to date first)."""
    from index.feeds import FeedService  # noqa: PLC0415 - SQLAlchemy and the store: ~0.3 s of start-up that only store commands need
    from index.store.embeddings import count_embedded  # noqa: PLC0415 - the same
    from index.store.feeds import FeedStore  # noqa: PLC0415 - the same

    with read_only_store(settings, args) as backup:
        if backup is not None:
            stats = backup.stats(args.top)
            stats.extra["embedded_sentences"] = count_embedded(backup.db, None)[1]
            return stats, FeedStore(backup).feeds()
    service = open_service(settings, live=False, sync=False, announce=args)
    try:
        stats = service.stats(args.top)
        feeds = FeedService.for_service(service)
        return stats, feeds.feeds() if feeds is not None else []
    finally:
        service.close()


def register(sub: Subcommands) -> None:
    stats = sub.add_parser("stats", help="usage statistics from the stored question log")
    stats.add_argument("--top", type=positive_int, default=10, help="questions listed (10)")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=cmd_stats)

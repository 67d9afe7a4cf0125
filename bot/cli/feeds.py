"""``tanyaberita feeds add URL [--every 15m] | list | remove ID | poll [ID]``.

Subscriptions live in the store, so a running bot (which polls them) and these commands see
the same feeds; what a command ingests reaches the running instances through the store's
change notification (PostgreSQL) or their next revision check (SQLite).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.cli.arguments import Subcommands
from bot.cli.errors import EXIT_ERROR, EXIT_OK, PRIVATE_HINT, CLIError
from bot.cli.service import open_service
from bot.config import Settings
from bot.i18n import count

if TYPE_CHECKING:
    from index.feeds import FeedService
    from index.store.feeds import FeedInfo, FeedPoll

__all__ = ["cmd_feeds", "describe_poll", "feed_json", "feed_table", "register"]


def _interval(value: str) -> int:
    from index.store.feeds import interval_from_text  # noqa: PLC0415 - SQLAlchemy and the store: ~0.3 s of start-up that only feed commands need

    try:
        return interval_from_text(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _feed_id(value: str) -> int:
    raw = value.lstrip("#")
    if not raw.isdigit():
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a feed id (see `tanyaberita feeds list`)"
        )
    return int(raw)


def register(sub: Subcommands) -> None:
    feeds = sub.add_parser("feeds", help="follow RSS/Atom feeds: add, list, remove, poll")
    actions = feeds.add_subparsers(dest="feeds_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="subscribe to a feed and read it once now")
    add.add_argument("url")
    add.add_argument(
        "--every", type=_interval, default=15 * 60, help="poll interval, e.g. 90s, 15m, 2h (15m)"
    )
    add.add_argument(
        "--allow-private", action="store_true", help="allow a feed on a private/loopback host"
    )
    listing = actions.add_parser("list", help="the feeds with their last success and error")
    listing.add_argument("--json", action="store_true", help="one JSON object per feed")
    remove = actions.add_parser("remove", help="unsubscribe (the articles stay)")
    remove.add_argument("id", type=_feed_id)
    poll = actions.add_parser("poll", help="poll one feed, or all, now (and apply retention)")
    poll.add_argument("id", type=_feed_id, nargs="?")
    poll.add_argument(
        "--allow-private", action="store_true", help="allow feeds on private/loopback hosts"
    )
    feeds.set_defaults(handler=cmd_feeds)


def describe_poll(poll: FeedPoll) -> list[str]:
    """One line for a feed's poll, then one per entry that gave no article."""
    name = f"feed {poll.feed_id}" + (f" {poll.title}" if poll.title else "")
    if poll.status == "failed":
        return [f"{name}: failed: {poll.error.message if poll.error else 'unknown error'}"]
    if poll.status == "not_modified":
        return [f"{name}: not modified ({poll.seconds:.2f} s)"]
    later = f", {poll.left} left for the next poll" if poll.left else ""
    entries = count("en", "entry", poll.entries)
    lines = [
        f"{name}: {entries}, {poll.new} new: {poll.added} stored, "
        f"{poll.failed} failed{later} ({poll.seconds:.2f} s)"
    ]
    lines += [
        f"  failed     {o.link}: {o.result.error}"
        for o in poll.outcomes
        if o.result.status == "failed"
    ]
    return lines


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from index.feeds import FeedService  # noqa: PLC0415 - SQLAlchemy and the store: ~0.3 s of start-up that only feed commands need

    asked_private = bool(getattr(args, "allow_private", False))
    allow_private = asked_private or settings.feeds_allow_private
    service = open_service(
        settings, live=False, sync=False, allow_private_urls=allow_private, announce=args
    )
    feeds = FeedService(service, retention_days=settings.retention_days)
    try:
        action = args.feeds_action
        if action == "add":
            sub = feeds.subscribe(args.url, args.every)
            if sub.feed_id is None:
                message = sub.error.message if sub.error else "refused"
                hint = PRIVATE_HINT if sub.error and sub.error.key == "private_address" else ""
                raise CLIError(f"{args.url}: {message}{hint}")
            state = "subscribed" if sub.new else "already subscribed (interval updated)"
            print(f"{state}: feed {sub.feed_id} {args.url}")
            if asked_private and not settings.feeds_allow_private:
                print(
                    "note: the bot's poller reads feeds on private or local hosts only with "
                    "FEEDS_ALLOW_PRIVATE=true (and `feeds poll` only with --allow-private)"
                )
            polls = [sub.poll] if sub.poll else []
        elif action == "list":
            return _list(feeds, args.json)
        elif action == "remove":
            if not feeds.unsubscribe(args.id):
                raise CLIError(f"no feed with id {args.id} (see `tanyaberita feeds list`)")
            print(f"removed feed {args.id} (its articles stay)")
            return EXIT_OK
        else:
            polls = feeds.poll(args.id)
            if not polls:
                print("no feeds (subscribe with `tanyaberita feeds add URL`)")
            if args.id is None and settings.retention_days:
                print(f"retention: {count('en', 'article', feeds.expire())} expired")
        for poll in polls:
            for line in describe_poll(poll):
                print(line)
        return EXIT_ERROR if any(p.status == "failed" for p in polls) else EXIT_OK
    finally:
        feeds.close()
        service.close()


def _list(feeds: FeedService, as_json: bool) -> int:
    rows = feeds.feeds()
    if as_json:
        for f in rows:
            print(json.dumps(feed_json(f), ensure_ascii=False))
        return 0
    if not rows:
        print("no feeds (subscribe with `tanyaberita feeds add URL`)")
        return 0
    for line in feed_table(rows):
        print(line)
    return 0


def feed_json(f: FeedInfo) -> dict[str, object]:
    """One feed as ``feeds list --json`` and ``stats --json`` print it."""
    return {
        "id": f.id,
        "url": f.url,
        "title": f.title,
        "interval_s": f.interval_s,
        "articles": f.articles,
        "last_success_at": _iso(f.last_success_at),
        "last_error": f.last_error,
        "last_error_at": _iso(f.last_error_at),
        "failures": f.failures,
        "next_poll_at": _iso(f.next_poll_at),
    }


def feed_table(rows: Sequence[FeedInfo]) -> list[str]:
    """The feeds as a table: a heading, one line per feed, and its last error below it."""
    from index.store.feeds import describe_interval  # noqa: PLC0415 - SQLAlchemy and the store: ~0.3 s of start-up that only feed commands need

    lines = [f"{'ID':>4}  {'EVERY':>5}  {'ARTICLES':>8}  {'LAST SUCCESS':<16}  URL"]
    for f in rows:
        success = f.last_success_at.strftime("%Y-%m-%d %H:%M") if f.last_success_at else "never"
        every = describe_interval(f.interval_s)
        lines.append(f"{f.id:>4}  {every:>5}  {f.articles:>8}  {success:<16}  {f.url}")
        if f.last_error:
            when = f.last_error_at.strftime("%Y-%m-%d %H:%M") if f.last_error_at else "?"
            lines.append(f"      last error {when} ({f.failures} in a row): {f.last_error}")
    return lines


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None

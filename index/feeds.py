"""FeedService: following RSS/Atom feeds and retention, for the CLI and the bot.

It sits beside ``QAService`` (which it keeps up to date after every poll that changed
content) and uses ``index.store.feeds.FeedStore`` for the work. Polling runs in one daemon
thread per process (``start``); with several instances on PostgreSQL exactly one polls at a
time: a poll cycle runs only while it holds a session-level advisory lock
(``pg_try_advisory_lock``), and the others skip their cycle and pick the new articles up
through the store's change notification like any other change. On SQLite a process-local lock
serialises cycles (a second process polling at the same moment is harmless: entries and
documents are unique, the loser finds them stored).

Retention (``retention_days``) runs at every cycle: articles published (or ingested, when the
date is unknown) more than that many days ago are deactivated, and entries older than that are
not fetched at all.

Everything here blocks (network, database, rebuilds): the bot calls it with
``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text as sql_text

from index.errors import ErrorDetail
from index.service import QAService, StoreError, database_errors
from index.sources import SourceError
from index.store.feeds import DEFAULT_INTERVAL_S, FeedInfo, FeedPoll, FeedStore
from index.store.models import utcnow

__all__ = ["CycleReport", "FeedInfo", "FeedPoll", "FeedService", "NewArticle", "Subscription"]

log = logging.getLogger(__name__)

# The one feed poller of a deployment: an advisory lock keyed by a constant and the schema, as
# the content channel is (several deployments or test runs may share one database, each in
# its own schema; a database-wide key made one deployment's poll refuse another's).
_PG_POLL_LOCK_CLASS = 732_691_501
_PG_POLL_LOCK_KEY = f"{_PG_POLL_LOCK_CLASS}, hashtext(coalesce(current_schema(), ''))"
DEFAULT_CHECK_SECONDS = 5.0
RETENTION_CHECK_S = 600.0
"""Retention runs in a poller cycle at most this often (articles age by days, not seconds)."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """``feed_id`` is None when the URL was refused (``error`` says why); ``poll`` is the
    first poll, done at once."""

    url: str
    feed_id: int | None
    new: bool = False
    poll: FeedPoll | None = None
    error: ErrorDetail | None = None


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article a background poll added (for the chats that asked to be told)."""

    document_id: int
    title: str
    link: str


@dataclass(frozen=True, slots=True)
class CycleReport:
    """One polling cycle: the feeds polled and the articles retention took out."""

    polls: tuple[FeedPoll, ...] = ()
    expired: int = 0

    @property
    def changed(self) -> bool:
        return self.expired > 0 or any(p.added for p in self.polls)

    @property
    def new_articles(self) -> list[NewArticle]:
        return [
            NewArticle(o.result.document_id, o.result.title, o.link)
            for p in self.polls
            for o in p.outcomes
            if o.result.status == "added" and o.result.document_id is not None
        ]


class FeedService:
    @classmethod
    def for_service(
        cls,
        service: object,
        *,
        retention_days: int | None = None,
        allow_private: bool | None = None,
    ) -> FeedService | None:
        """Feeds for ``service`` when it answers from a content store, else None."""
        if not isinstance(service, QAService) or not service.has_store:
            return None
        return cls(service, retention_days=retention_days, allow_private=allow_private)

    def __init__(
        self,
        service: QAService,
        *,
        retention_days: int | None = None,
        allow_private: bool | None = None,
    ) -> None:
        self.service = service
        self.retention_days = retention_days or None
        self.store = FeedStore(
            service.content_store,
            allow_private=service.allow_private_urls if allow_private is None else allow_private,
            fetch_timeout=service.fetch_timeout,
        )
        self._local = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self._expired_at = -RETENTION_CHECK_S
        self.on_new_articles: Callable[[list[NewArticle]], None] | None = None
        """Called (in the poller thread) with the articles a background cycle added; the
        first read of a new subscription is the admin's own and is not announced."""

    # --- subscriptions -------------------------------------------------------------------------

    def subscribe(self, url: str, interval_s: int = DEFAULT_INTERVAL_S) -> Subscription:
        """Subscribe and poll the feed once, now. A refused URL changes nothing."""
        url = url.strip()
        try:
            with database_errors("subscribing to the feed"):
                feed_id, new = self.store.add(url, interval_s)
        except SourceError as error:
            return Subscription(url, None, error=error.detail())
        polls = self.poll(feed_id)
        return Subscription(url, feed_id, new, polls[0] if polls else None)

    def unsubscribe(self, feed_id: int) -> bool:
        with database_errors("removing the feed"):
            return self.store.remove(feed_id)

    def feeds(self) -> list[FeedInfo]:
        with database_errors("listing the feeds"):
            return self.store.feeds()

    def set_notice(self, chat_id: int, on: bool) -> bool:
        """Tell ``chat_id`` of new articles (or stop); True when that changed something."""
        with database_errors("saving the chat settings"):
            return self.store.set_notice(chat_id, on)

    def notice_chats(self) -> list[int]:
        with database_errors("reading the chat settings"):
            return self.store.notice_chats()

    # --- polling -------------------------------------------------------------------------------

    def poll(self, feed_id: int | None = None) -> list[FeedPoll]:
        """Poll one feed (or every feed) now, whatever their schedule; waits for a cycle
        running in this process. Raises ``StoreError`` when another instance is polling."""
        with self._exclusive(wait=True) as mine:
            if not mine:
                raise StoreError(
                    "another instance is polling the feeds right now; try again in a moment"
                )
            with database_errors("polling the feeds"):
                if feed_id is not None and not self.store.exists(feed_id):
                    raise StoreError(
                        f"there is no feed #{feed_id}", key="no_such_feed", params={"id": feed_id}
                    )
                ids = [feed_id] if feed_id is not None else [f.id for f in self.store.feeds()]
                polls = [self._poll_one(i, asked=True) for i in ids]
                if any(p.added for p in polls):
                    self.service.content_changed()
        return polls

    def run_due(self) -> CycleReport | None:
        """One cycle: retention, then every feed whose time has come. None when another
        cycle (this process or another instance) is running."""
        with self._exclusive(wait=False) as mine:
            if not mine:
                return None
            with database_errors("polling the feeds"):
                expired = self._expire(every=RETENTION_CHECK_S)
                polls = tuple(self._poll_one(i) for i in self.store.due())
                report = CycleReport(polls, expired)
                if report.changed:
                    self.service.content_changed()
        return report

    def expire(self) -> int:
        """Apply retention now; the number of articles taken out."""
        with database_errors("applying retention"):
            expired = self._expire()
            if expired:
                self.service.content_changed()
        return expired

    def _expire(self, *, every: float = 0.0) -> int:
        """Retention now, or (``every`` > 0) only when the last run is that long ago."""
        cutoff = self._cutoff()
        if cutoff is None:
            return 0
        now = time.monotonic()
        if every and now - self._expired_at < every:
            return 0
        self._expired_at = now
        expired = self.store.expire(cutoff)
        if expired:
            log.info(
                "retention: %d articles older than %d days taken out",
                len(expired),
                self.retention_days,
            )
        return len(expired)

    def _cutoff(self) -> datetime | None:
        if not self.retention_days:
            return None
        return utcnow() - timedelta(days=self.retention_days)

    def _poll_one(self, feed_id: int, *, asked: bool = False) -> FeedPoll:
        """Poll one feed and log what went wrong: as a warning in a background cycle (nobody
        else reports it), at info level when someone ``asked`` for the poll (the CLI or the
        bot shows them the outcome; a warning would print it twice)."""
        result = self.store.poll(feed_id, skip_before=self._cutoff(), clock=time.perf_counter)
        level = logging.INFO if asked else logging.WARNING
        if result.status == "failed":
            reason = result.error.message if result.error else "unknown error"
            log.log(level, "feed %d (%s) failed: %s", feed_id, result.url, reason)
        for outcome in result.outcomes:
            if outcome.result.status == "failed":
                log.log(
                    level,
                    "feed %d: entry %s gave no article: %s",
                    feed_id,
                    outcome.link,
                    outcome.result.error,
                )
        if result.status == "polled":
            log.info(
                "feed %d: %d entries, %d new, %d stored, %d failed, %d left for later (%.2f s)",
                feed_id,
                result.entries,
                result.new,
                result.added,
                result.failed,
                result.left,
                result.seconds,
            )
        return result

    @contextmanager
    def _exclusive(self, *, wait: bool) -> Iterator[bool]:
        """True while this process is the one poller: the process-local lock, and on
        PostgreSQL the advisory lock held on a connection of its own for the whole cycle."""
        if not self._local.acquire(blocking=wait):
            yield False
            return
        try:
            database = self.store.db
            if database.dialect != "postgresql":
                yield True
                return
            with database.engine.connect() as conn:
                got = bool(
                    conn.execute(
                        sql_text(f"SELECT pg_try_advisory_lock({_PG_POLL_LOCK_KEY})")
                    ).scalar()
                )
                conn.commit()
                try:
                    yield got
                finally:
                    if got:
                        conn.execute(sql_text(f"SELECT pg_advisory_unlock({_PG_POLL_LOCK_KEY})"))
                        conn.commit()
        finally:
            self._local.release()

    # --- the polling thread --------------------------------------------------------------------

    def start(self, check_seconds: float = DEFAULT_CHECK_SECONDS) -> None:
        """Run ``run_due`` now and then every ``check_seconds`` in a daemon thread (a cycle
        with nothing due is one indexed query). ``close()`` stops it."""
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.is_set():
                self._cycle()
                if self._stop.wait(check_seconds):
                    break

        self._thread = threading.Thread(target=loop, name="feed-poller", daemon=True)
        self._thread.start()

    def _cycle(self) -> None:
        try:
            report = self.run_due()
            articles = report.new_articles if report is not None else []
            if articles and self.on_new_articles is not None:
                self.on_new_articles(articles)
            if self._failing:
                self._failing = False
                log.warning("feed polling works again")
        except Exception as error:
            # One line per outage, not a traceback every few seconds while it lasts.
            if not self._failing:
                self._failing = True
                log.warning("feed polling failed (%s); retrying", str(error).splitlines()[0])
            log.debug("feed polling failed", exc_info=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

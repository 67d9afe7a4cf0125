"""Feed subscriptions in the store, polling them, and retention.

``FeedStore`` keeps the ``feeds`` and ``feed_entries`` rows; ``poll`` reads one feed:

1. a conditional GET through the URL fetcher (same size limits, timeouts and private-address
   refusal as an ingested URL); 304 costs one request and one row update;
2. the feed parsed (``index.feedparse``); a download that is not a feed, malformed XML or too
   many entries marks the feed with the error and changes nothing else;
3. each entry not seen before (or updated since): its page fetched and its article extracted
   like any URL; when the page gives no article (not HTML, no article text, 404…) the entry's
   own content or summary is stored instead; an entry that gives nothing is remembered with
   its reason, so it is not fetched again until it changes, and never stops the others;
4. the feed's validators (ETag, Last-Modified) kept for the next conditional GET, unless
   entries were left for the next poll (at most ``MAX_NEW_PER_POLL`` pages are fetched per
   poll, newest first).

Errors back off: the next poll of a failing feed waits its interval times 2, 4, 8 … (at most
``MAX_BACKOFF``). Entries that disappear from a feed leave their articles alone; retention
(``expire``) is what takes old articles out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy import exc as sa_exc

from index.errors import ErrorDetail
from index.feedparse import FeedEntry, FeedError, parse_feed
from index.results import IngestResult
from index.sources import FETCH_TIMEOUT_S, SourceError, check_text
from index.store.errors import StoreError
from index.store.fetch import (
    FetchError,
    check_url,
    fetch_feed,
    fetch_source,
)
from index.store.models import DocumentRow, FeedEntryRow, FeedNoticeRow, FeedRow, utcnow
from index.store.store import ContentStore, Prepared

__all__ = [
    "MAX_BACKOFF",
    "MAX_NEW_PER_POLL",
    "MIN_INTERVAL_S",
    "EntryOutcome",
    "FeedInfo",
    "FeedPoll",
    "FeedStore",
]

log = logging.getLogger(__name__)

_FEEDS = cast(Table, FeedRow.__table__)
_ENTRIES = cast(Table, FeedEntryRow.__table__)
_DOCS = cast(Table, DocumentRow.__table__)

MIN_INTERVAL_S = 5
MAX_URL_CHARS = 2000
DEFAULT_INTERVAL_S = 15 * 60
MAX_NEW_PER_POLL = 30
"""Pages fetched per poll at most (a first poll of a big feed would otherwise take minutes);
the rest come with the next polls."""
MAX_BACKOFF = timedelta(hours=6)
MIN_ENTRY_WORDS = 8
"""An entry's own text is stored only when it says something (not a one-line teaser)."""
EXPIRED = "expired"  # documents.removed_by for articles taken out by retention


@dataclass(frozen=True, slots=True)
class FeedInfo:
    id: int
    url: str
    title: str
    interval_s: int
    articles: int
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_poll_at: datetime | None


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    """What became of one new or updated entry."""

    link: str
    result: IngestResult
    fallback: bool = False  # stored from the entry's own text, not from its page


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """One poll of one feed: ``status`` is "not_modified", "polled" or "failed" (``error``
    says why: the feed is marked with it)."""

    feed_id: int
    url: str
    status: str
    entries: int = 0  # entries in the feed
    new: int = 0  # entries not seen before or updated since
    left: int = 0  # new entries left for the next poll (per-poll limit)
    outcomes: tuple[EntryOutcome, ...] = ()
    error: ErrorDetail | None = None
    seconds: float = 0.0
    title: str = ""
    details: dict[str, int] = field(default_factory=dict)

    @property
    def added(self) -> int:
        return sum(o.result.status in ("added", "updated") for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(o.result.status == "failed" for o in self.outcomes)


def backoff(interval_s: int, failures: int) -> timedelta:
    """Wait before the next poll after ``failures`` failed polls in a row."""
    return min(timedelta(seconds=interval_s * 2 ** min(failures, 12)), MAX_BACKOFF)


class FeedStore:
    def __init__(
        self,
        store: ContentStore,
        *,
        allow_private: bool = False,
        fetch_timeout: float = FETCH_TIMEOUT_S,
    ) -> None:
        self.store = store
        self.db = store.db
        self.allow_private = allow_private
        self.fetch_timeout = fetch_timeout

    # --- subscriptions -------------------------------------------------------------------------

    def add(self, url: str, interval_s: int = DEFAULT_INTERVAL_S) -> tuple[int, bool]:
        """Subscribe to ``url`` (checked like any URL); returns its id and whether it is new.
        An existing subscription keeps its id and takes the new interval."""
        url = url.strip()
        if len(url) > MAX_URL_CHARS:  # the column's size; no real feed URL comes close
            shown = url[:60] + "…"
            raise FetchError(
                f"{shown!r} is not a valid URL", key="invalid_url", params={"url": shown}
            )
        check_url(url, allow_private=self.allow_private)
        interval_s = max(MIN_INTERVAL_S, int(interval_s))
        with self.db.write() as session:
            conn = session.connection()
            existing = conn.execute(select(_FEEDS.c.id).where(_FEEDS.c.url == url)).scalar()
            if existing is not None:
                conn.execute(
                    update(_FEEDS).where(_FEEDS.c.id == existing).values(interval_s=interval_s)
                )
                return int(existing), False
            now = utcnow()
            feed_id = conn.execute(
                insert(_FEEDS)
                .values(
                    url=url,
                    title="",
                    interval_s=interval_s,
                    failures=0,
                    next_poll_at=now,
                    created_at=now,
                )
                .returning(_FEEDS.c.id)
            ).scalar_one()
        return int(feed_id), True

    def remove(self, feed_id: int) -> bool:
        """Unsubscribe; the articles already taken from the feed stay."""
        with self.db.write() as session:
            result = session.execute(delete(FeedRow).where(FeedRow.id == feed_id))
            return bool(getattr(result, "rowcount", 0))

    def feeds(self) -> list[FeedInfo]:
        articles = (
            select(func.count(func.distinct(_ENTRIES.c.document_id)))
            .select_from(_ENTRIES.join(_DOCS, _DOCS.c.id == _ENTRIES.c.document_id))
            .where(_ENTRIES.c.feed_id == _FEEDS.c.id, _DOCS.c.active.is_(True))
            .scalar_subquery()
        )
        with self.db.read() as session:
            rows = session.execute(
                select(
                    _FEEDS.c.id,
                    _FEEDS.c.url,
                    _FEEDS.c.title,
                    _FEEDS.c.interval_s,
                    articles,
                    _FEEDS.c.last_success_at,
                    _FEEDS.c.last_error,
                    _FEEDS.c.last_error_at,
                    _FEEDS.c.failures,
                    _FEEDS.c.next_poll_at,
                ).order_by(_FEEDS.c.id)
            ).all()
        return [
            FeedInfo(
                id=row.id,
                url=row.url,
                title=row.title,
                interval_s=row.interval_s,
                articles=int(row[4] or 0),
                last_success_at=row.last_success_at,
                last_error=row.last_error,
                last_error_at=row.last_error_at,
                failures=row.failures,
                next_poll_at=row.next_poll_at,
            )
            for row in rows
        ]

    def due(self, now: datetime | None = None) -> list[int]:
        """Ids of the feeds whose next poll time has come, the most overdue first."""
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(FeedRow.id)
                    .where(FeedRow.next_poll_at <= (now or utcnow()))
                    .order_by(FeedRow.next_poll_at, FeedRow.id)
                )
            )

    def exists(self, feed_id: int) -> bool:
        with self.db.read() as session:
            return session.get(FeedRow, feed_id) is not None

    # --- chats told of new articles -----------------------------------------------------------

    def set_notice(self, chat_id: int, on: bool) -> bool:
        """Whether ``chat_id`` is told of new articles; True when that changed something."""
        with self.db.write() as session:
            row = session.get(FeedNoticeRow, chat_id)
            if on and row is None:
                session.add(FeedNoticeRow(chat_id=chat_id, created_at=utcnow()))
                return True
            if not on and row is not None:
                session.delete(row)
                return True
            return False

    def notice_chats(self) -> list[int]:
        with self.db.read() as session:
            return list(
                session.scalars(select(FeedNoticeRow.chat_id).order_by(FeedNoticeRow.chat_id))
            )

    # --- polling -------------------------------------------------------------------------------

    def poll(
        self, feed_id: int, *, skip_before: datetime | None = None, clock: Callable[[], float]
    ) -> FeedPoll:
        """Poll one feed now (see the module docstring). ``skip_before``: entries published
        before it are remembered but not fetched (retention would only expire them)."""
        started = clock()
        with self.db.read() as session:
            row = session.get(FeedRow, feed_id)
            if row is None:
                raise StoreError(
                    f"there is no feed #{feed_id}", key="no_such_feed", params={"id": feed_id}
                )
            url, etag, modified, title = row.url, row.etag, row.last_modified, row.title
            interval, failures = row.interval_s, row.failures
        try:
            page = fetch_feed(
                url,
                etag=etag,
                last_modified=modified,
                allow_private=self.allow_private,
                timeout=self.fetch_timeout,
            )
            if page.status == 304:
                self._succeeded(feed_id, interval, etag, modified, None)
                return FeedPoll(
                    feed_id, url, "not_modified", seconds=clock() - started, title=title
                )
            parsed = parse_feed(page.data, url, page.charset)
        except (SourceError, FeedError) as error:
            detail = error.detail()
            self._failed(feed_id, interval, failures + 1, detail.message)
            return FeedPoll(
                feed_id, url, "failed", error=detail, seconds=clock() - started, title=title
            )
        known = self._known(feed_id)
        fresh = [e for e in parsed.entries if known.get(e.key) != e.marker]
        # Newest first, entries without a date last (in feed order).
        fresh.sort(key=lambda e: e.published.timestamp() if e.published else float("-inf"))
        fresh.reverse()
        taken, left = fresh[:MAX_NEW_PER_POLL], fresh[MAX_NEW_PER_POLL:]
        # Stored oldest first, so document ids grow with publication (/artikel lists the
        # highest ids first as the newest).
        taken.reverse()
        outcomes: list[EntryOutcome] = []
        for entry in taken:
            if skip_before is not None and entry.published and entry.published < skip_before:
                self._remember(feed_id, entry, None)
                continue
            outcome = self._ingest(url, entry)
            outcomes.append(outcome)
            document_id = outcome.result.document_id
            self._remember(feed_id, entry, document_id)
        # Entries left for later: without validators the next poll reads the feed again.
        keep = (page.etag, page.last_modified) if not left else (None, None)
        self._succeeded(feed_id, interval, *keep, parsed.title)
        return FeedPoll(
            feed_id,
            url,
            "polled",
            entries=len(parsed.entries),
            new=len(fresh),
            left=len(left),
            outcomes=tuple(outcomes),
            seconds=clock() - started,
            title=parsed.title,
            details={"duplicates": parsed.duplicates},
        )

    def _ingest(self, feed_url: str, entry: FeedEntry) -> EntryOutcome:
        """The entry's page as an article, else the entry's own text."""
        label = entry.link or f"{feed_url} ({entry.title or 'entry'})"
        page_error: SourceError | None = None
        if entry.link is not None:
            try:
                source = fetch_source(
                    entry.link, allow_private=self.allow_private, timeout=self.fetch_timeout
                )
                prepared = Prepared(
                    "url", entry.link, source.title or entry.title, source.text, None, entry.link
                )
                result = self.store.save(prepared)
                if result.status != "failed":
                    return EntryOutcome(label, result)
            except SourceError as error:
                page_error = error
        words = len(entry.text.split())
        if words >= MIN_ENTRY_WORDS:
            reference = entry.link or f"{feed_url}#{entry.key[:16]}"
            try:
                text = check_text(entry.text, label)
            except SourceError as error:
                return EntryOutcome(label, IngestResult.failure(label, error))
            kind = "url" if entry.link else "feed"
            prepared = Prepared(kind, reference, entry.title, text, None, label)
            return EntryOutcome(label, self.store.save(prepared), fallback=True)
        if page_error is not None:
            return EntryOutcome(label, IngestResult.failure(label, page_error))
        return EntryOutcome(
            label,
            IngestResult.failure(label, f"{label}: the entry has no link and no text"),
        )

    def _known(self, feed_id: int) -> dict[str, str]:
        with self.db.read() as session:
            return {
                key: marker
                for key, marker in session.execute(
                    select(_ENTRIES.c.entry_key, _ENTRIES.c.marker).where(
                        _ENTRIES.c.feed_id == feed_id
                    )
                )
            }

    def _remember(self, feed_id: int, entry: FeedEntry, document_id: int | None) -> None:
        values: dict[str, Any] = {
            "link": entry.link,
            "marker": entry.marker,
            "document_id": document_id,
            "published_at": entry.published,
        }
        try:
            with self.db.write() as session:
                conn = session.connection()
                updated = conn.execute(
                    update(_ENTRIES)
                    .where(_ENTRIES.c.feed_id == feed_id, _ENTRIES.c.entry_key == entry.key)
                    .values(**values)
                )
                if not getattr(updated, "rowcount", 0):
                    conn.execute(
                        insert(_ENTRIES).values(
                            feed_id=feed_id, entry_key=entry.key, created_at=utcnow(), **values
                        )
                    )
        except sa_exc.IntegrityError:
            # Unsubscribed meanwhile (the feed row is gone), or another poller recorded it.
            log.debug("feed %d: entry not recorded", feed_id, exc_info=True)

    def _succeeded(
        self,
        feed_id: int,
        interval_s: int,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> None:
        now = utcnow()
        values: dict[str, Any] = {
            "etag": (etag or None) and etag[:500],
            "last_modified": (last_modified or None) and last_modified[:100],
            "last_polled_at": now,
            "last_success_at": now,
            "last_error": None,
            "failures": 0,
            "next_poll_at": now + timedelta(seconds=interval_s),
        }
        if title:
            values["title"] = title[:300]
        with self.db.write() as session:
            session.execute(update(_FEEDS).where(_FEEDS.c.id == feed_id).values(**values))

    def _failed(self, feed_id: int, interval_s: int, failures: int, message: str) -> None:
        now = utcnow()
        with self.db.write() as session:
            session.execute(
                update(_FEEDS)
                .where(_FEEDS.c.id == feed_id)
                .values(
                    last_polled_at=now,
                    last_error=message,
                    last_error_at=now,
                    failures=failures,
                    next_poll_at=now + backoff(interval_s, failures),
                )
            )

    # --- retention -----------------------------------------------------------------------------

    def expire(self, older_than: datetime) -> list[int]:
        """Deactivate the articles published (or, without a known date, ingested) before
        ``older_than``; returns their ids. Content-directory files are left alone: the
        directory is the operator's own selection and is synced as it is."""
        published = (
            select(func.max(_ENTRIES.c.published_at))
            .where(_ENTRIES.c.document_id == _DOCS.c.id)
            .scalar_subquery()
        )
        query = select(_DOCS.c.id).where(
            _DOCS.c.active.is_(True),
            _DOCS.c.source_kind != "content",
            func.coalesce(published, _DOCS.c.created_at) < older_than,
        )
        with self.db.read() as session:  # usually nothing: no write lock taken for it
            if session.execute(query.limit(1)).first() is None:
                return []
        with self.db.write() as session:
            conn = session.connection()
            stale = list(conn.execute(query).scalars())
            if stale:
                conn.execute(
                    update(_DOCS)
                    .where(_DOCS.c.id.in_(stale))
                    .values(active=False, removed_by=EXPIRED, updated_at=utcnow())
                )
                self.store.bump_revision(session)
        return stale


def interval_from_text(value: str) -> int:
    """``"15m"``, ``"90s"``, ``"2h"``, ``"1d"`` or plain seconds → seconds; ``ValueError``
    with a sentence otherwise."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    raw = value.strip().lower()
    number, unit = (raw[:-1], raw[-1]) if raw and raw[-1] in units else (raw, "s")
    if not number.isdigit() or int(number) <= 0:
        raise ValueError(f"{value!r} is not an interval: use e.g. 90s, 15m, 2h or 1d")
    seconds = int(number) * units[unit]
    if seconds < MIN_INTERVAL_S:
        raise ValueError(f"a feed is polled at most every {MIN_INTERVAL_S} s, not {value}")
    return seconds


def describe_interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def failed_entries(polls: Sequence[FeedPoll]) -> list[EntryOutcome]:
    return [o for p in polls for o in p.outcomes if o.result.status == "failed"]

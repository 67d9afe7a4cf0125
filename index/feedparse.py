"""Reading RSS 0.9x/1.0/2.0 and Atom feeds — the only module that imports feedparser.

``parse_feed`` takes the bytes the URL fetcher downloaded (feedparser is never given a URL, so
it never opens a connection of its own) and gives the feed's title and its entries, each with
a stable key (its id, else its link), its link, title, text (content or summary, as plain
text) and publication date. What is not a feed, or is not well-formed XML, is a ``FeedError``
with one sentence.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser

from index.sources import SourceError

__all__ = ["MAX_FEED_ENTRIES", "FeedEntry", "FeedError", "ParsedFeed", "parse_feed"]

MAX_FEED_ENTRIES = 1000
"""A news feed carries its latest tens of entries; thousands mean an archive dump or a wrong
URL, and reading them would fetch thousands of pages."""


class FeedError(SourceError):
    """A download that is not a usable feed; the message says why."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    key: str  # sha256 of the entry's id, else of its link, else of its title and text
    link: str | None
    title: str
    text: str  # the entry's own content, else its summary, as plain text ("" when neither)
    published: datetime | None
    marker: str  # changes when the entry is updated (title, dates, link, text)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    version: str  # e.g. "rss20", "atom10"
    entries: tuple[FeedEntry, ...]
    duplicates: int  # entries dropped because an earlier one had the same key


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def parse_feed(data: bytes, url: str, charset: str | None = None) -> ParsedFeed:
    """The feed in ``data`` (downloaded from ``url``); raises ``FeedError`` when it is not an
    RSS or Atom feed, is malformed XML, or has more than ``MAX_FEED_ENTRIES`` entries."""
    headers = {"content-location": url}
    if charset:
        headers["content-type"] = f"application/xml; charset={charset}"
    parsed: Any = feedparser.parse(data, response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception")
    version = str(parsed.get("version") or "")
    if isinstance(problem, xml.sax.SAXException):
        if not version:
            raise _not_a_feed(url, "it is not XML")
        reason = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise FeedError(
            f"{url} is not well-formed XML ({reason})",
            key="malformed_feed",
            params={"url": url, "reason": reason},
        )
    if not version:
        raise _not_a_feed(url, "no RSS or Atom elements found")
    raw_entries = list(parsed.get("entries") or [])
    if len(raw_entries) > MAX_FEED_ENTRIES:
        raise FeedError(
            f"{url} has {len(raw_entries):,} entries; at most {MAX_FEED_ENTRIES:,} are read",
            key="too_many_entries",
            params={"url": url, "count": len(raw_entries), "limit": MAX_FEED_ENTRIES},
        )
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        entry = _entry(raw)
        if entry.key in seen:
            continue
        seen.add(entry.key)
        entries.append(entry)
    title = " ".join(str(parsed.get("feed", {}).get("title") or "").split())
    return ParsedFeed(title, version, tuple(entries), len(raw_entries) - len(entries))


def _not_a_feed(url: str, reason: str) -> FeedError:
    return FeedError(
        f"{url} is not an RSS or Atom feed ({reason})",
        key="not_a_feed",
        params={"url": url, "reason": reason},
    )


def _entry(raw: Any) -> FeedEntry:
    link = str(raw.get("link") or "").strip() or None
    if link is not None and not link.startswith(("http://", "https://")):
        link = None  # mailto:, relative leftovers, javascript: — nothing to fetch
    title = " ".join(html.unescape(str(raw.get("title") or "")).split())
    content = raw.get("content") or []
    body = ""
    for part in content:
        body = _html_to_text(str(part.get("value") or ""))
        if body:
            break
    if not body:
        body = _html_to_text(str(raw.get("summary") or ""))
    identity = str(raw.get("id") or "").strip() or link or _digest(title, body)
    # dict.get: feedparser's own get() maps a missing "updated" to "published" with a
    # deprecation warning; the two are read separately here anyway.
    published = _when(dict.get(raw, "published_parsed")) or _when(dict.get(raw, "updated_parsed"))
    updated = str(dict.get(raw, "updated") or dict.get(raw, "published") or "")
    return FeedEntry(
        key=_digest(identity),
        link=link,
        title=title,
        text=body,
        published=published,
        marker=_digest(title, updated, link or "", body),
    )


def _when(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None


_BLOCKS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section"}
)


class _TextCollector(HTMLParser):
    """Plain text of an HTML fragment, one paragraph per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_to_text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    paragraphs = re.split(r"\n\s*\n", "".join(collector.parts))
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())

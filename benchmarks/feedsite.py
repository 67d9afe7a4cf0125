"""A local news site for feed tests: RSS 2.0 and Atom feeds whose entries the test changes
between polls, the article pages behind the entries, and bad answers (HTML, JSON, binary,
malformed XML, a huge feed, redirects, a slow server, 404, 500).

Feeds honour conditional GETs: each feed answers with an ETag (RSS) or a Last-Modified (Atom)
that changes with its content, and 304 to a request that names the current one. ``hits``
counts requests per path, ``not_modified`` the 304 answers.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Entry:
    id: str
    title: str
    link: str | None  # a path on the site ("/berita/1") or None
    summary: str = ""
    published: datetime = field(default_factory=lambda: datetime.now(UTC))


def article_page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head><body><nav><a href='/'>Beranda</a></nav><main><article>"
        f"<h1>{html.escape(title)}</h1>{body}</article></main></body></html>"
    ).encode()


def rss(title: str, base: str, entries: list[Entry]) -> bytes:
    items = []
    for e in entries:
        link = f"<link>{base}{e.link}</link>" if e.link else ""
        items.append(
            f"<item><title>{html.escape(e.title)}</title>{link}<guid isPermaLink='false'>"
            f"{html.escape(e.id)}</guid><pubDate>{format_datetime(e.published)}</pubDate>"
            f"<description>{html.escape(e.summary)}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{html.escape(title)}</title><link>{base}/</link>"
        f"<description>Berita</description>{''.join(items)}</channel></rss>"
    ).encode()


def atom(title: str, base: str, entries: list[Entry]) -> bytes:
    items = []
    for e in entries:
        link = f"<link href='{base}{e.link}'/>" if e.link else ""
        stamp = e.published.isoformat()
        items.append(
            f"<entry><title>{html.escape(e.title)}</title>{link}<id>{html.escape(e.id)}</id>"
            f"<updated>{stamp}</updated><published>{stamp}</published>"
            f"<summary type='html'>{html.escape(e.summary)}</summary></entry>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{html.escape(title)}</title><id>{base}/atom</id>"
        f"<updated>{datetime.now(UTC).isoformat()}</updated>{''.join(items)}</feed>"
    ).encode()


class FeedSite:
    """The site's state; the test edits ``rss_entries``, ``atom_entries`` and ``pages``."""

    def __init__(self) -> None:
        self.base = ""
        self.rss_entries: list[Entry] = []
        self.atom_entries: list[Entry] = []
        self.pages: dict[str, bytes] = {}
        self.raw: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.slow_seconds = 2.0
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def add_article(
        self, path: str, title: str, paragraphs: list[str], *, feed: str = "rss", **kw: Any
    ) -> Entry:
        self.pages[path] = article_page(title, paragraphs)
        entry = Entry(id=f"tag:site,2026:{path}", title=title, link=path, **kw)
        (self.rss_entries if feed == "rss" else self.atom_entries).insert(0, entry)
        return entry

    def answer(self, path: str, headers: Any) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.hits[path] += 1
            if path in self.raw:  # a canned answer overrides everything
                return self.raw[path]
            if path == "/rss":
                body = rss("Kabar Kota", self.base, self.rss_entries)
                tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if headers.get("If-None-Match") == tag:
                    self.not_modified[path] += 1
                    return 304, {"ETag": tag}, b""
                return 200, {"Content-Type": "application/rss+xml", "ETag": tag}, body
            if path == "/atom":
                newest = max(
                    (e.published for e in self.atom_entries),
                    default=datetime(2026, 1, 1, tzinfo=UTC),
                ) + timedelta(seconds=len(self.atom_entries))
                stamp = format_datetime(newest.astimezone(UTC), usegmt=True)
                if headers.get("If-Modified-Since") == stamp:
                    self.not_modified[path] += 1
                    return 304, {"Last-Modified": stamp}, b""
                body = atom("Warta Atom", self.base, self.atom_entries)
                return 200, {"Content-Type": "application/atom+xml", "Last-Modified": stamp}, body
            if path in self.pages:
                return 200, {"Content-Type": "text/html; charset=utf-8"}, self.pages[path]
        return 404, {"Content-Type": "text/html"}, b"<h1>tidak ada</h1>"


def _handler(site: FeedSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/lambat":
                time.sleep(site.slow_seconds)
            status, headers, body = site.answer(path, self.headers)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up (timeouts) break the pipe: expected here


@contextmanager
def serve_site(host: str = "127.0.0.1") -> Iterator[FeedSite]:
    site = FeedSite()
    server = _QuietServer((host, 0), _handler(site))
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()

"""Downloading an article page — the only module that imports httpx.

Guards, in order: only ``http``/``https``; the host must resolve to public addresses unless
``allow_private`` (so an admin command cannot make the bot read the machine's own or its
network's services); redirects are followed by hand (at most ``MAX_REDIRECTS``) and every hop
is checked again; connect/read timeouts plus an overall deadline; ``text/html``,
``application/xhtml+xml`` or ``text/plain`` only; at most ``MAX_FILE_BYTES``, checked both from
``Content-Length`` and while streaming. Every failure is a ``FetchError`` with one clear
sentence.

The connection goes to the very address that was checked (the URL's host is replaced by the
vetted IP; the ``Host`` header and the TLS server name stay the host name, so virtual hosts and
certificate checks work as usual): a DNS server that answers with a public address for the
check and a private one for the connection (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

import httpx

from index.sources import FETCH_TIMEOUT_S, MAX_FILE_BYTES, SourceError, SourceText, parse_bytes

__all__ = ["FetchError", "FetchedPage", "check_url", "fetch_feed", "fetch_page", "fetch_source"]

MAX_REDIRECTS = 5
USER_AGENT = "tanyaberita/0.1 (news question-answering bot)"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain"})
# What feeds are served as in practice (many servers say text/xml or even text/html; the feed
# parser decides what the bytes are).
_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "application/x-rss+xml",
        "text/xml",
        "text/rss+xml",
        "text/atom+xml",
    }
)


# httpx logs every request URL at INFO; keep it out of user-facing logs.
if logging.getLogger("httpx").level == logging.NOTSET:
    logging.getLogger("httpx").setLevel(logging.WARNING)


class FetchError(SourceError):
    """A URL cannot be downloaded as an article; the message says why."""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    content_type: str
    charset: str | None
    data: bytes
    status: int = 200  # 304: a conditional GET found nothing new (``data`` is empty)
    etag: str | None = None
    last_modified: str | None = None

    @property
    def is_html(self) -> bool:
        return self.content_type in _HTML_TYPES


# NAT64's well-known prefix carries an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that reach an IPv4 address: judge the address they reach.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            if ip.ipv4_mapped is not None:
                ip = embedded
            elif not _is_public(str(embedded)):
                return False
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool = False) -> httpx.URL:
    """Parse and vet ``url``; raises ``FetchError`` when it must not be fetched."""
    return _vet(url, allow_private=allow_private)[0]


def _vet(url: str, *, allow_private: bool) -> tuple[httpx.URL, list[str]]:
    """The parsed URL and the vetted addresses to connect to (empty with ``allow_private``:
    then httpx resolves the host itself)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(
            f"{url!r} is not a valid URL", key="invalid_url", params={"url": str(url)}
        ) from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            f"only http and https URLs can be ingested, not {parsed.scheme or url!r}",
            key="only_http",
            params={"scheme": parsed.scheme or url},
        )
    if not parsed.host:
        raise FetchError(f"{url!r} has no host name", key="no_host", params={"url": url})
    if allow_private:
        return parsed, []
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parsed.host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            f"cannot resolve the host {parsed.host}",
            key="unresolvable_host",
            params={"host": parsed.host},
        ) from exc
    addresses = {info[4][0] for info in infos}
    blocked = sorted(a for a in addresses if not _is_public(str(a)))
    if blocked or not addresses:
        listed = ", ".join(map(str, blocked))
        raise FetchError(
            f"{parsed.host} points to a private or local address ({listed});"
            " only public web pages can be ingested",
            key="private_address",
            params={"host": parsed.host, "addresses": listed},
        )
    # getaddrinfo's order (the system's address preference), each address once.
    return parsed, list(dict.fromkeys(str(info[4][0]) for info in infos))


def _send(
    client: httpx.Client,
    target: httpx.URL,
    addresses: list[str],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """GET ``target`` streaming, connected to one of the vetted ``addresses`` (tried in
    order while a connection fails)."""
    if not addresses:
        return client.send(client.build_request("GET", target, headers=headers), stream=True)
    failure: httpx.ConnectError | None = None
    for address in addresses:
        request = client.build_request(
            "GET",
            target.copy_with(host=address.split("%", 1)[0]),
            headers={**(headers or {}), "Host": target.netloc.decode("ascii")},
            extensions={"sni_hostname": target.host} if target.scheme == "https" else None,
        )
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as exc:
            failure = exc
    assert failure is not None
    raise failure


def fetch_page(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT_S,
    max_bytes: int = MAX_FILE_BYTES,
) -> FetchedPage:
    """Download ``url`` (following vetted redirects) within the size and time limits."""
    return _fetch(
        url,
        allow_private=allow_private,
        timeout=timeout,
        max_bytes=max_bytes,
        content_types=_HTML_TYPES | _TEXT_TYPES,
        headers={},
    )


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT_S,
    max_bytes: int = MAX_FILE_BYTES,
) -> FetchedPage:
    """Download a feed with the same guards as a page; ``etag``/``last_modified`` (from the
    previous answer) make it a conditional GET, answered ``status`` 304 with no data when the
    feed has not changed."""
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    types = _FEED_TYPES | _HTML_TYPES | _TEXT_TYPES
    return _fetch(
        url,
        allow_private=allow_private,
        timeout=timeout,
        max_bytes=max_bytes,
        content_types=types,
        headers=headers,
        feed=True,
    )


@cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings every download shares, built once: building them (reading the CA
    bundle) took ~38 ms, most of what polling an unchanged feed cost. Same defaults as a new
    ``httpx.Client`` (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` from the environment)."""
    return httpx.create_ssl_context()


def _fetch(
    url: str,
    *,
    allow_private: bool,
    timeout: float,
    max_bytes: int,
    content_types: frozenset[str],
    headers: dict[str, str],
    feed: bool = False,
) -> FetchedPage:
    target, addresses = _vet(url, allow_private=allow_private)
    deadline = time.monotonic() + 3 * timeout
    limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    try:
        with httpx.Client(
            follow_redirects=False,
            timeout=limits,
            headers={"User-Agent": USER_AGENT},
            verify=_tls_context(),
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                response = _send(client, target, addresses, headers)
                try:
                    if response.is_redirect and "location" in response.headers:
                        location = response.headers["location"]
                        target, addresses = _vet(
                            str(target.join(location)), allow_private=allow_private
                        )
                        continue
                    return _read(
                        response,
                        str(target),
                        max_bytes,
                        deadline,
                        timeout,
                        content_types=content_types,
                        feed=feed,
                    )
                finally:
                    response.close()
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"{url} did not answer within {timeout:g} s",
            key="timeout",
            params={"url": url, "seconds": timeout},
        ) from exc
    except httpx.ConnectError as exc:
        raise FetchError(
            f"cannot connect to {target.host}: {exc}",
            key="cannot_connect",
            params={"host": target.host, "reason": str(exc)},
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchError(
            f"downloading {url} failed: {exc}",
            key="download_failed",
            params={"url": url, "reason": str(exc)},
        ) from exc
    raise FetchError(
        f"{url} redirects more than {MAX_REDIRECTS} times",
        key="too_many_redirects",
        params={"url": url, "limit": MAX_REDIRECTS},
    )


def _read(
    response: httpx.Response,
    url: str,
    max_bytes: int,
    deadline: float,
    timeout: float,
    *,
    content_types: frozenset[str],
    feed: bool,
) -> FetchedPage:
    status = response.status_code
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if status == 304 and feed:
        return FetchedPage(url, "", None, b"", 304, etag, last_modified)
    if status >= 400:
        raise FetchError(
            f"{url} answered HTTP {status} {response.reason_phrase}",
            key="http_status",
            params={"url": url, "status": status, "reason": response.reason_phrase},
        )
    if status != 200:
        raise FetchError(
            f"{url} answered HTTP {status} instead of a page",
            key="not_a_page",
            params={"url": url, "status": status},
        )
    header = response.headers.get("content-type", "")
    content_type = header.split(";", 1)[0].strip().lower()
    if content_type not in content_types and feed:
        raise FetchError(
            f"{url} is not an RSS or Atom feed (content type {content_type or 'missing'})",
            key="not_a_feed",
            params={"url": url, "reason": f"content type {content_type or 'missing'}"},
        )
    if content_type not in content_types:
        raise FetchError(
            f"{url} is not an HTML page (content type {content_type or 'missing'})",
            key="not_html",
            params={"url": url, "content_type": content_type or "-"},
        )
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(url, max_bytes)
        if time.monotonic() > deadline:
            raise FetchError(
                f"{url} took longer than {3 * timeout:g} s to download",
                key="download_too_slow",
                params={"url": url, "seconds": 3 * timeout},
            )
        chunks.append(chunk)
    data = b"".join(chunks)
    return FetchedPage(
        url, content_type, response.charset_encoding, data, status, etag, last_modified
    )


def _too_large(url: str, max_bytes: int) -> FetchError:
    limit = max_bytes // 1_000_000 or max_bytes
    return FetchError(
        f"{url} is larger than {limit} MB", key="too_large", params={"name": url, "limit_mb": limit}
    )


def fetch_source(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT_S,
    max_bytes: int = MAX_FILE_BYTES,
) -> SourceText:
    """Download ``url`` and extract its article text and title."""
    page = fetch_page(url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes)
    if page.is_html:
        return parse_bytes(page.data, "page.html", page.url, page.charset, html=True)
    stem = PurePosixPath(httpx.URL(page.url).path).stem or httpx.URL(page.url).host
    return parse_bytes(page.data, f"{stem}.txt", page.url, page.charset)

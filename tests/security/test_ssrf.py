"""URL ingest cannot be turned against the machine or its network (SSRF): only http(s), no
private, loopback, link-local or otherwise non-public address — however it is spelled,
whatever a DNS name resolves to, after every redirect, and even when DNS answers differently
for the check and for the connection (rebinding). ``allow_private`` (``--allow-private``)
lifts the address check, and only then.

The "public internet" here is 127.0.0.2, declared public by the test (no network is
needed); the "private service" is a second server on 127.0.0.1 at the same port that counts
the requests that reach it — it must see none.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from index.service import QAService
from index.store import fetch
from index.store.fetch import FetchError, check_url, fetch_page
from tests.support.store import PAGES

ARTICLE = (PAGES / "article.html").read_bytes()
PUBLIC_TEST_IP = "127.0.0.2"
SECRET = b"internal service: do not leak"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], routes: dict[str, tuple[int, str]]) -> None:
        super().__init__(address, _Handler)
        self.routes = routes
        self.port: int = self.server_address[1]
        self.requests: list[tuple[str, str]] = []  # (path, Host header)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        status, location = self.server.routes.get(self.path, (200, ""))
        body = SECRET if self.server.server_address[0] == "127.0.0.1" else ARTICLE
        if status != 200:
            body = b""
        self.send_response(status)
        if location:
            self.send_header("Location", location.replace("PORT", str(self.server.port)))
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


REDIRECTS: dict[str, tuple[int, str]] = {
    "/to-loopback": (302, "http://127.0.0.1:PORT/secret"),
    "/to-localhost": (301, "http://localhost:PORT/secret"),
    "/to-private-name": (302, "http://intranet.example:PORT/secret"),
    "/to-metadata": (307, "http://169.254.169.254/latest/meta-data/"),
    "/to-ipv6-loopback": (302, "http://[::1]:PORT/secret"),
    "/to-file": (302, "file:///etc/passwd"),
    "/to-gopher": (302, "gopher://127.0.0.1:PORT/_secret"),
    "/hop-1": (302, "/hop-2"),
    "/hop-2": (302, "http://news.example:PORT/hop-3"),
    "/hop-3": (308, "http://127.0.0.1:PORT/secret"),
}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[_Server, _Server]]:
    """A "public" server on 127.0.0.2 and a "private" one on 127.0.0.1, same port."""
    for _ in range(20):
        public = _Server((PUBLIC_TEST_IP, 0), REDIRECTS)
        port = public.server_address[1]
        try:
            private = _Server(("127.0.0.1", port), {})
        except OSError:  # that port is taken on 127.0.0.1: try another
            public.server_close()
            continue
        break
    else:  # pragma: no cover
        pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")
    for server in (public, private):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield public, private
    finally:
        for server in (public, private):
            server.shutdown()
            server.server_close()


Resolver = Callable[..., list[tuple[Any, ...]]]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """A fake DNS: host → successive answers (the last one repeats); other names resolve as
    usual. 127.0.0.2 counts as a public address."""
    answers: dict[str, list[list[str]]] = {}
    real_getaddrinfo: Resolver = socket.getaddrinfo
    real_is_public = fetch._is_public

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in answers:
            queue = answers[name]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, int(port or 0), 0, 0) if ":" in a else (a, int(port or 0)),
                )
                for a in addresses
            ]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(fetch, "_is_public", lambda a: a == PUBLIC_TEST_IP or real_is_public(a))
    answers["news.example"] = [[PUBLIC_TEST_IP]]
    return answers


# --- the address check ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",  # 127.0.0.1 as a number
        "http://0x7f000001/",
        "http://017700000001/",  # octal
        "http://0/",
        "http://LOCALHOST/",
        "http://127。0。0。1/",  # ideographic full stops
        "http://user@127.0.0.1/",
        "http://example.com@127.0.0.1/",  # the host is what follows the @
        "http://[::1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:127.0.0.1]/",
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
        "http://[fe80::1]/",
        "http://[fd12:3456::1]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://198.18.0.1/",  # benchmarking
        "http://224.0.0.1/",  # multicast
        "http://255.255.255.255/",
    ],
)
def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="private or local address"):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/berita.html",
        "gopher://127.0.0.1:70/_x",
        "dict://127.0.0.1:11211/stat",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "ldap://127.0.0.1/",
    ],
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        check_url(url, allow_private=True)  # not even when private addresses are allowed


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (["10.0.0.5"], "10.0.0.5"),
        (["169.254.169.254"], "169.254.169.254"),
        (["93.184.216.34", "127.0.0.1"], "127.0.0.1"),  # one bad address is enough
        (["fd00::5"], "fd00::5"),
        (["::ffff:192.168.1.1"], "::ffff:192.168.1.1"),
    ],
)
def test_names_resolving_to_private_addresses_are_refused(
    dns: dict[str, list[list[str]]], answer: list[str], shown: str
) -> None:
    dns["intranet.example"] = [answer]
    with pytest.raises(FetchError, match=f"private or local address \\({shown}\\)"):
        check_url("https://intranet.example/berita")


def test_public_names_pass(dns: dict[str, list[list[str]]]) -> None:
    dns["berita.example"] = [["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]]
    assert check_url("https://berita.example/hari-ini").host == "berita.example"


# --- redirects and rebinding, over real sockets ---------------------------------------------


def test_the_public_test_server_is_reachable(
    servers: tuple[_Server, _Server], dns: dict[str, list[list[str]]]
) -> None:
    public, _ = servers
    page = fetch_page(f"http://news.example:{public.port}/berita")
    assert page.data == ARTICLE
    # Connected to the vetted address, with the name in the Host header (virtual hosts work).
    assert public.requests[-1] == ("/berita", f"news.example:{public.port}")


@pytest.mark.parametrize("path", [p for p in REDIRECTS if not p.startswith("/hop-")])
def test_redirects_to_forbidden_places_are_refused(
    servers: tuple[_Server, _Server], dns: dict[str, list[list[str]]], path: str
) -> None:
    public, private = servers
    dns["intranet.example"] = [["10.0.0.5"]]
    before = len(private.requests)
    with pytest.raises(FetchError, match=r"private or local address|only http and https"):
        fetch_page(f"http://news.example:{public.port}{path}")
    assert len(private.requests) == before


def test_a_chain_of_redirects_is_checked_at_every_hop(
    servers: tuple[_Server, _Server], dns: dict[str, list[list[str]]]
) -> None:
    public, private = servers
    before = len(private.requests)
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 points to a private"):
        fetch_page(f"http://news.example:{public.port}/hop-1")
    assert [p for p, _ in public.requests[-3:]] == ["/hop-1", "/hop-2", "/hop-3"]
    assert len(private.requests) == before


def test_dns_rebinding_cannot_reach_the_private_server(
    servers: tuple[_Server, _Server], dns: dict[str, list[list[str]]]
) -> None:
    """The name resolves to the public address for the check and to 127.0.0.1 afterwards:
    the download still goes to the address that was checked."""
    public, private = servers
    dns["rebind.example"] = [[PUBLIC_TEST_IP], ["127.0.0.1"]]
    before = len(private.requests)
    page = fetch_page(f"http://rebind.example:{public.port}/berita")
    assert page.data == ARTICLE and SECRET not in page.data
    assert len(private.requests) == before


# --- through the service and the CLI ----------------------------------------------------------


def test_service_refuses_by_default_and_allows_when_told(
    servers: tuple[_Server, _Server], tmp_path: Path, content_dir: Path
) -> None:
    _, private = servers
    url = f"http://127.0.0.1:{private.port}/artikel"
    service = QAService.open(f"sqlite:///{tmp_path / 'db.sqlite3'}", content_dir=content_dir)
    try:
        before = len(private.requests)
        for given in (url, f"127.0.0.1:{private.port}/artikel", "localhost/berita"):
            refused = service.ingest_url(given)
            assert refused.status == "failed"
            assert "private or local address" in refused.error
        assert len(private.requests) == before
        assert len(service.documents()) == 1  # nothing stored
        # Explicitly allowed: the request is made (this server answers with no article).
        allowed = service.ingest_url(url, allow_private=True)
        assert len(private.requests) == before + 1
        assert allowed.status == "failed" and "private" not in allowed.error
    finally:
        service.close()


def test_cli_refuses_private_urls_unless_allowed(
    servers: tuple[_Server, _Server], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, private = servers
    url = f"http://127.0.0.1:{private.port}/artikel"
    database = ["--database-url", f"sqlite:///{tmp_path / 'cli.sqlite3'}"]
    before = len(private.requests)
    assert main([*database, "ingest", url]) == 1
    assert "private or local address" in "".join(capsys.readouterr())
    assert len(private.requests) == before
    main([*database, "ingest", "--allow-private", url])
    assert "private or local address" not in "".join(capsys.readouterr())
    assert len(private.requests) == before + 1

"""URL ingest against a local HTTP server on 127.0.0.1 serving pages from tests/fixtures."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from index.service import QAService
from index.store import fetch
from index.store.fetch import FetchError, check_url, fetch_page
from tests.support.store import PAGES

ARTICLE = (PAGES / "article.html").read_bytes()
EMPTY = (PAGES / "no-article.html").read_bytes()
LATIN = (
    ARTICLE.decode("utf-8")
    .replace('<meta charset="utf-8">', "")
    .replace("Agus Salim", "Agus Salím")
    .encode("cp1252")
)
SLOW_SECONDS = 2.0


class Pages(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {
        "/artikel": (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE),
        "/kosong": (200, {"Content-Type": "text/html"}, EMPTY),
        "/gambar": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"),
        "/tanpa-tipe": (200, {}, ARTICLE),
        "/teks": (
            200,
            {"Content-Type": "text/plain; charset=utf-8"},
            b"Presiden meresmikan bendungan baru di Jawa Tengah pada hari Senin pagi.",
        ),
        "/latin": (200, {"Content-Type": "text/html; charset=windows-1252"}, LATIN),
        "/pindah": (302, {"Location": "/artikel"}, b""),
        "/putar": (302, {"Location": "/putar"}, b""),
        "/ke-ftp": (302, {"Location": "ftp://127.0.0.1/berkas"}, b""),
        "/rusak": (500, {"Content-Type": "text/html"}, b"<h1>error</h1>"),
    }

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/lambat":
            time.sleep(SLOW_SECONDS)
        if path == "/bocor":  # no Content-Length: the limit must hold while streaming
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"<p>" + b"isi " * 2500 + b"</p>")
            return
        status, headers, body = self.routes.get(path, (404, {"Content-Type": "text/html"}, b"no"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up (timeouts, size limits) break the pipe: expected here


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def web_service(database_url: str, content_dir: Path) -> Iterator[QAService]:
    svc = QAService.open(
        database_url, content_dir=content_dir, fetch_timeout=0.5, allow_private_urls=True
    )
    try:
        yield svc
    finally:
        svc.close()


def test_url_article_is_ingested_with_its_title(web_service: QAService, site: str) -> None:
    result = web_service.ingest_url(f"{site}/artikel#bagian", allow_private=True)
    assert (result.status, result.title) == ("added", "Banjir Rendam Ratusan Rumah di Bekasi")
    answer = web_service.ask("Berapa warga yang dievakuasi BPBD Bekasi?")
    assert "1.200 warga" in answer.hits[0].sentence
    [url_doc] = [d for d in web_service.documents() if d.source_kind == "url"]
    assert url_doc.source_ref == f"{site}/artikel"  # the fragment is not part of the source
    again = web_service.ingest_url(f"{site}/artikel", allow_private=True)
    assert (again.status, again.document_id) == ("unchanged", result.document_id)


@pytest.mark.parametrize(
    ("path", "status", "message", "key", "params"),
    [
        ("/pindah", "added", "", None, {}),
        ("/latin", "added", "", None, {}),
        ("/teks", "added", "", None, {}),
        ("/hilang", "failed", "HTTP 404", "http_status", {"status": 404, "reason": "Not Found"}),
        ("/rusak", "failed", "HTTP 500", "http_status", {"status": 500}),
        ("/lambat", "failed", "did not answer within 0.5 s", "timeout", {"seconds": 0.5}),
        (
            "/gambar",
            "failed",
            "not an HTML page (content type image/png)",
            "not_html",
            {"content_type": "image/png"},
        ),
        ("/tanpa-tipe", "failed", "content type missing", "not_html", {"content_type": "-"}),
        ("/kosong", "failed", "no article text", "no_article_text", {}),
        ("/putar", "failed", "redirects more than", "too_many_redirects", {"limit": 5}),
        ("/ke-ftp", "failed", "only http and https", "only_http", {"scheme": "ftp"}),
    ],
)
def test_url_failures_are_reported_clearly(
    web_service: QAService,
    site: str,
    *,
    path: str,
    status: str,
    message: str,
    key: str | None,
    params: dict[str, object],
) -> None:
    started = time.monotonic()
    result = web_service.ingest_url(site + path, allow_private=True)
    assert (result.status, message in result.error) == (status, True), result.error
    assert result.error_key == key
    assert dict(result.error_params) | params == dict(result.error_params)
    assert time.monotonic() - started < SLOW_SECONDS  # a slow server never blocks for long


def test_legacy_charset_from_the_header_is_used(web_service: QAService, site: str) -> None:
    web_service.ingest_url(f"{site}/latin", allow_private=True)
    assert any("Agus Salím" in h.sentence for h in web_service.ask("siapa Agus Salím?").hits)


def test_size_limit_holds_with_and_without_content_length(site: str) -> None:
    with pytest.raises(FetchError, match="larger than") as caught:
        fetch_page(f"{site}/artikel", allow_private=True, max_bytes=1000)
    assert caught.value.key == "too_large"
    with pytest.raises(FetchError, match="larger than") as caught:
        fetch_page(f"{site}/bocor", allow_private=True, max_bytes=50_000)
    assert (caught.value.key, caught.value.params["name"]) == ("too_large", f"{site}/bocor")


def test_private_addresses_are_refused_by_default(web_service: QAService, site: str) -> None:
    result = web_service.ingest_url(f"{site}/artikel")
    assert result.status == "failed"
    assert "private or local address" in result.error
    assert (result.error_key, result.error_params) == (
        "private_address",
        {"host": "127.0.0.1", "addresses": "127.0.0.1"},
    )
    assert web_service.documents()[0].source_kind == "content"  # nothing else stored


@pytest.mark.parametrize(
    ("url", "message", "key"),
    [
        ("file:///etc/passwd", "only http and https", "only_http"),
        ("ftp://example.com/berita.html", "only http and https", "only_http"),
        ("javascript:alert(1)", "only http and https", "only_http"),
        ("http://127.0.0.1:8080/", "private or local", "private_address"),
        ("http://localhost/", "private or local", "private_address"),
        ("http://10.1.2.3/", "private or local", "private_address"),
        ("http://192.168.0.10/", "private or local", "private_address"),
        ("http://169.254.169.254/latest/meta-data/", "private or local", "private_address"),
        ("http://[::1]/", "private or local", "private_address"),
        ("http://[::ffff:127.0.0.1]/", "private or local", "private_address"),
        ("http://0.0.0.0/", "private or local", "private_address"),
        ("http:///tanpa-host", "no host", "no_host"),
    ],
)
def test_url_guard_refuses(url: str, message: str, key: str) -> None:
    with pytest.raises(FetchError, match=message) as caught:
        check_url(url)
    assert caught.value.key == key


def test_url_guard_allows_public_addresses() -> None:
    assert check_url("https://93.184.216.34/berita").host == "93.184.216.34"


def test_reload_can_refresh_url_documents(web_service: QAService, site: str) -> None:
    url = f"{site}/berubah"
    Pages.routes["/berubah"] = (200, {"Content-Type": "text/html"}, ARTICLE)
    try:
        first = web_service.ingest_url(url, allow_private=True)
        assert web_service.reload(refresh_urls=True).updated == 0
        changed = ARTICLE.replace(b"450 rumah", b"900 rumah")
        Pages.routes["/berubah"] = (200, {"Content-Type": "text/html"}, changed)
        assert web_service.reload().updated == 0  # URLs are fetched again only when asked
        report = web_service.reload(refresh_urls=True)
        assert (report.updated, report.errors) == (1, ())
        top = web_service.ask("Berapa rumah terendam banjir di Bekasi?").hits[0]
        assert (top.document_id, "900 rumah" in top.sentence) == (first.document_id, True)
        del Pages.routes["/berubah"]
        report = web_service.reload(refresh_urls=True)
        assert report.failed == 1 and "HTTP 404" in report.errors[0]
        [detail] = report.error_details
        assert (detail.message, detail.key) == (report.errors[0], "http_status")
        assert "900 rumah" in web_service.ask("Berapa rumah terendam banjir?").hits[0].sentence
    finally:
        Pages.routes.pop("/berubah", None)


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The same pages over HTTPS for ``localhost``, with a self-signed certificate (its file is
    the second value: trusted only where a test says so)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj"]
    subject = ["/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    subprocess.run(
        ["openssl", *request, *subject, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server = QuietServer(("127.0.0.1", 0), Pages)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def test_https_downloads_share_one_tls_context_and_still_check_certificates(
    tls_site: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_site
    fetch._tls_context.cache_clear()
    with pytest.raises(FetchError):  # not trusted: the shared context verifies
        fetch_page(f"{url}/artikel", allow_private=True, timeout=5)
    fetch._tls_context.cache_clear()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted, as a new httpx client would
    try:
        for _ in range(3):
            page = fetch_page(f"{url}/artikel", allow_private=True, timeout=5)
            assert page.data == ARTICLE
        # connected to the vetted address, with the host name for SNI and the certificate
        assert fetch._tls_context.cache_info().misses == 1
    finally:
        fetch._tls_context.cache_clear()

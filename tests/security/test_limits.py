"""Size and type limits on what users hand the bot: uploaded files (``/tambah`` with a
document, ``QAService.ingest_upload``) and downloaded pages. Every refusal is an
``IngestResult`` with a clear reason — never an exception, never a half-stored document — and
both database backends store the same thing."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.service import QAService
from index.sources import MAX_FILE_BYTES, MAX_TEXT_CHARS
from index.store.fetch import FetchError, fetch_page
from tests.support.store import ARTICLE_BANJIR, PAGES

ARTICLE = ARTICLE_BANJIR.encode()


@pytest.fixture
def service(database_url: str, content_dir: Path) -> Iterator[QAService]:
    svc = QAService.open(database_url, content_dir=content_dir)
    try:
        yield svc
    finally:
        svc.close()


REFUSED: list[tuple[str, bytes, str]] = [
    ("berita.pdf", ARTICLE, "unsupported file type .pdf"),
    ("berita.exe", ARTICLE, "unsupported file type .exe"),
    ("berita.txt.exe", ARTICLE, "unsupported file type .exe"),
    ("berita.docx", ARTICLE, "unsupported file type .docx"),
    ("berita.jsonl", b'{"text": "x"}', "unsupported file type .jsonl"),
    ("berita", ARTICLE, "unsupported file type (none)"),
    ("berita.txt", b"%PDF-1.7\n" + ARTICLE, "is a PDF document, not text"),
    ("berita.txt", b"PK\x03\x04" + ARTICLE, "is a ZIP archive"),
    ("berita.html", b"\x89PNG\r\n\x1a\n" + ARTICLE, "is a PNG image"),
    ("berita.md", b"\xff\xd8\xff\xe0" + ARTICLE, "is a JPEG image"),
    ("berita.txt", b"\x7fELF\x02\x01\x01" + ARTICLE, "is a program"),
    ("berita.txt", b"\xd0\xcf\x11\xe0" + ARTICLE, "old Microsoft Office document"),
    ("berita.txt", ARTICLE[:100] + b"\x00\x01\x02" + ARTICLE, "binary file, not text"),
    ("berita.txt", bytes(range(1, 32)) * 200, "binary file, not text"),
    ("berita.txt", b"", "is empty"),
    ("berita.txt", b" \n\t\r\n  ", "is empty"),
    ("berita.txt", b"a" * (MAX_FILE_BYTES + 1), "larger than 5 MB"),
    ("berita.txt", b"kata " * (MAX_TEXT_CHARS // 5 + 1), "the limit for one article is 500,000"),
    ("berita.html", (PAGES / "no-article.html").read_bytes(), "has no article text"),
    ("berita.html", b"<html><body>" + b"<div>" * 100_000 + b"</body></html>", "no article text"),
]


@pytest.mark.parametrize(("name", "data", "reason"), REFUSED)
def test_uploads_outside_the_limits_are_refused(
    service: QAService, name: str, data: bytes, reason: str
) -> None:
    started = time.monotonic()
    result = service.ingest_upload(name, data)
    assert result.status == "failed", result
    assert reason in result.error
    assert result.document_id is None
    assert len(service.documents()) == 1  # only the shipped article
    assert time.monotonic() - started < 10


def test_file_names_cannot_point_elsewhere(service: QAService, tmp_path: Path) -> None:
    """A name with directories is reduced to its last part; nothing is written to disk."""
    before = set(tmp_path.rglob("*"))
    result = service.ingest_upload("../../../../tmp/evil/../banjir.txt", ARTICLE)
    assert result.status == "added"
    [upload] = [d for d in service.documents() if d.source_kind == "upload"]
    assert upload.source_ref == "banjir.txt"
    assert set(tmp_path.rglob("*")) - before <= {
        p for p in tmp_path.rglob("*") if p.name.startswith("store.sqlite3")
    }


def test_nul_characters_are_dropped_the_same_way_on_every_backend(service: QAService) -> None:
    """PostgreSQL cannot store NUL; SQLite can. A NUL past the binary sniffing window (8 KB)
    must not make one backend fail where the other stores."""
    tail = "Warga\x00 kembali ke rumah masing-masing pada Rabu pagi."
    text = (ARTICLE_BANJIR + "\n\n") * 60 + tail
    assert text.index("\x00") > 8192
    result = service.ingest_upload("banjir-panjang.txt", text.encode())
    assert result.status == "added", result.error
    titled = service.ingest_text("Judul\x00 aneh", ARTICLE_BANJIR.replace("Bekasi", "Bogor"))
    assert titled.status == "added" and titled.title == "Judul aneh"
    answer = service.ask("Kapan warga kembali ke rumah?")
    assert any("kembali ke rumah" in h.sentence and "\x00" not in h.sentence for h in answer.hits)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.text(min_size=0, max_size=40).map(lambda s: s + ".txt")
    | st.sampled_from(["a.html", "b.md", "c.htm", "d.TXT", "e"]),
    data=st.binary(max_size=3000)
    | st.text(max_size=3000).map(lambda s: s.encode("utf-8", "surrogatepass")),
)
def test_arbitrary_uploads_never_raise(service: QAService, name: str, data: bytes) -> None:
    result = service.ingest_upload(name, data)
    assert result.status in ("added", "updated", "unchanged", "failed")
    assert result.status != "failed" or result.error


# --- downloads --------------------------------------------------------------------------------

BOMB = gzip.compress(b"<p>" + b" " * 60_000_000 + b"</p>", compresslevel=9)


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if self.path == "/bomb":  # 60 MB of HTML in ~60 KB of gzip
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
            return
        self.end_headers()
        self.wfile.write(b"<p>" + b"x" * 100 + b"</p>")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_compression_bomb_is_cut_at_the_size_limit(site: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="larger than 5 MB"):
        fetch_page(f"{site}/bomb", allow_private=True)
    assert time.monotonic() - started < 10

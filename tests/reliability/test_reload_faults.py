"""A reload that fails half-way — the database lost in the middle of the content sync, or
while the new index is being loaded — keeps the old content serving, leaves every stored
document whole, and the next reload completes the work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from index.service import QAService
from index.store.store import ContentStore, Prepared
from tests.reliability.tcpproxy import TcpProxy
from tests.support.store import ARTICLE_BANJIR, ARTICLE_GEMPA

PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
QUESTIONS = {
    "a-banjir.txt": ("Berapa rumah yang terendam banjir di Bekasi?", "450 rumah"),
    "b-gempa.txt": ("Berapa kekuatan gempa di Cianjur?", "5,6 magnitudo"),
    "c-beras.txt": ("Berapa harga beras medium di Pasar Induk Cipinang?", "Rp 13.500"),
}
ARTICLE_BERAS = (
    "Harga beras medium di Pasar Induk Beras Cipinang naik menjadi Rp 13.500 per kilogram "
    "pekan ini. Pedagang menyebut pasokan dari Jawa Tengah berkurang karena panen mundur.\n\n"
    "Kementerian Perdagangan berjanji menggelar operasi pasar di lima kota mulai Senin."
)
TEXTS = {"a-banjir.txt": ARTICLE_BANJIR, "b-gempa.txt": ARTICLE_GEMPA, "c-beras.txt": ARTICLE_BERAS}


def _top(service: QAService, question: str) -> str:
    answer = service.ask(question)
    return "" if answer.abstained else answer.hits[0].sentence


def _served(service: QAService) -> set[str]:
    return {name for name, (q, fact) in QUESTIONS.items() if fact in _top(service, q)}


def _add_files(content_dir: Path) -> None:
    for name, text in TEXTS.items():
        (content_dir / name).write_text(text, encoding="utf-8")


def _lost_connection() -> OperationalError:
    return OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))


def _fail_on_call(number: int, original: Callable[..., object]) -> Callable[..., object]:
    calls = 0

    def wrapper(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == number:
            raise _lost_connection()
        return original(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("stage", ["sync, second new file", "loading the new index"])
def test_reload_failing_half_way_keeps_the_old_content(
    stage: str, database_url: str, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = QAService.open(database_url, content_dir=content_dir)
    try:
        old = service.snapshot
        putin = _top(service, PUTIN)
        _add_files(content_dir)
        if stage.startswith("sync"):
            monkeypatch.setattr(ContentStore, "save", _fail_on_call(2, ContentStore.save))
        else:
            failing = _fail_on_call(1, ContentStore.read_index)
            monkeypatch.setattr(ContentStore, "read_index", failing)

        report = service.reload()
        assert report.errors == ("reload failed: server closed the connection unexpectedly",)
        assert service.snapshot is old  # nothing swapped
        assert _top(service, PUTIN) == putin and _served(service) == set()
        if stage.startswith("sync"):  # the first file made it into the store, whole
            stored = {d.source_ref: d.sentences for d in service.documents()}
            assert set(stored) == {"armenia-azerbaijan-gencatan-senjata.txt", "a-banjir.txt"}

        monkeypatch.undo()
        again = service.reload()
        assert again.errors == ()
        expected = (2, 1) if stage.startswith("sync") else (0, 3)
        assert (again.added, again.unchanged - 1) == expected
        assert _served(service) == set(QUESTIONS)
        assert _top(service, PUTIN) == putin
    finally:
        service.close()


@pytest.mark.postgres
def test_database_lost_during_a_reload(
    pg_proxy: tuple[TcpProxy, str], content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real thing: the PostgreSQL connection is cut right after the first new document
    is committed."""
    proxy, url = pg_proxy
    service = QAService.open(url, content_dir=content_dir)
    try:
        old = service.snapshot
        _add_files(content_dir)
        original = ContentStore.save

        def save_then_cut(store: ContentStore, item: Prepared) -> object:
            result = original(store, item)
            proxy.stop()
            return result

        monkeypatch.setattr(ContentStore, "save", save_then_cut)
        report = service.reload()
        assert len(report.errors) == 1 and report.errors[0].startswith("reload failed: ")
        assert service.snapshot is old and _served(service) == set()
        assert "Vladimir Putin" in _top(service, PUTIN)

        monkeypatch.undo()
        proxy.start()
        again = service.reload()
        assert (again.errors, again.added) == ((), 2)
        assert _served(service) == set(QUESTIONS)
    finally:
        service.close()

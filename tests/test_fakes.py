"""``tests/fakes.py`` stands in for the store-backed ``QAService`` in the bot tests: these tests
keep it honest — same methods and signatures as the ``BotService`` protocol (which
``QAService`` implements), results of the real types with values the real service can give,
and the same answers and listings over the same articles."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest

from bot.services import BotService
from index.results import IngestStatus, SourceKind
from index.service import QAService
from tests.fakes import CONTENT_DIR, FakeService

METHODS = sorted(
    name
    for name, member in vars(BotService).items()
    if callable(member) and not name.startswith("_")
)


def _parameters(function: object) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter; a protocol's ``...`` default means "has one"."""
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return [
        (p.name, p.kind, "has a default" if p.default is not p.empty else p.empty)
        for p in signature.parameters.values()
    ]


def test_the_protocol_is_what_the_bot_calls() -> None:
    assert {"ask", "reload", "documents", "log_question", "start_watching"} <= set(METHODS)


@pytest.mark.parametrize("name", METHODS)
def test_the_fake_has_the_protocols_signature(name: str) -> None:
    assert _parameters(getattr(FakeService, name)) == _parameters(getattr(BotService, name))


@pytest.mark.parametrize("name", METHODS)
def test_the_service_accepts_every_call_the_protocol_allows(name: str) -> None:
    wanted = _parameters(getattr(BotService, name))
    real = _parameters(getattr(QAService, name))
    assert real[: len(wanted)] == wanted
    assert all(default is not inspect.Parameter.empty for _, _, default in real[len(wanted) :])


@pytest.fixture
def real(tmp_path: Path) -> Iterator[QAService]:
    service = QAService.open(f"sqlite:///{tmp_path / 'store.sqlite3'}", content_dir=CONTENT_DIR)
    try:
        yield service
    finally:
        service.close()


def test_the_fake_lists_and_answers_as_the_service_does(real: QAService) -> None:
    fake = FakeService()
    listed = [(d.title, d.sentences, d.active) for d in fake.documents()]
    assert listed == [(d.title, d.sentences, d.active) for d in real.documents()]
    for question in (
        "Siapa yang menjadi perantara gencatan senjata?",
        "Bagaimana cara memasak rendang?",
        "terima kasih",
    ):
        ours, theirs = fake.ask(question), real.ask(question)
        assert (ours.abstained, ours.reason) == (theirs.abstained, theirs.reason)
        assert [h.sentence for h in ours.hits] == [h.sentence for h in theirs.hits]


def test_the_fakes_results_hold_values_the_service_can_give() -> None:
    fake = FakeService()
    fake.pages["https://contoh.id/a"] = "Hujan deras merendam 450 rumah di Bekasi. Warga mengungsi."
    results = [
        fake.ingest_url("https://contoh.id/a"),
        fake.ingest_url("https://contoh.id/hilang"),
        fake.ingest_url("ftp://contoh.id/a"),
        fake.ingest_upload("a.txt", b"Gempa mengguncang Cianjur pada Senin siang."),
        fake.ingest_upload("b.txt", b"\x00\x01"),
        fake.ingest_text("Judul", "Ratusan bangunan rusak dan warga mengungsi."),
    ]
    assert {r.status for r in results} <= set(get_args(IngestStatus))
    assert {d.source_kind for d in fake.documents()} <= set(get_args(SourceKind))
    report = fake.reload()
    assert report.documents == len(fake.documents()) and report.errors == ()

"""Stored sentence embeddings: computed after ingest, kept across restarts, recomputed when a
document or the encoder changes, counted in the statistics (hashing stand-in encoder)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

import index.encoder as encoder_module
from index.service import QAService
from index.store.errors import StoreError
from index.store.models import DocumentEmbeddingsRow
from tests.semantic_fakes import HashingEncoder
from tests.store.conftest import ARTICLE_BANJIR


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch) -> Iterator[HashingEncoder]:
    fake = HashingEncoder()
    monkeypatch.setattr(encoder_module, "load_encoder", lambda threads=None: fake)
    yield fake


def test_embeddings_are_stored_and_read_back_after_a_restart(
    database_url: str, content_dir: Path, encoder: HashingEncoder
) -> None:
    service = QAService.open(database_url, content_dir=content_dir)
    try:
        semantic = service.enable_semantic("auto")
        assert semantic is not None
        total = service.snapshot.sentence_count
        assert semantic.coverage() == (0, total)  # ingest did not embed
        assert service.stats().extra["embedded_sentences"] == 0
        assert semantic.embed_pending() == total
        assert service.stats().extra["embedded_sentences"] == total
        answer = service.ask("Siapa presiden Rusia yang menjadi perantara?")
        assert not answer.abstained
    finally:
        service.close()
    calls = encoder.passage_calls
    again = QAService.open(database_url, content_dir=content_dir)
    try:
        semantic = again.enable_semantic("auto")
        assert semantic is not None
        assert semantic.coverage() == (total, total)  # from the store
        assert semantic.embed_pending() == 0
        assert encoder.passage_calls == calls
    finally:
        again.close()


def test_changed_and_removed_documents(
    database_url: str, content_dir: Path, encoder: HashingEncoder
) -> None:
    service = QAService.open(database_url, content_dir=content_dir)
    try:
        semantic = service.enable_semantic("on")
        assert semantic is not None
        semantic.embed_pending()
        added = service.ingest_text("Banjir Bekasi", ARTICLE_BANJIR)
        assert added.status == "added" and added.document_id is not None
        assert semantic.embed_pending() == added.sentences  # only the new article
        assert service.remove(added.document_id)
        semantic.embed_pending()
        assert added.document_id not in semantic.vectors
        with service._require_store().db.read() as session:
            rows = session.scalars(select(DocumentEmbeddingsRow.document_id)).all()
        assert added.document_id in rows  # kept with the (soft-deleted) document ...
        assert service.stats().extra["embedded_sentences"] == service.snapshot.sentence_count
    finally:
        service.close()


def test_another_encoder_version_recomputes(
    database_url: str, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = HashingEncoder("model-a"), HashingEncoder("model-b")
    monkeypatch.setattr(encoder_module, "load_encoder", lambda threads=None: first)
    service = QAService.open(database_url, content_dir=content_dir)
    try:
        semantic = service.enable_semantic("auto")
        assert semantic is not None
        total = semantic.embed_pending()
    finally:
        service.close()
    monkeypatch.setattr(encoder_module, "load_encoder", lambda threads=None: second)
    service = QAService.open(database_url, content_dir=content_dir)
    try:
        semantic = service.enable_semantic("auto")
        assert semantic is not None
        assert semantic.embed_pending() == total
        assert second.passage_calls > 0
    finally:
        service.close()


def test_background_worker_embeds_after_ingest(
    database_url: str, content_dir: Path, encoder: HashingEncoder
) -> None:
    service = QAService.open(database_url, content_dir=content_dir)
    try:
        semantic = service.enable_semantic("auto")
        assert semantic is not None
        semantic.start(interval=0.05)
        added = service.ingest_text("Banjir Bekasi", ARTICLE_BANJIR)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            embedded, total = semantic.coverage()
            if embedded == total and added.document_id in semantic.vectors:
                break
            time.sleep(0.05)
        assert semantic.coverage()[0] == service.snapshot.sentence_count
        assert any(t.name == "embeddings" for t in threading.enumerate())
    finally:
        service.close()
    assert not any(t.name == "embeddings" for t in threading.enumerate())


def test_modes(database_url: str, content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_module, "load_encoder", lambda threads=None: None)
    service = QAService.open(database_url, content_dir=content_dir)
    try:
        assert service.enable_semantic("off") is None
        assert service.enable_semantic("auto") is None
        with pytest.raises(StoreError, match="SEMANTIC_RERANK=on"):
            service.enable_semantic("on")
        assert service.stats().extra["semantic"] == 0
        assert not service.ask("Siapa presiden Rusia yang menjadi perantara?").abstained
    finally:
        service.close()

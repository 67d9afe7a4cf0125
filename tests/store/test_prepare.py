"""Documents on their way into the store: the pipeline fingerprint, the hashes that identify a
source and its text, titles and tokens as stored, and the worker-process preparation."""

from __future__ import annotations

import pytest

from index.engine import Document
from index.store import prepare
from index.store.prepare import (
    MAX_TITLE_CHARS,
    Prepared,
    clip_title,
    content_hash,
    join_tokens,
    pipeline_fingerprint,
    prepare_in_worker,
    source_key,
)
from index.tokens import Tokenizer
from tests.support.store import ARTICLE_BANJIR


def _tokenizer(informal: dict[str, tuple[str, ...]] | None = None) -> Tokenizer:
    return Tokenizer(stemmer=str.lower, informal=informal if informal is not None else {})


def test_the_fingerprint_depends_on_the_informal_lexicon_not_on_the_tokenizer_object() -> None:
    plain = pipeline_fingerprint(_tokenizer())
    assert pipeline_fingerprint(_tokenizer()) == plain
    assert pipeline_fingerprint(_tokenizer({"yg": ("yang",)})) != plain
    assert pipeline_fingerprint(_tokenizer({"yg": ("yang",)})) != pipeline_fingerprint(
        _tokenizer({"yg": ("ya",)})
    )


def test_the_fingerprint_names_the_pipeline_and_source_rules_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = pipeline_fingerprint(_tokenizer())
    assert before.startswith(f"p{prepare.TEXT_PIPELINE_VERSION}s{prepare.SOURCE_RULES}-")
    monkeypatch.setattr(prepare, "SOURCE_RULES", f"{prepare.SOURCE_RULES}x")
    assert pipeline_fingerprint(_tokenizer()) != before
    monkeypatch.undo()
    monkeypatch.setattr(prepare, "TEXT_PIPELINE_VERSION", f"{prepare.TEXT_PIPELINE_VERSION}x")
    assert pipeline_fingerprint(_tokenizer()) != before


def test_the_content_hash_ignores_whitespace_only() -> None:
    assert content_hash("Banjir  di\nBekasi ") == content_hash("Banjir di Bekasi")
    assert content_hash("Banjir di Bekasi") != content_hash("Banjir di Bogor")


def test_a_source_is_its_kind_and_reference() -> None:
    assert source_key("file", "a.txt") != source_key("upload", "a.txt")
    item = Prepared("content", "berita/a.txt", "A", "teks")
    assert item.key == source_key("content", "berita/a.txt")
    assert item.label == "berita/a.txt"
    assert Prepared("file", "/x/a.txt", "A", "teks", display="a.txt").label == "a.txt"


def test_titles_are_stored_on_one_line_and_clipped() -> None:
    assert clip_title("  Banjir\n di  Bekasi ") == "Banjir di Bekasi"
    long = clip_title("kata " * 200)
    assert len(long) == MAX_TITLE_CHARS and long.endswith("…")
    assert clip_title("a" * MAX_TITLE_CHARS) == "a" * MAX_TITLE_CHARS


def test_tokens_that_would_not_come_back_the_same_are_refused() -> None:
    assert join_tokens(["banjir", "bekasi"]) == "banjir bekasi"
    with pytest.raises(ValueError, match="whitespace or is empty"):
        join_tokens(["banjir bekasi"])
    with pytest.raises(ValueError, match="whitespace or is empty"):
        join_tokens(["banjir", ""])


def test_a_worker_prepares_a_document_or_says_why_it_cannot() -> None:
    document = prepare_in_worker("Banjir", ARTICLE_BANJIR, "banjir.txt")
    assert isinstance(document, Document) and len(document.sentences) > 1
    assert isinstance(prepare_in_worker("Kosong", "  \n ", "kosong.txt"), str)

"""Property-based fuzzing of the engine's text pipeline: arbitrary Unicode never raises,
work stays bounded, and splitting never loses or invents words."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.engine import EmptyDocumentError, IndexSnapshot, prepare_document
from index.text import normalize, segment, split_paragraphs, split_sentences
from index.tokens import default_tokenizer

# Indonesian-looking text mixed with the nasty parts of Unicode: controls, RTL, emoji, combining
# marks, zero-width characters and sentence punctuation in odd places.
_NASTY = st.sampled_from(
    [
        "\u202e",
        "\u200f",
        "\u200b",
        "\ufeff",
        "\x00",
        "\x1b[31m",
        "\r",
        "\t",
        "\u2028",
        "🙂",
        "👍🏽",
        "e\u0301",
        "مرحبا",
        "שלום",
        "中文",
        "Pashinian.Rusia",
        "Jl.",
        "S.H.",
        "2.375.000",
        "(10/10/2020)",
        '."',
        "...",
        "?!",
        " ",
        "\n\n",
        "Baca Juga :",
        "<b>",
        "&amp;",
    ]
)
_WORDS = st.sampled_from(
    ["gencatan", "senjata", "Armenia", "di", "yang", "yg", "Presiden", "12.30", "orang-orang"]
)
TEXT = st.lists(st.one_of(st.text(max_size=20), _NASTY, _WORDS), max_size=60).map(" ".join)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(TEXT)
def test_segment_never_raises_and_keeps_words(text: str) -> None:
    sentences = segment(text)
    for s in sentences:
        assert s.text == s.text.strip() and s.text
        assert s.paragraph >= 0
    clean = normalize(text)
    for paragraph in split_paragraphs(clean):
        pieces = split_sentences(paragraph)
        assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", paragraph)


@FUZZ
@given(TEXT)
def test_tokens_never_raise(text: str) -> None:
    tokens = default_tokenizer().tokens(text)
    assert all(t and t == t.strip() for t in tokens)


@FUZZ
@given(TEXT, TEXT)
def test_engine_never_raises(document: str, question: str) -> None:
    try:
        doc = prepare_document(1, "fuzz", document)
    except EmptyDocumentError:
        return
    answer = IndexSnapshot.build([doc]).ask(question, top_k=3)
    assert answer.abstained == (not answer.hits)
    for hit in answer.hits:
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.sentence)


@pytest.mark.parametrize("size", [10_000, 200_000])
def test_huge_inputs_complete(size: int) -> None:
    blob = ("kata " * (size // 5))[:size]
    assert segment(blob)
    doc = prepare_document(1, "besar", blob + ". Kalimat kedua.")
    assert IndexSnapshot.build([doc]).ask(blob, top_k=1).question == blob

"""``Tokenizer.term_spans``: the words of a sentence with their spans and terms, read off the
sentence's tokens by the tokenizer's own pass — the same terms as stemming each word, without
stemming (what highlights an answer in a fresh process)."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from index.engine import IndexSnapshot, prepare_document
from index.stemmer import sastrawi
from index.text import segment
from index.tokens import Tokenizer, default_tokenizer, fold

TRICKY = [
    "Presiden Rusia, Vladimir Putin, menjadi perantara gencatan senjata di Nagorno-Karabakh.",
    "Orang-orang berpindah-pindah, masing-masing membawa anak2 dan kuda-kudanya.",
    "Harga Rp500 naik 3,5 persen menjadi Rp 2.375.000 pada 10/10/2020 pukul 12.30.",
    "Warga yg gak mau pulang dmn saja, Jum’at dan Qur'an, COVID-19 di Agdere-Terter.",
    "François Hollande bertemu José Ramos-Horta dan ﬁlsuf di 東京, Tōkyō dan Москва.",
    "Kata dengan tanda gabung: cafe\u0301 re\u0301sume\u0301 dan ΟΔΟΣ ΣΟΦΟΣ di Athena.",
    "Pro-pemerintahan anti-korupsi ke-2 pasca-perang Rp10rb 2020-an.",
]


def reference_terms(tok: Tokenizer, text: str) -> list[tuple[str, ...]]:
    """Each word's terms by stemming it, as ``tokens`` computes them."""
    return [tuple(tok.tokens(span.word)) for span in tok.term_spans(text, tok.tokens(text))]


class CountingStemmer:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, word: str) -> str:
        self.calls[word] += 1
        return sastrawi()(word)


@pytest.mark.parametrize("text", TRICKY)
def test_spans_carry_each_words_own_terms_and_place(text: str) -> None:
    tok = default_tokenizer()
    tokens = tok.tokens(text)
    spans = tok.term_spans(text, tokens)
    assert [t for span in spans for t in span.terms] == tokens
    assert [span.terms for span in spans] == reference_terms(tok, text)
    for span in spans:
        original = fold(text[span.start : span.end]).replace("\u2019", "'")
        assert original.replace("ς", "σ") == span.word.replace("ς", "σ")
        assert not unicodedata.combining(text[span.end : span.end + 1] or "a")


def test_every_sentence_of_the_shipped_article(article_text: str) -> None:
    tok = default_tokenizer()
    for sentence in segment(article_text):
        spans = tok.term_spans(sentence.text, tok.tokens(sentence.text))
        assert [span.terms for span in spans] == reference_terms(tok, sentence.text)


@pytest.mark.slow
def test_every_sentence_of_two_hundred_indosum_articles(shared_dir: Path) -> None:
    path = shared_dir / "data" / "indosum_news.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    tok = default_tokenizer()
    with path.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for _, line in zip(range(200), handle, strict=False)]
    checked = 0
    for text in texts:
        for sentence in segment(text):
            spans = tok.term_spans(sentence.text, tok.tokens(sentence.text))
            assert [span.terms for span in spans] == reference_terms(tok, sentence.text)
            checked += 1
    assert checked > 3000


def test_a_fresh_tokenizer_stems_nothing_for_plain_words() -> None:
    """Only a new hyphenated or other-script word may need its stem to be counted — and the last
    such word of a sentence never does (it takes the terms left over)."""
    stored = default_tokenizer()
    counting = CountingStemmer()
    fresh = Tokenizer(stemmer=counting)
    plain = "Pemerintahan memberlakukan kebijakan perekonomian yang berpindah ke Jakarta."
    assert [s.terms for s in fresh.term_spans(plain, stored.tokens(plain))] == reference_terms(
        stored, plain
    )
    one_compound = "Pertempuran di Nagorno-Karabakh berlangsung sejak pagi."
    fresh.term_spans(one_compound, stored.tokens(one_compound))
    two_compounds = "Orang-orang meninggalkan Nagorno-Karabakh dan Agdere-Terter."
    spans = fresh.term_spans(two_compounds, stored.tokens(two_compounds))
    assert [s.terms for s in spans] == reference_terms(stored, two_compounds)
    assert set(counting.calls) <= {
        "orang-orang",
        "orang",
        "nagorno-karabakh",
        "nagorno",
        "karabakh",
    }


def test_tokens_from_another_pipeline_still_give_each_words_terms() -> None:
    tok = default_tokenizer()
    text = "Presiden Rusia menjadi perantara di Nagorno-Karabakh."
    for stale in ([], ["presiden"], [*tok.tokens(text), "lebih"], ["x"] * 40):
        spans = tok.term_spans(text, stale)
        assert [span.terms for span in spans] == reference_terms(tok, text)


def test_highlights_are_the_same_in_a_fresh_process(article_text: str) -> None:
    """A snapshot asked through a tokenizer with an empty memo marks the same words as one whose
    memo holds every word of the article, and stems only the question's words."""
    warm = IndexSnapshot.build([prepare_document(1, "t", article_text)])
    counting = CountingStemmer()
    cold = IndexSnapshot.build(
        [prepare_document(1, "t", article_text)], tokenizer=Tokenizer(stemmer=counting)
    )
    questions = [
        "Siapa presiden Rusia yang menjadi perantara?",
        "Kapan gencatan senjata di Nagorno-Karabakh disepakati?",
        "Berapa jam pembicaraan di Moskow?",
    ]
    for question in questions:
        before = set(counting.calls)
        cold_answer = cold.ask(question)
        assert [h.highlights for h in cold_answer.hits] == [
            h.highlights for h in warm.ask(question).hits
        ]
        asked = set(Tokenizer(stemmer=lambda w: w).words(question))
        assert set(counting.calls) - before <= asked | {"nagorno", "karabakh"}

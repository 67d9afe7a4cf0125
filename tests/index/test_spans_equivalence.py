"""The faster short-answer extractor gives the answers the earlier one gave: same span, same
offsets, same probability, on every sentence of the shipped article asked five ways and on
generated sentences (``spans_reference.py`` is the earlier version; the check over a thousand
and more real questions is ``python -m benchmarks.span_equivalence``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import spans
from index.question import analyse_question
from index.text import segment
from index.tokens import default_tokenizer
from tests.index import spans_reference as reference

ARTICLE = (
    Path(__file__).resolve().parents[2] / "content" / "armenia-azerbaijan-gencatan-senjata.txt"
)
QUESTIONS = (
    "Siapa yang menjadi perantara gencatan senjata?",
    "Kapan gencatan senjata disepakati?",
    "Berapa korban tewas dalam pertempuran?",
    "Di mana perundingan berlangsung?",
    "Apa nama wilayah yang diperebutkan?",
)
WORDS = (
    "Sabtu",
    "(10/10/2020)",
    "10/10",
    "27",
    "September",
    "2020",
    "pukul",
    "12.00",
    "WIB",
    "abad",
    "ke-19",
    "Rp",
    "2.375.000",
    "sekitar",
    "ratusan",
    "dua",
    "puluh",
    "orang",
    "jam",
    "persen",
    "Vladimir",
    "Putin",
    "bin",
    "van",
    "J.",
    "K.",
    "Nagorno-Karabakh",
    "Jum'at",
    "dan",
    ",",
    "yang",
    "di",
    "pada",
    "menjadi",
    "perantara",
    '"Laskar',
    'Pelangi"',
    "tahun",
    "awal",
    "Mei",
    "ſenin",
    "İstanbul",
    "KM",
    "é",
)


def _same(sentence: str, question: str) -> None:
    tok = default_tokenizer()
    analysis = analyse_question(question, tok)
    terms = set(analysis.terms)
    matched = tuple(
        (s.start, s.end)
        for s in tok.term_spans(sentence, tok.tokens(sentence))
        if not terms.isdisjoint(s.terms)
    )
    model = spans.default_span_model()
    old = reference.SpanModel(model.weights, model.threshold)
    new_best = model.best(analysis, sentence, matched, tok.word_terms)
    old_best = old.best(analysis, sentence, matched, tok.word_terms)
    if new_best is None or old_best is None:
        assert new_best is None and old_best is None
    else:
        assert (new_best.text, new_best.start, new_best.end) == (
            old_best.text,
            old_best.start,
            old_best.end,
        )
        assert new_best.confidence == pytest.approx(old_best.confidence, abs=1e-12)
    new_short = model.short_answer(analysis, sentence, matched, tok.word_terms)
    old_short = old.short_answer(analysis, sentence, matched, tok.word_terms)
    assert (new_short is None) == (old_short is None)


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_sentence_of_the_article_gets_the_earlier_answer(question: str) -> None:
    sentences = [s.text for s in segment(ARTICLE.read_text(encoding="utf-8"))]
    assert len(sentences) > 10
    for sentence in sentences:
        _same(sentence, question)


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), max_size=30),
    question=st.sampled_from(QUESTIONS),
)
def test_generated_sentences_get_the_earlier_answer(words: list[str], question: str) -> None:
    _same(" ".join(words), question)


def _without_lookahead(pattern: re.Pattern[str], lookahead: str) -> re.Pattern[str]:
    assert lookahead in pattern.pattern
    return re.compile(pattern.pattern.replace(lookahead, "", 1), pattern.flags)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(WORDS) | st.text(alphabet="aBsSdDtTkK1209 ().,-/'ſİ$€%", max_size=8),
        max_size=20,
    ).map(" ".join)
)
def test_the_fail_fast_lookaheads_change_no_match(text: str) -> None:
    for pattern, lookahead in (
        (spans._DATES, spans._DATES_START),
        (spans._NUMBER, spans._NUMBER_START),
    ):
        plain = _without_lookahead(pattern, lookahead)
        assert [(m.span(), m.groupdict()) for m in pattern.finditer(text)] == [
            (m.span(), m.groupdict()) for m in plain.finditer(text)
        ]


EVERY_START = (
    "Senin, 5 Mei 2020; Selasa (6/5); Rabu 7 Mei; Kamis; Jumat; Jum'at; Sabtu; Minggu; Ahad; "
    "Januari 2020, Jan 2020, Februari 2021, Feb 2021, Pebruari 1999, Maret 2000, Mar 2000, "
    "April 2001, Apr 2001, Mei 2002, Juni 2003, Jun 2003, Juli 2004, Jul 2004, Agustus 2005, "
    "Agu 2005, Agt 2005, Ags 2005, September 2006, Sep 2006, Sept 2006, Oktober 2007, "
    "Okt 2007, November 2008, Nov 2008, Nopember 2009, Desember 2010, Des 2010, awal Mei 2011, "
    "akhir Juni 2012, pertengahan Juli 2013, tahun 2014, 1990-an, pukul 12.00 WIB, "
    "abad ke-19, abad XX, hari Senin pagi, (10/10/2020). hampir 5, sekitar 6, kurang lebih 7, "
    "lebih dari 8, kurang dari 9, sebanyak 10, mencapai 11, hingga 12, Rp 5, Rp. 6, US$ 7, "
    "USD 8, $9, € 10, £ 11, ¥ 12, satu, dua, tiga, empat, lima, enam, tujuh, delapan, "
    "sembilan, sepuluh, sebelas, seratus, seribu, sejuta, puluhan, ratusan, ribuan, jutaan, "
    "belasan, miliaran, setengah, separuh, dua puluh, tiga belas, 81 persen, 5%."
)


@pytest.mark.parametrize("text", [EVERY_START, EVERY_START.upper(), EVERY_START.lower()])
def test_every_way_a_date_or_number_begins_passes_the_lookahead(text: str) -> None:
    for pattern, lookahead, least in (
        (spans._DATES, spans._DATES_START, 45),
        (spans._NUMBER, spans._NUMBER_START, 80),
    ):
        found = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        plain = _without_lookahead(pattern, lookahead)
        assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)]
        assert len(found) >= least

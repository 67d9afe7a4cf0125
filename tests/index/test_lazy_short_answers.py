"""Short answers for the hits after the best one, found only when they are shown
(``IndexSnapshot.with_short_answers``), must be exactly those ``ask`` would find eagerly."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

import index.engine as engine_module
from index.engine import Answer, IndexSnapshot, prepare_document
from index.question import QuestionAnalysis
from index.service import QAService
from index.spans import ShortAnswer, SpanModel, default_span_model
from index.tokens import default_tokenizer
from tests.fakes import CONTENT_DIR

ARTICLE_QUESTIONS = (
    "Siapa yang menjadi perantara gencatan senjata?",
    "Kapan gencatan senjata disepakati?",
    "Kapan pertempuran dimulai?",
    "Berapa orang yang tewas dalam pertempuran?",
    "Di mana pertempuran terjadi?",
    "Siapa presiden Azerbaijan?",
    "Apa nama wilayah yang diperebutkan?",
    "siapa presiden rusia yg jd perantara?",
    "Mengapa Armenia dan Azerbaijan berperang?",  # not a factoid question
    "Apakah gencatan senjata dilanggar?",  # yes/no
)

NEWS = {
    "Banjir Bekasi": (
        "Hujan deras sejak Senin (3/2/2025) malam merendam 450 rumah di Bekasi. Wali Kota "
        "Tri Adhianto meninjau lokasi pada Selasa pagi.\n\nSekitar 1.200 warga mengungsi ke "
        "masjid dan sekolah. Banjir surut pada Rabu sore, kata Kepala BPBD Bekasi Ahmad "
        "Sholeh.\n\nBantuan senilai Rp 250 juta dikirim Pemerintah Provinsi Jawa Barat."
    ),
    "Gempa Cianjur": (
        "Gempa bermagnitudo 5,6 mengguncang Cianjur pada 21 November 2022 pukul 13.21 WIB. "
        "Sebanyak 602 orang meninggal dunia.\n\nPresiden Joko Widodo mengunjungi Cianjur "
        "sehari kemudian. Ribuan rumah rusak berat di Kecamatan Cugenang.\n\nBadan "
        "Meteorologi, Klimatologi, dan Geofisika mencatat 140 gempa susulan."
    ),
    "Piala Dunia": (
        "Argentina menjuarai Piala Dunia 2022 di Qatar. Lionel Messi mencetak dua gol di "
        "final melawan Prancis pada 18 Desember 2022.\n\nKylian Mbappe mencetak tiga gol "
        "untuk Prancis. Pertandingan di Stadion Lusail ditonton 88.966 penonton.\n\nPelatih "
        "Argentina Lionel Scaloni memuji para pemainnya."
    ),
}

NEWS_QUESTIONS = (
    "Berapa rumah yang terendam banjir?",
    "Kapan gempa mengguncang Cianjur?",
    "Siapa yang mencetak gol di final?",
    "Berapa orang meninggal akibat gempa?",
    "Siapa yang meninjau lokasi banjir?",
    "Di mana warga mengungsi?",
    "Berapa penonton pertandingan final?",
    "Kapan banjir surut?",
    "Siapa pelatih Argentina?",
    "Bagaimana kondisi rumah setelah gempa?",
)

TOP_K = 5


@pytest.fixture(params=["shipped", "every span"])
def span_model(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> SpanModel:
    """The shipped model, and the same weights shown at any probability: every hit of a
    factoid question then gets its best span, so the comparison covers all of them."""
    shipped = default_span_model()
    model = shipped if request.param == "shipped" else SpanModel(shipped.weights, 0.0)
    monkeypatch.setattr(engine_module, "default_span_model", lambda: model)
    return model


def eager(snapshot: IndexSnapshot, question: str, monkeypatch: pytest.MonkeyPatch) -> Answer:
    """``ask`` with a short answer looked for in every hit inside it."""
    with monkeypatch.context() as patch:
        patch.setattr(engine_module, "SHORT_ANSWER_HITS", engine_module.MAX_TOP_K)
        return snapshot.ask(question, TOP_K)


def assert_lazy_equals_eager(
    snapshot: IndexSnapshot, question: str, monkeypatch: pytest.MonkeyPatch
) -> int:
    """Compare for one question; the number of short answers found."""
    first = snapshot.ask(question, TOP_K)
    everything = eager(snapshot, question, monkeypatch)
    completed = snapshot.with_short_answers(first, TOP_K)
    assert [h.sentence for h in first.hits] == [h.sentence for h in everything.hits]
    assert completed.hits == everything.hits, question
    # one page at a time, as "Jawaban lain" does, gives the same
    paged = first
    for page in range(1, len(first.hits)):
        paged = snapshot.with_short_answers(paged, page + 1)
    assert paged.hits == everything.hits
    assert completed.short_answers_examined == len(first.hits)
    return sum(h.short_answer is not None for h in completed.hits[1:])


def test_lazy_short_answers_equal_eager_ones_on_the_shipped_article(
    article_text: str, span_model: SpanModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    tok = default_tokenizer()
    snapshot = IndexSnapshot([prepare_document(1, "Gencatan senjata", article_text, tok)], tok)
    found = sum(assert_lazy_equals_eager(snapshot, q, monkeypatch) for q in ARTICLE_QUESTIONS)
    if span_model.threshold == 0.0:
        assert found >= 20  # the later hits do get short answers: the test compares something


@pytest.fixture
def store(tmp_path: Path) -> Iterator[QAService]:
    service = QAService.open(f"sqlite:///{tmp_path / 'store.sqlite3'}", content_dir=CONTENT_DIR)
    try:
        for title, text in NEWS.items():
            assert service.ingest_text(title, text).status == "added"
        yield service
    finally:
        service.close()


def test_lazy_short_answers_equal_eager_ones_on_a_store_of_articles(
    store: QAService, span_model: SpanModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store.snapshot.document_count == 4
    found = 0
    for question in NEWS_QUESTIONS + ARTICLE_QUESTIONS[:4]:
        found += assert_lazy_equals_eager(store.snapshot, question, monkeypatch)
        # the service's one call does the same as the snapshot's
        answer = store.ask(question, TOP_K)
        assert store.with_short_answers(answer, TOP_K) == store.snapshot.with_short_answers(
            answer, TOP_K
        )
    if span_model.threshold == 0.0:
        assert found >= 20


def test_a_sentence_gone_from_the_snapshot_is_read_again(
    store: QAService, span_model: SpanModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer outlives a reload: completed against a snapshot that no longer holds its
    sentences, it still gets the short answers ``ask`` would have given."""
    question = "Siapa yang mencetak gol di final?"
    first = store.ask(question, TOP_K)
    everything = eager(store.snapshot, question, monkeypatch)
    for info in store.documents():
        if info.title == "Piala Dunia":
            assert store.remove(info.id)
    assert store.with_short_answers(first, TOP_K).hits == everything.hits


def test_ask_examines_only_the_best_hit(article_text: str) -> None:
    snapshot = IndexSnapshot([prepare_document(1, "Gencatan senjata", article_text)])
    factoid = snapshot.ask("Kapan pertempuran dimulai?", 3)
    assert factoid.short_answers_examined == 1 and len(factoid.hits) == 3
    assert factoid.needs_short_answers(2) and not factoid.needs_short_answers(1)
    why = snapshot.ask("Mengapa Armenia dan Azerbaijan berperang?", 3)
    assert why.hits and why.short_answers_examined == len(why.hits)
    assert not why.needs_short_answers(3)
    assert snapshot.with_short_answers(why, 3) is why  # a non-factoid question: no work


def test_nothing_is_examined_twice(article_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = IndexSnapshot([prepare_document(1, "Gencatan senjata", article_text)])
    calls: list[str] = []
    model = default_span_model()

    class Counting(SpanModel):
        def short_answer(
            self,
            analysis: QuestionAnalysis,
            sentence: str,
            matched: Sequence[tuple[int, int]],
            word_terms: Callable[[str], tuple[str, ...]],
        ) -> ShortAnswer | None:
            calls.append(sentence)
            return super().short_answer(analysis, sentence, matched, word_terms)

    counting = Counting(model.weights, model.threshold)
    monkeypatch.setattr(engine_module, "default_span_model", lambda: counting)
    answer = snapshot.ask("Kapan pertempuran dimulai?", 3)
    assert len(calls) == 1
    second = snapshot.with_short_answers(answer, 2)
    assert calls[1:] == [answer.hits[1].sentence]  # hit 2 only, examined once
    assert snapshot.with_short_answers(second, 2) is second
    third = snapshot.with_short_answers(second, 99)  # beyond the hits: all of them
    assert calls[2:] == [answer.hits[2].sentence] and third.short_answers_examined == 3
    assert snapshot.with_short_answers(third, 3) is third
    assert len(calls) == 3


@pytest.mark.parametrize("hits", [0, -1])
def test_no_hits_asked_for_is_no_work(article_text: str, hits: int) -> None:
    snapshot = IndexSnapshot([prepare_document(1, "Gencatan senjata", article_text)])
    answer = snapshot.ask("Kapan pertempuran dimulai?", 3)
    assert snapshot.with_short_answers(answer, hits) is answer


def test_abstentions_are_left_as_they_are(article_text: str) -> None:
    snapshot = IndexSnapshot([prepare_document(1, "Gencatan senjata", article_text)])
    abstained = snapshot.ask("Siapa juara Piala Dunia 2022?", 3)
    assert abstained.abstained
    assert snapshot.with_short_answers(abstained, 3) is abstained


def test_an_answer_built_elsewhere_is_examined_from_its_first_hit(article_text: str) -> None:
    """An ``Answer`` made without the count (a test, an old cache) counts nothing examined."""
    snapshot = IndexSnapshot([prepare_document(1, "Gencatan senjata", article_text)])
    answer = snapshot.ask("Kapan pertempuran dimulai?", 3)
    bare = replace(
        answer,
        hits=tuple(replace(h, short_answer=None) for h in answer.hits),
        short_answers_examined=0,
    )
    assert snapshot.with_short_answers(bare, 1).hits[0] == answer.hits[0]

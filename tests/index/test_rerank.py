from __future__ import annotations

import math
from dataclasses import fields, replace
from types import SimpleNamespace

import pytest

from index import rerank
from index.engine import Document, IndexSnapshot, prepare_document
from index.question import analyse_question
from index.rerank import (
    FEATURES,
    SHORT_DOCUMENT,
    Candidate,
    Ranking,
    Reranker,
    default_reranker,
    load_reranker,
)
from index.tokens import default_tokenizer


def _snapshot(texts: list[str], reranker: Reranker) -> IndexSnapshot:
    docs: list[Document] = [prepare_document(i, f"d{i}", t) for i, t in enumerate(texts, 1)]
    return IndexSnapshot.build(docs, reranker=reranker)


FESTIVAL = (
    "Festival budaya digelar di alun-alun kota oleh warga setempat. "
    "Festival budaya itu berlangsung pada 12 Maret 2023. "
    "Panitia menyiapkan panggung tari sejak pagi."
)


def _top(snapshot: IndexSnapshot, question: str) -> str:
    answer = snapshot.ask(question, top_k=3)
    assert not answer.abstained, answer.reason
    return answer.hits[0].sentence


@pytest.mark.parametrize(
    ("weights", "question", "expected_start"),
    [
        # lexical evidence alone: the sentence with all question words
        ({"bm25_doc": 1.0}, "Kapan festival budaya digelar?", "Festival budaya digelar"),
        # a date the question does not mention outweighs one more shared word
        (
            {"bm25_doc": 1.0, "type_cue_new": 2.0},
            "Kapan festival budaya digelar?",
            "Festival budaya itu berlangsung",
        ),
        # the cue only counts for the question type it belongs to
        (
            {"bm25_doc": 1.0, "type_cue_new": 2.0},
            "Mengapa festival budaya digelar?",
            "Festival budaya digelar",
        ),
        # a date the question already names is no evidence of the answer
        (
            {"bm25_doc": 1.0, "type_cue_new": 2.0},
            "Kapan panitia menyiapkan panggung untuk festival 12 Maret 2023?",
            "Panitia menyiapkan panggung",
        ),
        # a number the question does not contain, for "berapa"
        (
            {"bm25_doc": 1.0, "new_number": 2.0},
            "Berapa festival budaya yang digelar?",
            "Festival budaya itu berlangsung",
        ),
        ({"first_sentence": 1.0}, "festival", "Festival budaya digelar"),
    ],
)
def test_features_change_the_order(
    weights: dict[str, float], question: str, expected_start: str
) -> None:
    snapshot = _snapshot([FESTIVAL], Reranker(weights, abstain=False))
    assert _top(snapshot, question).startswith(expected_start)


@pytest.mark.parametrize(
    ("second", "weights", "expected_start"),
    [
        ("Gedung ini dirancang oleh arsitek Belanda.", {"coverage": 1.0}, "Museum Geologi"),
        (
            "Gedung ini dirancang oleh arsitek Belanda.",
            {"coverage": 1.0, "anaphora_coverage": 1.5},
            "Gedung ini",
        ),
        # no back-reference: the previous sentence's words are not credited
        (
            "Stasiun kereta dirancang oleh arsitek Belanda.",
            {"coverage": 1.0, "anaphora_coverage": 1.5},
            "Museum Geologi",
        ),
    ],
)
def test_back_references_credit_the_previous_sentence(
    second: str, weights: dict[str, float], expected_start: str
) -> None:
    text = f"Museum Geologi berdiri di Kota Bandung sejak 1928. {second}"
    snapshot = _snapshot([text], Reranker(weights, abstain=False))
    assert _top(snapshot, "Siapa arsitek Museum Geologi?").startswith(expected_start)


def test_paragraph_leads_count_like_the_first_sentence() -> None:
    # The second paragraph's opening sentence is a lead; the first paragraph's second
    # sentence is not. The document's first sentence prior alone leaves the two tied (and the
    # earlier one first).
    text = (
        "Pasar malam dibuka di lapangan kota. Festival budaya menampilkan tari.\n\n"
        "Festival budaya digelar di alun-alun."
    )
    lead = Reranker({"paragraph_first": 1.0}, abstain=False)
    first = Reranker({"first_sentence": 1.0}, abstain=False)
    assert _top(_snapshot([text], lead), "festival budaya").startswith("Festival budaya digelar")
    assert _top(_snapshot([text], first), "festival budaya").startswith(
        "Festival budaya menampilkan"
    )
    # the document's first sentence is a lead too
    assert _top(_snapshot([text], lead), "pasar festival").startswith("Pasar malam")


def test_candidates_know_whether_they_open_a_paragraph() -> None:
    text = "Satu dua tiga.\n\nEmpat lima enam. Tujuh delapan sembilan."
    seen: dict[str, bool] = {}

    class Spy(Reranker):
        def rank(self, analysis, candidates, bm25):  # type: ignore[no-untyped-def]
            seen.update({c.text: c.paragraph_start for c in candidates})
            return super().rank(analysis, candidates, bm25)

    snapshot = _snapshot([text], Spy({"bm25_doc": 1.0}, abstain=False))
    snapshot.ask("satu empat tujuh")
    assert seen == {
        "Satu dua tiga.": True,
        "Empat lima enam.": True,
        "Tujuh delapan sembilan.": False,
    }


def test_definition_cue_only_for_definition_questions() -> None:
    text = (
        "Inflasi tahun ini tercatat tinggi menurut pemerintah. "
        "Inflasi adalah kenaikan harga barang secara umum dan terus-menerus."
    )
    reranker = Reranker({"bm25_doc": 1.0, "definition": 3.0}, abstain=False)
    snapshot = _snapshot([text], reranker)
    assert _top(snapshot, "Apa itu inflasi?").startswith("Inflasi adalah")
    assert _top(snapshot, "Kapan inflasi tinggi tahun ini?").startswith("Inflasi tahun ini")


def test_only_weighted_features_are_computed() -> None:
    recorded: list[set[str]] = []

    class Spy(Reranker):
        def rank(self, analysis, candidates, bm25):  # type: ignore[no-untyped-def]
            ranking = super().rank(analysis, candidates, bm25)
            recorded.extend(set(c.features) for c in ranking.candidates)
            return ranking

    spy = Spy({"bm25_doc": 1.0, "first_sentence": 0.5})
    _snapshot([FESTIVAL], spy).ask("Kapan festival budaya digelar?")
    assert recorded and all(f == {"bm25_doc", "first_sentence"} for f in recorded)
    every: list[set[str]] = []

    class All(Reranker):
        def rank(self, analysis, candidates, bm25):  # type: ignore[no-untyped-def]
            ranking = super().rank(analysis, candidates, bm25)
            every.extend(set(c.features) for c in ranking.candidates)
            return ranking

    _snapshot([FESTIVAL], All({})).ask("Kapan festival budaya digelar?")
    # everything that applies to a "kapan" question ("definition" is for "apa itu" questions)
    assert every and all(f == set(FEATURES) - {"definition"} for f in every)


def test_statistics_are_taken_inside_each_document() -> None:
    # "pasar" is in every sentence of document 1 but only in one of document 2: coverage of the
    # question inside document 2 is judged by document 2 alone.
    doc1 = "Pasar ramai sekali. Pasar buka pagi. Pasar tutup sore. Pasar dekat stasiun."
    doc2 = "Harga cabai di pasar naik tajam. Pedagang mengeluhkan sepinya pembeli."
    snapshot = _snapshot([doc1, doc2], Reranker({"coverage": 1.0}, abstain=False))
    answer = snapshot.ask("Mengapa harga cabai di pasar naik?", document_id=2)
    assert answer.hits[0].sentence.startswith("Harga cabai")
    assert {h.document_id for h in answer.hits} == {2}


@pytest.mark.parametrize(
    ("weights", "expected_document"),
    [
        # inside its own document the lone "Cianjur" covers everything that document has
        ({"coverage": 1.0}, 1),
        ({"coverage": 1.0, "document_evidence": 2.0}, 2),
    ],
)
def test_document_evidence_picks_the_document_about_the_question(
    weights: dict[str, float], expected_document: int
) -> None:
    festival = "Warga Cianjur menggelar festival budaya. Festival berlangsung meriah."
    gempa = "Gempa di Cianjur menewaskan 300 korban. Bantuan terus berdatangan ke lokasi gempa."
    snapshot = _snapshot([festival, gempa], Reranker(weights, abstain=False))
    answer = snapshot.ask("Berapa korban gempa Cianjur?")
    assert answer.hits[0].document_id == expected_document
    # asked inside one document, the document-level feature changes nothing
    only = snapshot.ask("Berapa korban gempa Cianjur?", document_id=1)
    assert {h.document_id for h in only.hits} == {1}


def test_shipped_model_searches_many_documents() -> None:
    festival = "Warga Cianjur menggelar festival budaya. Festival berlangsung meriah."
    gempa = "Gempa di Cianjur menewaskan 300 korban. Bantuan terus berdatangan ke lokasi gempa."
    snapshot = IndexSnapshot.build(
        [prepare_document(1, "Festival", festival), prepare_document(2, "Gempa", gempa)]
    )
    top = snapshot.ask("Berapa korban gempa Cianjur?").hits[0]
    assert top.document_id == 2 and "300 korban" in top.sentence


ARTICLE = (
    "Pemerintah kota meresmikan jembatan baru di atas Sungai Brantas pada Jumat pagi.\n\n"
    "Jembatan sepanjang 120 meter itu dibangun selama dua tahun dengan biaya Rp 45 miliar. "
    "Wali kota mengatakan jembatan akan mempersingkat waktu tempuh warga ke pusat kota.\n\n"
    "Warga menyambut peresmian dengan pawai dan pertunjukan musik."
)


@pytest.fixture(scope="module")
def article() -> IndexSnapshot:
    return IndexSnapshot.build([prepare_document(1, "Jembatan", ARTICLE)])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Berapa panjang jembatan baru itu?", "120 meter"),
        ("Kapan jembatan diresmikan?", "Jumat pagi"),
        ("berapa biaya pembangunan jembatan?", "Rp 45 miliar"),
        ("Apa kata wali kota tentang jembatan?", "mempersingkat waktu tempuh"),
        ("bagaimana warga menyambut peresmian?", "pawai"),
    ],
)
def test_shipped_model_answers(article: IndexSnapshot, question: str, expected: str) -> None:
    answer = article.ask(question)
    assert not answer.abstained
    assert expected in answer.hits[0].sentence


@pytest.mark.parametrize(
    "question",
    [
        "Siapa pemenang Piala Dunia sepak bola tahun lalu?",
        "Berapa harga emas hari ini di Jakarta?",
        "Bagaimana resep membuat rendang sapi?",
    ],
)
def test_shipped_model_abstains_off_topic(article: IndexSnapshot, question: str) -> None:
    answer = article.ask(question)
    assert answer.abstained and answer.hits == ()
    assert answer.reason in {"no_match", "low_coverage"}


def test_no_abstain_mode_answers_low_evidence_questions() -> None:
    question = "Siapa pemenang Piala Dunia sepak bola tahun lalu?"
    on = IndexSnapshot.build([prepare_document(1, "J", ARTICLE)])
    off = IndexSnapshot.build(
        [prepare_document(1, "J", ARTICLE)], reranker=replace(default_reranker(), abstain=False)
    )
    assert on.ask(question).reason == "low_coverage"
    assert not off.ask(question).abstained
    # small talk abstains either way
    assert off.ask("terima kasih").reason == "smalltalk"


def test_evidence_counts_the_neighbouring_sentences() -> None:
    # The question's words are spread over two adjacent sentences: the passage holds them all.
    text = "Tim SAR menemukan perahu nelayan. Perahu itu terbalik di perairan Selat Sunda."
    snapshot = _snapshot([text], Reranker({"bm25_doc": 1.0}, min_coverage=0.9))
    assert not snapshot.ask("Di mana tim SAR menemukan perahu yang terbalik?").abstained
    far = text.replace(". Perahu", ". Cuaca cerah. Angin tenang. Ombak rendah. Perahu")
    snapshot = _snapshot([far], Reranker({"bm25_doc": 1.0}, min_coverage=0.9))
    assert snapshot.ask("Di mana tim SAR menemukan perahu yang terbalik?").abstained


def test_shipped_weights_load() -> None:
    reranker = default_reranker()
    assert reranker.weights and set(reranker.weights) <= set(FEATURES)
    assert 0.0 < reranker.min_coverage < 1.0
    assert reranker.abstain


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"weights": [1, 2]},
        {"weights": {"bm25": 1.0}, "min_coverage": "high"},
        {"weights": {"bm25": 1.0}, "pool": 2.5},
        {"weights": {"bm25": 1.0}, "evidence_sentences": "3"},
    ],
)
def test_bad_weight_files_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="re-ranker weights"):
        load_reranker(data)


def test_unknown_features_are_ignored() -> None:
    reranker = load_reranker({"weights": {"bm25": 1.0, "retired_feature": 3.0}})
    assert dict(reranker.weights) == {"bm25": 1.0}


def test_weights_load_with_both_thresholds() -> None:
    reranker = load_reranker(
        {"weights": {"bm25": 1.0}, "min_coverage": 0.1, "min_coverage_long": 0.3, "min_rare": 2}
    )
    assert (reranker.min_coverage, reranker.min_coverage_long, reranker.min_rare) == (
        0.1,
        0.3,
        2.0,
    )
    # an older file without them: one threshold for every document, no rare-word rule
    older = load_reranker({"weights": {"bm25": 1.0}, "min_coverage": 0.17})
    assert (older.min_coverage_long, older.min_rare) == (0.17, 0.0)


@pytest.mark.parametrize(
    "data",
    [
        {"weights": {"bm25": 1.0}, "min_rare": "often"},
        {"weights": {"bm25": 1.0}, "min_coverage_long": None},
    ],
)
def test_bad_thresholds_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="re-ranker weights"):
        load_reranker(data)


def test_every_feature_is_registered_and_computes() -> None:
    # every feature of the registry runs on every question type and gives a number in a sane
    # range (features scaled by the best candidate stay within [0, 1])
    snapshot = IndexSnapshot.build(
        [prepare_document(1, "Jembatan", ARTICLE)], reranker=Reranker({}, abstain=False)
    )
    questions = [
        "Berapa panjang jembatan baru itu?",
        "Kapan jembatan diresmikan?",
        "Siapa yang meresmikan jembatan?",
        "Di mana jembatan dibangun?",
        "Apa itu jembatan?",
        "Bagaimana warga menyambut peresmian?",
    ]
    seen: set[str] = set()

    class Spy(Reranker):
        def rank(self, analysis, candidates, bm25):  # type: ignore[no-untyped-def]
            ranking = super().rank(analysis, candidates, bm25)
            for c in ranking.candidates:
                seen.update(c.features)
                assert all(math.isfinite(v) and v >= 0 for v in c.features.values())
                assert c.features.get("bm25", 0) <= 1 and c.features.get("bm25_doc", 0) <= 1
            return ranking

    spy = IndexSnapshot.build(
        [prepare_document(1, "Jembatan", ARTICLE)], reranker=Spy({}, abstain=False)
    )
    for question in questions:
        assert not snapshot.ask(question).abstained
        spy.ask(question)
    assert seen == set(FEATURES)


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        ("Kapan jembatan diresmikan?", {"type_cue", "type_cue_new", "new_number"}),
        ("Apa itu jembatan?", {"definition"}),
        ("Bagaimana warga menyambut peresmian?", set()),
    ],
)
def test_type_features_only_for_their_question_types(question: str, typed: set[str]) -> None:
    computed: set[str] = set()

    class Spy(Reranker):
        def rank(self, analysis, candidates, bm25):  # type: ignore[no-untyped-def]
            ranking = super().rank(analysis, candidates, bm25)
            computed.update(*(c.features for c in ranking.candidates))
            return ranking

    snapshot = _snapshot([ARTICLE], Spy({}, abstain=False))
    snapshot.ask(question)
    type_features = {"type_cue", "type_cue_new", "new_number", "definition"}
    assert computed & type_features == typed


def _long_article(sentences: int) -> str:
    filler = [f"Warga desa {i} menanam padi di sawah." for i in range(sentences - 1)]
    return " ".join(["Jembatan baru di Sungai Brantas diresmikan pada Jumat.", *filler])


@pytest.mark.parametrize(
    ("sentences", "lead"),
    [(4, "lead_short"), (30, "lead_long")],
)
def test_lead_features_split_by_document_size(sentences: int, lead: str) -> None:
    recorded: dict[str, float] = {}

    class Spy(Reranker):
        def rank(self, analysis, candidates, bm25):  # type: ignore[no-untyped-def]
            ranking = super().rank(analysis, candidates, bm25)
            first = next(c for c in ranking.candidates if c.position == 0)
            recorded.update(first.features)
            return ranking

    snapshot = _snapshot([_long_article(sentences)], Spy({}, abstain=False))
    snapshot.ask("Kapan jembatan Brantas diresmikan?")
    assert recorded[lead] == 1.0
    other = "lead_long" if lead == "lead_short" else "lead_short"
    assert recorded[other] == 0.0


@pytest.mark.parametrize(
    ("sentences", "abstains"),
    [(4, False), (30, True)],
)
def test_long_documents_need_more_evidence(sentences: int, abstains: bool) -> None:
    # Half of the question's weight is found: enough in a paragraph (min_coverage), not in a
    # whole article (min_coverage_long).
    reranker = Reranker({"bm25_doc": 1.0}, min_coverage=0.2, min_coverage_long=0.8)
    snapshot = _snapshot([_long_article(sentences)], reranker)
    assert snapshot.ask("Kapan jembatan Mahakam diresmikan?").abstained is abstains


def test_only_everyday_words_matched_abstains() -> None:
    # "baru" and "tahun" are found in the article, but they are everyday words of the news
    reranker = replace(default_reranker(), min_coverage=0.0, min_coverage_long=0.0)
    snapshot = _snapshot([ARTICLE], reranker)
    assert snapshot.ask("Ada kabar baru apa tahun ini?").reason == "low_coverage"
    assert not snapshot.ask("Berapa panjang jembatan Brantas?").abstained


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (("banjir", "landa", "semarang"), 1.0),  # adjacent
        (("banjir", "besar", "landa", "kota", "semarang"), 3 / 5),
        (("banjir", "x", "x", "x", "x", "x", "x", "semarang"), 2 / 8),
        (("banjir",), 0.0),  # fewer than two matched terms
        (("semarang", "banjir", "x", "landa", "semarang"), 3 / 4),  # the shortest window
    ],
)
def test_proximity(tokens: tuple[str, ...], expected: float) -> None:
    # the feature reads only the question's informative terms and the candidate's tokens
    question = SimpleNamespace(
        analysis=analyse_question("Banjir melanda Semarang?", default_tokenizer())
    )
    candidate = Candidate(0, 1.0, tokens, " ".join(tokens), 0, 1)
    assert rerank._proximity(candidate, question) == pytest.approx(expected)  # type: ignore[arg-type]


def test_abstention_is_decided_from_the_ranking_alone() -> None:
    # ``should_abstain`` reads the question and what ``rank`` returned, nothing left on the
    # candidates: the same candidate is judged by whichever ranking it comes in.
    reranker = Reranker({"bm25_doc": 1.0}, min_coverage=0.5, min_coverage_long=0.7)
    analysis = analyse_question("Kapan jembatan Brantas diresmikan?", default_tokenizer())
    short = Candidate(0, 1.0, ("jembatan",), "Jembatan.", 0, 1)
    found = {"background_share": 0.6, "rare_found": 5.0}
    missed = {"background_share": 0.4, "rare_found": 5.0}
    assert not reranker.should_abstain(analysis, Ranking([short], found))
    assert reranker.should_abstain(analysis, Ranking([short], missed))
    assert not reranker.should_abstain(analysis, Ranking([short], found))
    long = Candidate(0, 1.0, ("jembatan",), "Jembatan.", 0, SHORT_DOCUMENT + 1)
    assert reranker.should_abstain(analysis, Ranking([long], found))  # below min_coverage_long
    assert reranker.should_abstain(analysis, Ranking([], {}))  # nothing to answer from
    assert not replace(reranker, abstain=False).should_abstain(analysis, Ranking([short], missed))


def test_rank_returns_the_evidence_of_its_best_passages() -> None:
    snapshot = _snapshot([ARTICLE], default_reranker())
    rankings: list[Ranking] = []

    class Spy(Reranker):
        def rank(self, analysis, candidates, bm25):  # type: ignore[no-untyped-def]
            ranking = super().rank(analysis, candidates, bm25)
            rankings.append(ranking)
            return ranking

    shipped = default_reranker()
    spy = _snapshot([ARTICLE], Spy(**{f.name: getattr(shipped, f.name) for f in fields(Reranker)}))
    for question in ("Berapa panjang jembatan Brantas?", "Ada kabar baru apa tahun ini?"):
        rankings.clear()
        answer = spy.ask(question)
        assert len(rankings) == 1 and set(rankings[0].evidence) >= {"background_share"}
        assert answer.abstained is snapshot.ask(question).abstained

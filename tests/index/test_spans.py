"""index/spans.py: candidate spans by shape, the gate on question types, scoring against gold
answers, and the engine carrying the short answer on its hits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import engine as engine_module
from index import spans as spans_module
from index.engine import IndexSnapshot, prepare_document
from index.question import analyse_question
from index.spans import (
    ShortAnswer,
    SpanModel,
    candidate_spans,
    default_span_model,
    exact_match,
    is_factoid,
    normalise_answer,
    span_features,
    token_f1,
)
from index.tokens import default_tokenizer

SENTENCE = (
    "Presiden Rusia Vladimir Putin menjadi perantara pada Sabtu (10/10/2020) selama 10 jam, "
    "dan Rp 2.375.000 dibayar ratusan orang di Jakarta pukul 12.00 WIB pada 27 September "
    'dalam film "Laskar Pelangi" yang ditonton dua kali.'
)


def spans(sentence: str, *, phrases: bool = False) -> dict[str, set[str]]:
    return {sentence[c.start : c.end]: c.kinds for c in candidate_spans(sentence, phrases=phrases)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Vladimir Putin", "name"),
        ("Putin", "name"),
        ("Sabtu (10/10/2020)", "date"),
        ("10/10/2020", "date"),
        ("27 September", "date"),
        ("pukul 12.00 WIB", "date"),
        ("10 jam", "number_unit"),
        ("Rp 2.375.000", "number"),
        ("ratusan orang", "number_unit"),
        ("dua kali", "number_unit"),
        ("Jakarta", "name"),
        ("Laskar Pelangi", "quoted"),
    ],
)
def test_candidates_by_shape(text: str, kind: str) -> None:
    assert kind in spans(SENTENCE).get(text, set())


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Raja Abdullah bin Abdul Aziz tiba kemarin.", "Abdullah bin Abdul Aziz"),
        ("Lukisan karya Vincent van Gogh dipamerkan.", "Vincent van Gogh"),
        ("Novel itu dikarang oleh penulis Inggris J. K. Rowling.", "J. K. Rowling"),
        ("Kantor pusatnya di Menlo Park, California, Amerika Serikat.", "Menlo Park, California"),
        ("Luasnya sekitar 81 kilometer persegi.", "81 kilometer persegi"),
        ("Sidang dibuka Rabu (19/10) di Baghdad.", "19/10"),
        ("Kota itu berdiri pada abad ke-19 M.", "abad ke-19 M"),
    ],
)
def test_names_with_particles_chains_units_and_bare_dates(sentence: str, expected: str) -> None:
    assert expected in spans(sentence)


def test_phrases_only_when_asked_and_never_ending_on_a_function_word() -> None:
    sentence = "Pasirnya berwarna putih halus yang indah."
    assert "putih halus" not in spans(sentence)
    found = spans(sentence, phrases=True)
    assert "putih halus" in found
    assert not any(text.endswith(" yang") for text in found)


@pytest.mark.parametrize(
    ("question", "factoid"),
    [
        ("Siapa yang jadi perantara?", True),
        ("Kapan gencatan senjata disepakati?", True),
        ("Berapa korban tewas?", True),
        ("Di kota mana perundingan digelar?", True),
        ("Kelompok apakah yang bertanggung jawab?", True),
        ("Apakah Rusia ikut menekan?", False),
        ("Mengapa perang pecah lagi?", False),
        ("Bagaimana reaksi Turki?", False),
        ("Apa itu gencatan senjata?", False),
    ],
)
def test_only_factoid_questions_get_short_answers(question: str, factoid: bool) -> None:
    assert is_factoid(analyse_question(question, default_tokenizer())) is factoid


def test_squad_style_scoring_after_nfkc_and_casefold() -> None:
    assert normalise_answer("  Ｖladimir   PUTIN, ") == "vladimir putin"
    assert exact_match("vladimir putin.", ["Vladimir Putin"])
    assert not exact_match("Putin", ["Vladimir Putin"])
    assert token_f1("Putin", ["Vladimir Putin"]) == pytest.approx(2 / 3)
    assert token_f1("Lavrov", ["Vladimir Putin", "Putin"]) == 0.0
    assert token_f1("Putin", ["x", "Putin"]) == 1.0


def features_of(question: str, sentence: str) -> dict[str, dict[str, float]]:
    tok = default_tokenizer()
    analysis = analyse_question(question, tok)
    candidates, features = span_features(analysis, sentence, (), tok.word_terms)
    return {sentence[c.start : c.end]: f for c, f in zip(candidates, features, strict=True)}


def test_features_see_type_fit_and_words_already_in_the_question() -> None:
    found = features_of("Kapan Putin menjadi perantara?", SENTENCE)
    assert found["27 September"]["k=date|q=when"] == 1.0
    assert found["Putin"]["inq_all"] == 1.0
    assert "inq_all" not in found["Vladimir"]


def test_model_picks_the_best_span_and_gates_on_its_threshold() -> None:
    tok = default_tokenizer()
    analysis = analyse_question("Kapan Putin menjadi perantara?", tok)
    weights = {"k=date|q=when": 4.0, "inq_all": -4.0, "first=sabtu|q=when": 2.0}
    sure = SpanModel(weights, 0.3).short_answer(analysis, SENTENCE, (), tok.word_terms)
    assert sure is not None and sure.text == "Sabtu (10/10/2020)"
    assert SENTENCE[sure.start : sure.end] == sure.text and 0.3 <= sure.confidence <= 1.0
    unsure = SpanModel(weights, 1.01).short_answer(analysis, SENTENCE, (), tok.word_terms)
    assert unsure is None
    why = analyse_question("Mengapa Putin menjadi perantara?", tok)
    assert SpanModel(weights, 0.0).short_answer(why, SENTENCE, (), tok.word_terms) is None


@pytest.mark.parametrize(
    ("sentence", "lone"),
    [
        ("Padahal Budi Santoso datang kemarin.", "Padahal"),
        ("Namun Budi Santoso datang kemarin.", "Namun"),
        ("Dia datang bersama Budi Santoso kemarin.", "Dia"),
    ],
)
def test_a_lone_function_word_is_never_shown(sentence: str, lone: str) -> None:
    """Capitalised at the start of a sentence, a conjunction or pronoun is a name candidate;
    however sure the model is of it, it is not an answer to show."""
    tok = default_tokenizer()
    analysis = analyse_question("Siapa yang datang kemarin?", tok)
    weights = {f"first={lone.lower()}|q=who": 10.0}
    model = SpanModel(weights, 0.0)
    best = model.best(analysis, sentence, (), tok.word_terms)
    assert best is not None and best.text == lone  # the model's choice ...
    assert model.short_answer(analysis, sentence, (), tok.word_terms) is None  # ... not shown
    name = SpanModel({"first=budi|q=who": 10.0}, 0.0)
    shown = name.short_answer(analysis, sentence, (), tok.word_terms)
    assert shown is not None and shown.text.startswith("Budi")


@pytest.mark.parametrize(
    ("text", "lone"),
    [
        ("Padahal", True),
        ("mereka", True),
        (" Ia ", True),
        ("Satu", False),
        ("ratusan", False),
        ("Si Doel", False),
        ("Yang Liwei", False),
        ("Jakarta", False),
    ],
)
def test_lone_function_words(text: str, lone: bool) -> None:
    assert spans_module._is_lone_function_word(text) is lone


def test_shipped_model_loads_with_a_threshold_that_can_be_cleared() -> None:
    model = default_span_model()
    assert 0.0 < model.threshold < 1.0 and model.weights


def test_malformed_weights_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="threshold"):
        SpanModel.from_json({"weights": {}})


ARTICLE = (
    "Armenia dan Azerbaijan sepakat melakukan gencatan senjata mulai Sabtu (10/10/2020). "
    "Presiden Rusia Vladimir Putin menjadi perantara perundingan yang berlangsung 10 jam di "
    "Moskwa.\n\nKedua negara saling menuduh melanggar kesepakatan itu."
)


@pytest.fixture
def snapshot(monkeypatch: pytest.MonkeyPatch) -> IndexSnapshot:
    """The article, and a hand-set model that is sure of a name for "who" questions."""
    weights = {"k=name|q=who": 3.0, "inq_all": -6.0, "len=2|q=who": 2.0, "prev=rusia": 5.0}
    model = SpanModel(weights, 0.2)
    monkeypatch.setattr(engine_module, "default_span_model", lambda: model)
    tok = default_tokenizer()
    return IndexSnapshot([prepare_document(1, "Gencatan senjata", ARTICLE, tok)], tok)


def test_engine_puts_the_short_answer_on_the_hit(snapshot: IndexSnapshot) -> None:
    answer = snapshot.ask("Siapa yang menjadi perantara perundingan?", top_k=2)
    top = answer.hits[0]
    assert "perantara" in top.sentence
    assert isinstance(top.short_answer, ShortAnswer)
    assert top.short_answer.text == "Vladimir Putin"
    assert top.sentence[top.short_answer.start : top.short_answer.end] == "Vladimir Putin"


def test_engine_gives_no_short_answer_to_why_questions(snapshot: IndexSnapshot) -> None:
    answer = snapshot.ask("Mengapa Putin menjadi perantara perundingan?", top_k=2)
    assert answer.hits and all(h.short_answer is None for h in answer.hits)


def test_short_answers_never_change_the_ranking(
    snapshot: IndexSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "Siapa yang menjadi perantara perundingan?"
    with_short = snapshot.ask(question, top_k=3)
    monkeypatch.setattr(engine_module, "is_factoid", lambda analysis: False)
    without = snapshot.ask(question, top_k=3)
    assert [(h.sentence, h.score) for h in with_short.hits] == [
        (h.sentence, h.score) for h in without.hits
    ]


@pytest.mark.parametrize(
    "question",
    [
        "Siapa yang menjadi perantara?",
        "Kapan Putin menjadi perantara?",
        "Berapa jam perundingan berlangsung?",
        "Di mana film itu ditonton?",
        "Film apa yang ditonton ratusan orang?",
        "Pukul berapa film itu ditonton?",  # a head noun: "pukul" first in and before spans
        "Berapa orang menonton film itu?",  # … and last in them ("ratusan orang")
    ],
)
def test_fast_scoring_agrees_with_the_feature_dicts(question: str) -> None:
    """The engine scores without building feature dicts; training uses the dicts."""
    tok = default_tokenizer()
    analysis = analyse_question(question, tok)
    matched = ((38, 47), (58, 63))
    candidates, features = span_features(analysis, SENTENCE, matched, tok.word_terms)
    names = sorted({name for f in features for name in f})
    # every feature that occurs gets a distinct weight, so no part can be dropped unnoticed
    model = SpanModel({name: (i % 7 - 3) / (i + 1) for i, name in enumerate(names)}, 0.5)
    slow = [model.score(f) for f in features]
    prepared = spans_module._prepare(analysis, SENTENCE, matched, tok.word_terms)
    fast = spans_module._scores(prepared[1], prepared[0], prepared[2], model.weights)
    assert fast == pytest.approx(slow, abs=1e-9)
    assert len(candidates) == len(prepared[0])


def test_a_date_at_the_end_of_a_sentence_leaves_the_full_stop_out() -> None:
    found = spans("Pertempuran dimulai pada 27 September.")
    assert "date" in found["27 September"]
    assert "27 September." not in found


@settings(max_examples=200, deadline=None)
@given(
    sentence=st.text(
        alphabet=st.sampled_from(list("aB1 .,()/\"“”-'Rp%éİ\u0130\u00df😀\n")), max_size=120
    ),
    qtype=st.sampled_from(["Siapa", "Kapan", "Berapa", "Di mana", "Apa nama"]),
)
def test_any_sentence_gives_a_valid_span_or_none(sentence: str, qtype: str) -> None:
    tok = default_tokenizer()
    analysis = analyse_question(f"{qtype} yang dimaksud?", tok)
    best = default_span_model().best(analysis, sentence, ((0, 3),), tok.word_terms)
    if best is not None:
        assert sentence[best.start : best.end] == best.text and best.text.strip()
        assert 0.0 < best.confidence <= 1.0

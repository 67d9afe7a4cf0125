"""index/spans.py, second stage: the probability that the best span is right, read off the first
stage's scores, and the format of its weights in span_weights.json."""

from __future__ import annotations

import math

import pytest

from index.question import analyse_question
from index.spans import (
    SpanModel,
    confidence_features,
    default_span_model,
    question_heads,
    span_facts,
)
from index.tokens import default_tokenizer

SENTENCE = "Luas danau itu sekitar 81 kilometer persegi, kata Budi Santoso di Jakarta pada 2019."
FIRST_STAGE = {"k=number_unit|q=number": 3.0, "k=number|q=number": 2.0, "inq_all": -4.0}


@pytest.mark.parametrize(
    ("question", "heads"),
    [
        ("Berapa kilometer luas danau itu?", {"kilometer"}),
        ("Tahun berapa danau itu ditemukan?", {"tahun", "danau"}),
        ("Di kota mana Budi tinggal?", {"kota", "budi"}),
        ("Siapa pelatih tim itu?", {"pelatih"}),
        ("Siapa yang berbicara?", set()),
        ("", set()),
    ],
)
def test_question_heads_are_the_content_words_beside_the_question_word(
    question: str, heads: set[str]
) -> None:
    assert question_heads(question) == heads


def test_features_see_certainty_nesting_and_the_head_noun() -> None:
    # candidate 0 is the best; candidate 1 lies inside it, candidate 2 right before it (a rival)
    top, f = confidence_features(
        "number",
        [2.0, 1.0, 0.0],
        [(10, 30), (10, 12), (5, 10)],
        n_words=3,
        in_question=False,
        head_adjacent=True,
    )
    total = 1 + math.exp(-1) + math.exp(-2)
    assert top == 0
    assert f["logit"] == pytest.approx(math.log((1 / total) / (1 - 1 / total)))
    assert f["overlap_mass"] == pytest.approx(math.exp(-1) / total)
    assert f["cover"] == pytest.approx((1 + math.exp(-1)) / total)
    assert f["gap"] == pytest.approx(1.0)
    assert f["rival_gap"] == pytest.approx(2.0)
    assert f["second_overlaps"] == 1.0
    assert f["head_adj"] == f["head_adj|q=number"] == f["has_head"] == 1.0
    assert f["len=3"] == 1.0 and "inq" not in f


def test_features_of_a_lone_candidate_and_of_a_question_without_head() -> None:
    top, f = confidence_features(
        "who", [0.5], [(0, 4)], n_words=9, in_question=True, head_adjacent=None
    )
    assert top == 0 and f["logit"] == 8.0 and f["gap"] == f["rival_gap"] == 10.0
    assert f["entropy"] == 0.0 and f["overlap_mass"] == 0.0
    assert f["len=4"] == 1.0 and f["inq"] == 1.0
    assert "has_head" not in f and "second_overlaps" not in f


def test_the_second_stage_gates_the_first_stages_best_span() -> None:
    tok = default_tokenizer()
    analysis = analyse_question("Berapa kilometer luas danau itu?", tok)
    first = SpanModel(FIRST_STAGE, 0.0).best(analysis, SENTENCE, (), tok.word_terms)
    assert first is not None and first.text == "81 kilometer"
    sure = SpanModel(FIRST_STAGE, 0.9, {"bias": 1.0, "head_adj": 3.0})
    shown = sure.short_answer(analysis, SENTENCE, (), tok.word_terms)
    assert shown is not None and shown.text == first.text
    assert shown.confidence == pytest.approx(1 / (1 + math.exp(-4.0)))
    # the same span, but the second stage doubts it: nothing shown
    doubtful = SpanModel(FIRST_STAGE, 0.9, {"bias": 1.0, "head_adj": -3.0})
    assert doubtful.short_answer(analysis, SENTENCE, (), tok.word_terms) is None
    best = doubtful.best(analysis, SENTENCE, (), tok.word_terms)
    assert best is not None and best.text == first.text
    assert best.confidence == pytest.approx(1 / (1 + math.exp(2.0)))


def test_training_reads_the_same_second_stage_features_as_the_engine() -> None:
    """Training builds the second stage from ``span_facts``; the engine from its own view."""
    tok = default_tokenizer()
    analysis = analyse_question("Berapa kilometer luas danau itu?", tok)
    weights = {"bias": 0.3, "logit": 0.5, "head_adj": 1.0, "overlap_mass": -2.0, "len=2": 0.7}
    model = SpanModel(FIRST_STAGE, 0.5, weights)
    candidates, features, facts = span_facts(analysis, SENTENCE, ((0, 4),), tok.word_terms)
    scores = [model.score(f) for f in features]
    top = max(range(len(scores)), key=scores.__getitem__)
    n_words, in_question, adjacent = facts[top]
    assert adjacent is True and n_words == 2
    _, f = confidence_features(
        "number",
        scores,
        [(c.start, c.end) for c in candidates],
        n_words=n_words,
        in_question=in_question,
        head_adjacent=adjacent,
    )
    z = sum(weights.get(k, 0.0) * v for k, v in f.items())
    best = model.best(analysis, SENTENCE, ((0, 4),), tok.word_terms)
    assert best is not None and best.start == candidates[top].start
    assert best.confidence == pytest.approx(1 / (1 + math.exp(-z)))


def test_the_shipped_model_has_a_second_stage() -> None:
    model = default_span_model()
    assert model.confidence is not None and "bias" in model.confidence
    assert 0.0 < model.threshold < 1.0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"weights": {}, "threshold": 2.0}, "not a probability"),
        ({"weights": {"bias": "x"}, "threshold": 0.5}, "weight 'bias' is not a number"),
        ({"weights": {"bias": True}, "threshold": 0.5}, "is not a number"),
        ({"weights": {}, "threshold": 0.5, "confidence": []}, "'confidence' needs"),
        ({"weights": {}, "threshold": 0.5, "confidence": {"weights": {}}}, "with 'bias'"),
        (
            {"weights": {}, "threshold": 0.5, "confidence": {"weights": {"bias": None}}},
            "confidence weight 'bias' is not a number",
        ),
    ],
)
def test_malformed_second_stage_weights_are_refused_in_one_line(
    raw: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        SpanModel.from_json(raw)
    assert "\n" not in str(caught.value)


def test_weights_without_a_second_stage_still_load() -> None:
    model = SpanModel.from_json({"weights": {"bias": 1}, "threshold": 0.5})
    assert model.confidence is None and model.weights == {"bias": 1.0}
    with_stage = SpanModel.from_json(
        {"weights": {}, "threshold": 0.5, "confidence": {"weights": {"bias": -1}}}
    )
    assert with_stage.confidence == {"bias": -1.0}

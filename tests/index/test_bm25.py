"""PostingsBM25 against the reference, stock ``rank_bm25.BM25Okapi``.

The reference ranking is rank-bm25's ``get_scores`` followed by a full sort (score descending,
sentence index ascending), restricted to the searched range and to sentences that share at least
one term with the query (the only ones ``top_k`` returns by contract). Scores are compared for
exact equality: the postings index performs the same float operations in the same order.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import index.bm25 as bm25_module
from index.bm25 import EPSILON, PostingsBM25, PostingsBuilder, reference_bm25
from index.text import segment
from index.tokens import default_tokenizer

Corpus = list[tuple[str, ...]]


def reference_top(
    corpus: Sequence[Sequence[str]],
    query: Sequence[str],
    k: int,
    start: int = 0,
    stop: int | None = None,
) -> list[tuple[int, float]]:
    scores = reference_bm25(corpus).get_scores(list(query))
    wanted = set(query)
    stop = len(corpus) if stop is None else stop
    ids = [i for i in range(start, stop) if wanted.intersection(corpus[i])]
    ids.sort(key=lambda i: (-scores[i], i))
    return [(i, float(scores[i])) for i in ids[:k]]


def assert_same_as_reference(
    corpus: Corpus, query: Sequence[str], k: int, start: int = 0, stop: int | None = None
) -> None:
    ours = PostingsBM25.build(corpus)
    np.testing.assert_array_equal(ours.scores(query), reference_bm25(corpus).get_scores(query))
    assert ours.top_k(query, k, start, stop) == reference_top(corpus, query, k, start, stop)


# --- random corpora ---------------------------------------------------------------------------

_WORDS = [f"w{i}" for i in range(12)]  # a small vocabulary: frequent terms, ties, floored IDF
sentences = st.lists(st.sampled_from(_WORDS), min_size=0, max_size=10).map(tuple)
corpora = st.lists(sentences, min_size=1, max_size=30).filter(any)
queries = st.lists(st.sampled_from([*_WORDS, "unknown"]), min_size=0, max_size=6)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(corpus=corpora, query=queries, k=st.integers(1, 12), data=st.data())
def test_random_corpora_match_rank_bm25(
    corpus: Corpus, query: list[str], k: int, data: st.DataObject, scoring_path: str
) -> None:
    start = data.draw(st.integers(0, len(corpus) - 1))
    stop = data.draw(st.integers(start, len(corpus)))
    assert_same_as_reference(corpus, query, k)
    assert_same_as_reference(corpus, query, k, start, stop)


# (prune from, prune budget, sparse factor): force each scoring path in turn.
PATHS = {
    "dense": (10**9, 0.0, 0),
    "sparse": (10**9, 0.0, 10**9),
    "maxscore": (0, math.inf, 0),
    "maxscore-gives-up": (0, 0.0, 0),
}


@pytest.fixture(params=sorted(PATHS))
def scoring_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    prune_from, budget, sparse = PATHS[request.param]
    monkeypatch.setattr(bm25_module, "_PRUNE_FROM", prune_from)
    monkeypatch.setattr(bm25_module, "_PRUNE_BUDGET", budget)
    monkeypatch.setattr(bm25_module, "_SPARSE_FACTOR", sparse)
    return str(request.param)


@pytest.mark.parametrize("seed", range(5))
def test_seeded_corpora_on_every_scoring_path(seed: int, scoring_path: str) -> None:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(200)]
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf-like, as real text
    corpus = [tuple(rng.choices(vocab, weights, k=rng.randint(0, 25))) for _ in range(500)]
    for _ in range(20):
        query = rng.choices([*vocab, "absent"], k=rng.randint(1, 7))
        start = rng.randint(0, 400)
        stop = rng.randint(start, 500)
        k = rng.choice([1, 3, 10, 20])
        assert_same_as_reference(corpus, query, k)
        assert_same_as_reference(corpus, query, k, start, stop)


def test_ties_survive_pruning(scoring_path: str) -> None:
    # Many exact ties around the k-th place, plus a common term that pruning skips.
    corpus = [("a", "b", "c")] * 30 + [("a", "c")] * 30 + [("c", "d")] * 200 + [("b",)] * 5
    for query in (["a", "b", "c"], ["b", "c", "c"], ["a", "d"], ["c"]):
        for k in (1, 10, 30, 35, 100):
            assert_same_as_reference(corpus, query, k)


def test_upper_bounds_cover_every_posting_weight() -> None:
    rng = random.Random(3)
    vocab = [f"t{i}" for i in range(40)]
    corpus = [tuple(rng.choices(vocab, k=rng.randint(1, 30))) for _ in range(400)]
    ours = PostingsBM25.build(corpus)
    for term, tid in ours.vocabulary.items():
        lo, hi = int(ours.indptr[tid]), int(ours.indptr[tid + 1])
        _, weights = ours._weights(tid, lo, hi)
        assert ours.upper[tid] == weights.max(), term


def test_chunked_build_equals_single_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    vocab = [f"t{i}" for i in range(50)]
    corpus = [tuple(rng.choices(vocab, k=rng.randint(0, 12))) for _ in range(300)]
    whole = PostingsBM25.build(corpus)
    monkeypatch.setattr(bm25_module, "_CHUNK_SENTENCES", 7)
    one_by_one = PostingsBM25.build(corpus)
    in_batches = PostingsBuilder()
    for lo, hi in [(0, 3), (3, 40), (40, 41), (41, 300)]:  # batches straddle chunk boundaries
        in_batches.add_many(corpus[lo:hi])
    for chunked in (one_by_one, in_batches.finish()):
        assert chunked.vocabulary == whole.vocabulary
        for name in ("indptr", "sentence_ids", "term_freqs", "norms", "idf", "upper"):
            np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name))
    chunked = one_by_one
    query = ["t1", "t7", "t30"]
    assert chunked.top_k(query, 10) == reference_top(corpus, query, 10)


# --- real corpora -----------------------------------------------------------------------------


def _tokenised(texts: Sequence[str]) -> Corpus:
    tok = default_tokenizer()
    return [tuple(tok.tokens(t)) for t in texts]


def test_shipped_article(article_text: str) -> None:
    corpus = _tokenised([s.text for s in segment(article_text)])
    tok = default_tokenizer()
    for question in [
        "Siapa presiden Rusia yang menjadi perantara?",
        "Kapan gencatan senjata mulai berlaku?",
        "Berapa orang yang tewas dalam konflik Nagorno-Karabakh?",
        "armenia azerbaijan armenia",  # duplicate terms count twice, as in rank-bm25
    ]:
        assert_same_as_reference(corpus, tok.tokens(question), 10)


@pytest.mark.slow
def test_indosum_sample_with_tydi_questions(shared_dir: Path) -> None:
    data = shared_dir / "data"
    news, questions = data / "indosum_news.jsonl", data / "tydiqa_id_train.jsonl"
    if not news.is_file() or not questions.is_file():
        pytest.skip("IndoSum or TyDi file missing")
    texts: list[str] = []
    with news.open(encoding="utf-8") as handle:
        for _, line in zip(range(150), handle, strict=False):
            texts.extend(s.text for s in segment(json.loads(line)["text"]))
    corpus = _tokenised(texts)
    ours = PostingsBM25.build(corpus)
    reference = reference_bm25(corpus)
    tok = default_tokenizer()
    with questions.open(encoding="utf-8") as handle:
        asked = [json.loads(line)["question"] for _, line in zip(range(40), handle, strict=False)]
    compared = 0
    for question in asked:
        query = tok.tokens(question)
        scores = reference.get_scores(query)
        np.testing.assert_array_equal(ours.scores(query), scores)
        wanted = set(query)
        ids = sorted(
            (i for i, s in enumerate(corpus) if wanted.intersection(s)),
            key=lambda i: (-scores[i], i),
        )
        assert ours.top_k(query, 10) == [(i, float(scores[i])) for i in ids[:10]]
        compared += bool(ids)
    assert compared >= 30  # most questions share terms with the news sample


# --- edge cases -------------------------------------------------------------------------------


def test_one_sentence_corpus_has_negative_idf_everywhere() -> None:
    corpus = [("gencat", "senjata", "langgar")]
    ours = PostingsBM25.build(corpus)
    assert (ours.idf < 0).all()  # log(0.5) - log(1.5), floored at a negative epsilon * average
    assert_same_as_reference(corpus, ["senjata"], 10)
    assert ours.top_k(["senjata"], 10)[0][1] < 0


def _assert_floor_matches(corpus: Corpus, query: Sequence[str]) -> list[str]:
    """Terms in more than half of the sentences get ``epsilon * average_idf``, as in rank-bm25;
    returns those terms."""
    ours = PostingsBM25.build(corpus)
    reference = reference_bm25(corpus)
    df = np.diff(ours.indptr)
    common = [t for t, tid in ours.vocabulary.items() if df[tid] * 2 > len(corpus)]
    for term in common:
        assert ours.idf[ours.vocabulary[term]] == EPSILON * reference.average_idf
    assert {t: ours.idf[i] for t, i in ours.vocabulary.items()} == reference.idf
    assert_same_as_reference(corpus, [*common, *query], 10)
    return common


def test_one_article_floors_terms_in_more_than_half_the_sentences(article_text: str) -> None:
    opening = _tokenised([s.text for s in segment(article_text)][:12])
    assert set(_assert_floor_matches(opening, ["armenia", "rusia"])) == {"gencat", "senjata", "dan"}
    whole = _tokenised([s.text for s in segment(article_text)])
    _assert_floor_matches(whole, ["armenia", "dan"])  # "dan" in exactly half: IDF 0, no floor


def test_single_indosum_articles(shared_dir: Path) -> None:
    news = shared_dir / "data" / "indosum_news.jsonl"
    if not news.is_file():
        pytest.skip("IndoSum file missing")
    floored = 0
    with news.open(encoding="utf-8") as handle:
        for _, line in zip(range(20), handle, strict=False):
            corpus = _tokenised([s.text for s in segment(json.loads(line)["text"])])
            floored += bool(_assert_floor_matches(corpus, ["presiden", "jakarta"]))
    assert floored >= 10  # most single articles have words in more than half their sentences


@pytest.mark.parametrize(
    "query",
    [
        ["a", "a", "a"],  # duplicates: each occurrence adds its contribution
        ["a", "zzz", "b", "a"],  # unknown terms contribute nothing
        ["zzz", "yyy"],  # only unknown terms: no hit
        [],  # empty query: no hit
    ],
)
def test_query_edge_cases(query: list[str]) -> None:
    corpus = [("a", "b"), ("b", "c", "c"), ("a",), (), ("d", "a", "a")]
    assert_same_as_reference(corpus, query, 10)
    if not set(query) & {"a", "b", "c", "d"}:
        assert PostingsBM25.build(corpus).top_k(query, 10) == []


def test_empty_corpus_returns_no_hits() -> None:
    with pytest.raises(ZeroDivisionError):
        reference_bm25([])
    ours = PostingsBM25.build([])
    assert ours.size == 0 and ours.top_k(["a"], 10) == [] and ours.scores(["a"]).size == 0


def test_corpus_of_empty_sentences_returns_no_hits() -> None:
    ours = PostingsBM25.build([(), ()])
    assert ours.top_k(["a"], 10) == []
    assert ours.scores(["a"]).tolist() == [0.0, 0.0]


def test_ties_at_the_cut_are_broken_by_sentence_order() -> None:
    # 40 identical sentences tie exactly; the first k by index must come back, whichever
    # members a partial sort happens to leave at the boundary.
    corpus = [("x", "y")] * 40 + [("z",)] * 40
    ours = PostingsBM25.build(corpus)
    for k in (1, 5, 17, 39):
        assert [sid for sid, _ in ours.top_k(["x"], k)] == list(range(k))
        assert [sid for sid, _ in ours.top_k(["x"], k, 10, 80)] == list(range(10, min(10 + k, 40)))
    assert_same_as_reference(corpus, ["x", "z"], 50)


@pytest.mark.parametrize(("start", "stop"), [(0, 3), (2, 5), (4, 5), (3, 3), (5, 9), (-2, 2)])
def test_range_restriction(start: int, stop: int) -> None:
    corpus = [("a", "b"), ("a",), ("b", "a", "a"), ("c",), ("a", "c")]
    ours = PostingsBM25.build(corpus)
    expected = reference_top(corpus, ["a", "c"], 10, max(start, 0), min(stop, len(corpus)))
    assert ours.top_k(["a", "c"], 10, start, stop) == expected
    assert all(max(start, 0) <= sid < stop for sid, _ in expected)


@pytest.mark.parametrize(
    ("repeat", "dtype"), [(3, np.uint8), (300, np.uint16), (70_000, np.uint32)]
)
def test_term_frequency_storage_widens_when_needed(repeat: int, dtype: type) -> None:
    corpus = [("a",) * repeat + ("b",), ("a", "c"), ("c",)]
    ours = PostingsBM25.build(corpus)
    assert ours.term_freqs.dtype == dtype
    assert_same_as_reference(corpus, ["a", "c"], 10)


def test_builder_counts_sentences_and_is_reusable_as_a_stream() -> None:
    builder = PostingsBuilder()
    for sentence in (("a",), (), ("a", "b")):
        builder.add(sentence)
    assert builder.size == 3
    index = builder.finish()
    assert index.size == 3 and index.posting_count == 3 and index.nbytes > 0
    assert [sid for sid, _ in index.top_k(["a"], 5)] == [0, 2]


def test_non_positive_k_returns_nothing() -> None:
    ours = PostingsBM25.build([("a",), ("a", "b")])
    assert ours.top_k(["a"], 0) == [] and ours.top_k(["a"], -3) == []


def test_pruning_skips_the_postings_of_weak_common_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm25_module, "_PRUNE_FROM", 0)
    monkeypatch.setattr(bm25_module, "_PRUNE_BUDGET", math.inf)
    rng = random.Random(11)
    filler = [f"f{i}" for i in range(300)]
    # "common" is in 90% of the sentences; "rare" in 30 of them.
    corpus = [
        tuple(rng.choices(filler, k=8))
        + (("common",) if rng.random() < 0.9 else ())
        + (("rare",) if i % 100 == 0 else ())
        for i in range(3000)
    ]
    ours = PostingsBM25.build(corpus)
    read: list[int] = []
    original = PostingsBM25._weights

    def spy(self: PostingsBM25, tid: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        read.append(tid)
        return original(self, tid, lo, hi)

    monkeypatch.setattr(PostingsBM25, "_weights", spy)
    query = ["common", "rare", "common"]
    assert ours.top_k(query, 10) == reference_top(corpus, query, 10)
    assert read == [ours.vocabulary["rare"]]  # "common" was only looked up for candidates

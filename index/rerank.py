"""Re-ranking of BM25 candidates, and the abstention decision.

BM25Okapi (``index.bm25``) picks a candidate pool; the re-ranker scores each candidate with a
linear model over features and sorts by it. Every feature is one function registered in
``FEATURES`` (adding a feature touches that function only); the weights are learned offline by
``benchmarks/train_reranker.py`` and shipped as ``lexicon/rerank_weights.json`` — only the
weights, never the data. docs/quality.md has the ablation that decided which features stay.

Ranking features use statistics of the candidate's *own document* (how many of its sentences
contain a term) and of the *background* (how common a term is in Indonesian news at large,
``index.background``), so they mean the same thing whether a single article is indexed or
thousands.

Abstention is decided from evidence — how much of the question's informative vocabulary,
weighted by how rare each word is in the background, the best passages contain — not from a raw
score threshold, which would mean different things on different corpora.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import NamedTuple

import numpy as np

from index.background import Background, default_background
from index.bm25 import K1, B, PostingsBM25
from index.question import QuestionAnalysis, analyse_question
from index.tokens import fold

__all__ = [
    "FEATURES",
    "Candidate",
    "Ranking",
    "Reranker",
    "abstention_signals",
    "analyse_question",
    "default_reranker",
    "load_reranker",
]


@dataclass(slots=True)
class Candidate:
    """A BM25 candidate sentence and what the re-ranker computed for it.

    ``position`` is the sentence's index in its document and ``document_length`` the number of
    sentences there, so ``sentence_id - position`` is the document's first sentence id.
    ``paragraph_start``: the sentence opens a paragraph (the document's first sentence always
    does).
    """

    sentence_id: int
    bm25: float
    tokens: tuple[str, ...]
    text: str
    position: int
    document_length: int
    paragraph_start: bool = False
    final_score: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    lowered: str | None = None
    token_set: frozenset[str] | None = None
    # Set by ``index.semantic.SemanticScorer`` when the candidates have embeddings.
    cosine: float | None = None
    semantic_z: float = 0.0
    semantic_gap: float = 0.0
    semantic_previous_z: float = 0.0


_MONTHS = (
    "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|"
    "jan|feb|mar|apr|jun|jul|agu|agt|sep|okt|nov|des"
)
_DAYS = "senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu"
# The case-insensitive cues are matched against the lower-cased sentence (``_lowered``) without
# re.IGNORECASE: the same matches, three times faster.
_TIME_CUE = re.compile(
    rf"\b(\d{{1,2}}/\d{{1,2}}(/\d{{2,4}})?|\d{{4}}|abad|tahun \d|({_MONTHS})\b|({_DAYS})\b|"
    r"pukul|jam \d|\d{1,2}[.:]\d{2}|kemarin|besok|lusa|pagi|siang|sore|malam)"
)
_NUMBER_CUE = re.compile(
    r"\d|\b(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|belas|puluh|ratus|"
    r"ribu|juta|miliar|triliun|persen|separuh|setengah)\b"
)
_NAME_CUE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?: [A-Z][a-z]+)*")
_PLACE_CUE = re.compile(
    r"\b(di|ke|dari|dekat) (kota |kabupaten |provinsi |desa |pulau |negara |wilayah |daerah |"
    r"[a-z]+ )?[A-Z]\w*"
)
# "X adalah/merupakan/ialah ..." — the shape of a definition, which is what definition questions
# ("Apa itu X?", "Apa yang dimaksud dengan X?") want.
_DEFINITION_CUE = re.compile(r"\b(adalah|merupakan|ialah|yaitu|yakni)\b")  # lower-cased text

_LOWER_CASE_CUES = frozenset({"when", "number"})
_CUES: dict[str, re.Pattern[str]] = {
    "when": _TIME_CUE,
    "number": _NUMBER_CUE,
    "who": _NAME_CUE,
    "where": _PLACE_CUE,
}
_HAS_DIGIT = re.compile(r"\d")
# On lower-cased text. "(?<=\w{3})nya" is "\w{3,}nya" without trying every start of the word.
_ANAPHORA = re.compile(r"\b(ini|itu|tersebut|ia|dia|beliau|mereka|sana|situ)\b|(?<=\w\w\w)nya\b")

_CONNECTORS = frozenset({"di", "ke", "dari", "dekat", "pukul", "jam", "tahun"})
_WORDS = re.compile(r"\w+")


class _DocStats(NamedTuple):
    """Statistics of the question terms inside one document.

    ``sentences``: for each informative term, the ids of the document's sentences containing it.
    ``idf``: non-negative BM25 IDF inside the document, ``log(1 + (n - df + .5) / (df + .5))``.
    ``weight``: coverage weight of each informative term present in the document,
    ``log(1 + n / df)`` (rarer inside the document weighs more); ``total`` is their sum.
    ``mean_length``: mean token count of the document's candidates.
    """

    sentences: dict[str, frozenset[int]]
    idf: dict[str, float]
    weight: dict[str, float]
    total: float
    mean_length: float


# A NamedTuple, not a frozen dataclass: one is built per candidate document and question, and a
# frozen dataclass's __init__ costs ~2 µs.


class _Question:
    """What every feature of one question's candidates may read (computed once per question)."""

    __slots__ = (
        "analysis",
        "background_idf",
        "background_total",
        "cue",
        "cue_on_lowered",
        "global_idf",
        "global_total",
        "has_names",
        "known_words",
        "question_terms",
        "stats",
        "top_bm25",
        "unit_weights",
    )

    def __init__(
        self,
        analysis: QuestionAnalysis,
        candidates: Sequence[Candidate],
        stats: dict[int, _DocStats],
        global_idf: dict[str, float],
        background_idf: dict[str, float],
    ) -> None:
        self.analysis = analysis
        self.stats = stats
        self.global_idf = global_idf
        self.global_total = sum(global_idf.values()) or 1.0
        self.background_idf = background_idf
        self.background_total = sum(background_idf.values()) or 1.0
        self.top_bm25 = max(c.bm25 for c in candidates) or 1.0
        self.cue = _CUES.get(analysis.qtype)
        self.cue_on_lowered = analysis.qtype in _LOWER_CASE_CUES
        self.question_terms = set(analysis.terms)
        self.known_words = set(_WORDS.findall(analysis.text)) | _CONNECTORS
        self.unit_weights: dict[int, list[float]] = {}  # per document, filled on first use
        self.has_names = any(len(unit) > 1 for unit in analysis.units)


FeatureFunction = Callable[[Candidate, _Question], float]

SHORT_DOCUMENT = 10
"""Sentences in a document that is one paragraph or a short passage, not a whole article."""


@dataclass(frozen=True, slots=True)
class _Feature:
    compute: FeatureFunction
    scale_by_max: bool
    questions: frozenset[str] | None  # question types it applies to (None: all)


_REGISTRY: dict[str, _Feature] = {}


def _feature(
    name: str, *, scale_by_max: bool = False, questions: str | None = None
) -> Callable[[FeatureFunction], FeatureFunction]:
    """Register a feature. ``scale_by_max``: divide by the best candidate's value.
    ``questions``: space-separated question types the feature applies to (0 for the others)."""

    def register(compute: FeatureFunction) -> FeatureFunction:
        kinds = frozenset(questions.split()) if questions else None
        _REGISTRY[name] = _Feature(compute, scale_by_max, kinds)
        return compute

    return register


def _doc(c: Candidate, q: _Question) -> _DocStats:
    return q.stats[c.sentence_id - c.position]


@_feature("bm25", scale_by_max=True)
def _bm25(c: Candidate, q: _Question) -> float:
    """BM25Okapi over the searched sentences: the naive baseline."""
    return c.bm25


@_feature("bm25_doc", scale_by_max=True)
def _bm25_doc(c: Candidate, q: _Question) -> float:
    """BM25 with the IDF taken inside the candidate's document."""
    return _doc_bm25(q.analysis.terms, c.tokens, _doc(c, q))


@_feature("bm25_background", scale_by_max=True)
def _bm25_background(c: Candidate, q: _Question) -> float:
    """BM25 of the informative terms with their IDF in the background: a word that is common in
    the news ("tahun", "kata") matters less than a rare one, however rare both are in a short
    article."""
    return _doc_bm25(q.analysis.informative, c.tokens, _doc(c, q), q.background_idf)


@_feature("coverage")
def _coverage(c: Candidate, q: _Question) -> float:
    """Share of the informative terms in the sentence, weighted by rarity inside the document."""
    doc = _doc(c, q)
    present = _present(c)
    return sum(v for t, v in doc.weight.items() if t in present) / (doc.total or 1.0)


@_feature("coverage_units")
def _coverage_units(c: Candidate, q: _Question) -> float:
    """As ``coverage``, but a capitalised name of several words counts once (with the weight of
    its rarest word), so "Aung San Suu Kyi" does not outweigh the rest of the question."""
    if not q.has_names:
        # Every unit is one term: the same value as ``coverage`` (computed before this one).
        known = c.features.get("coverage")
        return known if known is not None else _coverage(c, q)
    start = c.sentence_id - c.position
    weights = q.unit_weights.get(start)
    if weights is None:
        doc = q.stats[start]
        weights = q.unit_weights[start] = [
            max((doc.weight.get(t, 0.0) for t in unit), default=0.0) for unit in q.analysis.units
        ]
    present = _present(c)
    found = sum(
        w for unit, w in zip(q.analysis.units, weights, strict=True) if not present.isdisjoint(unit)
    )
    return found / (sum(weights) or 1.0)


@_feature("coverage_background")
def _coverage_background(c: Candidate, q: _Question) -> float:
    """Share of the question's background-IDF mass in the sentence."""
    present = _present(c)
    return sum(v for t, v in q.background_idf.items() if t in present) / q.background_total


@_feature("proximity")
def _proximity(c: Candidate, q: _Question) -> float:
    """How tightly the matched informative terms sit together: distinct matched terms divided by
    the length of the shortest token window holding all of them (0 with fewer than two)."""
    wanted = set(q.analysis.informative)
    hits = [(i, t) for i, t in enumerate(c.tokens) if t in wanted]
    distinct = len({t for _, t in hits})
    if distinct < 2:
        return 0.0
    best = len(c.tokens)
    counts: dict[str, int] = {}
    left = 0
    for position, term in hits:
        counts[term] = counts.get(term, 0) + 1
        while len(counts) == distinct:
            best = min(best, position - hits[left][0] + 1)
            first = hits[left][1]
            counts[first] -= 1
            if not counts[first]:
                del counts[first]
            left += 1
    return distinct / best


@_feature("neighbour_coverage")
def _neighbour_coverage(c: Candidate, q: _Question) -> float:
    """Terms missing from the sentence but found right before or after it."""
    doc = _doc(c, q)
    present = _present(c)
    near = (c.sentence_id - 1, c.sentence_id + 1)
    found = sum(
        v
        for t, v in doc.weight.items()
        if t not in present and any(n in doc.sentences[t] for n in near)
    )
    return found / (doc.total or 1.0)


@_feature("anaphora_coverage")
def _anaphora_coverage(c: Candidate, q: _Question) -> float:
    """A sentence that refers back ("Monumen ini ...", "Letaknya ...", "Ia ...") also speaks of
    what the previous sentence names: its informative terms missing here."""
    doc = _doc(c, q)
    present = _present(c)
    back = sum(
        v
        for t, v in doc.weight.items()
        if t not in present and (c.sentence_id - 1) in doc.sentences[t]
    )
    if not back or _ANAPHORA.search(_lowered(c)) is None:
        return 0.0
    return back / (doc.total or 1.0)


@_feature("passage_evidence")
def _passage_evidence(c: Candidate, q: _Question) -> float:
    """Share of the question's index-wide IDF mass in the sentence and its neighbours."""
    return _passage_share(c, q.stats, q.global_idf)


@_feature("document_evidence")
def _document_evidence(c: Candidate, q: _Question) -> float:
    """Which document speaks of the question at all (index-wide IDF mass found anywhere in the
    candidate's document): only differs between candidates when several documents are
    searched at once."""
    doc = _doc(c, q)
    return sum(v for t, v in q.global_idf.items() if t in doc.sentences) / q.global_total


@_feature("type_cue", questions="when number who where")
def _type_cue(c: Candidate, q: _Question) -> float:
    """The sentence has the answer shape the question type asks for."""
    assert q.cue is not None
    return _type_cues(q.cue, _lowered(c) if q.cue_on_lowered else c.text, q.known_words)[0]


@_feature("type_cue_new", questions="when number who where")
def _type_cue_new(c: Candidate, q: _Question) -> float:
    """The answer shape names something the question does not already contain."""
    assert q.cue is not None
    return _type_cues(q.cue, _lowered(c) if q.cue_on_lowered else c.text, q.known_words)[1]


@_feature("definition", questions="define")
def _definition(c: Candidate, q: _Question) -> float:
    """For definition questions: the sentence says "adalah / merupakan / ialah / yaitu"."""
    return 1.0 if _DEFINITION_CUE.search(_lowered(c)) else 0.0


@_feature("new_number", questions="number when")
def _new_number(c: Candidate, q: _Question) -> float:
    """For kapan/berapa questions: the sentence holds a number that is not in the question."""
    if _HAS_DIGIT.search(c.text) is None:
        return 0.0
    return (
        1.0
        if any(
            not t.isalpha() and _HAS_DIGIT.search(t) and t not in q.question_terms
            for t in _present(c)
        )
        else 0.0
    )


@_feature("position")
def _position(c: Candidate, q: _Question) -> float:
    """Relative position in the document."""
    return c.position / (c.document_length - 1) if c.document_length > 1 else 0.0


@_feature("first_sentence")
def _first_sentence(c: Candidate, q: _Question) -> float:
    """The sentence opens its document (a news lead)."""
    return 1.0 if c.position == 0 else 0.0


@_feature("lead_short")
def _lead_short(c: Candidate, q: _Question) -> float:
    """The first sentence of a short document (a paragraph, a news snippet): there the opening
    sentence usually states the topic and its main fact."""
    return 1.0 if c.position == 0 and c.document_length <= SHORT_DOCUMENT else 0.0


@_feature("lead_long")
def _lead_long(c: Candidate, q: _Question) -> float:
    """The first sentence of a whole article: the lead names the article's subject, so it shares
    words with most questions without answering most of them."""
    return 1.0 if c.position == 0 and c.document_length > SHORT_DOCUMENT else 0.0


@_feature("paragraph_first")
def _paragraph_first(c: Candidate, q: _Question) -> float:
    """The sentence opens a paragraph (the document's first sentence included)."""
    return 1.0 if c.position == 0 or c.paragraph_start else 0.0


@_feature("semantic")
def _semantic(c: Candidate, q: _Question) -> float:
    """Closeness in meaning: the cosine of the question's and the sentence's embeddings,
    z-scored over the candidates (0 without embeddings; ``index.semantic``)."""
    return c.semantic_z


@_feature("semantic_gap")
def _semantic_gap(c: Candidate, q: _Question) -> float:
    """How far the cosine falls short of the best candidate's, in units of 0.05 (0 for the
    closest sentence; 0 without embeddings)."""
    return c.semantic_gap


@_feature("semantic_gap_short")
def _semantic_gap_short(c: Candidate, q: _Question) -> float:
    """``semantic_gap`` in a short document (a paragraph, a snippet: at most
    ``SHORT_DOCUMENT`` sentences)."""
    return c.semantic_gap if c.document_length <= SHORT_DOCUMENT else 0.0


@_feature("semantic_gap_long")
def _semantic_gap_long(c: Candidate, q: _Question) -> float:
    """``semantic_gap`` in a whole article: there the closest sentence in meaning competes with
    many that share the article's subject, unlike in a paragraph."""
    return c.semantic_gap if c.document_length > SHORT_DOCUMENT else 0.0


@_feature("semantic_previous")
def _semantic_previous(c: Candidate, q: _Question) -> float:
    """For a sentence that refers back ("Ia ...", "... tersebut", "-nya"): the z-scored cosine
    of the sentence before it (0 otherwise, and without embeddings)."""
    if c.cosine is None or _ANAPHORA.search(_lowered(c)) is None:
        return 0.0
    return c.semantic_previous_z


FEATURES: tuple[str, ...] = tuple(_REGISTRY)
"""Every feature the re-ranker can compute (docs/quality.md describes each and its ablation).
A feature whose weight is 0 is not computed."""


@dataclass(frozen=True, slots=True)
class Ranking:
    """What ``Reranker.rank`` returns, and all that ``Reranker.should_abstain`` decides from
    besides the question: the candidates best first, and the abstention evidence of the best
    passages (``abstention_signals``; empty when there are no candidates)."""

    candidates: list[Candidate]
    evidence: dict[str, float]


@dataclass(frozen=True, slots=True)
class Reranker:
    """Linear re-ranker over features of each BM25 candidate, plus the abstention rule.

    ``weights`` maps feature name (see ``FEATURES``) → weight; a feature with weight 0 is not
    computed (an empty mapping computes all of them: what training uses).

    Abstention (``abstention_signals``): each informative unit of the question (a word, or a
    name counted once) weighs its IDF in the background; the evidence is the largest share of
    that mass found in the passage (sentence and its neighbours) of one of the top
    ``evidence_sentences`` candidates. The engine abstains when the share is below
    ``min_coverage`` (``min_coverage_long`` when the best candidate's document is longer than
    ``SHORT_DOCUMENT`` sentences: in a whole article a question shares some words with some
    passage by chance far more easily than in a paragraph), or when no unit found there is
    rarer in the background than ``min_rare`` (only everyday words such as "hari", "tahun",
    "baru" matched).
    ``abstain=False`` turns the rule off (used to measure what abstention costs).
    """

    weights: Mapping[str, float]
    min_coverage: float = 0.2
    pool: int = 20
    evidence_sentences: int = 3
    abstain: bool = True
    background: Background = field(default_factory=default_background)
    min_rare: float = 0.0
    min_coverage_long: float | None = None

    def candidate_pool(self, top_k: int) -> int:
        return max(top_k, self.pool)

    def rank(
        self, analysis: QuestionAnalysis, candidates: Sequence[Candidate], bm25: PostingsBM25
    ) -> Ranking:
        """Candidates best first (ties: lower sentence id first, i.e. earlier in the text),
        with the abstention evidence of the best passages (``abstention_signals``)."""
        if not candidates:
            return Ranking([], {})
        stats = _document_stats(candidates, analysis, bm25)
        question = _Question(
            analysis,
            candidates,
            stats,
            _idf_lookup(analysis.informative, bm25),
            self.background.idfs(analysis.informative),
        )
        w = self.weights
        wanted = [
            (name, f)
            for name, f in _REGISTRY.items()
            if (w.get(name) or not w) and (f.questions is None or analysis.qtype in f.questions)
        ]
        scores = [0.0] * len(candidates)
        for name, f in wanted:
            compute = f.compute
            values = [compute(c, question) for c in candidates]
            if f.scale_by_max:
                top = max(values) or 1.0
                values = [v / top for v in values]
            weight = w.get(name, 0.0)
            for i, (c, v) in enumerate(zip(candidates, values, strict=True)):
                c.features[name] = v
                scores[i] += weight * v
        for c, total in zip(candidates, scores, strict=True):
            c.final_score = total
        ranked = sorted(candidates, key=lambda c: (-c.final_score, c.sentence_id))
        evidence = abstention_signals(
            analysis, ranked[: self.evidence_sentences], stats, self.background
        )
        return Ranking(ranked, evidence)

    def should_abstain(self, analysis: QuestionAnalysis, ranking: Ranking) -> bool:
        """Whether to answer "the article does not say": from the question and what ``rank``
        returned only (the evidence of the best passages and the best candidate's document
        length)."""
        if analysis.smalltalk or not analysis.informative or not ranking.candidates:
            return True
        if not self.abstain:
            return False
        best = ranking.candidates[0]
        threshold = self.min_coverage
        if self.min_coverage_long is not None and best.document_length > SHORT_DOCUMENT:
            threshold = self.min_coverage_long
        evidence = ranking.evidence
        return (
            evidence.get("background_share", 0.0) < threshold
            or evidence.get("rare_found", 0.0) < self.min_rare
        )


_NOWHERE: frozenset[int] = frozenset()


def abstention_signals(
    analysis: QuestionAnalysis,
    best: Sequence[Candidate],
    stats: dict[int, _DocStats],
    background: Background,
) -> dict[str, float]:
    """Evidence that the best passages answer the question at all.

    Each informative unit (a word, or a capitalised name counted once) weighs its background
    IDF (the rarest of its terms). For each of ``best``, its passage is the sentence and its
    neighbours in the document. ``background_share``: the largest share of the question's
    unit mass found in one passage; ``rare_found``: the largest weight of a unit found in that
    passage.
    """
    units = analysis.units or tuple((t,) for t in analysis.informative)
    weights = [max(background.idf(t) for t in unit) for unit in units]
    total = sum(weights) or 1.0
    share = rare = 0.0
    places: dict[int, list[frozenset[int]]] = {}  # per document: the sentences of each unit
    for c in best:
        start = c.sentence_id - c.position
        where = places.get(start)
        if where is None:
            doc = stats[start]
            where = places[start] = [
                doc.sentences.get(unit[0], _NOWHERE)
                if len(unit) == 1
                else _NOWHERE.union(*(doc.sentences.get(t, ()) for t in unit))
                for unit in units
            ]
        sid = c.sentence_id
        found = top = 0.0
        for sentences, weight in zip(where, weights, strict=True):
            if sid in sentences or sid - 1 in sentences or sid + 1 in sentences:
                found += weight
                top = max(top, weight)
        if found / total > share:
            share, rare = found / total, top
    return {"background_share": share, "rare_found": rare}


def _type_cues(cue: re.Pattern[str], text: str, known_words: set[str]) -> tuple[float, float]:
    """``(type_cue, type_cue_new)``: the sentence has the answer shape the question asks for;
    and that shape names something the question did not (a date, a name, a place) — a date the
    question already mentions is not the answer to "kapan". ``known_words``: the question's
    words and the cue connectors ("di", "pukul", ...)."""
    matches = [m.group() for m in cue.finditer(text)]
    if not matches:
        return 0.0, 0.0
    words = _WORDS.findall(fold(" ".join(matches)))
    return 1.0, (0.0 if known_words.issuperset(words) else 1.0)


def _present(c: Candidate) -> frozenset[str]:
    """The candidate's distinct terms, computed once per candidate."""
    if c.token_set is None:
        c.token_set = frozenset(c.tokens)
    return c.token_set


def _lowered(c: Candidate) -> str:
    """The candidate's text lower-cased, computed once per candidate."""
    if c.lowered is None:
        c.lowered = c.text.lower()
    return c.lowered


def _passage_share(
    c: Candidate, stats: dict[int, _DocStats], global_idf: Mapping[str, float]
) -> float:
    """Share of the question's informative IDF mass (index-wide IDF) found in the candidate's
    passage: the sentence and its two neighbours in the document."""
    total = sum(global_idf.values())
    if not total:
        return 0.0
    doc = stats[c.sentence_id - c.position]
    passage = range(c.sentence_id - 1, c.sentence_id + 2)
    found = sum(
        v for t, v in global_idf.items() if any(s in doc.sentences.get(t, ()) for s in passage)
    )
    return found / total


def _document_stats(
    candidates: Sequence[Candidate], analysis: QuestionAnalysis, bm25: PostingsBM25
) -> dict[int, _DocStats]:
    """Statistics of each candidate document, keyed by its first sentence id.

    A term's postings hold its sentence ids in ascending order, so two binary searches cut out
    the sentences of ``[start, stop)`` that contain it — done for all the documents at once,
    one vectorised search per term (a call per term and document cost more than BM25 itself).
    """
    lengths: dict[int, list[int]] = {}
    sizes: dict[int, int] = {}
    for c in candidates:
        start = c.sentence_id - c.position
        lengths.setdefault(start, []).append(len(c.tokens))
        sizes[start] = c.document_length
    doc_starts = list(sizes)
    # Each document's [start, stop) bounds, interleaved: one binary search per term finds both.
    bounds = np.asarray(
        [b for start in doc_starts for b in (start, start + sizes[start])], dtype=np.int64
    )
    found: dict[int, dict[str, frozenset[int]]] = {s: {} for s in doc_starts}
    counts: dict[int, dict[str, int]] = {s: {} for s in doc_starts}
    informative = set(analysis.informative)
    vocabulary, indptr, sentence_ids = bm25.vocabulary, bm25.indptr, bm25.sentence_ids
    for term in set(analysis.terms):
        tid = vocabulary.get(term)
        if tid is None:
            continue
        postings = sentence_ids[indptr[tid] : indptr[tid + 1]]
        cuts = np.searchsorted(postings, bounds).tolist()
        # Which sentences: only for informative terms (coverage, references, evidence); the
        # others ("yang", "di", question words) only need their count, for the IDF.
        keep_ids = term in informative
        for i, start in enumerate(doc_starts):
            lo, hi = cuts[2 * i], cuts[2 * i + 1]
            if hi > lo:
                counts[start][term] = hi - lo
                if keep_ids:
                    found[start][term] = frozenset(postings[lo:hi].tolist())
    out: dict[int, _DocStats] = {}
    for start, size in sizes.items():
        where = found[start]
        df = counts[start]
        idf = {t: math.log(1.0 + (size - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        weight = {
            t: math.log(1.0 + size / len(where[t])) for t in analysis.informative if t in where
        }
        lens = lengths[start]
        out[start] = _DocStats(where, idf, weight, sum(weight.values()), sum(lens) / len(lens))
    return out


def _doc_bm25(
    terms: Sequence[str],
    tokens: Sequence[str],
    doc: _DocStats,
    idf_of: Mapping[str, float] | None = None,
) -> float:
    """BM25 of one sentence with IDF taken inside its document (or from ``idf_of`` for terms
    the document contains); lengths are normalised by the mean length of the document's
    candidates (close to the document's average sentence)."""
    if not tokens:
        return 0.0
    norm = K1 * (1 - B + B * len(tokens) / (doc.mean_length or 1.0))
    score = 0.0
    for term in terms:
        idf = doc.idf.get(term)
        if idf is not None:
            if idf_of is not None:
                idf = idf_of.get(term, 0.0)
            tf = tokens.count(term)
            if tf:
                score += idf * tf * (K1 + 1) / (tf + norm)
    return score


def _idf_lookup(terms: Sequence[str], bm25: PostingsBM25) -> dict[str, float]:
    """IDF of each informative term in the whole index. A term the index never saw gets
    ``log(N + .5) - log(1.5)``, above any seen term's (at least 1): it is the strongest evidence
    that the text is about something else. Floored IDFs of very common terms count as 1e-3."""
    unseen = max(math.log(bm25.size + 0.5) - math.log(1.5), 1.0)
    out: dict[str, float] = {}
    for t in terms:
        tid = bm25.vocabulary.get(t)
        out[t] = max(float(bm25.idf[tid]), 1e-3) if tid is not None else unseen
    return out


WEIGHTS_FILE = "rerank_weights.json"


def load_reranker(data: Mapping[str, object]) -> Reranker:
    """A ``Reranker`` from the shipped JSON layout (``weights``, ``min_coverage``, ...)."""
    raw_weights = data.get("weights")
    if not isinstance(raw_weights, dict):
        raise ValueError("re-ranker weights: 'weights' must be an object")
    weights = {str(k): float(v) for k, v in raw_weights.items() if k in FEATURES}
    min_coverage = data.get("min_coverage", 0.2)
    min_rare = data.get("min_rare", 0.0)
    min_coverage_long = data.get("min_coverage_long", min_coverage)
    pool = data.get("pool", 20)
    evidence = data.get("evidence_sentences", 3)
    if not isinstance(min_coverage, int | float) or not isinstance(pool, int):
        raise ValueError("re-ranker weights: bad 'min_coverage' or 'pool'")
    if not isinstance(min_rare, int | float) or not isinstance(min_coverage_long, int | float):
        raise ValueError("re-ranker weights: bad 'min_rare' or 'min_coverage_long'")
    if not isinstance(evidence, int):
        raise ValueError("re-ranker weights: bad 'evidence_sentences'")
    return Reranker(
        weights,
        float(min_coverage),
        pool,
        evidence,
        min_rare=float(min_rare),
        min_coverage_long=float(min_coverage_long),
    )


@cache
def default_reranker() -> Reranker:
    """The shipped, trained re-ranker (``lexicon/rerank_weights.json``)."""
    raw = resources.files("index.lexicon").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
    return load_reranker(json.loads(raw))

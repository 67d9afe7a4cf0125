"""Question analysis, re-ranking of BM25 candidates, and the abstention decision.

BM25Okapi (``index.bm25``) picks a candidate pool; the re-ranker scores each candidate with a
linear model over a few features and sorts by it. The weights are learned offline on the tuning
part of TyDi QA Indonesian (``benchmarks/train_reranker.py``) and shipped as
``lexicon/rerank_weights.json`` — only the weights, never the data. docs/quality.md has the
ablation that decided which features stay.

Ranking features use statistics of the candidate's *own document* (how many of its sentences
contain a term), so they mean the same thing whether a single article is indexed or thousands:
in a one-article index they equal the global statistics, and the evaluation (many contexts in one
index, each question asked against its own context) measures exactly what a user sees.

Abstention is decided from evidence — how much of the question's informative vocabulary
(IDF-weighted) the best candidates contain — not from a raw score threshold, which would mean
different things on different corpora.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import NamedTuple

import numpy as np

from index.bm25 import K1, B, PostingsBM25
from index.tokens import Tokenizer, fold

__all__ = [
    "FEATURES",
    "Candidate",
    "QuestionAnalysis",
    "Reranker",
    "analyse_question",
    "default_reranker",
    "function_words",
    "load_reranker",
    "smalltalk_words",
]


def _lexicon(name: str) -> frozenset[str]:
    raw = resources.files("index.lexicon").joinpath(name).read_text(encoding="utf-8")
    return frozenset(ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#"))


@cache
def function_words() -> frozenset[str]:
    return _lexicon("function_words.txt")


@cache
def smalltalk_words() -> frozenset[str]:
    return _lexicon("smalltalk.txt")


# Order matters: the first matching type wins ("tahun berapa" is a date, not a number; "apa" is
# the weakest cue and is checked last).
_QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "when",
        re.compile(
            r"\b(kapan|kapankah|bilamana|tanggal berapa|tahun berapa|jam berapa|pukul berapa|"
            r"abad ke ?berapa|bulan apa|hari apa|tahun apa|tanggal)\b"
        ),
    ),
    ("number", re.compile(r"\b(berapa|berapakah)\b")),
    ("who", re.compile(r"\b(siapa|siapakah)\b")),
    (
        "where",
        re.compile(r"\b(di ?mana|di ?manakah|ke ?mana|ke ?manakah|dari ?mana|dari ?manakah)\b"),
    ),
    ("why", re.compile(r"\b(mengapa|kenapa)\b")),
    ("how", re.compile(r"\b(bagaimana|bagaimanakah)\b")),
    # "Apa itu X?", "Apakah yang dimaksud dengan X?", "Apa arti X?": asks for a definition.
    (
        "define",
        re.compile(
            r"\b(apa|apakah|apaan) (itu|yang dimaksud|yg dimaksud|arti|artinya|pengertian|"
            r"definisi|maksud)\b|\b(arti|pengertian|definisi) (dari )?\w+ (apa|adalah)\b"
        ),
    ),
    ("what", re.compile(r"\b(apa|apakah|apaan)\b")),
)


@dataclass(frozen=True, slots=True)
class QuestionAnalysis:
    """A question after the shared pipeline.

    ``terms``: every index term, in order (what BM25 scores). ``informative``: the distinct terms
    that are not question or function words (what coverage and highlighting use).
    """

    text: str
    terms: tuple[str, ...]
    informative: tuple[str, ...]
    qtype: str
    smalltalk: bool = False


def analyse_question(text: str, tokenizer: Tokenizer) -> QuestionAnalysis:
    """Run the shared token pipeline and mark which terms carry the question's content.

    Function words are recognised on the surface word, before stemming, so that a content word
    whose stem happens to equal a function word (``perantara`` → ``antara``) still counts.
    """
    words = tokenizer.words(text)
    skip = function_words()
    terms: list[str] = []
    informative: dict[str, None] = {}
    for word in words:
        stems = tokenizer.stem(word)
        terms.extend(stems)
        if word not in skip:
            informative.update(dict.fromkeys(stems))
    normalised = " ".join(words)
    qtype = next((name for name, pat in _QUESTION_TYPES if pat.search(normalised)), "other")
    smalltalk = bool(words) and all(w in smalltalk_words() for w in words)
    return QuestionAnalysis(fold(text), tuple(terms), tuple(informative), qtype, smalltalk)


@dataclass(slots=True)
class Candidate:
    """A BM25 candidate sentence and what the re-ranker computed for it.

    ``position`` is the sentence's index in its document and ``document_length`` the number of
    sentences there, so ``sentence_id - position`` is the document's first sentence id.
    ``paragraph_start``: the sentence opens a paragraph (the document's first sentence always
    does).
    ``coverage`` is the abstention evidence, set by ``Reranker.rank`` on the best candidate.
    """

    sentence_id: int
    bm25: float
    tokens: tuple[str, ...]
    text: str
    position: int
    document_length: int
    paragraph_start: bool = False
    final_score: float = 0.0
    coverage: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    lowered: str | None = None


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

FEATURES: tuple[str, ...] = (
    "bm25",
    "bm25_doc",
    "coverage",
    "neighbour_coverage",
    "anaphora_coverage",
    "passage_evidence",
    "document_evidence",
    "type_cue",
    "type_cue_new",
    "definition",
    "new_number",
    "position",
    "first_sentence",
    "paragraph_first",
)
"""Every feature the re-ranker can compute (docs/quality.md describes each and its ablation).
A feature whose weight is 0 is not computed."""

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


@dataclass(frozen=True, slots=True)
class Reranker:
    """Linear re-ranker over features of each BM25 candidate, plus the abstention rule.

    ``weights`` maps feature name (see ``FEATURES``) → weight; a feature with weight 0 is not
    computed (an empty mapping computes all of them: what training uses).

    Abstention: the evidence is the share of the question's informative IDF mass found in the
    passage (sentence and its neighbours) of the best of the top ``evidence_sentences``
    candidates; below ``min_coverage`` the engine abstains. ``abstain=False`` turns that rule
    off (used to measure what abstention costs).
    """

    weights: Mapping[str, float]
    min_coverage: float = 0.2
    pool: int = 20
    evidence_sentences: int = 3
    abstain: bool = True

    def candidate_pool(self, top_k: int) -> int:
        return max(top_k, self.pool)

    def rank(
        self, analysis: QuestionAnalysis, candidates: Sequence[Candidate], bm25: PostingsBM25
    ) -> list[Candidate]:
        """Candidates best first (ties: lower sentence id first, i.e. earlier in the text).

        Also stores the abstention evidence on the first candidate's ``coverage``."""
        if not candidates:
            return []
        stats = _document_stats(candidates, analysis, bm25)
        global_idf = _idf_lookup(analysis.informative, bm25)
        self._features(analysis, candidates, stats, global_idf)
        w = self.weights
        for c in candidates:
            c.final_score = sum(w.get(name, 0.0) * value for name, value in c.features.items())
        ranked = sorted(candidates, key=lambda c: (-c.final_score, c.sentence_id))
        ranked[0].coverage = max(
            (_passage_share(c, stats, global_idf) for c in ranked[: self.evidence_sentences]),
            default=0.0,
        )
        return ranked

    def should_abstain(
        self, analysis: QuestionAnalysis, ranked: Sequence[Candidate], bm25: PostingsBM25
    ) -> bool:
        if analysis.smalltalk or not analysis.informative or not ranked:
            return True
        if not self.abstain:
            return False
        return ranked[0].coverage < self.min_coverage

    def _features(
        self,
        analysis: QuestionAnalysis,
        candidates: Sequence[Candidate],
        stats: dict[int, _DocStats],
        global_idf: Mapping[str, float],
    ) -> None:
        wanted = {f for f in FEATURES if self.weights.get(f)} if self.weights else set(FEATURES)
        terms = analysis.terms
        top_bm25 = max(c.bm25 for c in candidates) or 1.0
        cue = _CUES.get(analysis.qtype) if wanted & {"type_cue", "type_cue_new"} else None
        cue_on_lowered = analysis.qtype in _LOWER_CASE_CUES
        want_definition = "definition" in wanted and analysis.qtype == "define"
        want_number = "new_number" in wanted and analysis.qtype in ("number", "when")
        question_terms = set(terms)
        known_words = set(_WORDS.findall(analysis.text)) | _CONNECTORS
        doc_scores: list[float] = []
        want_coverage = "coverage" in wanted
        want_neighbours = "neighbour_coverage" in wanted
        want_anaphora = "anaphora_coverage" in wanted
        global_total = sum(global_idf.values()) or 1.0
        for c in candidates:
            doc = stats[c.sentence_id - c.position]
            f = c.features
            present = set(c.tokens)
            if "bm25" in wanted:
                f["bm25"] = c.bm25 / top_bm25
            if "bm25_doc" in wanted:
                doc_scores.append(_doc_bm25(terms, c.tokens, doc))
            total = doc.total or 1.0
            if want_coverage:
                f["coverage"] = sum(v for t, v in doc.weight.items() if t in present) / total
            if want_neighbours:
                # Terms missing from the sentence but found right before or after it: news
                # sentences often refer back ("Wilayah itu ...") to what the question names.
                near = (c.sentence_id - 1, c.sentence_id + 1)
                f["neighbour_coverage"] = (
                    sum(
                        v
                        for t, v in doc.weight.items()
                        if t not in present and any(n in doc.sentences[t] for n in near)
                    )
                    / total
                )
            if "passage_evidence" in wanted:
                f["passage_evidence"] = _passage_share(c, stats, global_idf)
            if "document_evidence" in wanted:
                # Which document speaks of the question at all: only differs between candidates
                # when several documents are searched at once.
                f["document_evidence"] = (
                    sum(v for t, v in global_idf.items() if t in doc.sentences) / global_total
                )
            if want_anaphora:
                # A sentence that refers back ("Monumen ini ...", "Letaknya ...", "Ia ...") also
                # speaks of what the previous sentence names.
                back = sum(
                    v
                    for t, v in doc.weight.items()
                    if t not in present and (c.sentence_id - 1) in doc.sentences[t]
                )
                f["anaphora_coverage"] = (
                    back / total if back and _ANAPHORA.search(_lowered(c)) is not None else 0.0
                )
            if cue is not None:
                f["type_cue"], f["type_cue_new"] = _type_cues(
                    cue, _lowered(c) if cue_on_lowered else c.text, known_words
                )
            if want_definition:
                f["definition"] = 1.0 if _DEFINITION_CUE.search(_lowered(c)) else 0.0
            if want_number:
                f["new_number"] = (
                    1.0
                    if _HAS_DIGIT.search(c.text) is not None
                    and any(
                        not t.isalpha() and _HAS_DIGIT.search(t) and t not in question_terms
                        for t in present
                    )
                    else 0.0
                )
            if "position" in wanted:
                f["position"] = (
                    c.position / (c.document_length - 1) if c.document_length > 1 else 0.0
                )
            if "first_sentence" in wanted:
                f["first_sentence"] = 1.0 if c.position == 0 else 0.0
            if "paragraph_first" in wanted:
                # The lead of its paragraph: in an article made of several paragraphs the
                # document's first sentence is only one of the places where a topic opens.
                f["paragraph_first"] = 1.0 if c.position == 0 or c.paragraph_start else 0.0
        if doc_scores:
            top_doc = max(doc_scores) or 1.0
            for c, score in zip(candidates, doc_scores, strict=True):
                c.features["bm25_doc"] = score / top_doc


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


def _doc_bm25(terms: Sequence[str], tokens: Sequence[str], doc: _DocStats) -> float:
    """BM25 of one sentence with IDF taken inside its document; lengths are normalised by the
    mean length of the document's candidates (close to the document's average sentence)."""
    if not tokens:
        return 0.0
    norm = K1 * (1 - B + B * len(tokens) / (doc.mean_length or 1.0))
    score = 0.0
    for term in terms:
        idf = doc.idf.get(term)
        if idf is not None:
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
    pool = data.get("pool", 20)
    evidence = data.get("evidence_sentences", 3)
    if not isinstance(min_coverage, int | float) or not isinstance(pool, int):
        raise ValueError("re-ranker weights: bad 'min_coverage' or 'pool'")
    if not isinstance(evidence, int):
        raise ValueError("re-ranker weights: bad 'evidence_sentences'")
    return Reranker(weights, float(min_coverage), pool, evidence)


@cache
def default_reranker() -> Reranker:
    """The shipped, trained re-ranker (``lexicon/rerank_weights.json``)."""
    raw = resources.files("index.lexicon").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
    return load_reranker(json.loads(raw))

"""Question analysis, re-ranking of BM25 candidates, and the abstention decision.

BM25 picks a candidate pool; the re-ranker adds measured evidence on top of the BM25 score
(see docs/quality.md for the ablation that decided which features stay). Abstention is decided
from evidence — how much of the question's informative vocabulary the best sentences cover —
not from a raw score threshold, which would mean different things on different corpora.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from index.bm25 import PostingsBM25
from index.tokens import Tokenizer, fold

__all__ = [
    "Candidate",
    "QuestionAnalysis",
    "Reranker",
    "analyse_question",
    "default_reranker",
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


_QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "when",
        re.compile(r"\b(kapan|kapankah|tanggal berapa|tahun berapa|jam berapa|pukul berapa)\b"),
    ),
    ("number", re.compile(r"\b(berapa|berapakah)\b")),
    ("who", re.compile(r"\b(siapa|siapakah)\b")),
    ("where", re.compile(r"\b(di ?mana|di ?manakah|ke ?mana|dari ?mana|mana)\b")),
    ("why", re.compile(r"\b(mengapa|kenapa)\b")),
    ("how", re.compile(r"\b(bagaimana|bagaimanakah)\b")),
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
    """A BM25 candidate sentence and what the re-ranker computed for it."""

    sentence_id: int
    bm25: float
    tokens: tuple[str, ...]
    text: str
    position: int
    document_length: int
    final_score: float = 0.0
    coverage: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


_MONTHS = (
    "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|"
    "jan|feb|mar|apr|jun|jul|agu|agt|sep|okt|nov|des"
)
_DAYS = "senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu"
_TIME_CUE = re.compile(
    rf"\b(\d{{1,2}}/\d{{1,2}}(/\d{{2,4}})?|\d{{4}}|abad|tahun \d|({_MONTHS})\b|({_DAYS})\b|"
    r"pukul|jam \d|\d{1,2}[.:]\d{2}|kemarin|besok|lusa|pagi|siang|sore|malam)",
    re.IGNORECASE,
)
_NUMBER_CUE = re.compile(
    r"\d|\b(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|belas|puluh|ratus|"
    r"ribu|juta|miliar|triliun|persen|separuh|setengah)\b",
    re.IGNORECASE,
)
_NAME_CUE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?: [A-Z][a-z]+)*")
_PLACE_CUE = re.compile(
    r"\b(di|ke|dari) (kota |kabupaten |provinsi |desa |pulau |negara |wilayah |daerah )?[A-Z]"
)

_CUES: dict[str, re.Pattern[str]] = {
    "when": _TIME_CUE,
    "number": _NUMBER_CUE,
    "who": _NAME_CUE,
    "where": _PLACE_CUE,
}


@dataclass(frozen=True, slots=True)
class Reranker:
    """Linear re-ranker over a few features of each BM25 candidate.

    ``weights`` maps feature name → weight; a feature with weight 0 is not computed.
    ``min_coverage`` is the share of the question's informative IDF mass the best sentence (with
    its neighbours) must contain for the engine to answer.
    """

    weights: dict[str, float]
    min_coverage: float = 0.5
    pool: int = 20

    def candidate_pool(self, top_k: int) -> int:
        return max(top_k, self.pool)

    def rank(
        self, analysis: QuestionAnalysis, candidates: Sequence[Candidate], bm25: PostingsBM25
    ) -> list[Candidate]:
        if not candidates:
            return []
        idf = _idf_lookup(analysis.informative, bm25)
        total = sum(idf.values()) or 1.0
        top = max(c.bm25 for c in candidates) or 1.0
        cue = _CUES.get(analysis.qtype)
        w = self.weights
        for c in candidates:
            present = set(c.tokens)
            c.coverage = sum(v for t, v in idf.items() if t in present) / total
            f = c.features
            f["bm25"] = c.bm25 / top
            f["coverage"] = c.coverage
            if w.get("type_cue") and cue is not None:
                f["type_cue"] = 1.0 if cue.search(c.text) else 0.0
            if w.get("first_sentence"):
                f["first_sentence"] = 1.0 if c.position == 0 else 0.0
            c.final_score = sum(w.get(name, 0.0) * value for name, value in f.items())
        return sorted(candidates, key=lambda c: (-c.final_score, c.sentence_id))

    def should_abstain(
        self, analysis: QuestionAnalysis, ranked: Sequence[Candidate], bm25: PostingsBM25
    ) -> bool:
        if analysis.smalltalk or not analysis.informative or not ranked:
            return True
        best = max(c.coverage for c in ranked[:3])
        return best < self.min_coverage


def _idf_lookup(terms: Sequence[str], bm25: PostingsBM25) -> dict[str, float]:
    """IDF of each informative term; a term the corpus never saw gets the highest possible IDF
    (it is the strongest evidence that the text is about something else)."""
    seen_max = float(bm25.idf.max()) if bm25.idf.size else 1.0
    unseen = max(seen_max, math.log(bm25.size + 0.5) - math.log(1.5) if bm25.size else 1.0)
    out: dict[str, float] = {}
    for t in terms:
        tid = bm25.vocabulary.get(t)
        out[t] = max(float(bm25.idf[tid]), 1e-3) if tid is not None else unseen
    return out


@cache
def default_reranker() -> Reranker:
    return Reranker(weights={"bm25": 1.0, "coverage": 0.0, "type_cue": 0.1, "first_sentence": 0.0})

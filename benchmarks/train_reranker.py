"""Learn the re-ranker weights and the abstention threshold on tuning data only.

Usage::

    python -m benchmarks.train_reranker [--data DIR] [--features a,b,...] [--write]
    python -m benchmarks.train_reranker --ablation      # the table in docs/quality.md

Model: a listwise (softmax) linear model over the candidates of each question — maximise the
probability of the sentences that contain a gold answer — with L2 regularisation, fitted with
L-BFGS. Training data: the tuning part of ``tydiqa_id_train.jsonl`` (see
``benchmarks.tydi_split``), the same questions with their paragraph hidden among 7 other
paragraphs (article-sized documents), and ``facqa_train.jsonl`` (news). The TyDi held-apart part
(which contains the CI slice) and FacQA valid are only scored. ``--write`` stores the weights and
the threshold in ``index/lexicon/rerank_weights.json`` (weights only, no data).

Abstention threshold: the evidence (IDF-weighted coverage of the question's informative terms by
the best passages) is measured on the tuning questions asked against their own context
(answerable) and against a random other context (off-topic), as paragraphs and as long
documents; the threshold is the largest value that keeps false abstentions on the answerable
tuning questions at or below ``--max-false-abstain`` in both.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from benchmarks.tydi_split import (
    CI_SLICE,
    context_bucket,
    mismatched,
    split_tydi,
    with_distractors,
)
from index.engine import IndexSnapshot
from index.evaluation import EvalRecord, build_eval_index, matches_answer, read_qa_file
from index.rerank import FEATURES, Candidate, QuestionAnalysis, Reranker

DEFAULT_DATA = Path(os.environ.get("TANYABERITA_DATA_DIR", "../shared/data"))
WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "index" / "lexicon" / "rerank_weights.json"
L2 = 1e-3
POOL = 20


class Recorder:
    """Stands in for the engine's re-ranker and keeps the last ranked candidates."""

    def __init__(self, inner: Reranker) -> None:
        self.inner = inner
        self.last: list[Candidate] = []

    def candidate_pool(self, top_k: int) -> int:
        return self.inner.candidate_pool(top_k)

    def rank(self, analysis: QuestionAnalysis, candidates: Sequence[Candidate], bm25: Any) -> Any:
        self.last = self.inner.rank(analysis, candidates, bm25)
        return self.last

    def should_abstain(self, analysis: QuestionAnalysis, ranked: Any, bm25: Any) -> bool:
        return self.inner.should_abstain(analysis, ranked, bm25)


@dataclass
class FeatureSet:
    """Candidate features of many questions, padded to one tensor."""

    values: np.ndarray  # (questions, candidates, features)
    mask: np.ndarray  # (questions, candidates) candidate exists
    gold: np.ndarray  # (questions, candidates) candidate contains a gold answer


def collect(
    records: Sequence[EvalRecord], features: Sequence[str], *, open_domain: bool = False
) -> FeatureSet:
    """Ask every question against its own context (or, ``open_domain``, against all contexts at
    once) and record the features of all candidates."""
    recorder = Recorder(Reranker({}, pool=POOL, abstain=False))
    snapshot, ids = build_eval_index(records, reranker=recorder)  # type: ignore[arg-type]
    rows: list[list[list[float]]] = []
    golds: list[list[bool]] = []
    for record in records:
        recorder.last = []
        document = None if open_domain else ids[record.context]
        snapshot.ask(record.question, top_k=POOL, document_id=document)
        rows.append([[c.features.get(f, 0.0) for f in features] for c in recorder.last])
        golds.append([matches_answer(c.text, record.answers) for c in recorder.last])
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
    n = len(x)

    def loss_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = np.where(mask, x @ w, -1e9)
        s_gold = np.where(gold, s, -1e9)
        log_all = logsumexp(s, axis=1)
        log_gold = logsumexp(s_gold, axis=1)
        loss = float((log_all - log_gold).mean() + 0.5 * l2 * w @ w)
        p_all = np.exp(s - log_all[:, None]) * mask
        p_gold = np.exp(s_gold - log_gold[:, None]) * gold
        grad = np.einsum("qn,qnf->f", p_all - p_gold, x) / n + l2 * w
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
    )


def subset(data: FeatureSet, rows: np.ndarray) -> FeatureSet:
    return FeatureSet(data.values[rows], data.mask[rows], data.gold[rows])


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
    records: Sequence[EvalRecord], reranker: Reranker
) -> tuple[list[float], list[float]]:
    """Evidence of answerable questions (own context) and off-topic ones (other context)."""
    no_abstain = Reranker(reranker.weights, pool=reranker.pool, abstain=False)

    def run(rs: Sequence[EvalRecord]) -> list[float]:
        recorder = Recorder(no_abstain)
        snapshot: IndexSnapshot
        snapshot, ids = build_eval_index(rs, reranker=recorder)  # type: ignore[arg-type]
        out = []
        for r in rs:
            recorder.last = []
            answer = snapshot.ask(r.question, top_k=3, document_id=ids[r.context])
            out.append(recorder.last[0].coverage if recorder.last and not answer.abstained else -1)
        return out

    return run(records), run(mismatched(records))


def pick_threshold(pos: list[float], max_false_abstain: float) -> float:
    """Largest threshold (grid of 0.01) whose false-abstain rate stays within the limit;
    questions the engine cannot answer at all (no term match, -1) abstain at any threshold."""
    values = np.asarray(pos)
    best = 0.0
    for t in np.arange(0.0, 0.61, 0.01):
        if float((values < t).mean()) <= max_false_abstain:
            best = round(float(t), 2)
    return best


FIRST_SENTENCE_MODEL = (
    "bm25_doc",
    "coverage",
    "type_cue_new",
    "definition",
    "new_number",
    "first_sentence",
    "anaphora_coverage",
    "document_evidence",
)
"""The model shipped before ``paragraph_first``: the lead prior only for the document's first
sentence."""

SHIPPED = tuple("paragraph_first" if f == "first_sentence" else f for f in FIRST_SENTENCE_MODEL)
"""The features the shipped model uses (chosen by the ablation in docs/quality.md)."""

ABLATION: tuple[tuple[str, ...], ...] = (
    ("bm25",),
    ("bm25_doc",),
    ("bm25_doc", "coverage"),
    ("bm25_doc", "coverage", "type_cue"),
    ("bm25_doc", "coverage", "type_cue_new"),
    ("bm25_doc", "coverage", "type_cue_new", "definition"),
    ("bm25_doc", "coverage", "type_cue_new", "definition", "new_number"),
    FIRST_SENTENCE_MODEL[:-2],
    FIRST_SENTENCE_MODEL[:-1],
    FIRST_SENTENCE_MODEL,
    (*FIRST_SENTENCE_MODEL, "paragraph_first"),
    SHIPPED,
    (*SHIPPED, "position"),
    (*SHIPPED, "neighbour_coverage"),
    (*SHIPPED, "passage_evidence"),
    (*SHIPPED, "bm25"),
)


def load_parts(data: Path) -> dict[str, list[EvalRecord]]:
    """Training and evaluation parts (see docs/quality.md for what each one is). Names ending
    in ``_open`` are asked against all contexts of the part at once."""
    records = read_qa_file(data / "tydiqa_id_train.jsonl")
    tuning, held = split_tydi(records)
    return {
        "tydi_tuning": tuning,
        "tydi_tuning_long": with_distractors(tuning),
        "tydi_tuning_open": tuning,
        "facqa_train": read_qa_file(data / "facqa_train.jsonl"),
        "tydi_held": held,
        "tydi_held_long": with_distractors(held),
        "tydi_held_open": held,
        "tydi_ci_slice": records[:CI_SLICE],
        "facqa_valid": read_qa_file(data / "facqa_valid.jsonl"),
    }


CV_FOLDS = 4
TUNING_PARTS = ("tydi_tuning", "tydi_tuning_long", "tydi_tuning_open")
TRAIN_PARTS = ("tydi_tuning", "tydi_tuning_long", "tydi_tuning_open", "facqa_train")
REPORT_PARTS = (
    "tydi_tuning",
    "tydi_held",
    "tydi_held_long",
    "tydi_held_open",
    "tydi_ci_slice",
    "facqa_valid",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--features", help="comma-separated features (default: the shipped set)")
    parser.add_argument("--max-false-abstain", type=float, default=0.035)
    parser.add_argument("--write", action="store_true", help="update rerank_weights.json")
    parser.add_argument("--ablation", action="store_true", help="print the ablation table")
    args = parser.parse_args(argv)
    if not (args.data / "tydiqa_id_train.jsonl").is_file():
        print(f"error: no tydiqa_id_train.jsonl in {args.data} (--data)", file=sys.stderr)
        return 2
    names = list(FEATURES)
    records = load_parts(args.data)
    parts = {
        name: collect(rs, names, open_domain=name.endswith("_open")) for name, rs in records.items()
    }

    def columns(data: FeatureSet, feats: Sequence[str]) -> FeatureSet:
        idx = [names.index(f) for f in feats]
        return FeatureSet(data.values[:, :, idx], data.mask, data.gold)

    def evaluate(feats: Sequence[str]) -> tuple[np.ndarray, dict[str, tuple[float, float]]]:
        w = fit(concat([columns(parts[p], feats) for p in TRAIN_PARTS]))
        return w, {k: score(columns(parts[k], feats), w) for k in REPORT_PARTS}

    # Folds of the tuning part by context, salted: the plain hash already split off the
    # held-apart part. The long-document copies follow their paragraph into its fold;
    # feature choices are made on this cross-validation, inside the tuning data.
    folds = np.array([context_bucket("cv " + r.context, CV_FOLDS) for r in records["tydi_tuning"]])

    def cross_validate(feats: Sequence[str]) -> tuple[float, float]:
        """Hit@1 on left-out folds: asked against the own paragraph, and against all."""
        hits = [0.0, 0.0]
        for k in range(CV_FOLDS):
            train = [subset(columns(parts[p], feats), folds != k) for p in TUNING_PARTS]
            w = fit(concat([*train, columns(parts["facqa_train"], feats)]))
            for mode, part in enumerate(("tydi_tuning", "tydi_tuning_open")):
                test = subset(columns(parts[part], feats), folds == k)
                hits[mode] += score(test, w)[0] * int((folds == k).sum())
        return round(hits[0] / len(folds), 4), round(hits[1] / len(folds), 4)

    if args.ablation:
        heads = ["tuning CV Hit@1 (own / all)", *(f"{p} Hit@1 / MRR" for p in REPORT_PARTS)]
        print("| features | " + " | ".join(heads) + " |")
        print("|---" * (len(heads) + 1) + "|")
        for feats in ABLATION:
            _, res = evaluate(feats)
            cells = " | ".join(f"{res[p][0]:.3f} / {res[p][1]:.3f}" for p in REPORT_PARTS)
            cv = cross_validate(feats)
            print(f"| {' + '.join(feats)} | {cv[0]:.3f} / {cv[1]:.3f} | {cells} |", flush=True)
        return 0

    feats = args.features.split(",") if args.features else list(SHIPPED)
    unknown = [f for f in feats if f not in names]
    if unknown:
        print(f"error: unknown features {unknown}; known: {names}", file=sys.stderr)
        return 2
    w, res = evaluate(feats)
    weights = {f: round(float(v), 4) for f, v in zip(feats, w, strict=True)}
    print(json.dumps({"weights": weights, "hit@1/mrr": res}))
    reranker = Reranker(weights, pool=POOL)
    curves = {
        name: evidence_values(records[name], reranker)
        for name in ("tydi_tuning", "tydi_tuning_long")
    }
    threshold = min(pick_threshold(pos, args.max_false_abstain) for pos, _ in curves.values())
    for name, (pos, neg) in curves.items():
        print(
            f"{name}: threshold {threshold}: false-abstain "
            f"{float((np.asarray(pos) < threshold).mean()):.4f}, off-topic (other context) "
            f"abstain {float((np.asarray(neg) < threshold).mean()):.4f}"
        )
    if args.write:
        payload = {
            "_about": (
                "Learned by benchmarks/train_reranker.py on the tuning part of TyDi QA "
                "Indonesian (split by context, see benchmarks/tydi_split.py), the same as long "
                "documents, and FacQA train. Weights only."
            ),
            "weights": weights,
            "min_coverage": threshold,
            "pool": POOL,
            "evidence_sentences": reranker.evidence_sentences,
        }
        WEIGHTS_PATH.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

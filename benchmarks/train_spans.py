"""Learn the short-answer span scorer and its showing threshold on tuning data only.

Usage::

    python -m benchmarks.train_spans [--data DIR] [--write] [--report FILE]

Examples: every factoid question (``index.spans.is_factoid``) whose top-ranked sentence, as the
engine ranks it, holds a gold answer; the candidates of that sentence
(``index.spans.span_features``) are labelled 1 when they equal a gold answer after SQuAD-style
normalisation. First stage: a softmax over each question's candidates, linear in the sparse
features, L2, fitted with L-BFGS. Second stage (``fit_confidence``): a logistic regression of
"the best span is exactly right" on ``index.spans.confidence_features`` of out-of-fold
first-stage scores.

Training part (``TRAIN``): TyDi QA tuning split (``benchmarks.tydi_split``), FacQA train, the
Wikipedia whole articles except fold 0 of ``articles.article_folds``, and the news articles.
Held apart (only scored): TyDi held-apart split, FacQA valid, Wikipedia fold 0; news is
cross-validated by article (the model is refitted without one article and scored on it).

Threshold: on out-of-fold second-stage probabilities of the training part (5 folds by context;
both stages fitted without the question's fold), the lowest threshold whose shown short answers
reach ``--min-exact`` exact match (0.74) — the feature is for being right when it speaks.
``--write`` stores both stages' weights and the threshold in ``index/lexicon/span_weights.json``
(feature names and numbers; no sentence of the data).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.sparse import csr_matrix

from benchmarks.articles import article_folds, by_article, load_whole_articles, mean_and_error
from benchmarks.paths import DEFAULT_DATA
from benchmarks.tydi_split import split_tydi
from index.evaluation import EvalRecord, build_eval_index, matches_answer, read_qa_file
from index.question import analyse_question
from index.spans import (
    SpanModel,
    confidence_features,
    exact_match,
    is_factoid,
    span_facts,
    token_f1,
)
from index.tokens import default_tokenizer

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "index" / "lexicon" / "span_weights.json"
L2 = 1.0
L2_CONFIDENCE = 0.1
"""The second stage's L2 (0.1, 1 and 10 were compared by out-of-fold log-loss on the training
part: 0.1 was lowest, by little)."""
MIN_FEATURE_COUNT = 5
OOF_FOLDS = 5


@dataclass(frozen=True, slots=True)
class Asked:
    """A factoid question whose top sentence is right, as the engine answered it."""

    dataset: str
    group: str
    question: str
    answers: tuple[str, ...]
    sentence: str
    highlights: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class Example:
    """One factoid question whose top sentence is right, with its candidates."""

    dataset: str
    group: str  # context or article: folds never split one
    qtype: str
    answers: tuple[str, ...]
    texts: list[str]
    features: list[dict[str, float]]
    labels: list[int]
    starts: list[int]
    spans: list[tuple[int, int]]  # character ranges of the candidates
    facts: list[tuple[int, bool, bool | None]]  # what the second stage reads of each


def _asked(dataset: str, records: Sequence[EvalRecord], per_article: bool) -> list[Asked]:
    """Ask every question as the engine does and keep the factoid ones answered right."""
    out: list[Asked] = []
    groups = by_article(records).values() if per_article else [list(records)]
    for group in groups:
        snapshot, ids = build_eval_index(group)
        for record in group:
            if not record.answers:
                continue
            if not is_factoid(analyse_question(record.question, snapshot.tokenizer)):
                continue
            answer = snapshot.ask(record.question, top_k=1, document_id=ids.get(record.context))
            if answer.abstained or not answer.hits:
                continue
            hit = answer.hits[0]
            if matches_answer(hit.sentence, record.answers):
                out.append(
                    Asked(
                        dataset,
                        record.context,
                        record.question,
                        record.answers,
                        hit.sentence,
                        hit.highlights,
                    )
                )
    return out


def _examples(asked: Sequence[Asked]) -> list[Example]:
    tokenizer = default_tokenizer()
    out: list[Example] = []
    for item in asked:
        analysis = analyse_question(item.question, tokenizer)
        candidates, features, facts = span_facts(
            analysis, item.sentence, item.highlights, tokenizer.word_terms
        )
        texts = [item.sentence[c.start : c.end] for c in candidates]
        labels = [int(exact_match(t, item.answers)) for t in texts]
        out.append(
            Example(
                item.dataset,
                item.group,
                analysis.qtype,
                item.answers,
                texts,
                features,
                labels,
                [c.start for c in candidates],
                [(c.start, c.end) for c in candidates],
                facts,
            )
        )
    return out


def load_asked(data: Path, cache: Path | None) -> tuple[list[Asked], dict[str, list[Asked]]]:
    """``(training questions, held-apart questions by set)``; news questions are in both
    (they are scored by leave-one-article-out). ``cache`` keeps them between runs (the
    asking, not the feature extraction, is the slow part)."""
    if cache is not None and cache.is_file():
        # plain tuples: a pickled ``Asked`` would be ``__main__.Asked`` when this module runs
        # as a script, which another script (``span_threshold``) cannot load
        with cache.open("rb") as handle:
            rows, held_rows = pickle.load(handle)
        return [Asked(*row) for row in rows], {
            name: [Asked(*row) for row in items] for name, items in held_rows.items()
        }
    tydi_tuning, tydi_held = split_tydi(read_qa_file(data / "tydiqa_id_train.jsonl"))
    articles = load_whole_articles(data)
    wiki = articles.get("wikipedia", [])
    wiki_fold = article_folds(wiki, 5)
    news = _asked("news", articles.get("news", []), per_article=True)
    train = (
        _asked("tydi", tydi_tuning, per_article=False)
        + _asked("facqa", read_qa_file(data / "facqa_train.jsonl"), per_article=False)
        + _asked(
            "wikipedia", [r for r, f in zip(wiki, wiki_fold, strict=True) if f], per_article=True
        )
        + news
    )
    held = {
        "tydi": _asked("tydi", tydi_held, per_article=False),
        "facqa": _asked("facqa", read_qa_file(data / "facqa_valid.jsonl"), per_article=False),
        "wikipedia": _asked(
            "wikipedia",
            [r for r, f in zip(wiki, wiki_fold, strict=True) if not f],
            per_article=True,
        ),
        "news": news,
    }
    if cache is not None:
        with cache.open("wb") as handle:
            pickle.dump(
                (
                    [astuple(a) for a in train],
                    {name: [astuple(a) for a in items] for name, items in held.items()},
                ),
                handle,
            )
    return train, held


def _vocabulary(examples: Sequence[Example]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for example in examples:
        for features in example.features:
            for name in features:
                counts[name] += 1
    names = sorted(n for n, c in counts.items() if c >= MIN_FEATURE_COUNT)
    return {n: i for i, n in enumerate(names)}


def _matrix(examples: Sequence[Example], vocab: dict[str, int]) -> tuple[csr_matrix, np.ndarray]:
    data: list[float] = []
    cols: list[int] = []
    starts = [0]
    labels: list[int] = []
    for example in examples:
        for features, label in zip(example.features, example.labels, strict=True):
            for name, value in features.items():
                index = vocab.get(name)
                if index is not None:
                    cols.append(index)
                    data.append(value)
            starts.append(len(cols))
            labels.append(label)
    matrix = csr_matrix((data, cols, starts), shape=(len(starts) - 1, len(vocab)))
    return matrix, np.asarray(labels, dtype=np.float64)


def fit(examples: Sequence[Example]) -> SpanModel:
    """Softmax over each question's candidates (maximise the probability of the gold spans),
    L2, fitted with L-BFGS from zero (never warm-started from a model that saw the held-out
    part). Questions whose gold span is no candidate teach nothing here."""
    usable = [e for e in examples if any(e.labels)]
    vocab = _vocabulary(usable)
    x, y = _matrix(usable, vocab)
    sizes = np.asarray([len(e.labels) for e in usable])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    group = np.repeat(np.arange(len(usable)), sizes)
    positive = y > 0
    penalty = np.full(len(vocab), L2)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        top = np.maximum.reduceat(z, starts)
        e = np.exp(z - top[group])
        e_pos = np.where(positive, e, 0.0)
        total = np.add.reduceat(e, starts)
        total_pos = np.add.reduceat(e_pos, starts)
        value = float(np.sum(np.log(total) - np.log(total_pos)))
        value += 0.5 * float(penalty @ (w * w))
        grad_z = e / total[group] - e_pos / total_pos[group]
        return value, x.T @ grad_z + penalty * w

    result = minimize(
        loss, np.zeros(len(vocab)), jac=True, method="L-BFGS-B", options={"maxiter": 500}
    )
    weights = {name: float(result.x[i]) for name, i in vocab.items() if abs(result.x[i]) >= 0.01}
    return SpanModel(weights, 1.01)


def stage_two(example: Example, scores: Sequence[float]) -> tuple[int, dict[str, float]]:
    """The best candidate by first-stage ``scores`` and the second stage's features of it."""
    top = max(range(len(scores)), key=scores.__getitem__)
    n_words, in_question, adjacent = example.facts[top]
    return confidence_features(
        example.qtype,
        scores,
        example.spans,
        n_words=n_words,
        in_question=in_question,
        head_adjacent=adjacent,
    )


def _logistic(weights: dict[str, float], features: dict[str, float]) -> float:
    z = sum(weights.get(name, 0.0) * value for name, value in features.items())
    return float(1.0 / (1.0 + np.exp(-min(50.0, max(-50.0, z)))))


def _best(model: SpanModel, example: Example) -> tuple[str, float]:
    """The best span and the probability the model gates on (the second stage's, if any)."""
    if not example.texts:
        return "", 0.0
    scores = [model.score(f) for f in example.features]
    if model.confidence is None:
        top, probability = model.pick(scores)
    else:
        top, features = stage_two(example, scores)
        probability = _logistic(model.confidence, features)
    return example.texts[top], probability


def fit_confidence(
    examples: Sequence[Example], scores: Sequence[Sequence[float]]
) -> dict[str, float]:
    """The second stage: logistic regression of "the best span is exactly right" on
    ``stage_two`` features, from first-stage ``scores`` that must be out-of-fold (a first stage
    scoring its own training questions is surer than it will be on new ones)."""
    rows: list[dict[str, float]] = []
    labels: list[float] = []
    for example, row_scores in zip(examples, scores, strict=True):
        if not row_scores:
            continue
        top, features = stage_two(example, row_scores)
        rows.append(features)
        labels.append(float(exact_match(example.texts[top], example.answers)))
    names = sorted({name for row in rows for name in row})
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for r, row in enumerate(rows):
        for name, value in row.items():
            x[r, index[name]] = value
    y = np.asarray(labels)
    penalty = np.full(len(names), L2_CONFIDENCE)
    penalty[index["bias"]] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        value = float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.5 * float(penalty @ (w * w))
        return value, x.T @ (1.0 / (1.0 + np.exp(-z)) - y) + penalty * w

    result = minimize(
        loss, np.zeros(len(names)), jac=True, method="L-BFGS-B", options={"maxiter": 1000}
    )
    return {name: float(result.x[i]) for name, i in index.items()}


def _fold(group: str, folds: int) -> int:
    return int(hashlib.sha1(group.encode("utf-8")).hexdigest(), 16) % folds


def out_of_fold_scores(examples: Sequence[Example]) -> list[list[float]]:
    """Each example's first-stage scores from a model fitted without its fold."""
    scores: list[list[float]] = [[] for _ in examples]
    for k in range(OOF_FOLDS):
        model = fit([e for e in examples if _fold(e.group, OOF_FOLDS) != k])
        for i, example in enumerate(examples):
            if _fold(example.group, OOF_FOLDS) == k:
                scores[i] = [model.score(f) for f in example.features]
    return scores


def out_of_fold(
    examples: Sequence[Example], scores: Sequence[Sequence[float]] | None = None
) -> list[tuple[str, float]]:
    """Each example's best span and the second stage's probability, both stages fitted without
    its fold (the second on the other folds' out-of-fold first-stage ``scores``)."""
    if scores is None:
        scores = out_of_fold_scores(examples)
    predictions: list[tuple[str, float]] = [("", 0.0)] * len(examples)
    for k in range(OOF_FOLDS):
        outside = [i for i, e in enumerate(examples) if _fold(e.group, OOF_FOLDS) != k]
        weights = fit_confidence([examples[i] for i in outside], [scores[i] for i in outside])
        for i, example in enumerate(examples):
            if _fold(example.group, OOF_FOLDS) == k and scores[i]:
                top, features = stage_two(example, scores[i])
                predictions[i] = (example.texts[top], _logistic(weights, features))
    return predictions


def fit_without(
    examples: Sequence[Example], scores: Sequence[Sequence[float]], group: str, threshold: float
) -> SpanModel:
    """Both stages refitted without one article (news is scored so)."""
    kept = [i for i, e in enumerate(examples) if e.group != group]
    first = fit([examples[i] for i in kept])
    second = fit_confidence([examples[i] for i in kept], [scores[i] for i in kept])
    return SpanModel(first.weights, threshold, second)


def choose_threshold(
    examples: Sequence[Example], predictions: Sequence[tuple[str, float]], min_exact: float
) -> float:
    """The lowest probability threshold whose shown answers reach ``min_exact`` exact match
    (and at least 50 shown, so the figure means something)."""
    never = SpanModel({}, 0.0)  # what is never shown whatever the threshold
    scored = sorted(
        (
            (p, exact_match(t, e.answers))
            for e, (t, p) in zip(examples, predictions, strict=True)
            if t and never.shows(t, p)
        ),
        reverse=True,
    )
    best = 1.01
    right = 0
    for shown, (probability, correct) in enumerate(scored, 1):
        right += correct
        if shown >= 50 and right / shown >= min_exact:
            best = probability
    return best


@dataclass(slots=True)
class Tally:
    """Short-answer figures of one cell: n questions, shown, exact, F1 sum, precise."""

    n: int = 0
    shown: int = 0
    exact: int = 0
    f1: float = 0.0
    precise: int = 0

    def add(self, shown: str | None, answers: Sequence[str]) -> None:
        self.n += 1
        if shown is None:
            return
        self.shown += 1
        self.exact += exact_match(shown, answers)
        score = token_f1(shown, answers)
        self.f1 += score
        self.precise += score >= 0.5

    def row(self) -> dict[str, Any]:
        share, share_se = mean_and_error([1.0] * self.shown + [0.0] * (self.n - self.shown))
        shown = max(1, self.shown)
        _, em_se = mean_and_error([1.0] * self.exact + [0.0] * (self.shown - self.exact))
        return {
            "n": self.n,
            "shown": round(share, 3),
            "shown_se": round(share_se, 3),
            "exact": round(self.exact / shown, 3) if self.shown else None,
            "exact_se": round(em_se, 3) if self.shown else None,
            "f1": round(self.f1 / shown, 3) if self.shown else None,
            "precision": round(self.precise / shown, 3) if self.shown else None,
        }


RULE_KINDS = {
    "who": ("name",),
    "where": ("name",),
    "when": ("date",),
    "number": ("number_unit", "number"),
    "what": ("name", "phrase"),
}
"""The naive baseline: the first span of the shape the question type asks for that is not
already in the question, always shown."""


def rule_baseline(example: Example) -> str | None:
    for kind in RULE_KINDS.get(example.qtype, ()):
        fitting = [
            (start, -len(text), text)
            for text, start, f in zip(example.texts, example.starts, example.features, strict=True)
            if f.get("k=" + kind) and not f.get("inq_all")
        ]
        if fitting:
            return min(fitting)[2]
    return None


def report(
    train: Sequence[Example],
    held: dict[str, list[Example]],
    model: SpanModel,
    scores: Sequence[Sequence[float]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Figures per held-apart set and question type; news by leave-one-article-out."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, examples in held.items():
        tallies: dict[str, Tally] = defaultdict(Tally)
        if name == "news":
            models = {
                group: fit_without(train, scores, group, model.threshold)
                for group in {e.group for e in examples}
            }
        for example in examples:
            scorer = models[example.group] if name == "news" else model
            text, probability = _best(scorer, example)
            shown = text if text and model.shows(text, probability) else None
            tallies[example.qtype].add(shown, example.answers)
            tallies["all"].add(shown, example.answers)
            tallies["rule:" + example.qtype].add(rule_baseline(example), example.answers)
            tallies["rule:all"].add(rule_baseline(example), example.answers)
        out[name] = {q: t.row() for q, t in sorted(tallies.items())}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--min-exact", type=float, default=0.74)
    parser.add_argument("--write", action="store_true", help="update span_weights.json")
    parser.add_argument("--cache", type=Path, help="keep the asked questions in this file")
    parser.add_argument("--report", type=Path, help="write the held-apart figures as JSON")
    args = parser.parse_args(argv)
    if not (args.data / "tydiqa_id_train.jsonl").is_file():
        print(f"no tydiqa_id_train.jsonl in {args.data} (use --data)", file=sys.stderr)
        return 2
    asked_train, asked_held = load_asked(args.data, args.cache)
    train = _examples(asked_train)
    held = {name: _examples(items) for name, items in asked_held.items()}
    positives = sum(any(e.labels) for e in train)
    print(f"training: {len(train)} questions, {positives} with the gold span among candidates")
    for name, examples in held.items():
        print(f"held apart {name}: {len(examples)} questions")
    full = fit(train)
    scores = out_of_fold_scores(train)
    predictions = out_of_fold(train, scores)
    threshold = choose_threshold(train, predictions, args.min_exact)
    model = SpanModel(full.weights, threshold, fit_confidence(train, scores))
    print(f"threshold {threshold:.4f}, {len(model.weights)} weights")
    figures = report(train, held, model, scores)
    for name, rows in figures.items():
        for qtype, row in rows.items():
            print(name, qtype, json.dumps(row))
    if args.report:
        args.report.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    if args.write:
        payload = {
            "about": "Short-answer span scorer (benchmarks/train_spans.py): logistic weights "
            "over lexical span features, learned on TyDi QA (Apache-2.0), FacQA (IndoNLU), "
            "IndoSum-based news questions and SQuAD-id whole articles (CC BY-SA 4.0). Feature "
            "names hold common words seen next to answers; no sentence of the data.",
            "threshold": round(threshold, 4),
            "weights": {k: round(v, 4) for k, v in sorted(model.weights.items())},
            "confidence": {
                "about": "Second stage: logistic probability that the best span is right, "
                "over features of the first stage's scores (index.spans.confidence_features), "
                "fitted on out-of-fold first-stage scores; the threshold gates it.",
                "weights": {k: round(v, 4) for k, v in sorted((model.confidence or {}).items())},
            },
        }
        WEIGHTS_PATH.write_text(json.dumps(payload, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

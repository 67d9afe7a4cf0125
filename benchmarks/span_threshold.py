"""Short answers as a function of the showing threshold: shown share, exact match and token F1.

Usage::

    python -m benchmarks.span_threshold [--data DIR] [--cache FILE] [--json FILE]

The same questions as ``benchmarks.train_spans`` (factoid questions whose top sentence is right).
Rows: the **out-of-fold** predictions of the training part (5 folds by context: each question
scored by a model fitted without its fold — the only rows a threshold may be chosen on), and
the held-apart sets scored by the shipped weights (TyDi held-apart, FacQA valid, Wikipedia
fold 0) or, for news, by a model refitted without the article (leave one article out). Also
prints the threshold ``train_spans.choose_threshold`` picks on the out-of-fold rows for each
``--min-exact``. Standard errors are those of the mean (``articles.mean_and_error``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.articles import mean_and_error
from benchmarks.train_spans import (
    Example,
    _best,
    _examples,
    choose_threshold,
    fit_without,
    load_asked,
    out_of_fold,
    out_of_fold_scores,
)
from index.spans import SpanModel, default_span_model, exact_match, token_f1

DEFAULT_DATA = Path(os.environ.get("TANYABERITA_DATA_DIR", "../shared/data"))
THRESHOLDS = tuple(round(0.30 + 0.02 * i, 2) for i in range(31))  # 0.30 … 0.90


def figures(
    examples: Sequence[Example], predictions: Sequence[tuple[str, float]], threshold: float
) -> dict[str, Any]:
    """Shown share, exact match and token F1 when shown, with standard errors."""
    gate = SpanModel({}, threshold)  # the engine's rule for showing, at this threshold
    shown = [
        (text, e.answers)
        for e, (text, p) in zip(examples, predictions, strict=True)
        if text and gate.shows(text, p)
    ]
    share, share_se = mean_and_error([1.0] * len(shown) + [0.0] * (len(examples) - len(shown)))
    exact = [float(exact_match(text, answers)) for text, answers in shown]
    f1 = [token_f1(text, answers) for text, answers in shown]
    em, em_se = mean_and_error(exact) if exact else (float("nan"), float("nan"))
    f1_mean, f1_se = mean_and_error(f1) if f1 else (float("nan"), float("nan"))
    return {
        "threshold": threshold,
        "n": len(examples),
        "shown": round(share, 3),
        "shown_se": round(share_se, 3),
        "exact": round(em, 3),
        "exact_se": round(em_se, 3),
        "f1": round(f1_mean, 3),
        "f1_se": round(f1_se, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, help="keep the asked questions in this file")
    parser.add_argument("--json", type=Path, help="write every row as JSON")
    parser.add_argument("--min-exact", type=float, nargs="*", default=[0.72, 0.74, 0.75])
    args = parser.parse_args(argv)
    if not (args.data / "tydiqa_id_train.jsonl").is_file():
        print(f"no tydiqa_id_train.jsonl in {args.data} (use --data)", file=sys.stderr)
        return 2
    asked_train, asked_held = load_asked(args.data, args.cache)
    train = _examples(asked_train)
    held = {name: _examples(items) for name, items in asked_held.items()}
    shipped = default_span_model()
    scores = out_of_fold_scores(train)
    predictions: dict[str, tuple[list[Example], list[tuple[str, float]]]] = {
        "train out-of-fold": (train, out_of_fold(train, scores))
    }
    for name, examples in held.items():
        if name == "news":
            refits = {
                group: fit_without(train, scores, group, shipped.threshold)
                for group in {e.group for e in examples}
            }
            scored = [_best(refits[e.group], e) for e in examples]
        else:
            scored = [_best(shipped, e) for e in examples]
        predictions[name] = (examples, scored)
    oof_examples, oof = predictions["train out-of-fold"]
    chosen = {str(m): round(choose_threshold(oof_examples, oof, m), 4) for m in args.min_exact}
    rows = {
        name: [
            figures(examples, scored, t) for t in (*THRESHOLDS, shipped.threshold, *chosen.values())
        ]
        for name, (examples, scored) in predictions.items()
    }
    print(f"shipped threshold {shipped.threshold}; chosen on out-of-fold rows: {chosen}")
    for name, table in rows.items():
        print(f"\n{name}")
        print("threshold  n  shown ± se  exact ± se  F1 ± se")
        for row in table:
            print(
                f"{row['threshold']:.4f} {row['n']} {row['shown']:.3f} ± {row['shown_se']:.3f}"
                f"  {row['exact']:.3f} ± {row['exact_se']:.3f}"
                f"  {row['f1']:.3f} ± {row['f1_se']:.3f}"
            )
    if args.json:
        payload = {"shipped": shipped.threshold, "chosen": chosen, "rows": rows}
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

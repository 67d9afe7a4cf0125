"""Check that a rewrite of the short-answer extractor gives the same answers, and time both.

Usage::

    git show b3a6029:index/spans.py > old_spans.py   # the extractor before its speed-up
    python -m benchmarks.span_equivalence --reference old_spans.py [--data DIR] [--cache FILE]

Any other revision of ``index/spans.py`` works as the reference too.

Asks every factoid question of the span training and held-apart sets whose top sentence is
right (``benchmarks.train_spans.load_asked``: TyDi QA, FacQA train and valid, news and Wikipedia
articles) as the engine does, then runs ``best`` and ``short_answer`` of the current
``index.spans`` and of the ``--reference`` module (an older ``index/spans.py``) on the same
sentence, highlights and shipped weights. Any difference in the best span, its offsets or its
probability (beyond 1e-12) is printed and makes the exit status 1. Also reports the median time
per question of each version's ``short_answer``, interleaved question by question (which
goes first alternates).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from benchmarks.paths import DEFAULT_DATA
from benchmarks.train_spans import load_asked
from index.question import analyse_question
from index.spans import ShortAnswer, default_span_model
from index.tokens import default_tokenizer


def _load_reference(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("spans_reference", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot load {path} as a module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def _same(new: ShortAnswer | None, old: object) -> bool:
    if new is None or old is None:
        return new is None and old is None
    return (new.text, new.start, new.end) == (
        getattr(old, "text", None),
        getattr(old, "start", None),
        getattr(old, "end", None),
    ) and abs(new.confidence - float(getattr(old, "confidence", -1.0))) <= 1e-12


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--reference", type=Path, required=True, help="an older index/spans.py")
    parser.add_argument("--cache", type=Path, help="keep the asked questions in this file")
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args(argv)
    if not (args.data / "tydiqa_id_train.jsonl").is_file():
        print(f"no tydiqa_id_train.jsonl in {args.data} (use --data)", file=sys.stderr)
        return 2
    if not args.reference.is_file():
        print(f"no file {args.reference}", file=sys.stderr)
        return 2
    reference = _load_reference(args.reference)
    tokenizer = default_tokenizer()
    train, held = load_asked(args.data, args.cache)
    asked = list(train) + [a for name, items in held.items() if name != "news" for a in items]
    model = default_span_model()
    old_model = reference.SpanModel(model.weights, model.threshold)
    analyses = [analyse_question(a.question, tokenizer) for a in asked]
    word_terms = tokenizer.word_terms
    differences = 0
    shown = 0
    for item, analysis in zip(asked, analyses, strict=True):
        for method in ("best", "short_answer"):
            new = getattr(model, method)(analysis, item.sentence, item.highlights, word_terms)
            old = getattr(old_model, method)(analysis, item.sentence, item.highlights, word_terms)
            if not _same(new, old):
                differences += 1
                print(f"{method} differs on {item.question!r}: {new} != {old}", file=sys.stderr)
            if method == "short_answer":
                shown += new is not None
    new_ms: list[float] = []
    old_ms: list[float] = []
    sides = ((model, new_ms), (old_model, old_ms))
    for n in range(args.passes):
        for i, (item, analysis) in enumerate(zip(asked, analyses, strict=True)):
            # which version goes first alternates: the second finds the sentence in the caches
            for scorer, times in sides if (i + n) % 2 == 0 else sides[::-1]:
                started = time.perf_counter()
                scorer.short_answer(analysis, item.sentence, item.highlights, word_terms)
                times.append((time.perf_counter() - started) * 1000)
    result = {
        "questions": len(asked),
        "shown": shown,
        "differences": differences,
        "short_answer_ms_p50_new": round(statistics.median(new_ms), 4),
        "short_answer_ms_p50_reference": round(statistics.median(old_ms), 4),
        "short_answer_ms_mean_new": round(statistics.fmean(new_ms), 4),
        "short_answer_ms_mean_reference": round(statistics.fmean(old_ms), 4),
    }
    print(json.dumps(result, indent=1))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())

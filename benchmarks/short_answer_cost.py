"""What short answers add to a question's latency, measured directly.

Usage::

    python -m benchmarks.short_answer_cost [--data DIR] [--size 100000] [--questions 300] [--cpu]

Builds the synthetic corpus of ``--size`` sentences the speed benchmark uses (``corpora.py``,
cached in ``benchmarks/out/``), then asks the same seeded TyDi questions (top 3, as the bot
does) with short answers on and off, interleaved question by question (which goes first
alternates) over several passes so that machine load and warm caches favour neither. Reports
p50 / p99 of ``ask`` either way and the p50 of the per-question difference (on factoid
questions, where extraction runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.corpora import SEED, read_columns, read_questions, write_synthetic_columns
from benchmarks.paths import DEFAULT_DATA
from index import engine
from index.engine import SnapshotBuilder
from index.question import analyse_question
from index.spans import is_factoid
from index.tokens import default_tokenizer

OUT = Path(__file__).resolve().parent / "out"


def _percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time by the process's CPU clock: on a busy shared machine the wall clock also "
        "counts the time other processes held the core",
    )
    args = parser.parse_args(argv)
    if not (args.data / "indosum_news.jsonl").is_file():
        print(f"no indosum_news.jsonl in {args.data} (use --data)", file=sys.stderr)
        return 2
    tokenizer = default_tokenizer()
    OUT.mkdir(exist_ok=True)
    columns = OUT / f"synthetic-{args.size}-seed{SEED}.jsonl"
    if not columns.is_file():
        write_synthetic_columns(args.data / "indosum_news.jsonl", columns, args.size, tokenizer)
    builder = SnapshotBuilder(tokenizer)
    for doc in read_columns(columns):
        builder.add_columns(
            doc.id, doc.title, doc.texts, doc.paragraphs, doc.tokens, source=doc.source
        )
    snapshot = builder.finish()
    questions = read_questions(args.data / "tydiqa_id_train.jsonl", args.questions)
    factoid = [is_factoid(analyse_question(q, tokenizer)) for q in questions]
    for question in questions:  # warm the tokenizer memo, as a running bot's is
        snapshot.ask(question, 3)
    clock = time.process_time if args.cpu else time.perf_counter
    hits = engine.SHORT_ANSWER_HITS
    on: list[float] = []
    off: list[float] = []
    added: list[float] = []
    shown = 0
    for n in range(args.passes):
        for i, (question, is_fact) in enumerate(zip(questions, factoid, strict=True)):
            # Which side goes first alternates: the second ask of a question finds its postings
            # and sentences in the CPU caches, which would count against the first side.
            order = (hits, 0) if (i + n) % 2 == 0 else (0, hits)
            timings: dict[int, float] = {}
            for limit in order:
                engine.SHORT_ANSWER_HITS = limit
                started = clock()
                answer = snapshot.ask(question, 3)
                timings[limit] = (clock() - started) * 1000
                if limit and answer.hits and answer.hits[0].short_answer is not None:
                    shown += 1
            engine.SHORT_ANSWER_HITS = hits
            on.append(timings[hits])
            off.append(timings[0])
            if is_fact:
                added.append(timings[hits] - timings[0])
    result = {
        "clock": "cpu" if args.cpu else "wall",
        "sentences": snapshot.sentence_count,
        "questions": len(questions),
        "factoid_questions": sum(factoid),
        "passes": args.passes,
        "short_answers_shown_per_pass": shown / args.passes,
        "ask_p50_ms_with": round(_percentile(on, 0.5), 3),
        "ask_p99_ms_with": round(_percentile(on, 0.99), 3),
        "ask_p50_ms_without": round(_percentile(off, 0.5), 3),
        "ask_p99_ms_without": round(_percentile(off, 0.99), 3),
        "added_ms_p50_factoid": round(statistics.median(added), 3) if added else 0.0,
        "added_ms_mean_factoid": round(statistics.fmean(added), 3) if added else 0.0,
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

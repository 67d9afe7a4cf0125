"""``tanyaberita eval FILE``: retrieval quality on a QA JSONL file (Hit@k, MRR, abstention,
latency and the short answers), printed as a table or as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

from tqdm import tqdm

from bot.cli.arguments import Subcommands, positive_int
from bot.cli.errors import EXIT_OK, EXIT_USAGE, CLIError
from bot.cli.render import short_answer_json
from bot.cli.semantic import eval_scorer
from bot.config import Settings
from index.engine import Answer
from index.evaluation import EvalRecord, QAFileError, build_eval_index, evaluate, read_qa_file
from index.rerank import default_reranker

__all__ = ["cmd_eval", "register"]

T = TypeVar("T")


def _progress(items: Sequence[T], desc: str, stream: TextIO) -> Iterator[T]:
    """A progress bar on a terminal, plain iteration otherwise."""
    if stream.isatty():
        yield from tqdm(items, desc=desc, file=stream, unit="q")
    else:
        yield from items


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit is not None and args.limit <= 0:
        raise CLIError("--limit must be a positive number", EXIT_USAGE)
    try:
        records = read_qa_file(Path(args.file), args.limit)
    except QAFileError as exc:
        raise CLIError(str(exc), EXIT_USAGE) from exc
    started = time.perf_counter()
    reranker = None
    if args.no_abstain:
        reranker = replace(default_reranker(), abstain=False)
    snapshot, context_ids = build_eval_index(records, reranker=reranker)
    build_s = time.perf_counter() - started
    scorer = eval_scorer(snapshot, settings)
    details = Path(args.details).open("w", encoding="utf-8") if args.details else None  # noqa: SIM115 - closed in the finally below

    def write_detail(record: EvalRecord, answer: Answer) -> None:
        if details is not None:
            row = {
                "id": record.id,
                "question": record.question,
                "abstained": answer.abstained,
                "answers": [{"sentence": h.sentence, "score": h.score} for h in answer.hits],
                "short_answer": short_answer_json(answer.hits[0]) if answer.hits else None,
            }
            details.write(json.dumps(row, ensure_ascii=False) + "\n")

    try:
        report = evaluate(
            records,
            snapshot,
            context_ids,
            top_k=args.top,
            open_domain=args.open,
            on_answer=write_detail,
            progress=lambda items: _progress(list(items), "eval", sys.stderr),
            semantic=scorer,
        )
    finally:
        if details is not None:
            details.close()
    summary = report.summary()
    summary["abstention"] = not args.no_abstain
    summary["semantic"] = scorer is not None
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{Path(args.file).name}: {summary['questions']} questions "
            f"({summary['answerable']} answerable, {summary['unanswerable']} unanswerable), "
            f"{snapshot.sentence_count} sentences indexed in {build_s:.2f} s"
        )
        for key in (
            "hit@1",
            "hit@3",
            "mrr@10",
            "false_abstain_rate",
            "abstain_rate_unanswerable",
            "p50_ms",
            "p99_ms",
            "abstention",
            "semantic",
        ):
            print(f"  {key:<26} {summary[key]}")
        _print_short_answers(summary["short_answer"])
    return EXIT_OK


def _print_short_answers(rows: dict[str, dict[str, Any]]) -> None:
    """Short answers over factoid questions whose top sentence is right, per question type."""
    if not rows:
        return
    print("  short answers (factoid questions, top sentence right):")
    print(f"    {'type':<8} {'n':>5} {'shown':>7} {'exact':>7} {'F1':>7} {'precise':>8}")

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for qtype, row in rows.items():
        print(
            f"    {qtype:<8} {row['n']:>5} {cell(row['shown_share']):>7} "
            f"{cell(row['exact_when_shown']):>7} {cell(row['f1_when_shown']):>7} "
            f"{cell(row['precision_when_shown']):>8}"
        )


def register(sub: Subcommands) -> None:
    ev = sub.add_parser("eval", help="measure retrieval quality on a QA JSONL file")
    ev.add_argument("file", help="JSONL with context, question, answers")
    ev.add_argument("--top", type=positive_int, default=10)
    ev.add_argument("--limit", type=int, help="only the first N records")
    ev.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    ev.add_argument("--details", help="write one JSON line per question to this file")
    ev.add_argument("--open", action="store_true", help="ask each question against all contexts")
    ev.add_argument(
        "--no-abstain",
        action="store_true",
        help="never abstain for low evidence (measures what abstention costs in Hit@1)",
    )
    ev.set_defaults(handler=cmd_eval)

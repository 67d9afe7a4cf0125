"""How right a short answer would be on the lower-ranked hits ("Jawaban lain" pages, inline
results 2+), measured before deciding where to show one.

Usage::

    python -m benchmarks.short_answer_ranks [--data DIR] [--hits 3] [--json]

For every answerable factoid-or-not question of the whole news and Wikipedia articles (each
article indexed alone) and of FacQA valid (all paragraphs in one index, the question asked
against its own), the engine answers with ``--hits`` hits and the span finder is run on each
of them with the shipped model and threshold (``SHORT_ANSWER_HITS`` raised for this run
only). Per rank: how often a short answer would be shown, and its precision (token F1 ≥ 0.5
against a gold answer) — overall and when the hit's sentence holds a gold answer.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.articles import by_article, load_whole_articles
from benchmarks.paths import DEFAULT_DATA
from index import engine
from index.evaluation import EvalRecord, build_eval_index, matches_answer, read_qa_file
from index.spans import token_f1

RIGHT_F1 = 0.5


@dataclass(slots=True)
class RankTally:
    asked: int = 0
    shown: int = 0
    shown_right: int = 0
    shown_on_gold_sentence: int = 0
    right_on_gold_sentence: int = 0

    def row(self) -> dict[str, float | int]:
        return {
            "asked": self.asked,
            "shown": self.shown,
            "shown_share": round(self.shown / self.asked, 3) if self.asked else 0.0,
            "precision": round(self.shown_right / self.shown, 3) if self.shown else 0.0,
            "shown_on_a_sentence_with_the_answer": self.shown_on_gold_sentence,
            "precision_there": (
                round(self.right_on_gold_sentence / self.shown_on_gold_sentence, 3)
                if self.shown_on_gold_sentence
                else 0.0
            ),
        }


def tally(records: Sequence[EvalRecord], hits: int, *, per_article: bool) -> list[RankTally]:
    ranks = [RankTally() for _ in range(hits)]
    groups = list(by_article(records).values()) if per_article else [list(records)]
    for group in groups:
        snapshot, ids = build_eval_index(group)
        for record in group:
            if not record.answers:
                continue
            answer = snapshot.ask(record.question, top_k=hits, document_id=ids.get(record.context))
            for rank, hit in zip(ranks, answer.hits, strict=False):
                rank.asked += 1
                if hit.short_answer is None:
                    continue
                right = token_f1(hit.short_answer.text, record.answers) >= RIGHT_F1
                rank.shown += 1
                rank.shown_right += right
                if matches_answer(hit.sentence, record.answers):
                    rank.shown_on_gold_sentence += 1
                    rank.right_on_gold_sentence += right
    return ranks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--hits", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sets = load_whole_articles(args.data)
    runs: list[tuple[str, list[EvalRecord], bool]] = [
        (name, sets[name], True) for name in ("news", "wikipedia") if name in sets
    ]
    facqa = args.data / "facqa_valid.jsonl"
    if facqa.is_file():
        runs.append(("facqa_valid", read_qa_file(facqa), False))
    shipped = engine.SHORT_ANSWER_HITS
    engine.SHORT_ANSWER_HITS = args.hits
    try:
        result = {
            name: [t.row() for t in tally(records, args.hits, per_article=per)]
            for name, records, per in runs
        }
    finally:
        engine.SHORT_ANSWER_HITS = shipped
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        "| set | hit | shown | precision when shown | shown on a sentence with the answer "
        "| precision there |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows in result.items():
        for rank, row in enumerate(rows, 1):
            print(
                f"| {name} | {rank} | {row['shown']} / {row['asked']} | {row['precision']:.2f} "
                f"| {row['shown_on_a_sentence_with_the_answer']} | {row['precision_there']:.2f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

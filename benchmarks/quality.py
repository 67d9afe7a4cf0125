"""Reproduce the retrieval-quality figures of docs/quality.md.

Usage: ``python -m benchmarks.quality [--data DIR] [--seed DIR] [--json]``
(defaults: ``$TANYABERITA_DATA_DIR`` or ``../shared/data``, and the ``seed`` directory next to it).

Runs every QA set with the shipped engine, with and without abstention, next to a naive BM25
baseline (the BM25Okapi top sentence, no re-ranking): first the whole-article sets (each article
indexed alone, as the bot serves it; ``benchmarks.articles``), then the paragraph sets, the
generic off-topic sets (each held-apart TyDi question asked against another context), IDK-MRC
unanswerable, the dev questions against the shipped article and the ``ask`` latency on that
article. The whole-article sets are tuning data: their cross-validated figures come from
``python -m benchmarks.train_reranker``; the figures here are those of the shipped weights.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.articles import (
    ask_each_article,
    load_whole_articles,
    shipped_article_questions,
    summarise,
)
from benchmarks.paths import DEFAULT_DATA, ROOT
from benchmarks.tydi_split import CI_SLICE, mismatched, split_tydi, with_distractors
from index.engine import IndexSnapshot, prepare_document
from index.evaluation import EvalRecord, build_eval_index, evaluate, matches_answer, read_qa_file
from index.rerank import Reranker, default_reranker

NAIVE = Reranker({"bm25": 1.0}, abstain=False)


def run(records: list[EvalRecord], reranker: Reranker, open_domain: bool = False) -> dict[str, Any]:
    snapshot, ids = build_eval_index(records, reranker=reranker)
    return evaluate(records, snapshot, ids, open_domain=open_domain).summary()


def answerable_rows(sets: dict[str, list[EvalRecord]]) -> list[dict[str, Any]]:
    """Sets whose name ends in "(all contexts)" are asked against all their contexts at once."""
    shipped = default_reranker()
    no_abstain = replace(shipped, abstain=False)
    rows = []
    for name, records in sets.items():
        everywhere = name.endswith("(all contexts)")
        naive = run(records, NAIVE, everywhere)
        off = run(records, no_abstain, everywhere)
        on = run(records, shipped, everywhere)
        rows.append(
            {
                "set": name,
                "questions": on["answerable"],
                "naive_hit@1": naive["hit@1"],
                "hit@1_no_abstain": off["hit@1"],
                "mrr@10_no_abstain": off["mrr@10"],
                "hit@1": on["hit@1"],
                "hit@3": on["hit@3"],
                "mrr@10": on["mrr@10"],
                "false_abstain_rate": on["false_abstain_rate"],
                "abstention_cost": round(off["hit@1"] - on["hit@1"], 4),
                "p50_ms": on["p50_ms"],
            }
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)
    return rows


def whole_article_rows(sets: dict[str, list[EvalRecord]]) -> list[dict[str, Any]]:
    """Each article indexed alone; naive BM25, the engine without and with abstention."""
    shipped = default_reranker()
    rows = []
    for name, records in sets.items():
        naive = summarise(ask_each_article(records, NAIVE))
        off = summarise(ask_each_article(records, replace(shipped, abstain=False)))
        on = summarise(ask_each_article(records, shipped))
        rows.append(
            {
                "set": name,
                "articles": len({r.context for r in records}),
                "questions": on["answerable"],
                "naive_hit@1": naive["hit@1"],
                "hit@1_no_abstain": off["hit@1"],
                "hit@1": on["hit@1"],
                "s.e.": on["hit@1_se"],
                "false_abstentions": on["false_abstentions"],
                "off_topic_abstained": f"{on['off_topic_abstained']}/{on['off_topic']}",
                "naive_off_topic_abstained": f"{naive['off_topic_abstained']}/{naive['off_topic']}",
            }
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)
    return rows


def abstention_rows(sets: dict[str, list[EvalRecord]]) -> list[dict[str, Any]]:
    rows = []
    for name, records in sets.items():
        summary = run(records, default_reranker())
        rows.append(
            {
                "set": name,
                "questions": summary["unanswerable"],
                "abstain_rate": summary["abstain_rate_unanswerable"],
            }
        )
    return rows


def dev_questions(seed: Path) -> dict[str, Any]:
    article = next((ROOT / "content").glob("*.txt"))
    snapshot = IndexSnapshot.build([prepare_document(1, article.stem, article.read_text("utf-8"))])
    rows = []
    for line in (seed / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        answer = snapshot.ask(record["question"])
        top = answer.hits[0].sentence if answer.hits else ""
        if record["answers"]:
            ok = not answer.abstained and matches_answer(top, record["answers"])
        else:
            ok = answer.abstained
        rows.append(
            {
                "question": record["question"],
                "answerable": bool(record["answers"]),
                "ok": ok,
                "reason": answer.reason,
                "top": top,
            }
        )
    answerable = [r for r in rows if r["answerable"]]
    off_topic = [r for r in rows if not r["answerable"]]
    return {
        "answerable_correct": sum(r["ok"] for r in answerable),
        "answerable": len(answerable),
        "off_topic_abstained": sum(r["ok"] for r in off_topic),
        "off_topic": len(off_topic),
        "questions": rows,
    }


def ask_latency(seed: Path, repeats: int = 200) -> dict[str, float]:
    """``ask`` wall time on the shipped article (index built and warm, stemmer memo warm)."""
    article = next((ROOT / "content").glob("*.txt"))
    started = time.perf_counter()
    snapshot = IndexSnapshot.build([prepare_document(1, article.stem, article.read_text("utf-8"))])
    build_ms = (time.perf_counter() - started) * 1000
    questions = [
        json.loads(line)["question"]
        for line in (seed / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for q in questions:
        snapshot.ask(q)
    samples = []
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            snapshot.ask(q)
            samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "questions": len(samples),
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 3),
        "build_ms_first": round(build_ms, 1),
    }


def table(rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=Path, help="directory of dev_questions.jsonl")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    data: Path = args.data
    seed: Path = args.seed or data.parent / "seed"
    if not (data / "tydiqa_id_train.jsonl").is_file():
        print(f"error: no tydiqa_id_train.jsonl in {data} (--data)", file=sys.stderr)
        return 2
    tydi = read_qa_file(data / "tydiqa_id_train.jsonl")
    tuning, held = split_tydi(tydi)
    answerable = {
        "TyDi tuning part": tuning,
        "TyDi held-apart part": held,
        f"TyDi CI slice (first {CI_SLICE}, held apart)": tydi[:CI_SLICE],
        "TyDi held-apart, long documents": with_distractors(held),
        "TyDi held-apart (all contexts)": held,
        "FacQA valid": read_qa_file(data / "facqa_valid.jsonl"),
        "FacQA train": read_qa_file(data / "facqa_train.jsonl"),
    }
    unanswerable = {
        "TyDi held-apart asked against another paragraph": mismatched(held),
        "TyDi held-apart asked against another long document": mismatched(with_distractors(held)),
        "IDK-MRC unanswerable valid": read_qa_file(data / "idkmrc_unanswerable_valid.jsonl"),
    }
    whole = load_whole_articles(data)
    if (seed / "dev_questions.jsonl").is_file():
        whole["shipped article, dev questions"] = shipped_article_questions(seed)
    report: dict[str, Any] = {
        "whole_articles": whole_article_rows(whole),
        "answerable": answerable_rows(answerable),
        "unanswerable": abstention_rows(unanswerable),
    }
    if (seed / "dev_questions.jsonl").is_file():
        report["dev_questions"] = dev_questions(seed)
        report["ask_latency_default_article"] = ask_latency(seed)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print("## Whole articles (each indexed alone)\n")
    print(table(report["whole_articles"]))
    print("\n## Answerable sets\n")
    print(table(report["answerable"]))
    print("\n## Unanswerable sets (abstention)\n")
    print(table(report["unanswerable"]))
    if "dev_questions" in report:
        dev = report["dev_questions"]
        print(
            f"\n## Dev questions on the shipped article\n\nanswerable correct at top-1: "
            f"{dev['answerable_correct']}/{dev['answerable']}; off-topic abstained: "
            f"{dev['off_topic_abstained']}/{dev['off_topic']}\n"
        )
        for row in dev["questions"]:
            mark = "ok" if row["ok"] else "WRONG"
            print(f"- {mark}: {row['question']} → {row['reason'] or row['top'][:90]}")
        lat = report["ask_latency_default_article"]
        print(
            f"\n## ask latency, shipped article\n\n{lat['questions']} asks: p50 {lat['p50_ms']} ms,"
            f" p99 {lat['p99_ms']} ms (first index build {lat['build_ms_first']} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

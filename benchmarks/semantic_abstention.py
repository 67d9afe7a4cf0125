"""Does the encoder's cosine help abstention on whole articles? (measured, not shipped)

Usage: ``python -m benchmarks.semantic_abstention [--data DIR]`` (embeddings from the cache of
``benchmarks.embedding_cache``).

On ``news_qa_dev`` (8 articles, 96 answerable and 32 off-topic questions, each article indexed
alone) every question gets two cosine signals next to the shipped background-frequency rule:
``max_cosine`` (the best candidate's cosine with the question) and ``margin`` (that cosine
minus the article's mean sentence cosine with the question: how much closer than the article's
typical sentence). Reported: each signal's AUC (off-topic against answerable), and a rule
"abstain when the background rule does, or the signal is below t" with t chosen by
leave-one-article-out: on the 7 other articles, the largest t that adds no false abstention
there, then applied to the left-out article.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.articles import by_article, load_whole_articles
from benchmarks.embedding_cache import DEFAULT_DATA, EmbeddingCache, scorer_for
from benchmarks.train_reranker import Recorder
from index.encoder import load_encoder
from index.evaluation import build_eval_index
from index.rerank import Ranking
from index.semantic import semantic_reranker


def auc(negative: list[float], positive: list[float]) -> float:
    """P(a random answerable question scores above a random off-topic one); ties count ½."""
    pos, neg = np.asarray(positive), np.asarray(negative)
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


def signals(data: Path, cache: EmbeddingCache) -> list[dict[str, Any]]:
    records = load_whole_articles(data).get("news", [])
    out: list[dict[str, Any]] = []
    for article, (context, group) in enumerate(by_article(records).items()):
        recorder = Recorder(semantic_reranker())
        snapshot, ids = build_eval_index(group, reranker=recorder)
        scorer = scorer_for(snapshot, cache, recorder)
        document = snapshot.document(ids[context])
        assert document is not None
        sentences = cache.passages([s.text for s in document.sentences])
        for record in group:
            recorder.last = Ranking([], {})
            answer = snapshot.ask(record.question, 1, ids[context], semantic=scorer)
            question = cache.query(record.question)
            cosines = [c.cosine for c in recorder.last.candidates if c.cosine is not None]
            best = max(cosines) if cosines else 0.0
            out.append(
                {
                    "article": article,
                    "answerable": bool(record.answers),
                    "background_abstains": answer.abstained,
                    "max_cosine": best,
                    "margin": best - float((sentences @ question).mean()),
                }
            )
    return out


def cross_validated(rows: list[dict[str, Any]], signal: str) -> dict[str, int]:
    """Leave one article out: t = the largest value adding no false abstention elsewhere."""
    caught = false = 0
    for article in sorted({r["article"] for r in rows}):
        train = [r for r in rows if r["article"] != article]
        allowed = [r[signal] for r in train if r["answerable"] and not r["background_abstains"]]
        t = min(allowed) if allowed else -np.inf
        for r in rows:
            if r["article"] != article:
                continue
            abstains = r["background_abstains"] or r[signal] < t
            if r["answerable"]:
                false += abstains
            else:
                caught += abstains
    return {"off_topic_abstained": caught, "false_abstentions": false}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    encoder = load_encoder()
    if encoder is None:
        print("error: the sentence encoder did not load", file=sys.stderr)
        return 2
    rows = signals(args.data, EmbeddingCache(encoder))
    if not rows:
        print(f"error: no news_qa_dev.jsonl in {args.data}", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "off_topic": sum(not r["answerable"] for r in rows),
        "answerable": sum(r["answerable"] for r in rows),
        "background_rule": {
            "off_topic_abstained": sum(
                r["background_abstains"] for r in rows if not r["answerable"]
            ),
            "false_abstentions": sum(r["background_abstains"] for r in rows if r["answerable"]),
        },
    }
    for signal in ("max_cosine", "margin"):
        report[signal] = {
            "auc": round(
                auc(
                    [r[signal] for r in rows if not r["answerable"]],
                    [r[signal] for r in rows if r["answerable"]],
                ),
                3,
            ),
            "with_background_rule_cv": cross_validated(rows, signal),
        }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

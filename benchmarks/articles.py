"""Whole-article question sets: the shape the bot really serves.

Each article is indexed **alone**, as when an operator runs the bot on one article, and every
question is asked against it. These sets are small (8, 15 and 27 documents), so tuning on them
is cross-validated *by article* (``article_folds``) and every figure carries a standard error.

| name | file | documents |
|---|---|---|
| ``news`` | ``news_qa_dev.jsonl`` | 8 IndoSum news articles, 96 answerable + 32 off-topic |
| ``wikipedia`` | ``squad_id_articles_tuning.jsonl`` | 15 whole Wikipedia articles, 450 questions |
| ``qasina`` | ``qasina_wholedoc.jsonl`` | 27 multi-passage documents, 500 questions |
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.engine import Answer
from index.evaluation import EvalRecord, build_eval_index, matches_answer, read_qa_file
from index.rerank import Reranker

ROOT = Path(__file__).resolve().parent.parent

WHOLE_ARTICLE_FILES: dict[str, str] = {
    "news": "news_qa_dev.jsonl",
    "wikipedia": "squad_id_articles_tuning.jsonl",
    "qasina": "qasina_wholedoc.jsonl",
}
FOLDS: dict[str, int] = {"news": 8, "wikipedia": 5, "qasina": 5}
"""Cross-validation folds by article: leave one article out for the 8 news articles."""


def load_whole_articles(data: Path) -> dict[str, list[EvalRecord]]:
    """The whole-article sets present in ``data`` (a missing file is skipped)."""
    return {
        name: read_qa_file(data / file)
        for name, file in WHOLE_ARTICLE_FILES.items()
        if (data / file).is_file()
    }


def shipped_article_questions(seed: Path) -> list[EvalRecord]:
    """The dev questions asked against the article shipped in ``content/``."""
    article = next((ROOT / "content").glob("*.txt")).read_text(encoding="utf-8")
    records = []
    lines = (seed / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.strip():
            raw = json.loads(line)
            records.append(
                EvalRecord(f"dev-{number}", article, raw["question"], tuple(raw["answers"]))
            )
    return records


def article_folds(records: Sequence[EvalRecord], folds: int) -> list[int]:
    """Fold of each record, by its article (articles in a fixed order, dealt round-robin)."""
    articles = sorted({r.context for r in records})
    fold_of = {context: i % folds for i, context in enumerate(articles)}
    return [fold_of[r.context] for r in records]


def by_article(records: Sequence[EvalRecord]) -> dict[str, list[EvalRecord]]:
    groups: dict[str, list[EvalRecord]] = {}
    for record in records:
        groups.setdefault(record.context, []).append(record)
    return groups


@dataclass(frozen=True, slots=True)
class Outcome:
    """One question's result: ``hit`` (top sentence holds a gold answer), ``abstained``."""

    answerable: bool
    hit: bool
    abstained: bool
    reason: str


def ask_each_article(
    records: Sequence[EvalRecord],
    reranker: Reranker,
    on_answer: Callable[[EvalRecord, Answer], None] | None = None,
) -> list[Outcome]:
    """Index each article alone and ask its questions (results in the order of ``records``)."""
    results: dict[int, Outcome] = {}
    index_of = {id(r): i for i, r in enumerate(records)}
    for context, group in by_article(records).items():
        snapshot, ids = build_eval_index(group, reranker=reranker)
        for record in group:
            answer = snapshot.ask(record.question, top_k=1, document_id=ids[context])
            if on_answer is not None:
                on_answer(record, answer)
            hit = bool(answer.hits) and matches_answer(answer.hits[0].sentence, record.answers)
            results[index_of[id(record)]] = Outcome(
                bool(record.answers), hit and not answer.abstained, answer.abstained, answer.reason
            )
    return [results[i] for i in range(len(records))]


def mean_and_error(values: Iterable[float]) -> tuple[float, float]:
    """Mean and its standard error."""
    xs = list(values)
    if not xs:
        return 0.0, 0.0
    mean = sum(xs) / len(xs)
    if len(xs) < 2:
        return mean, 0.0
    variance = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)
    return mean, math.sqrt(variance / len(xs))


def summarise(outcomes: Sequence[Outcome]) -> dict[str, float | int]:
    """Hit@1 (± s.e.) over answerable questions, false abstentions, off-topic abstentions."""
    answerable = [o for o in outcomes if o.answerable]
    off_topic = [o for o in outcomes if not o.answerable]
    hit, error = mean_and_error(float(o.hit) for o in answerable)
    return {
        "answerable": len(answerable),
        "hit@1": round(hit, 4),
        "hit@1_se": round(error, 4),
        "false_abstentions": sum(o.abstained for o in answerable),
        "off_topic": len(off_topic),
        "off_topic_abstained": sum(o.abstained for o in off_topic),
    }

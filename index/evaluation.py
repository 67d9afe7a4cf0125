"""Retrieval evaluation over QA files (``{"id"?, "context", "question", "answers": [str]}``).

Each distinct context becomes one document; a question is asked against its own context
(or, in ``open`` mode, against all contexts at once). A hit is a ranked *sentence* that contains
a gold answer after NFKC + casefold + whitespace collapsing.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.engine import Answer, Document, EmptyDocumentError, IndexSnapshot, prepare_document
from index.question import analyse_question
from index.rerank import Reranker
from index.spans import exact_match, is_factoid, token_f1
from index.tokens import Tokenizer, default_tokenizer

if TYPE_CHECKING:
    from index.semantic import SemanticScorer

__all__ = [
    "EvalRecord",
    "EvalReport",
    "QAFileError",
    "ShortAnswerTally",
    "build_eval_index",
    "evaluate",
    "matches_answer",
    "read_qa_file",
]


class QAFileError(ValueError):
    """The evaluation file cannot be used (missing, not JSONL, wrong shape)."""


@dataclass(frozen=True, slots=True)
class EvalRecord:
    id: str
    context: str
    question: str
    answers: tuple[str, ...]


def canonical(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def matches_answer(sentence: str, answers: Iterable[str]) -> bool:
    canon = canonical(sentence)
    return any(canonical(a) and canonical(a) in canon for a in answers)


def read_qa_file(path: Path, limit: int | None = None) -> list[EvalRecord]:
    """Read and validate a QA JSONL file; errors name the line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise QAFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    records: list[EvalRecord] = []
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if limit is not None and len(records) >= limit:
                    break
                if not line.strip():
                    continue
                records.append(_parse_record(line, number))
        except UnicodeDecodeError as exc:
            raise QAFileError(f"{path} is not UTF-8 text ({exc.reason})") from exc
    if not records:
        raise QAFileError(f"{path} has no records")
    return records


def _parse_record(line: str, number: int) -> EvalRecord:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QAFileError(f"line {number}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict):
        raise QAFileError(f"line {number}: expected a JSON object")
    context, question, answers = raw.get("context"), raw.get("question"), raw.get("answers", [])
    if not isinstance(context, str) or not isinstance(question, str):
        raise QAFileError(f'line {number}: "context" and "question" must be strings')
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise QAFileError(f'line {number}: "answers" must be a list of strings')
    return EvalRecord(str(raw.get("id", number)), context, question, tuple(answers))


def build_eval_index(
    records: Iterable[EvalRecord],
    tokenizer: Tokenizer | None = None,
    reranker: Reranker | None = None,
) -> tuple[IndexSnapshot, dict[str, int]]:
    """Index each distinct context as its own document; returns the snapshot and
    context → document id."""
    tok = tokenizer or default_tokenizer()
    ids: dict[str, int] = {}
    documents: list[Document] = []
    for record in records:
        if record.context in ids:
            continue
        doc_id = len(ids) + 1
        ids[record.context] = doc_id
        try:
            documents.append(prepare_document(doc_id, f"context {doc_id}", record.context, tok))
        except EmptyDocumentError:
            continue
    return IndexSnapshot.build(documents, tok, reranker), ids


@dataclass(slots=True)
class ShortAnswerTally:
    """Short answers over factoid questions whose top sentence is right: how many there were
    (``n``), how many got a short answer (``shown``), and of those the exact matches, the sum
    of token F1 and the *precise* ones (token F1 ≥ 0.5: right, give or take a word)."""

    n: int = 0
    shown: int = 0
    exact: int = 0
    f1_sum: float = 0.0
    precise: int = 0

    def add(self, shown: str | None, answers: Iterable[str]) -> None:
        self.n += 1
        if shown is None:
            return
        gold = tuple(answers)
        self.shown += 1
        self.exact += exact_match(shown, gold)
        f1 = token_f1(shown, gold)
        self.f1_sum += f1
        self.precise += f1 >= 0.5

    def summary(self) -> dict[str, Any]:
        def ratio(a: float, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "n": self.n,
            "shown": self.shown,
            "shown_share": ratio(self.shown, self.n),
            "exact_when_shown": ratio(self.exact, self.shown),
            "f1_when_shown": ratio(self.f1_sum, self.shown),
            "precision_when_shown": ratio(self.precise, self.shown),
        }


@dataclass(slots=True)
class EvalReport:
    questions: int = 0
    answerable: int = 0
    unanswerable: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal_rank_sum: float = 0.0
    false_abstain: int = 0
    abstain_unanswerable: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    short_answers: dict[str, ShortAnswerTally] = field(default_factory=dict)

    def add_short_answer(self, qtype: str, shown: str | None, answers: Iterable[str]) -> None:
        gold = tuple(answers)
        for key in ("all", qtype):
            self.short_answers.setdefault(key, ShortAnswerTally()).add(shown, gold)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            if not lat:
                return 0.0
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 3)

        def ratio(a: float, b: int) -> float:
            return round(a / b, 4) if b else 0.0

        return {
            "questions": self.questions,
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "hit@1": ratio(self.hit1, self.answerable),
            "hit@3": ratio(self.hit3, self.answerable),
            "mrr@10": ratio(self.reciprocal_rank_sum, self.answerable),
            "false_abstain_rate": ratio(self.false_abstain, self.answerable),
            "abstain_rate_unanswerable": ratio(self.abstain_unanswerable, self.unanswerable),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "short_answer": {
                key: tally.summary() for key, tally in sorted(self.short_answers.items())
            },
        }


def evaluate(
    records: list[EvalRecord],
    snapshot: IndexSnapshot,
    context_ids: dict[str, int],
    *,
    top_k: int = 10,
    open_domain: bool = False,
    on_answer: Callable[[EvalRecord, Answer], None] | None = None,
    progress: Callable[[Iterable[EvalRecord]], Iterator[EvalRecord]] | None = None,
    semantic: SemanticScorer | None = None,
) -> EvalReport:
    """Ask every record's question and score the ranked sentences (``semantic``: with the
    sentence encoder's re-ranking, see ``index.semantic``)."""
    report = EvalReport()
    k = max(top_k, 10)
    iterator: Iterable[EvalRecord] = progress(records) if progress else records
    for record in iterator:
        doc_id = None if open_domain else context_ids.get(record.context)
        started = time.perf_counter()
        answer = snapshot.ask(record.question, top_k=k, document_id=doc_id, semantic=semantic)
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        report.questions += 1
        if on_answer:
            on_answer(record, answer)
        if not record.answers:
            report.unanswerable += 1
            report.abstain_unanswerable += answer.abstained
            continue
        report.answerable += 1
        if answer.abstained:
            report.false_abstain += 1
            continue
        top = answer.hits[0] if answer.hits else None
        if top is not None and matches_answer(top.sentence, record.answers):
            analysis = analyse_question(record.question, snapshot.tokenizer)
            if is_factoid(analysis):
                shown = top.short_answer.text if top.short_answer else None
                report.add_short_answer(analysis.qtype, shown, record.answers)
        for hit in answer.hits[:10]:
            if matches_answer(hit.sentence, record.answers):
                report.hit1 += hit.rank == 1
                report.hit3 += hit.rank <= 3
                report.reciprocal_rank_sum += 1.0 / hit.rank
                break
    return report

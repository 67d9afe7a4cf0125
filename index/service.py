"""QAService: the one object the CLI and the bot talk to.

It holds the current immutable ``IndexSnapshot`` and answers from it; ``swap`` replaces the
snapshot in one assignment, so a question being answered keeps the snapshot it started with
while a reload builds the next one. Content operations (ingest, remove, reload) and the
bot-side records (question log, feedback, chat settings, statistics) go through the content
store (``index.store``) when the service is backed by one.

Result types below are the contract between the store and its callers (CLI, bot).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from index.engine import Answer, Document, EmptyDocumentError, IndexSnapshot, prepare_document
from index.sources import TEXT_SUFFIXES, SourceError, read_text_file
from index.tokens import Tokenizer, default_tokenizer

__all__ = [
    "DocumentInfo",
    "IngestResult",
    "QAService",
    "ReloadReport",
    "Stats",
    "load_content_dir",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: int
    title: str
    sentences: int
    source_kind: str  # "file" | "url" | "upload" | "text"
    source_ref: str
    updated_at: datetime | None
    active: bool = True


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Outcome of ingesting one source: ``status`` is "added", "updated", "unchanged" or
    "failed" (then ``error`` says why in one sentence a user can act on)."""

    source: str
    status: str
    document_id: int | None = None
    title: str = ""
    sentences: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class ReloadReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0
    documents: int = 0
    sentences: int = 0
    seconds: float = 0.0
    revision: int = 0
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Stats:
    questions: int = 0
    answered: int = 0
    abstained: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    top_questions: tuple[tuple[str, int], ...] = ()
    unanswered_questions: tuple[tuple[str, int], ...] = ()
    p50_ms: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


def load_content_dir(path: Path, tokenizer: Tokenizer | None = None) -> list[Document]:
    """Prepare every text file under ``path`` (sorted, recursive) without a store; unreadable
    files are logged and skipped."""
    tok = tokenizer or default_tokenizer()
    documents: list[Document] = []
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    for number, file in enumerate(files, 1):
        try:
            source = read_text_file(file)
            documents.append(prepare_document(number, source.title, source.text, tok, file.name))
        except (SourceError, EmptyDocumentError) as exc:
            log.warning("skipping %s: %s", file.name, exc)
    return documents


class QAService:
    def __init__(self, snapshot: IndexSnapshot) -> None:
        self._snapshot = snapshot

    @classmethod
    def from_documents(cls, documents: list[Document]) -> QAService:
        return cls(IndexSnapshot.build(documents))

    @property
    def snapshot(self) -> IndexSnapshot:
        return self._snapshot

    def swap(self, snapshot: IndexSnapshot) -> None:
        self._snapshot = snapshot

    def ask(self, question: str, top_k: int = 3, document_id: int | None = None) -> Answer:
        return self._snapshot.ask(question, top_k, document_id)

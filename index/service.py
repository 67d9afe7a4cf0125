"""QAService: holds the current index snapshot and answers questions from it.

The snapshot is immutable; ``swap`` replaces it in one assignment, so a question being answered
keeps the snapshot it started with while a reload builds the next one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from index.engine import Answer, Document, EmptyDocumentError, IndexSnapshot, prepare_document
from index.sources import TEXT_SUFFIXES, SourceError, read_text_file
from index.tokens import Tokenizer, default_tokenizer

__all__ = ["QAService", "load_content_dir"]

log = logging.getLogger(__name__)


def load_content_dir(path: Path, tokenizer: Tokenizer | None = None) -> list[Document]:
    """Prepare every text file under ``path`` (sorted, recursive); unreadable files are logged
    and skipped."""
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

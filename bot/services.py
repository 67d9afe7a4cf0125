"""What the bot needs from the answer service, as a ``Protocol``.

``index.service.QAService`` (backed by the content store) implements it; tests use a small
in-memory fake. Every method is synchronous and may block (database, network, CPU), so
handlers call them through ``asyncio.to_thread`` — see ``bot.qa``.
"""

from __future__ import annotations

from typing import Protocol

from index.engine import Answer
from index.results import DocumentInfo, IngestResult, ReloadReport, Stats

__all__ = ["BotService"]


class BotService(Protocol):
    def ask(self, question: str, top_k: int = 3, document_id: int | None = None) -> Answer: ...

    def reload(self) -> ReloadReport: ...

    def ingest_url(self, url: str, *, allow_private: bool = False) -> IngestResult: ...

    def ingest_upload(self, filename: str, data: bytes) -> IngestResult: ...

    def ingest_text(self, title: str, text: str) -> IngestResult: ...

    def remove(self, document_id: int) -> bool: ...

    def documents(self) -> list[DocumentInfo]: ...

    def log_question(
        self, *, chat_id: int, user_id: int, question: str, answer: Answer, latency_ms: float
    ) -> int: ...

    def record_feedback(
        self, *, question_id: int, user_id: int, vote: int, chat_id: int | None = None
    ) -> bool: ...

    def stats(self, top: int = 5) -> Stats: ...

    def chat_language(self, chat_id: int) -> str | None: ...

    def set_chat_language(self, chat_id: int, language: str) -> None: ...

    def check_for_newer_revision(self) -> bool: ...

    def start_watching(self, interval: float = ...) -> None: ...

    def close(self) -> None: ...

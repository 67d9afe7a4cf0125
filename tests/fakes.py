"""An in-memory stand-in for the store-backed ``QAService`` (the ``bot.services.BotService``
protocol), answering with the real engine over real articles. For bot tests only."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from index.engine import Answer, Document, EmptyDocumentError, IndexSnapshot, prepare_document
from index.results import DocumentInfo, IngestResult, ReloadReport, SourceKind, Stats
from index.service import WATCH_INTERVAL_S, load_content_dir

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


@dataclass
class LoggedQuestion:
    chat_id: int
    user_id: int
    question: str
    answer: Answer
    latency_ms: float


class FakeService:
    """Answers from an ``IndexSnapshot``; content operations rebuild it; records in lists."""

    def __init__(self, documents: list[Document] | None = None) -> None:
        self._lock = threading.Lock()
        self._documents = {d.id: d for d in (documents or load_content_dir(CONTENT_DIR))}
        self._snapshot = IndexSnapshot.build(self._documents.values())
        self.pages: dict[str, str] = {}  # URL -> article text "served" to ingest_url
        self.questions: dict[int, LoggedQuestion] = {}
        self.votes: dict[tuple[int, int], int] = {}
        self.languages: dict[int, str] = {}
        self.language_reads = 0  # chat_language calls (the bot caches the answer per chat)
        self.calls: list[str] = []
        self.fail_logging = False
        self.reload_delay = 0.0
        self.closed = False
        self.watching: float | None = None  # start_watching's interval

    # -- answering ---------------------------------------------------------------------------
    def ask(self, question: str, top_k: int = 3, document_id: int | None = None) -> Answer:
        self.calls.append("ask")
        return self._snapshot.ask(question, top_k, document_id)

    # -- content -----------------------------------------------------------------------------
    def _rebuild(self) -> None:
        self._snapshot = IndexSnapshot.build(self._documents.values())

    def reload(self) -> ReloadReport:
        self.calls.append("reload")
        started = time.perf_counter()
        time.sleep(self.reload_delay)
        with self._lock:
            self._rebuild()
            return ReloadReport(
                unchanged=len(self._documents),
                documents=len(self._documents),
                sentences=self._snapshot.sentence_count,
                seconds=time.perf_counter() - started,
                revision=len(self.calls),
            )

    def _add(self, title: str, text: str, kind: str, source: str) -> IngestResult:
        with self._lock:
            number = max(self._documents, default=0) + 1
            try:
                doc = prepare_document(number, title, text, source=f"{kind}:{source}")
            except EmptyDocumentError as exc:
                return IngestResult(source, "failed", error=str(exc))
            self._documents[number] = doc
            self._rebuild()
            return IngestResult(source, "added", number, doc.title, len(doc.sentences))

    def ingest_url(self, url: str, *, allow_private: bool = False) -> IngestResult:
        self.calls.append("ingest_url")
        if not url.startswith(("http://", "https://")):
            scheme = url.split(":", 1)[0]
            return IngestResult(
                url,
                "failed",
                error=f"only http and https URLs can be ingested, not {scheme}",
                error_key="only_http",
                error_params={"scheme": scheme},
            )
        if url not in self.pages:
            return IngestResult(
                url,
                "failed",
                error=f"{url} answered HTTP 404 Not Found",
                error_key="http_status",
                error_params={"url": url, "status": 404, "reason": "Not Found"},
            )
        return self._add("", self.pages[url], "url", url)

    def ingest_upload(self, filename: str, data: bytes) -> IngestResult:
        self.calls.append("ingest_upload")
        if b"\x00" in data[:8192]:
            return IngestResult(
                filename,
                "failed",
                error=f"{filename} is a binary file, not text",
                error_key="binary",
                error_params={"name": filename},
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # no key: the bot shows the English sentence
            return IngestResult(filename, "failed", error=f"{filename} is not UTF-8 text")
        return self._add(Path(filename).stem, text, "upload", filename)

    def ingest_text(self, title: str, text: str) -> IngestResult:
        self.calls.append("ingest_text")
        return self._add(title, text, "text", title or "text")

    def remove(self, document_id: int) -> bool:
        self.calls.append("remove")
        with self._lock:
            if self._documents.pop(document_id, None) is None:
                return False
            self._rebuild()
            return True

    def documents(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(
                d.id,
                d.title,
                len(d.sentences),
                # "kind:reference" for what was ingested; the articles it starts with are the
                # content directory's, as in the real service.
                cast(SourceKind, d.source.split(":", 1)[0] if ":" in d.source else "content"),
                d.source,
                datetime.now(UTC),
            )
            for d in self._documents.values()
        ]

    # -- bot records -------------------------------------------------------------------------
    def log_question(
        self, *, chat_id: int, user_id: int, question: str, answer: Answer, latency_ms: float
    ) -> int:
        if self.fail_logging:
            raise RuntimeError("database is locked")
        with self._lock:
            question_id = len(self.questions) + 1
            self.questions[question_id] = LoggedQuestion(
                chat_id, user_id, question, answer, latency_ms
            )
            return question_id

    def record_feedback(
        self, *, question_id: int, user_id: int, vote: int, chat_id: int | None = None
    ) -> bool:
        if question_id not in self.questions or vote not in (-1, 1):
            return False
        if chat_id is not None and self.questions[question_id].chat_id != chat_id:
            return False
        self.votes[(question_id, user_id)] = vote
        return True

    def stats(self, top: int = 5) -> Stats:
        logged = list(self.questions.values())
        asked = Counter(q.question for q in logged)
        unanswered = Counter(q.question for q in logged if q.answer.abstained)
        return Stats(
            questions=len(logged),
            answered=sum(not q.answer.abstained for q in logged),
            abstained=sum(q.answer.abstained for q in logged),
            thumbs_up=sum(v > 0 for v in self.votes.values()),
            thumbs_down=sum(v < 0 for v in self.votes.values()),
            top_questions=tuple(asked.most_common(top)),
            unanswered_questions=tuple(unanswered.most_common(top)),
        )

    def chat_language(self, chat_id: int) -> str | None:
        self.language_reads += 1
        return self.languages.get(chat_id)

    def set_chat_language(self, chat_id: int, language: str) -> None:
        self.languages[chat_id] = language

    def check_for_newer_revision(self) -> bool:
        return False

    def start_watching(self, interval: float = WATCH_INTERVAL_S) -> None:
        self.watching = interval

    def close(self) -> None:
        self.closed = True

"""The bot's own records: the question log, the votes, the statistics and each chat's
language. Telegram user ids are stored only as ``user_hash``."""

from __future__ import annotations

import hashlib
import hmac
from typing import cast

from sqlalchemy import Table, case, func, select
from sqlalchemy.orm import Session

from index.engine import MAX_QUESTION_CHARS, Answer
from index.results import Stats
from index.store.db import Database
from index.store.errors import StoreError
from index.store.models import (
    ChatRow,
    ContentState,
    DocumentRow,
    FeedbackRow,
    MetaRow,
    QuestionRow,
    utcnow,
)
from index.store.transactions import StoreTransactions
from index.tokens import Tokenizer

__all__ = ["BotRecords"]

_DOCS = cast(Table, DocumentRow.__table__)


class BotRecords(StoreTransactions):
    """Questions, votes, statistics and chat settings, written with the same retries as the
    content."""

    def __init__(self, database: Database, tokenizer: Tokenizer) -> None:
        super().__init__(database, tokenizer)
        self._hash_key: bytes | None = None

    def user_hash(self, user_id: int) -> str:
        """HMAC-SHA256 of the Telegram user id with this installation's secret."""
        if self._hash_key is None:
            with self.db.read() as session:
                value = session.scalar(select(MetaRow.value).where(MetaRow.key == "user_hash_key"))
            if value is None:
                raise StoreError(
                    "the database has no user-hash secret; run `tanyaberita db upgrade`"
                )
            self._hash_key = bytes.fromhex(value)
        return hmac.new(self._hash_key, str(int(user_id)).encode(), hashlib.sha256).hexdigest()

    def log_question(
        self, *, chat_id: int, user_id: int | None, question: str, answer: Answer, latency_ms: float
    ) -> int:
        top = answer.hits[0] if answer.hits and not answer.abstained else None
        row = QuestionRow(
            chat_id=int(chat_id),
            user_hash=self.user_hash(user_id) if user_id is not None else None,
            # As much of the question as the engine reads: the log keeps what was answered.
            question=question.replace("\x00", "")[:MAX_QUESTION_CHARS],
            answered=not answer.abstained,
            abstain_reason=answer.reason[:32],
            top_document_id=top.document_id if top else None,
            top_position=top.position if top else None,
            top_sentence=top.sentence if top else None,
            top_score=top.score if top else None,
            latency_ms=float(latency_ms),
            created_at=utcnow(),
        )

        def action(session: Session) -> int:
            top_id = row.top_document_id
            if top_id is not None and (
                session.connection().execute(select(_DOCS.c.id).where(_DOCS.c.id == top_id)).first()
                is None
            ):
                row.top_document_id = None  # answered from a document this store does not have
            session.add(row)
            session.flush()
            return row.id

        return self._write(action)

    def record_feedback(
        self, *, question_id: int, user_id: int, vote: int, chat_id: int | None = None
    ) -> bool:
        if vote not in (-1, 1):
            raise ValueError("vote must be +1 or -1")
        user = self.user_hash(user_id)

        def action(session: Session) -> bool:
            question = session.get(QuestionRow, question_id)
            if question is None or (chat_id is not None and question.chat_id != int(chat_id)):
                return False  # unknown, or a question asked in another chat (forged button)
            existing = session.scalar(
                select(FeedbackRow).where(
                    FeedbackRow.question_id == question_id, FeedbackRow.user_hash == user
                )
            )
            now = utcnow()
            if existing is None:
                session.add(
                    FeedbackRow(
                        question_id=question_id,
                        user_hash=user,
                        vote=vote,
                        created_at=now,
                        updated_at=now,
                    )
                )
            else:
                existing.vote, existing.updated_at = vote, now
            return True

        return self._write(action)

    def stats(self, top: int = 5) -> Stats:
        with self.db.read() as session:
            questions, answered = session.execute(
                select(
                    func.count(QuestionRow.id),
                    func.coalesce(func.sum(case((QuestionRow.answered.is_(True), 1), else_=0)), 0),
                )
            ).one()
            up, down = session.execute(
                select(
                    func.coalesce(func.sum(case((FeedbackRow.vote > 0, 1), else_=0)), 0),
                    func.coalesce(func.sum(case((FeedbackRow.vote < 0, 1), else_=0)), 0),
                )
            ).one()
            normalised = func.lower(func.trim(QuestionRow.question))

            def most_asked(only_unanswered: bool) -> tuple[tuple[str, int], ...]:
                statement = select(normalised, func.count()).group_by(normalised)
                if only_unanswered:
                    statement = statement.where(QuestionRow.answered.is_(False))
                statement = statement.order_by(func.count().desc(), normalised).limit(top)
                return tuple((str(q), int(n)) for q, n in session.execute(statement))

            p50 = 0.0
            if questions:
                p50 = float(
                    session.scalar(
                        select(QuestionRow.latency_ms)
                        .order_by(QuestionRow.latency_ms)
                        .offset((int(questions) - 1) // 2)
                        .limit(1)
                    )
                    or 0.0
                )
            documents, sentences = session.execute(
                select(
                    func.count(DocumentRow.id),
                    func.coalesce(func.sum(DocumentRow.sentence_count), 0),
                ).where(DocumentRow.active.is_(True))
            ).one()
            revision = session.scalar(select(ContentState.revision).where(ContentState.id == 1))
            return Stats(
                questions=int(questions),
                answered=int(answered),
                abstained=int(questions) - int(answered),
                thumbs_up=int(up),
                thumbs_down=int(down),
                top_questions=most_asked(False),
                unanswered_questions=most_asked(True),
                p50_ms=round(p50, 3),
                extra={
                    "documents": float(documents),
                    "sentences": float(sentences),
                    "revision": float(revision or 0),
                },
            )

    def chat_language(self, chat_id: int) -> str | None:
        with self.db.read() as session:
            return session.scalar(select(ChatRow.language).where(ChatRow.id == int(chat_id)))

    def set_chat_language(self, chat_id: int, language: str) -> None:
        def action(session: Session) -> None:
            row = session.get(ChatRow, int(chat_id))
            now = utcnow()
            if row is None:
                session.add(
                    ChatRow(id=int(chat_id), language=language[:8], created_at=now, updated_at=now)
                )
            else:
                row.language, row.updated_at = language[:8], now

        self._write(action)

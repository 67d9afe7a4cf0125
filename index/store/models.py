"""The content store's tables (SQLAlchemy 2 typed ORM).

Content: ``documents`` (one row per source, soft-deleted through ``active``) and their
``sentences`` with the stored tokens, so a start rebuilds the index without stemming again.
``content_state`` holds the revision counter every content change bumps; running instances poll
it to notice changes made by another instance.

Feeds: ``feeds`` (RSS/Atom subscriptions with their polling state), ``feed_entries`` (which
entry of which feed became which document, so nothing is ingested twice) and ``feed_notices``
(the chats that asked to be told of new articles).

Bot side: ``chats`` (per-chat settings), ``questions`` (the question log) and ``feedback``
(one vote per user per question). Telegram user ids are never stored: ``user_hash`` is an HMAC
of the id with the installation's secret (``meta`` row ``user_hash_key``, created by the first
migration).

The schema itself is created only by the Alembic migrations in ``migrations/``; a test checks
that these models and the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "ChatRow",
    "ContentState",
    "DocumentEmbeddingsRow",
    "DocumentRow",
    "FeedEntryRow",
    "FeedNoticeRow",
    "FeedRow",
    "FeedbackRow",
    "MetaRow",
    "QuestionRow",
    "SentenceRow",
    "utcnow",
]

# Deterministic constraint names, so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012 - SQLAlchemy API


class DocumentRow(Base):
    """One article. ``source_key`` (a hash of kind and reference) identifies the source, so the
    same source with new content is updated in place; ``content_hash`` (of the whitespace-
    normalised text) is unique among active documents, so the same text is never stored twice.
    ``version`` grows with every change of title or sentences (the in-memory cache key);
    ``pipeline`` fingerprints the splitter/tokenizer that produced the stored tokens."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(Text)
    source_key: Mapped[str] = mapped_column(String(64), unique=True)
    source_digest: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    raw_text: Mapped[str] = mapped_column(Text)
    sentence_count: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_by: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer, default=1)
    pipeline: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    sentences: Mapped[list[SentenceRow]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SentenceRow.position",
    )

    __table_args__ = (
        Index(
            "uq_documents_active_content_hash",
            "content_hash",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_documents_source_kind_active", "source_kind", "active"),
    )


class SentenceRow(Base):
    """A sentence of a document with its index terms, space-joined (terms never contain
    whitespace: they come from a word regex and the stemmer)."""

    __tablename__ = "sentences"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    paragraph: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text)

    document: Mapped[DocumentRow] = relationship(back_populates="sentences")


class ContentState(Base):
    """A single row (``id`` 1): the content revision, bumped by every content change."""

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MetaRow(Base):
    """Installation-wide key/value settings (e.g. the secret for hashing user ids)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChatRow(Base):
    """Per-chat settings; ``id`` is the Telegram chat id (negative for groups)."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionRow(Base):
    """One asked question and what the bot did with it (for /stats and feedback)."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_hash: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean)
    abstain_reason: Mapped[str] = mapped_column(String(32), default="")
    top_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    top_position: Mapped[int | None] = mapped_column(Integer)
    top_sentence: Mapped[str | None] = mapped_column(Text)
    top_score: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FeedbackRow(Base):
    """A 👍 (+1) or 👎 (-1) on an answer; one per user per question, a re-vote replaces it."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    user_hash: Mapped[str] = mapped_column(String(64))
    vote: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("question_id", "user_hash"),
        CheckConstraint("vote IN (-1, 1)", name="vote"),
    )


class FeedRow(Base):
    """An RSS/Atom subscription and its polling state: the validators of the last answer
    (``etag``, ``last_modified``) for conditional GETs, when it last worked or failed and why,
    and ``failures`` in a row (the backoff grows with it) until ``next_poll_at``."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    interval_s: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column()
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedEntryRow(Base):
    """One entry of a feed as seen: ``entry_key`` hashes the entry's id (or its link when it
    has none); ``marker`` hashes what makes it new (title, dates, summary), so an updated
    entry is fetched again; ``published_at`` is what retention goes by."""

    __tablename__ = "feed_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(64))
    link: Mapped[str | None] = mapped_column(Text)
    marker: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("feed_id", "entry_key"),)


class FeedNoticeRow(Base):
    """A chat (Telegram chat id) that asked to be told of articles new from feeds."""

    __tablename__ = "feed_notices"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentEmbeddingsRow(Base):
    """The sentence embeddings of one document by one encoder (``index.semantic``): int8
    ``codes`` (sentences × dimensions, row-major) and one float32 ``scales`` per sentence.
    ``encoder`` is the encoder's version id, so a model change recomputes them; ``digest``
    identifies the sentences embedded, so a changed document does too. Computed after ingest,
    never during it."""

    __tablename__ = "document_embeddings"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    encoder: Mapped[str] = mapped_column(String(80), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    sentences: Mapped[int] = mapped_column(Integer)
    codes: Mapped[bytes] = mapped_column(LargeBinary)
    scales: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

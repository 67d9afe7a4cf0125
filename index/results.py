"""What the service and the store hand back to their callers (CLI, bot): plain frozen data.

A module of its own so that the store, the service and the bot can all name these types
without importing each other: it imports nothing of the project but the error vocabulary
(``index.errors``, which imports nothing of the project either).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias, get_args

from index.errors import ErrorDetail, ErrorKey, ErrorParam, KeyedError

__all__ = [
    "AbstainReason",
    "DocumentInfo",
    "IngestResult",
    "IngestStatus",
    "ReloadReport",
    "SourceKind",
    "Stats",
    "SyncStatus",
    "zero_counts",
]

IngestStatus: TypeAlias = Literal["added", "updated", "unchanged", "failed", "skipped"]
"""One source's outcome: "skipped" is a file of an unsupported type found in a directory, or a
named directory without any file."""

SyncStatus: TypeAlias = Literal["added", "updated", "removed", "unchanged", "failed"]
"""What a sync or reload counts: a content file's outcome, or a document it took out."""

SourceKind: TypeAlias = Literal["content", "file", "url", "upload", "jsonl", "text", "index"]
"""Where a document came from; "index" is a document listed from memory while the database
is away."""

AbstainReason: TypeAlias = Literal[
    "",  # answered
    "empty",  # no words in the question
    "smalltalk",  # only greetings or thanks
    "no_match",  # no question term occurs in the searched text
    "low_coverage",  # the best sentences miss most of the question's informative terms
    "unknown_document",  # the question named a document that does not exist
]


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: int
    title: str
    sentences: int
    source_kind: SourceKind
    source_ref: str
    updated_at: datetime | None
    active: bool = True


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Outcome of ingesting one source. For "failed" and "skipped", ``error`` says why in one
    English sentence a user can act on, and ``error_key``/``error_params`` say it for
    translation when it has a key."""

    source: str
    status: IngestStatus
    document_id: int | None = None
    title: str = ""
    sentences: int = 0
    error: str = ""
    error_key: ErrorKey | None = None
    error_params: Mapping[str, ErrorParam] = field(default_factory=dict, hash=False)

    @classmethod
    def failure(cls, source: str, error: str | KeyedError) -> IngestResult:
        """A failed result; a ``KeyedError`` brings its key and parameters along."""
        if isinstance(error, KeyedError):
            return cls(
                source, "failed", error=str(error), error_key=error.key, error_params=error.params
            )
        return cls(source, "failed", error=error)

    @property
    def error_detail(self) -> ErrorDetail:
        return ErrorDetail(self.error, self.error_key, self.error_params)


def zero_counts() -> dict[SyncStatus, int]:
    """Every sync status at 0, to count with ``counts[status] += 1``."""
    return dict.fromkeys(get_args(SyncStatus), 0)


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
    error_details: tuple[ErrorDetail, ...] = ()
    """What went wrong, as data (front ends that translate use the keys)."""
    skipped: tuple[ErrorDetail, ...] = ()
    """Files in the content directory that were not read because of their type (key
    ``unsupported_type``): not errors, but said, never silently left out."""

    @property
    def errors(self) -> tuple[str, ...]:
        """The errors' English sentences, in order."""
        return tuple(detail.message for detail in self.error_details)


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

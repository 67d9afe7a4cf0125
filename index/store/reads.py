"""Reading the store: the streamed read a start or reload builds the index from, and the
document listings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from index.results import DocumentInfo, SourceKind
from index.store.models import ContentState, DocumentRow, SentenceRow
from index.store.transactions import StoreTransactions

__all__ = ["IndexRead", "IndexReads", "Listing", "StoredColumns"]

_DOCS = cast(Table, DocumentRow.__table__)
_SENTENCES = cast(Table, SentenceRow.__table__)
_STATE = cast(Table, ContentState.__table__)


@dataclass(frozen=True, slots=True)
class Listing:
    """What an active document looks like in the store, cheaply (no sentences)."""

    id: int
    version: int
    title: str
    display: str


_STREAM_ROWS = 2000


@dataclass(frozen=True, slots=True)
class StoredColumns:
    """A document's sentences as stored: texts, paragraph numbers and tokens, in order."""

    texts: list[str]
    paragraphs: list[int]
    tokens: list[list[str]]


@dataclass(frozen=True, slots=True)
class IndexRead:
    """What ``ContentStore.read_index`` gives while its read is open: ``documents`` yields
    ``(id, columns)`` of the ``wanted`` documents in ascending id order."""

    revision: int
    listing: dict[int, Listing]
    wanted: frozenset[int]
    documents: Iterator[tuple[int, StoredColumns]]


class IndexReads(StoreTransactions):
    """What the index and the listings read; nothing here writes."""

    @contextmanager
    def read_index(self, cached: Mapping[int, int]) -> Iterator[IndexRead]:
        """One consistent read of what the index needs: the content revision, the active
        documents, and — streamed, one document at a time, while the context is open — the
        sentences (with stored tokens, so no stemming) of the documents not already ``cached``
        at their current version (``cached``: id → version).

        Streaming keeps a start's memory at the index's own size: only one document's rows exist
        as Python objects at a time (with everything read at once, a 100k-sentence store peaked
        at 275 MB)."""
        # One snapshot for all statements below (SQLite transactions already are one).
        options = {"isolation_level": "REPEATABLE READ"} if self.db.dialect == "postgresql" else {}
        with self.db.engine.connect().execution_options(**options) as conn, conn.begin():
            revision = int(
                conn.execute(select(_STATE.c.revision).where(_STATE.c.id == 1)).scalar() or 0
            )
            listing = {
                doc_id: Listing(doc_id, version, title, _display(kind, ref))
                for doc_id, version, title, kind, ref in conn.execute(
                    select(
                        _DOCS.c.id,
                        _DOCS.c.version,
                        _DOCS.c.title,
                        _DOCS.c.source_kind,
                        _DOCS.c.source_ref,
                    ).where(_DOCS.c.active.is_(True))
                )
            }
            wanted = frozenset(i for i, d in listing.items() if cached.get(i) != d.version)
            everything = len(wanted) > len(listing) // 2
            yield IndexRead(revision, listing, wanted, self._stream(conn, wanted, everything))

    @staticmethod
    def _stream(
        conn: Connection, wanted: frozenset[int], everything: bool
    ) -> Iterator[tuple[int, StoredColumns]]:
        """Sentence columns of the ``wanted`` documents in ascending id order, straight from the
        rows (no per-sentence objects), one document at a time. ``everything``: one scan of all
        active sentences instead of id lookups. A wanted document without rows is not yielded."""
        if not wanted:
            return
        columns = (
            _SENTENCES.c.document_id,
            _SENTENCES.c.position,
            _SENTENCES.c.paragraph,
            _SENTENCES.c.text,
            _SENTENCES.c.tokens,
        )
        order = (_SENTENCES.c.document_id, _SENTENCES.c.position)
        if everything:
            statements = [
                select(*columns)
                .join(_DOCS, _DOCS.c.id == _SENTENCES.c.document_id)
                .where(_DOCS.c.active.is_(True))
                .order_by(*order)
            ]
        else:
            ids = sorted(wanted)
            statements = [
                select(*columns)
                .where(_SENTENCES.c.document_id.in_(ids[i : i + 500]))
                .order_by(*order)
                for i in range(0, len(ids), 500)
            ]
        current: tuple[int, StoredColumns] | None = None
        for statement in statements:
            # yield_per: a server-side cursor on PostgreSQL, batches of rows on SQLite.
            for doc_id, _, paragraph, text, tokens in conn.execute(
                statement.execution_options(yield_per=_STREAM_ROWS)
            ):
                if doc_id not in wanted:
                    continue
                if current is None or current[0] != doc_id:
                    if current is not None:
                        yield current
                    current = (doc_id, StoredColumns([], [], []))
                target = current[1]
                target.texts.append(text)
                target.paragraphs.append(paragraph)
                target.tokens.append(tokens.split())
        if current is not None:
            yield current

    def documents(self, include_inactive: bool = False) -> list[DocumentInfo]:
        statement = select(
            DocumentRow.id,
            DocumentRow.title,
            DocumentRow.sentence_count,
            DocumentRow.source_kind,
            DocumentRow.source_ref,
            DocumentRow.updated_at,
            DocumentRow.active,
        ).order_by(DocumentRow.id)
        if not include_inactive:
            statement = statement.where(DocumentRow.active.is_(True))
        with self.db.read() as session:
            return [
                DocumentInfo(
                    row.id,
                    row.title,
                    row.sentence_count,
                    cast(SourceKind, row.source_kind),
                    row.source_ref,
                    row.updated_at,
                    row.active,
                )
                for row in session.execute(statement)
            ]

    def totals(self) -> tuple[int, int]:
        """Active documents and their sentences."""
        with self.db.read() as session:
            documents, sentences = session.execute(
                select(
                    func.count(DocumentRow.id),
                    func.coalesce(func.sum(DocumentRow.sentence_count), 0),
                ).where(DocumentRow.active.is_(True))
            ).one()
        return int(documents), int(sentences)

    def url_documents(self) -> list[tuple[int, str]]:
        with self.db.read() as session:
            rows = session.execute(
                select(DocumentRow.id, DocumentRow.source_ref).where(
                    DocumentRow.source_kind == "url", DocumentRow.active.is_(True)
                )
            ).all()
        return [(doc_id, ref) for doc_id, ref in rows]


def _display(kind: str, reference: str) -> str:
    """A short source name: file names rather than absolute paths."""
    if kind in ("file",):
        return Path(reference).name
    if kind == "jsonl":
        path, _, key = reference.rpartition("#")
        return f"{Path(path).name}#{key}" if path else Path(reference).name
    return reference

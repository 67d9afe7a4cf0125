"""Storing documents: ``save`` and ``save_many`` (the rules are in ``index.store.store``),
taking a document out, and preparing stored documents again when the pipeline changed."""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Row, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from index.engine import Document, EmptyDocumentError, prepare_document
from index.results import IngestResult, IngestStatus
from index.sources import split_headline, title_from_name
from index.store.models import DocumentRow, SentenceRow, utcnow
from index.store.prepare import (
    IN_FLIGHT,
    Prepared,
    clip_title,
    content_hash,
    join_tokens,
    no_sentences,
    prepare_in_worker,
    watch_parent,
)
from index.store.transactions import StoreTransactions
from index.tokens import default_tokenizer

__all__ = ["DocumentWrites"]

log = logging.getLogger(__name__)

_DOCS = cast(Table, DocumentRow.__table__)
_SENTENCES = cast(Table, SentenceRow.__table__)


class DocumentWrites(StoreTransactions):
    """Documents in: one transaction per document, stemming before the transaction."""

    def _unchanged_row(self, item: Prepared, hashed: str) -> Row[*tuple[Any, ...]] | None:
        """The stored row when ``item`` would change nothing (checked before stemming)."""
        with self.db.engine.connect() as conn:
            row = conn.execute(
                select(
                    _DOCS.c.id,
                    _DOCS.c.title,
                    _DOCS.c.active,
                    _DOCS.c.content_hash,
                    _DOCS.c.pipeline,
                    _DOCS.c.sentence_count,
                    _DOCS.c.source_digest,
                ).where(_DOCS.c.source_key == item.key)
            ).first()
        if (
            row is not None
            and row.active
            and row.content_hash == hashed
            and row.pipeline == self.pipeline
            and (not item.title or row.title == clip_title(item.title))
        ):
            return row
        return None

    def save(self, item: Prepared) -> IngestResult:
        """Store one document (see the module docstring for the rules)."""
        if "\x00" in item.text or "\x00" in item.title:
            # PostgreSQL text cannot hold NUL characters (SQLite can): drop them, so that
            # both backends store the same document instead of one failing.
            item = replace(
                item, text=item.text.replace("\x00", ""), title=item.title.replace("\x00", "")
            )
        hashed = content_hash(item.text)
        unchanged = self._check_unchanged(item, hashed)
        if unchanged is not None:
            return unchanged
        try:
            document = prepare_document(0, item.title, item.text, self.tokenizer, item.label)
        except EmptyDocumentError as exc:
            return no_sentences(item.label, str(exc))
        return self._save_prepared(item, hashed, document)

    def save_many(
        self, items: Iterable[Prepared | IngestResult], workers: int = 1
    ) -> Iterator[IngestResult]:
        """``save`` for a stream of documents, results in input order (an ``IngestResult`` in
        the stream — e.g. a bad JSONL line — passes through). With ``workers`` > 1 and the
        shipped tokenizer, splitting and stemming run in that many worker processes while
        this one writes to the database; each document is still one transaction."""
        if workers <= 1 or self.tokenizer is not default_tokenizer():
            for item in items:
                yield item if isinstance(item, IngestResult) else self.save(item)
            return
        pending: deque[tuple[Prepared | IngestResult, str, Future[Document | str] | None]] = deque()
        with ProcessPoolExecutor(
            workers,
            mp_context=get_context("spawn"),
            initializer=watch_parent,
            initargs=(os.getpid(),),
        ) as pool:
            for item in items:
                if isinstance(item, IngestResult):
                    pending.append((item, "", None))
                else:
                    hashed = content_hash(item.text)
                    unchanged = self._check_unchanged(item, hashed)
                    job = None
                    if unchanged is None:
                        job = pool.submit(prepare_in_worker, item.title, item.text, item.label)
                    pending.append((unchanged or item, hashed, job))
                while pending and (len(pending) > IN_FLIGHT or pending[0][2] is None):
                    yield self._finish(*pending.popleft())
            while pending:
                yield self._finish(*pending.popleft())

    def _finish(
        self, item: Prepared | IngestResult, hashed: str, job: Future[Document | str] | None
    ) -> IngestResult:
        if isinstance(item, IngestResult):
            return item
        if job is None:  # pragma: no cover - only IngestResults come without a job
            raise AssertionError("a document without a preparation job")
        prepared = job.result()
        if isinstance(prepared, str):
            return no_sentences(item.label, prepared)
        return self._save_prepared(item, hashed, prepared)

    def _check_unchanged(self, item: Prepared, hashed: str) -> IngestResult | None:
        """The result for a source that would change nothing (checked before stemming)."""
        existing = self._unchanged_row(item, hashed)
        if existing is None:
            return None
        if item.digest and existing.source_digest != item.digest:
            self._write(lambda s: self._set_digest(s, existing.id, item.digest))
        return IngestResult(
            item.label, "unchanged", existing.id, existing.title, existing.sentence_count
        )

    def _save_prepared(self, item: Prepared, hashed: str, document: Document) -> IngestResult:
        rows = [
            {
                "position": s.position,
                "paragraph": s.paragraph,
                "text": s.text,
                "tokens": join_tokens(s.tokens),
            }
            for s in document.sentences
        ]
        title = clip_title(document.title)
        return self._write(lambda s: self._store(s, item, hashed, title, rows))

    @staticmethod
    def _set_digest(session: Session, document_id: int, digest: str | None) -> None:
        session.execute(
            update(DocumentRow).where(DocumentRow.id == document_id).values(source_digest=digest)
        )

    def _store(
        self,
        session: Session,
        item: Prepared,
        hashed: str,
        title: str,
        rows: list[dict[str, object]],
    ) -> IngestResult:
        # Core statements on the session's connection: this is the hot path of a batch
        # ingest, and the ORM's unit of work adds nothing for a handful of plain statements.
        conn = session.connection()
        row = conn.execute(
            select(
                _DOCS.c.id,
                _DOCS.c.active,
                _DOCS.c.content_hash,
                _DOCS.c.title,
                _DOCS.c.pipeline,
                _DOCS.c.sentence_count,
            )
            .where(_DOCS.c.source_key == item.key)
            .with_for_update()
        ).first()
        duplicate = conn.execute(
            select(_DOCS.c.id, _DOCS.c.title, _DOCS.c.sentence_count).where(
                _DOCS.c.content_hash == hashed,
                _DOCS.c.active.is_(True),
                _DOCS.c.source_key != item.key,
            )
        ).first()
        now = utcnow()
        if duplicate is not None:
            changed = False
            if row is not None and row.active:
                # This source now has the same text as another document: its old version
                # would be stale, the text itself stays served by the other document.
                conn.execute(
                    update(_DOCS)
                    .where(_DOCS.c.id == row.id)
                    .values(
                        active=False, removed_by="sync", source_digest=item.digest, updated_at=now
                    )
                )
                changed = True
            retitle = item.title_given and duplicate.title != title
            if retitle:
                # The user named this text: the document that holds it takes the new title.
                conn.execute(
                    update(_DOCS)
                    .where(_DOCS.c.id == duplicate.id)
                    .values(title=title, version=_DOCS.c.version + 1, updated_at=now)
                )
                changed = True
            if changed:
                self._bump(session)
            return IngestResult(
                item.label,
                "updated" if retitle else "unchanged",
                duplicate.id,
                title if retitle else duplicate.title,
                duplicate.sentence_count,
                error=f"same text as document {duplicate.id}",
                error_key="duplicate",
                error_params={"id": duplicate.id},
            )
        if (
            row is not None
            and row.active
            and row.content_hash == hashed
            and row.title == title
            and row.pipeline == self.pipeline
        ):
            return IngestResult(item.label, "unchanged", row.id, row.title, row.sentence_count)
        content = {
            "title": title,
            "source_digest": item.digest,
            "content_hash": hashed,
            "raw_text": item.text,
            "sentence_count": len(rows),
            "active": True,
            "removed_by": None,
            "pipeline": self.pipeline,
            "updated_at": now,
        }
        if row is None:
            document_id = conn.execute(
                insert(_DOCS)
                .values(
                    **content,
                    source_kind=item.kind,
                    source_ref=item.reference,
                    source_key=item.key,
                    version=1,
                    created_at=now,
                )
                .returning(_DOCS.c.id)
            ).scalar_one()
            status: IngestStatus = "added"
        else:
            document_id = row.id
            status = "updated" if row.active else "added"
            conn.execute(delete(_SENTENCES).where(_SENTENCES.c.document_id == document_id))
            conn.execute(
                update(_DOCS)
                .where(_DOCS.c.id == document_id)
                .values(**content, version=_DOCS.c.version + 1)
            )
        conn.execute(insert(_SENTENCES), [{**r, "document_id": document_id} for r in rows])
        self._bump(session)
        return IngestResult(item.label, status, document_id, title, len(rows))

    def deactivate(self, document_id: int, by: str = "user") -> bool:
        """Take a document out of the index (its text stays, so nothing is lost)."""

        def action(session: Session) -> bool:
            result = session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id, DocumentRow.active.is_(True))
                .values(active=False, removed_by=by, updated_at=utcnow())
            )
            if not getattr(result, "rowcount", 0):
                return False
            self._bump(session)
            return True

        return self._write(action)

    def restem_stale(self) -> int:
        """Prepare again, from their stored text, the active documents whose tokens were made
        by another splitter/tokenizer version (or other source rules: a plain-text file titled
        by its name whose first line is a headline gets the headline as its title, and the
        headline leaves the sentences). Returns how many were redone."""
        with self.db.read() as session:
            stale = session.execute(
                select(
                    DocumentRow.id,
                    DocumentRow.title,
                    DocumentRow.raw_text,
                    DocumentRow.source_kind,
                    DocumentRow.source_ref,
                ).where(DocumentRow.active.is_(True), DocumentRow.pipeline != self.pipeline)
            ).all()
        if stale:
            log.warning(
                "the text pipeline changed: preparing %d stored documents again", len(stale)
            )
        for document_id, stored_title, stored_text, kind, reference in stale:
            title, text = stored_title, stored_text
            content: dict[str, object] = {}
            headline = self._new_headline(document_id, kind, reference, title, text)
            if headline is not None:
                title, text = headline
                content = {"title": title, "raw_text": text, "content_hash": content_hash(text)}
            try:
                document = prepare_document(document_id, title, text, self.tokenizer)
            except EmptyDocumentError:
                self.deactivate(document_id, by="sync")
                continue
            rows = [
                {
                    "document_id": document_id,
                    "position": s.position,
                    "paragraph": s.paragraph,
                    "text": s.text,
                    "tokens": join_tokens(s.tokens),
                }
                for s in document.sentences
            ]
            self._write(
                partial(
                    self._replace_sentences, document_id=document_id, rows=rows, content=content
                )
            )
        return len(stale)

    def _new_headline(
        self, document_id: int, kind: str, reference: str, title: str, text: str
    ) -> tuple[str, str] | None:
        """(headline, body) for a stored plain-text file document still titled by its file
        name whose first line is a headline (stored before the source rules knew headlines),
        unless the body alone is already another active document's text."""
        if kind not in ("content", "file", "upload") or not reference.lower().endswith(
            (".txt", ".md")
        ):
            return None
        if title != clip_title(title_from_name(Path(reference))):
            return None  # a title the user gave: the text stays as it was stored
        headline, body = split_headline(text)
        if headline is None:
            return None
        with self.db.engine.connect() as conn:
            taken = conn.execute(
                select(_DOCS.c.id).where(
                    _DOCS.c.content_hash == content_hash(body),
                    _DOCS.c.active.is_(True),
                    _DOCS.c.id != document_id,
                )
            ).first()
        return None if taken is not None else (clip_title(headline), body)

    def _replace_sentences(
        self,
        session: Session,
        *,
        document_id: int,
        rows: list[dict[str, object]],
        content: Mapping[str, object] | None = None,
    ) -> None:
        session.execute(delete(SentenceRow).where(SentenceRow.document_id == document_id))
        session.execute(insert(SentenceRow), rows)
        session.execute(
            update(DocumentRow)
            .where(DocumentRow.id == document_id)
            .values(
                **(content or {}),
                sentence_count=len(rows),
                pipeline=self.pipeline,
                version=DocumentRow.version + 1,
                updated_at=utcnow(),
            )
        )
        self._bump(session)

"""The content store: documents in, prepared documents out, plus the bot's records.

``ContentStore`` owns the ``Database`` and is the only place that writes it. Rules:

- **One transaction per document.** A crash (even ``kill -9``) leaves every document either
  fully stored with all its sentences or not at all; re-running a batch stores the rest and
  reports the stored ones as unchanged.
- **Same text once.** The whitespace-normalised text hash is unique among active documents;
  a second source with the same text reports ``unchanged`` and the first document's id.
- **Same source, new content → updated in place** (same id, sentences replaced, ``version``
  bumped). A source is ``(kind, reference)``: ``content`` (path relative to the content
  directory), ``file`` (absolute path), ``url``, ``upload`` (file name), ``jsonl`` (file and
  record id) or ``text`` (the text's own hash: texts have no other identity).
- **Every change bumps the content revision** in the same transaction, so other instances
  that poll it see complete changes only; on PostgreSQL the same transaction notifies them
  (``pg_notify``, delivered at commit), so they need not wait for their next poll.
- Stemming happens before the write transaction, so the database lock is held only for
  the inserts; an unchanged source is detected before stemming.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from functools import cache, partial
from importlib import metadata, resources
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Row, Table, case, delete, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from index.engine import (
    MAX_QUESTION_CHARS,
    TEXT_PIPELINE_VERSION,
    Answer,
    Document,
    EmptyDocumentError,
    prepare_document,
)
from index.errors import ErrorDetail
from index.results import (
    DocumentInfo,
    IngestResult,
    IngestStatus,
    SourceKind,
    Stats,
    SyncStatus,
    zero_counts,
)
from index.sources import (
    DOCUMENT_SUFFIXES,
    SOURCE_RULES,
    SourceError,
    parse_bytes,
    split_headline,
    title_from_name,
)
from index.store.db import CONTENT_CHANNEL_SQL, ChangeListener, Database
from index.store.errors import StoreError
from index.store.models import (
    ChatRow,
    ContentState,
    DocumentRow,
    FeedbackRow,
    MetaRow,
    QuestionRow,
    SentenceRow,
    utcnow,
)
from index.tokens import Tokenizer, default_tokenizer

__all__ = ["ContentStore", "Prepared", "SyncOutcome", "pipeline_fingerprint"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# The mapped tables, typed as tables (``__table__`` is typed as a generic FromClause).
_DOCS = cast(Table, DocumentRow.__table__)
_SENTENCES = cast(Table, SentenceRow.__table__)
_STATE = cast(Table, ContentState.__table__)

MAX_TITLE_CHARS = 300
WRITE_ATTEMPTS = 3


def pipeline_fingerprint(tokenizer: Tokenizer) -> str:
    """What produced stored sentences and tokens, kept with each document: the version of the
    text pipeline (``index.engine.TEXT_PIPELINE_VERSION``) and of the source rules
    (``index.sources.SOURCE_RULES``: how text and title come from a file), and a hash of the
    data they read — the shipped lexicon files, the PySastrawi version and the tokenizer's
    informal lexicon. Documents stored under another fingerprint are prepared again from their
    text at start. An injected stemmer is taken to stem as PySastrawi does (tests and benchmarks
    wrap it to count calls)."""
    digest = hashlib.sha256(_lexicon_digest().encode())
    for informal, standard in sorted(tokenizer.informal.items()):
        digest.update(f"{informal}={' '.join(standard)}\n".encode())
    return f"p{TEXT_PIPELINE_VERSION}s{SOURCE_RULES}-{digest.hexdigest()[:16]}"


@cache
def _lexicon_digest() -> str:
    digest = hashlib.sha256()
    folder = resources.files("index.lexicon")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.endswith(".py"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    with suppress(metadata.PackageNotFoundError):  # it is a dependency; be lenient anyway
        digest.update(metadata.version("PySastrawi").encode())
    return digest.hexdigest()


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def source_key(kind: str, reference: str) -> str:
    return hashlib.sha256(f"{kind}\0{reference}".encode()).hexdigest()


def _clip_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1] + "…"


def _join_tokens(tokens: Sequence[str]) -> str:
    joined = " ".join(tokens)
    if len(joined.split()) != len(tokens) or any(not t for t in tokens):
        # Cannot happen with the shipped tokenizer (tokens come from a word regex); refusing
        # beats storing tokens that would come back different.
        raise ValueError(f"a token contains whitespace or is empty: {list(tokens)[:10]}")
    return joined


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed source on its way into the store."""

    kind: str
    reference: str
    title: str
    text: str
    digest: str | None = None  # hash of the source bytes (content directory files)
    display: str = ""  # short source name for answers and listings
    title_given: bool = False  # the title was named by the user (--title), not derived

    @property
    def key(self) -> str:
        return source_key(self.kind, self.reference)

    @property
    def label(self) -> str:
        return self.display or self.reference


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0
    error_details: tuple[ErrorDetail, ...] = ()
    skipped: tuple[ErrorDetail, ...] = ()  # files of unsupported types (key unsupported_type)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


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


class ContentStore:
    def __init__(self, database: Database, tokenizer: Tokenizer) -> None:
        self.db = database
        self.tokenizer = tokenizer
        self.pipeline = pipeline_fingerprint(tokenizer)
        self._hash_key: bytes | None = None
        # Content file path → ((mtime_ns, size), hash of its bytes) as last read.
        self._file_digests: dict[str, tuple[tuple[int, int], str]] = {}

    def close(self) -> None:
        self.db.dispose()

    def change_listener(self) -> ChangeListener | None:
        """Notifications of content changes (PostgreSQL; None on SQLite: poll instead)."""
        return self.db.change_listener()

    # --- revision ----------------------------------------------------------------------------

    def revision(self) -> int:
        with self.db.read() as session:
            value = session.scalar(select(ContentState.revision).where(ContentState.id == 1))
        return int(value or 0)

    @staticmethod
    def _bump(session: Session) -> None:
        """Next content revision, in the caller's transaction. On PostgreSQL it also notifies
        the listening instances (delivered at commit; never for a rolled-back change)."""
        conn = session.connection()
        bump = (
            update(_STATE)
            .where(_STATE.c.id == 1)
            .values(revision=_STATE.c.revision + 1, updated_at=utcnow())
        )
        if conn.dialect.name != "postgresql":
            conn.execute(bump)
            return
        revision = conn.execute(bump.returning(_STATE.c.revision)).scalar()
        conn.execute(
            sql_text(f"SELECT pg_notify({CONTENT_CHANNEL_SQL}, :revision)"),
            {"revision": str(revision)},
        )

    def bump_revision(self, session: Session) -> None:
        """``_bump`` for changes written outside this class (feeds, retention)."""
        self._bump(session)

    # --- writing documents -------------------------------------------------------------------

    def _write(self, action: Callable[[Session], T]) -> T:
        """Run ``action`` in one write transaction; retry when a concurrent writer won a
        unique-key race (the retry sees its row) or the database was briefly locked."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.db.write() as session:
                    return action(session)
            except sa_exc.IntegrityError:
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.debug("write conflict, retrying (attempt %d)", attempt)
            except sa_exc.OperationalError as error:
                if attempt == WRITE_ATTEMPTS or "locked" not in str(error).lower():
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

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
            and (not item.title or row.title == _clip_title(item.title))
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
            return _no_sentences(item.label, str(exc))
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
            initializer=_watch_parent,
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
                        job = pool.submit(_prepare_in_worker, item.title, item.text, item.label)
                    pending.append((unchanged or item, hashed, job))
                while pending and (len(pending) > _IN_FLIGHT or pending[0][2] is None):
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
            return _no_sentences(item.label, prepared)
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
                "tokens": _join_tokens(s.tokens),
            }
            for s in document.sentences
        ]
        title = _clip_title(document.title)
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
                    "tokens": _join_tokens(s.tokens),
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
        if kind not in ("content", "file", "upload") or not reference.lower().endswith(".txt"):
            return None
        if title != _clip_title(title_from_name(Path(reference))):
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
        return None if taken is not None else (_clip_title(headline), body)

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

    # --- content directory -------------------------------------------------------------------

    def sync_directory(self, directory: Path) -> SyncOutcome:
        """Make the ``content`` documents match the files under ``directory``: new files
        added, changed ones updated, deleted ones deactivated. A file that cannot be read
        keeps its previous version. Documents an admin removed stay removed until their
        file changes.

        A file is changed when the hash of its bytes differs from the stored one. Files whose
        size and modification time are those this process saw last time are not read again
        (their hash is remembered), so a reload of a large directory stats it but reads only
        what changed."""
        if not directory.is_dir():
            raise StoreError(
                f"content directory {directory} does not exist (CONTENT_DIR)",
                key="content_dir_missing",
                params={"path": str(directory)},
            )
        with self.db.read() as session:
            stored = {
                ref: (doc_id, digest, active, removed_by, pipeline)
                for doc_id, ref, digest, active, removed_by, pipeline in session.execute(
                    select(
                        _DOCS.c.id,
                        _DOCS.c.source_ref,
                        _DOCS.c.source_digest,
                        _DOCS.c.active,
                        _DOCS.c.removed_by,
                        _DOCS.c.pipeline,
                    ).where(_DOCS.c.source_kind == "content")
                )
            }
        counts = zero_counts()
        errors: list[ErrorDetail] = []
        seen: set[str] = set()
        others: list[str] = []
        for relative, path, stamp in _content_files(directory, others):
            seen.add(relative)
            status, error = self._sync_file(relative, path, stamp, stored.get(relative))
            counts[status] += 1
            if error is not None:
                errors.append(error)
        for relative, (doc_id, _, active, _, _) in stored.items():
            if active and relative not in seen and self.deactivate(doc_id, by="sync"):
                counts["removed"] += 1
        return SyncOutcome(
            counts["added"],
            counts["updated"],
            counts["removed"],
            counts["unchanged"],
            counts["failed"],
            tuple(errors),
            tuple(map(_unsupported, others)),
        )

    def _sync_file(
        self,
        relative: str,
        path: str,
        stamp: tuple[int, int],
        known: tuple[int, str | None, bool, str | None, str] | None,
    ) -> tuple[SyncStatus, ErrorDetail | None]:
        """Sync one content file; returns its status and, when it failed, why."""
        remembered = self._file_digests.get(path)
        data: bytes | None = None
        try:
            if remembered is not None and remembered[0] == stamp:
                digest = remembered[1]
            else:
                data = _read(path)
                digest = hashlib.sha256(data).hexdigest()
            if known is not None and known[1] == digest and known[4] == self.pipeline:
                _, _, active, removed_by, _ = known
                if active or removed_by == "user":
                    self._file_digests[path] = (stamp, digest)
                    return "unchanged", None
            if data is None:
                data = _read(path)
                digest = hashlib.sha256(data).hexdigest()
            source = parse_bytes(data, Path(relative).name, path)
        except OSError as exc:
            reason = str(exc.strerror or exc)
            return "failed", ErrorDetail(
                f"{relative}: cannot read ({reason})",
                "cannot_read",
                {"name": relative, "reason": reason},
            )
        except SourceError as exc:
            return "failed", exc.detail()
        result = self.save(
            Prepared("content", relative, source.title, source.text, digest, relative)
        )
        # ``save`` never skips; two comparisons (not ``in``) narrow the status type for mypy.
        if result.status == "failed" or result.status == "skipped":  # noqa: PLR1714
            return "failed", result.error_detail
        self._file_digests[path] = (stamp, digest)
        return result.status, None

    # --- reading documents -------------------------------------------------------------------

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

    # --- bot records -------------------------------------------------------------------------

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


# Documents being prepared by the workers at once: enough to keep them busy while this
# process writes, few enough to bound memory.
_IN_FLIGHT = 64


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the process that started it is gone (killed with ``kill -9``,
    it cannot tell its workers), instead of waiting forever for work."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _no_sentences(label: str, reason: str) -> IngestResult:
    return IngestResult(
        label,
        "failed",
        error=f"{label}: {reason}",
        error_key="no_sentences",
        error_params={"name": label},
    )


def _prepare_in_worker(title: str, text: str, label: str) -> Document | str:
    """Split and stem one document in a worker process (the error message if it is empty)."""
    try:
        return prepare_document(0, title, text, default_tokenizer(), label)
    except EmptyDocumentError as exc:
        return str(exc)


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _unsupported(relative: str) -> ErrorDetail:
    suffix = os.path.splitext(relative)[1].lower() or "(none)"
    kinds = ", ".join(sorted(DOCUMENT_SUFFIXES))
    return ErrorDetail(
        f"{relative}: unsupported file type {suffix}; use {kinds}",
        "unsupported_type",
        {"name": relative, "suffix": suffix, "allowed": kinds},
    )


def _content_files(
    directory: Path, others: list[str] | None = None
) -> list[tuple[str, str, tuple[int, int]]]:
    """(relative POSIX path, full path, (mtime_ns, size)) of the content files under
    ``directory``, sorted; hidden files and directories are skipped. Files of other types go
    to ``others`` (relative paths, sorted), so that the sync can say it skipped them."""
    found: list[tuple[str, str, tuple[int, int]]] = []
    root = str(directory)
    for current, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        base = os.path.relpath(current, root)
        for name in names:
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() not in DOCUMENT_SUFFIXES:
                if others is not None:
                    others.append(name if base == "." else f"{base.replace(os.sep, '/')}/{name}")
                continue
            full = os.path.join(current, name)
            try:
                info = os.stat(full)
            except OSError:
                continue  # vanished since the listing
            if not stat.S_ISREG(info.st_mode):
                continue
            relative = name if base == "." else f"{base.replace(os.sep, '/')}/{name}"
            found.append((relative, full, (info.st_mtime_ns, info.st_size)))
    found.sort()
    if others is not None:
        others.sort()
    return found


def _display(kind: str, reference: str) -> str:
    """A short source name: file names rather than absolute paths."""
    if kind in ("file",):
        return Path(reference).name
    if kind == "jsonl":
        path, _, key = reference.rpartition("#")
        return f"{Path(path).name}#{key}" if path else Path(reference).name
    return reference

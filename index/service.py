"""QAService: the one object the CLI and the bot talk to.

It holds the current immutable ``IndexSnapshot`` and answers from it; ``swap`` replaces the
snapshot in one assignment, so a question being answered keeps the snapshot it started with
while a reload builds the next one. Content operations (ingest, remove, reload) and the
bot-side records (question log, feedback, chat settings, statistics) go through the content
store (``index.store``) when the service is backed by one (``QAService.open``); a service made
from a snapshot (``QAService(snapshot)``, ``from_documents``) answers only, for tests and eval.

Threads: ``ask`` never blocks (it reads the current snapshot). Everything else may block on
the database, the network or a rebuild and is meant to run in a worker thread
(``asyncio.to_thread``); content changes and rebuilds are serialised by one lock, and a
rebuild that fails leaves the previous snapshot serving.

The result types (``index.results``) are the contract between the store and its callers (CLI,
bot); they are re-exported here for callers that name them from the service.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from index import encoder as encoders  # looked up at call time: tests swap the encoder
from index.embedding_worker import SemanticIndex
from index.engine import (
    Answer,
    Document,
    EmptyDocumentError,
    IndexSnapshot,
    SnapshotBuilder,
    prepare_document,
)
from index.errors import ErrorDetail, ErrorKey, KeyedError
from index.results import DocumentInfo, IngestResult, ReloadReport, Stats, zero_counts
from index.sources import (
    DOCUMENT_SUFFIXES,
    FETCH_TIMEOUT_S,
    SourceError,
    check_text,
    read_source_file,
)
from index.store.db import connect, default_sqlite_url
from index.store.embeddings import count_embedded
from index.store.errors import StoreError, StoreUnavailableError
from index.store.store import ContentStore
from index.tokens import Tokenizer, default_tokenizer
from index.watcher import WATCH_INTERVAL_S, RevisionWatcher

if TYPE_CHECKING:
    from index.store.ingest import IngestProgress

__all__ = [
    "WATCH_INTERVAL_S",
    "DocumentInfo",
    "ErrorDetail",
    "IngestResult",
    "QAService",
    "ReloadReport",
    "Stats",
    "StoreError",
    "database_errors",
    "load_content_dir",
]

log = logging.getLogger(__name__)

# _LAZY_INGEST: ``index.store.ingest`` is imported where a source is ingested, not here: it
# brings httpx and the page fetcher, 30-50 ms of every command's start-up that answering
# (`ask`, `chat`, the bot until an admin adds an article) never needs.


def load_content_dir(path: Path, tokenizer: Tokenizer | None = None) -> list[Document]:
    """Prepare every text file under ``path`` (sorted, recursive) without a store; unreadable
    files are logged and skipped."""
    tok = tokenizer or default_tokenizer()
    documents: list[Document] = []
    files = sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
    )
    for number, file in enumerate(files, 1):
        try:
            source = read_source_file(file)
            documents.append(prepare_document(number, source.title, source.text, tok, file.name))
        except (SourceError, EmptyDocumentError) as exc:
            log.warning("skipping %s: %s", file.name, exc)
    return documents


class QAService:
    """Answers questions from the current snapshot; content changes go through the store."""

    def __init__(
        self,
        snapshot: IndexSnapshot,
        store: ContentStore | None = None,
        *,
        content_dir: Path | None = None,
        fetch_timeout: float = FETCH_TIMEOUT_S,
        allow_private_urls: bool = False,
        live: bool = True,
    ) -> None:
        self._snapshot = snapshot
        self._store = store
        self._content_dir = content_dir
        self._fetch_timeout = fetch_timeout
        self._allow_private_urls = allow_private_urls  # for `reload(refresh_urls=True)`
        self._live = live  # keep the in-memory index in step with the store
        self._lock = threading.RLock()
        # id → version of every document in the current snapshot (the reload cache: unchanged
        # documents are copied column-wise from the snapshot itself, never re-read).
        self._versions: dict[int, int] = {}
        self._revision = 0
        self._watcher: RevisionWatcher | None = None
        self._watch_failing = False
        self._semantic: SemanticIndex | None = None
        self.start_report = ReloadReport()

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def from_documents(cls, documents: list[Document]) -> QAService:
        return cls(IndexSnapshot.build(documents))

    @classmethod
    def open(
        cls,
        database_url: str | None = None,
        *,
        data_dir: Path | None = None,
        content_dir: Path | None = None,
        sync_content: bool = True,
        build_index: bool = True,
        fetch_timeout: float = FETCH_TIMEOUT_S,
        allow_private_urls: bool = False,
        tokenizer: Tokenizer | None = None,
    ) -> QAService:
        """Open the store at ``database_url`` (default: a SQLite file in ``data_dir``),
        upgrade its schema, sync ``content_dir`` into it and build the index from the stored
        tokens. Raises ``StoreUnavailableError`` when the database cannot be used.

        ``build_index=False`` opens for content commands only (ingest, documents, remove):
        nothing is loaded into memory."""
        if database_url is None:
            if data_dir is None:
                raise ValueError("give a database_url or a data_dir")
            database_url = default_sqlite_url(data_dir)
        database = connect(database_url)
        store = ContentStore(database, tokenizer or default_tokenizer())
        service = cls(
            IndexSnapshot.build([], store.tokenizer),
            store,
            content_dir=content_dir,
            fetch_timeout=fetch_timeout,
            allow_private_urls=allow_private_urls,
            live=build_index,
        )
        try:
            store.restem_stale()
            if sync_content and content_dir is not None:
                service.start_report = service.reload()  # callers surface its errors
            elif build_index:
                service._rebuild()
        except BaseException:
            service.close()
            raise
        return service

    # --- answering ---------------------------------------------------------------------------

    @property
    def snapshot(self) -> IndexSnapshot:
        return self._snapshot

    @property
    def revision(self) -> int:
        """The content revision the current snapshot reflects (0 without a store)."""
        return self._revision

    @property
    def has_store(self) -> bool:
        return self._store is not None

    def swap(self, snapshot: IndexSnapshot) -> None:
        self._snapshot = snapshot

    def ask(self, question: str, top_k: int = 3, document_id: int | None = None) -> Answer:
        semantic = self._semantic
        scorer = semantic.scorer if semantic is not None else None
        return self._snapshot.ask(question, top_k, document_id, semantic=scorer)

    @property
    def semantic(self) -> SemanticIndex | None:
        """The sentence embeddings used for re-ranking (None: lexical only)."""
        return self._semantic

    def enable_semantic(self, mode: str = "auto") -> SemanticIndex | None:
        """Re-rank with the sentence encoder: ``"auto"`` when it loads, ``"on"`` (raises
        ``StoreError`` when it does not), ``"off"``. Stored embeddings are used at once;
        missing ones are computed by ``semantic.embed_pending()`` or ``semantic.start()``."""
        if mode == "off":
            return None
        encoder = encoders.load_encoder()
        if encoder is None:
            if mode == "on":
                raise StoreError(
                    "SEMANTIC_RERANK=on but the sentence encoder did not load (install the "
                    "optional package: pip install -r requirements-semantic.txt)"
                )
            return None
        database = self._store.db if self._store is not None else None
        semantic = SemanticIndex(encoder, lambda: self._snapshot, database)
        semantic.pending()  # stored, current embeddings are served from now on
        self._semantic = semantic
        return semantic

    # --- content -----------------------------------------------------------------------------

    def _require_store(self) -> ContentStore:
        if self._store is None:
            raise StoreError(
                "this service has no content store (open it with QAService.open)", key="no_store"
            )
        return self._store

    def _rebuild(self, *, only_if_changed: bool = False) -> int:
        """Build a snapshot from the store's active documents and swap it in. Documents whose
        version is unchanged are reused from memory; the rest are read with their tokens.
        ``only_if_changed``: skip when the store is still at the revision already built (a
        concurrent change's rebuild may have included this one)."""
        store = self._require_store()
        with self._lock, _collector_paused():
            if only_if_changed and store.revision() == self._revision:
                return self._revision
            current = self._snapshot
            builder = SnapshotBuilder(current.tokenizer)
            with store.read_index(self._versions) as read:
                revision, listing = read.revision, read.listing
                pending = None  # read lazily: one document's rows in memory at a time
                for doc_id in sorted(listing):
                    if doc_id in read.wanted:
                        texts: list[str] = []
                        paragraphs: list[int] = []
                        tokens: list[list[str]] = []
                        if pending is None:
                            pending = next(read.documents, None)
                        if pending is not None and pending[0] == doc_id:
                            texts, paragraphs, tokens = (
                                pending[1].texts,
                                pending[1].paragraphs,
                                pending[1].tokens,
                            )
                            pending = None
                        info = listing[doc_id]
                        builder.add_columns(
                            doc_id, info.title, texts, paragraphs, tokens, source=info.display
                        )
                        continue
                    kept = current.document(doc_id)
                    if kept is None:  # pragma: no cover - versions and snapshot agree
                        raise StoreError(f"document {doc_id} missing from the current index")
                    builder.add(kept)
            snapshot = builder.finish()
            versions = {doc_id: info.version for doc_id, info in listing.items()}
            self._snapshot = snapshot  # the swap: one assignment
            self._versions = versions
            self._revision = revision
            return revision

    @property
    def content_store(self) -> ContentStore:
        """The store behind this service (``StoreError`` when there is none)."""
        return self._require_store()

    @property
    def allow_private_urls(self) -> bool:
        return self._allow_private_urls

    @property
    def fetch_timeout(self) -> float:
        return self._fetch_timeout

    def content_changed(self) -> None:
        """Bring the index up to date after a change written to the store directly."""
        with database_errors("rebuilding the index"):
            self._after_change()

    def _after_change(self) -> None:
        self._catch_up(only_if_changed=True)

    def _catch_up(self, *, only_if_changed: bool) -> None:
        """After a content change: an answering (``live``) service rebuilds its index; a
        content command's (no index) only notes the store's revision."""
        if self._live:
            self._rebuild(only_if_changed=only_if_changed)
        elif self._store is not None:
            self._revision = self._store.revision()

    def _guarded(self, source: str, action: Callable[[], IngestResult]) -> IngestResult:
        try:
            # No lock while fetching/stemming/storing: the store is transactional; only the
            # rebuild is serialised (in _rebuild).
            result = action()
            if result.status in ("added", "updated"):
                self._after_change()
            return result
        except SourceError as exc:
            return IngestResult.failure(source, exc)
        except (SQLAlchemyError, StoreError) as exc:
            # One line: the full error would repeat the SQL and the document text.
            reason = _first_line(exc)
            log.error("ingest of %s failed: %s", source, reason)
            log.debug("ingest of %s failed", source, exc_info=True)
            return IngestResult(
                source,
                "failed",
                error=f"database error: {reason}",
                error_key="database_error",
                error_params={"reason": reason},
            )

    def ingest_url(self, url: str, *, allow_private: bool = False) -> IngestResult:
        """Download a page and store its article text. Non-http(s) URLs and hosts on private
        or loopback addresses are refused unless ``allow_private``."""
        from index.store.ingest import ingest_sources  # noqa: PLC0415 - see _LAZY_INGEST

        store = self._require_store()

        def action() -> IngestResult:
            results = ingest_sources(
                store,
                [url if "://" in url else f"https://{url}"],
                allow_private=allow_private,
                fetch_timeout=self._fetch_timeout,
            )
            return results[0]

        return self._guarded(url, action)

    def ingest_upload(self, filename: str, data: bytes) -> IngestResult:
        """A ``.txt``/``.md``/``.html`` file sent by a user (size, type and encoding checked)."""
        from index.store.ingest import prepare_upload  # noqa: PLC0415 - see _LAZY_INGEST

        store = self._require_store()
        return self._guarded(filename, lambda: store.save(prepare_upload(filename, data)))

    def ingest_text(self, title: str, text: str) -> IngestResult:
        from index.store.ingest import prepare_text  # noqa: PLC0415 - see _LAZY_INGEST

        store = self._require_store()
        label = title or "text"

        def action() -> IngestResult:
            check_text(text if isinstance(text, str) else "", label)
            return store.save(prepare_text(title, text))

        return self._guarded(label, action)

    def ingest_paths(
        self,
        sources: Sequence[str],
        *,
        title: str | None = None,
        allow_private: bool = False,
        stdin: BinaryIO | None = None,
        progress: IngestProgress | None = None,
        workers: int = 1,
    ) -> list[IngestResult]:
        """Files, directories (recursive), JSONL batches, URLs and ``-`` (``stdin``); one
        result per document. The index is rebuilt once, after the whole batch. ``workers``:
        processes that split and stem large JSONL batches in parallel."""
        from index.store.ingest import ingest_sources  # noqa: PLC0415 - see _LAZY_INGEST

        store = self._require_store()
        with database_errors("ingest"):
            results = ingest_sources(
                store,
                sources,
                title=title,
                allow_private=allow_private,
                fetch_timeout=self._fetch_timeout,
                stdin=stdin,
                progress=progress,
                workers=workers,
            )
            if any(r.status in ("added", "updated") for r in results):
                self._after_change()
        return results

    def remove(self, document_id: int) -> bool:
        """Take a document out of the index; False when there is no such active document."""
        store = self._require_store()
        with database_errors("removing a document"):
            removed = store.deactivate(int(document_id))
            if removed:
                self._after_change()
        return removed

    def documents(self, include_inactive: bool = False) -> list[DocumentInfo]:
        if self._store is None:
            return [
                DocumentInfo(d.id, d.title, len(d.sentences), "file", d.source, None)
                for d in self._snapshot.documents
            ]
        try:
            with database_errors("listing the documents"):
                return self._store.documents(include_inactive)
        except StoreUnavailableError as exc:
            if not self._live or include_inactive:
                raise
            # An answering instance lists what it answers from while the database is away.
            log.warning("%s; listing the documents of the index in memory", exc)
            return [
                DocumentInfo(d.id, d.title, len(d.sentences), "index", d.source, None)
                for d in self._snapshot.documents
            ]

    def reload(self, *, refresh_urls: bool = False) -> ReloadReport:
        """Sync the content directory (and, with ``refresh_urls``, download URL documents
        again), rebuild and swap. Never raises: on failure the previous index keeps serving
        and ``errors`` says why."""
        started = time.perf_counter()
        if self._store is None:
            message = "this service has no content store"
            return ReloadReport(error_details=(ErrorDetail(message, "no_store"),))
        counts = zero_counts()
        errors: list[ErrorDetail] = []
        skipped: tuple[ErrorDetail, ...] = ()
        with self._lock:
            try:
                if self._content_dir is not None:
                    outcome = self._store.sync_directory(self._content_dir)
                    for key in counts:
                        counts[key] += getattr(outcome, key)
                    errors.extend(outcome.error_details)
                    skipped = outcome.skipped
                if refresh_urls:
                    for result in self._refresh_urls():
                        if result.status != "skipped":  # (a URL is never skipped)
                            counts[result.status] += 1
                        if result.error and result.status == "failed":
                            errors.append(result.error_detail)
                self._catch_up(only_if_changed=False)
            except StoreError as exc:  # an explained failure: the report carries it, no traceback
                errors.append(_wrapped("reload failed", "reload_failed", exc))
            except Exception as exc:  # any other failure: keep serving the old snapshot
                log.exception("reload failed; the previous index keeps serving")
                errors.append(_wrapped("reload failed", "reload_failed", exc))
            snapshot = self._snapshot
            documents, sentences = len(snapshot.documents), snapshot.sentence_count
            if not self._live:
                try:
                    documents, sentences = self._store.totals()
                except Exception as exc:
                    errors.append(_wrapped("counting documents failed", "count_failed", exc))
            return ReloadReport(
                added=counts["added"],
                updated=counts["updated"],
                removed=counts["removed"],
                unchanged=counts["unchanged"],
                failed=counts["failed"],
                documents=documents,
                sentences=sentences,
                seconds=round(time.perf_counter() - started, 3),
                revision=self._revision,
                error_details=tuple(errors),
                skipped=skipped,
            )

    def _refresh_urls(self) -> list[IngestResult]:
        from index.store.ingest import ingest_sources  # noqa: PLC0415 - see _LAZY_INGEST

        store = self._require_store()
        return [
            ingest_sources(
                store,
                [url],
                allow_private=self._allow_private_urls,
                fetch_timeout=self._fetch_timeout,
            )[0]
            for _, url in store.url_documents()
        ]

    # --- several instances -------------------------------------------------------------------

    def check_for_newer_revision(self) -> bool:
        """Rebuild when another instance changed the content; True when it did. Errors are
        logged and the current index keeps serving."""
        if self._store is None or not self._live:
            return False
        try:
            current = self._store.revision()
            if self._watch_failing:
                self._watch_failing = False
                log.warning("the database answers again")
            if current == self._revision:
                return False
            self._rebuild()
            log.info("content revision %d loaded (changed by another instance)", self._revision)
            return True
        except Exception as exc:
            # One line per outage, not a traceback every few seconds while it lasts.
            if not self._watch_failing:
                self._watch_failing = True
                log.warning(
                    "checking the content revision failed (%s); the current index keeps serving",
                    _first_line(exc),
                )
            log.debug("content revision check failed", exc_info=True)
            return False

    def start_watching(self, interval: float = WATCH_INTERVAL_S) -> None:
        """Keep the index in step with changes made by other instances: a ``RevisionWatcher``
        (``index.watcher``) runs ``check_for_newer_revision`` when the store notifies a change
        (PostgreSQL) and at the latest every ``interval`` seconds. ``close()`` stops it."""
        if self._watcher is not None or self._store is None:
            return
        listener = self._store.change_listener() if self._live else None
        self._watcher = RevisionWatcher(self.check_for_newer_revision, listener, interval)
        self._watcher.start()

    def close(self) -> None:
        if self._semantic is not None:
            self._semantic.stop()
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._store is not None:
            self._store.close()

    # --- bot records -------------------------------------------------------------------------

    def log_question(
        self, *, chat_id: int, user_id: int | None, question: str, answer: Answer, latency_ms: float
    ) -> int:
        """Store one asked question (the user only as a keyed hash); returns its id."""
        store = self._require_store()
        with database_errors("logging a question"):
            return store.log_question(
                chat_id=chat_id,
                user_id=user_id,
                question=question,
                answer=answer,
                latency_ms=latency_ms,
            )

    def record_feedback(
        self, *, question_id: int, user_id: int, vote: int, chat_id: int | None = None
    ) -> bool:
        """+1/-1 on a logged question; a new vote by the same user replaces the old one.
        False when ``question_id`` is unknown or, given ``chat_id``, was asked in another
        chat."""
        store = self._require_store()
        with database_errors("recording feedback"):
            return store.record_feedback(
                question_id=question_id, user_id=user_id, vote=vote, chat_id=chat_id
            )

    def stats(self, top: int = 5) -> Stats:
        store = self._require_store()
        with database_errors("reading the statistics"):
            stats = store.stats(top)
            stats.extra.update(self.embedding_counts())
            return stats

    def embedding_counts(self) -> dict[str, float]:
        """``embedded_sentences`` (of the encoder in use; of any encoder when none is loaded)
        for statistics, and ``semantic`` (1 when re-ranking with it)."""
        store = self._require_store()
        version = self._semantic.encoder.version if self._semantic is not None else None
        with database_errors("counting the embedded sentences"):
            _, embedded = count_embedded(store.db, version)
        return {"embedded_sentences": embedded, "semantic": int(self._semantic is not None)}

    def chat_language(self, chat_id: int) -> str | None:
        store = self._require_store()
        with database_errors("reading the chat settings"):
            return store.chat_language(chat_id)

    def set_chat_language(self, chat_id: int, language: str) -> None:
        store = self._require_store()
        with database_errors("saving the chat settings"):
            store.set_chat_language(chat_id, language)


@contextmanager
def database_errors(action: str) -> Iterator[None]:
    """Database failures as ``StoreError``s with one sentence (no SQL, no password): callers
    handle one exception type, and a lost connection reads as what it is."""
    try:
        yield
    except SQLAlchemyError as exc:
        reason = _first_line(exc)
        if isinstance(exc, OperationalError | InterfaceError):  # connection lost, locked, …
            raise StoreUnavailableError(
                f"{action} failed: the database is not available ({reason})",
                key="database_unavailable",
                params={"reason": reason},
            ) from exc
        raise StoreError(
            f"{action} failed: database error ({reason})",
            key="database_error",
            params={"reason": reason},
        ) from exc


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a snapshot is built: building allocates
    hundreds of thousands of small objects (sentences, token tuples) and none of them form
    cycles, so the collector's repeated scans would only slow it down (by about half)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _wrapped(what: str, key: ErrorKey, error: BaseException) -> ErrorDetail:
    """``"{what}: {first line of error}"`` with ``key``; the error itself becomes the cause
    (a lost database connection is recognised even when it is not wrapped yet)."""
    reason = _first_line(error)
    if isinstance(error, KeyedError) and error.key is not None:
        cause: ErrorDetail | None = error.detail(reason)
    elif _is_connection_error(error):
        cause = ErrorDetail(reason, "database_unavailable", {"reason": reason})
    else:
        cause = None
    return ErrorDetail(f"{what}: {reason}", key, {"reason": reason}, cause)


def _is_connection_error(error: BaseException) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__

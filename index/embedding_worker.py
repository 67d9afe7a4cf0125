"""Embedding the indexed sentences after ingest, in the background or on demand.

Ingest never waits for the encoder (IndoSum's 3,463 articles ingest in under a minute; embedding
them takes far longer). Instead ``SemanticIndex`` watches the service's snapshot and embeds the
documents that have no current embeddings — stored ones are read back from the store at start,
the rest computed, stored and made available one document at a time. Until a question's
candidate documents are all embedded, it is answered lexically (``index.semantic``).

``SemanticIndex.start()`` runs it on a daemon thread in the serving process;
``embed_pending()`` does it in the caller's thread (``tanyaberita embed``, ``eval``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.encoder import Encoder
from index.engine import IndexSnapshot
from index.semantic import DocumentVectors, EmbeddedDocument, SemanticScorer, quantise, text_digest
from index.store.embeddings import load_embedded, save_embedded

if TYPE_CHECKING:
    from index.store.db import Database

__all__ = ["Pending", "SemanticIndex"]

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Pending:
    """A document of the snapshot without current embeddings."""

    document_id: int
    texts: tuple[str, ...]
    digest: str


class SemanticIndex:
    """The embeddings of a service's documents, kept in step with its snapshot.

    ``snapshot`` returns the snapshot being served (read on every pass); ``database``, when
    given, keeps the embeddings across restarts and instances.
    """

    def __init__(
        self,
        encoder: Encoder,
        snapshot: Callable[[], IndexSnapshot],
        database: Database | None = None,
    ) -> None:
        self.encoder = encoder
        self.vectors = DocumentVectors(encoder.version)
        self.scorer = SemanticScorer(encoder, self.vectors)
        self._snapshot = snapshot
        self._database = database
        self._stored: dict[int, EmbeddedDocument] = {}
        self._checked: IndexSnapshot | None = None
        self._work_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failed = False
        if database is not None:
            self._stored = load_embedded(database, encoder.version)

    # --- what is missing ---------------------------------------------------------------------

    def pending(self) -> list[Pending]:
        """Documents of the current snapshot whose embeddings are missing or stale; stored
        embeddings that are current are taken on the way."""
        snapshot = self._snapshot()
        out: list[Pending] = []
        ids: list[int] = []
        for document in snapshot.documents:
            ids.append(document.id)
            texts = tuple(s.text for s in document.sentences)
            digest = text_digest(texts)
            have = self.vectors.get(document.id)
            if have is not None and have.digest == digest:
                continue
            stored = self._stored.pop(document.id, None)
            if stored is not None and stored.digest == digest:
                self.vectors.put(document.id, stored)
                continue
            out.append(Pending(document.id, texts, digest))
        self.vectors.retain(ids)
        self._checked = snapshot
        return out

    def coverage(self) -> tuple[int, int]:
        """Sentences of the current snapshot with embeddings, and all its sentences."""
        snapshot = self._snapshot()
        embedded = 0
        for document in snapshot.documents:
            have = self.vectors.get(document.id)
            if have is not None and have.sentences == len(document.sentences):
                embedded += have.sentences
        return embedded, snapshot.sentence_count

    # --- embedding ---------------------------------------------------------------------------

    def embed(self, item: Pending) -> None:
        """Embed one document, store it (when backed by a database) and serve it."""
        vectors = self.encoder.passages(item.texts) if item.texts else None
        if vectors is None:
            return
        codes, scales = quantise(vectors)
        embedded = EmbeddedDocument(item.digest, codes, scales)
        database = self._database
        if database is not None and not save_embedded(
            database, item.document_id, self.encoder.version, embedded
        ):
            return  # removed meanwhile
        self.vectors.put(item.document_id, embedded)

    def embed_pending(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Embed every pending document now; ``progress(done, total)`` counts sentences.
        Returns the number of sentences embedded."""
        with self._work_lock:
            items = self.pending()
            total = sum(len(i.texts) for i in items)
            done = 0
            if progress is not None:
                progress(0, total)
            for item in items:
                if self._stop.is_set():
                    break
                self.embed(item)
                done += len(item.texts)
                if progress is not None:
                    progress(done, total)
            return done

    # --- background --------------------------------------------------------------------------

    def start(self, interval: float = POLL_SECONDS) -> None:
        """Embed in a daemon thread: now, and whenever the served snapshot changes."""
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.is_set():
                if self._snapshot() is not self._checked:
                    try:
                        count = self.embed_pending()
                        if count:
                            log.info("embedded %d sentences for semantic re-ranking", count)
                        self.failed = False
                    except Exception:  # keep serving lexically; retried on the next pass
                        if not self.failed:
                            log.exception("embedding sentences failed; answering lexically")
                        self.failed = True
                        self._checked = None
                self._stop.wait(interval)

        self._thread = threading.Thread(target=loop, name="embeddings", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

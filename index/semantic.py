"""Meaning as a re-ranking signal: the cosine of question and candidate sentence.

The encoder (``index.encoder``) embeds every stored sentence once, after ingest; the vectors
are kept per document, int8 with one float32 scale per sentence (388 bytes a sentence instead
of 1,536 as float32). At question time ``SemanticScorer.annotate`` embeds the question
(~10 ms), reads the BM25 candidates' vectors and sets each candidate's cosine, z-scored over
the candidate pool (how much closer in meaning than the pool's typical sentence), and the same
for the sentence before it (a sentence that refers back — "Ia ...", "Monumen ini ..." — is
about what the previous one names). The re-ranker's semantic weight set
(``lexicon/rerank_weights_semantic.json``, learned with the lexical features) ranks them.

It is a feature, not a replacement: candidates are still BM25's, and a question whose
candidates are not all embedded yet (a document just ingested) is answered by the lexical
weights, exactly as without the encoder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from index.encoder import Encoder
from index.rerank import Candidate, Reranker, load_reranker

__all__ = [
    "DocumentVectors",
    "EmbeddedDocument",
    "SemanticScorer",
    "dequantise",
    "quantise",
    "semantic_reranker",
    "text_digest",
]

log = logging.getLogger(__name__)

SEMANTIC_WEIGHTS_FILE = "rerank_weights_semantic.json"

Codes = npt.NDArray[np.int8]
Scales = npt.NDArray[np.float32]


def quantise(vectors: npt.NDArray[np.floating]) -> tuple[Codes, Scales]:
    """float vectors → int8 codes and one scale per row (``row ≈ codes * scale``)."""
    data = np.asarray(vectors, dtype=np.float32)
    if data.ndim != 2:
        raise ValueError("vectors must be a 2-D array")
    peak = np.abs(data).max(axis=1) if data.size else np.zeros(len(data), np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.clip(np.rint(data / scales[:, None]), -127, 127).astype(np.int8)
    return codes, scales


def dequantise(codes: Codes, scales: Scales) -> npt.NDArray[np.float32]:
    return codes.astype(np.float32) * scales[:, None]


def text_digest(texts: Iterable[str]) -> str:
    """Identifies a document's sentences: embeddings made for other sentences are stale."""
    h = hashlib.blake2b(digest_size=16)
    for text in texts:
        h.update(text.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class EmbeddedDocument:
    """One document's sentence vectors (``codes[i] * scales[i]`` is sentence ``i``'s)."""

    digest: str
    codes: Codes
    scales: Scales

    @property
    def sentences(self) -> int:
        return len(self.scales)

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + self.scales.nbytes)


class DocumentVectors:
    """The embedded documents of one encoder version, by document id (thread-safe: the
    background worker adds while questions read)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self._documents: dict[int, EmbeddedDocument] = {}
        self._lock = threading.Lock()

    def get(self, document_id: int) -> EmbeddedDocument | None:
        return self._documents.get(document_id)

    def put(self, document_id: int, document: EmbeddedDocument) -> None:
        with self._lock:
            self._documents[document_id] = document

    def retain(self, document_ids: Iterable[int]) -> None:
        """Forget every document not in ``document_ids`` (removed from the index)."""
        keep = set(document_ids)
        with self._lock:
            for gone in [d for d in self._documents if d not in keep]:
                del self._documents[gone]

    def __contains__(self, document_id: object) -> bool:
        return document_id in self._documents

    def __len__(self) -> int:
        return len(self._documents)

    @property
    def sentence_count(self) -> int:
        return sum(d.sentences for d in list(self._documents.values()))

    @property
    def nbytes(self) -> int:
        return sum(d.nbytes for d in list(self._documents.values()))


QUESTION_MEMO = 256
"""Question vectors remembered: "more answers" and repeated questions skip the encoder."""


class SemanticScorer:
    """Sets the semantic features of a question's candidates (see the module docstring)."""

    def __init__(
        self,
        encoder: Encoder,
        vectors: DocumentVectors,
        reranker: Reranker | None = None,
        query_vector: Callable[[str], npt.NDArray[np.float32]] | None = None,
    ) -> None:
        if vectors.version != encoder.version:
            raise ValueError("the vectors were made by another encoder version")
        self.encoder = encoder
        self.vectors = vectors
        self.reranker = reranker if reranker is not None else semantic_reranker()
        self._query_vector = query_vector or encoder.query
        self._memo: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._failed = False  # logged once

    def question_vector(self, question: str) -> npt.NDArray[np.float32]:
        with self._memo_lock:
            found = self._memo.get(question)
            if found is not None:
                self._memo.move_to_end(question)
                return found
        vector = self._query_vector(question)
        with self._memo_lock:
            self._memo[question] = vector
            while len(self._memo) > QUESTION_MEMO:
                self._memo.popitem(last=False)
        return vector

    def annotate(
        self,
        question: str,
        candidates: Sequence[Candidate],
        document_of: Callable[[int], int],
    ) -> bool:
        """Set ``cosine``, ``semantic_z``, ``semantic_gap`` and ``semantic_previous_z`` on every
        candidate;
        ``document_of`` maps a sentence id to its document id. False (nothing set) when a
        candidate's document has no current embeddings: the question is answered lexically."""
        if not candidates:
            return False
        found: dict[int, EmbeddedDocument] = {}
        for c in candidates:
            start = c.sentence_id - c.position
            if start in found:
                continue
            embedded = self.vectors.get(document_of(c.sentence_id))
            if embedded is None or embedded.sentences != c.document_length:
                return False
            found[start] = embedded
        try:
            q = self.question_vector(question)
        except Exception:  # the encoder must never fail a question: answer it lexically
            if not self._failed:
                log.exception("embedding a question failed; answering lexically")
            self._failed = True
            return False
        rows: list[float] = []
        previous: list[float] = []
        for c in candidates:
            embedded = found[c.sentence_id - c.position]
            rows.append(_cosine(embedded, c.position, q))
            previous.append(_cosine(embedded, c.position - 1, q) if c.position > 0 else np.nan)
        set_semantic_features(candidates, rows, previous)
        return True


def set_semantic_features(
    candidates: Sequence[Candidate], cosines: Sequence[float], previous: Sequence[float]
) -> None:
    """z-score each candidate's cosine (and its previous sentence's, NaN: none) over the pool."""
    values = np.asarray(cosines, dtype=np.float64)
    mean = float(values.mean())
    spread = float(values.std()) or 1.0
    spread = max(spread, 0.01)  # a pool of near-identical cosines must not blow up
    best = float(values.max())
    for c, cosine, before in zip(candidates, cosines, previous, strict=True):
        c.cosine = float(cosine)
        c.semantic_z = (float(cosine) - mean) / spread
        c.semantic_gap = (float(cosine) - best) / 0.05
        c.semantic_previous_z = 0.0 if np.isnan(before) else (float(before) - mean) / spread


def _cosine(embedded: EmbeddedDocument, position: int, q: npt.NDArray[np.float32]) -> float:
    return float(embedded.codes[position].astype(np.float32) @ q) * float(embedded.scales[position])


def load_semantic_reranker(data: Mapping[str, object]) -> Reranker:
    return load_reranker(data)


@cache
def semantic_reranker() -> Reranker:
    """The shipped weight set with the semantic features (used only when every candidate of a
    question has embeddings)."""
    raw = (
        resources.files("index.lexicon").joinpath(SEMANTIC_WEIGHTS_FILE).read_text(encoding="utf-8")
    )
    return load_semantic_reranker(json.loads(raw))

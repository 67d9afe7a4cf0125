"""BM25Okapi scoring — the only module that imports rank_bm25.

``PostingsBM25`` returns exactly the scores of ``rank_bm25.BM25Okapi`` (same k1, b, epsilon,
IDF and its floor for terms found in more than half of the sentences) from a term → postings
layout, so a question touches only the postings of its own terms instead of every sentence.
``reference_bm25`` builds the stock rank-bm25 model; tests and benchmarks compare the two.

Layout (compressed sparse rows, one row per term): ``indptr[t]:indptr[t + 1]`` slices
``sentence_ids`` (ascending) and ``term_freqs`` for term id ``t``; ``norms[s]`` is rank-bm25's
length normalisation ``k1 * (1 - b + b * len(s) / avgdl)`` of sentence ``s``. A posting's weight
``idf * (tf * (k1 + 1) / (tf + norm))`` is computed when a question needs it, with the same
operations in the same order as ``BM25Okapi.get_scores``, so scores are bit-identical. Storing
term frequencies (one byte each) instead of precomputed float64 weights keeps a million-sentence
index at about 5 bytes per posting.

Sentences are added through ``PostingsBuilder``, which inverts them chunk by chunk with numpy so
that building never holds more than one chunk of Python objects.

The ranker does no preprocessing: callers pass token lists produced by ``index.tokens``.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

__all__ = ["EPSILON", "K1", "B", "PostingsBM25", "PostingsBuilder", "reference_bm25"]

K1 = 1.5
B = 0.75
EPSILON = 0.25

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
TfArray = npt.NDArray[np.unsignedinteger[Any]]

_CHUNK_SENTENCES = 1 << 16
"""Sentences inverted per numpy step while building: bounds the Python lists held at once."""

_SPARSE_FACTOR = 8
"""A question whose postings number less than 1/8 of the searched sentences is scored on its
postings alone (sort + group); above that a dense accumulator over the range is cheaper."""


def reference_bm25(corpus: Sequence[Sequence[str]]) -> Any:
    """Stock ``rank_bm25.BM25Okapi`` with the parameters this project uses."""
    from rank_bm25 import BM25Okapi

    return BM25Okapi([list(s) for s in corpus], k1=K1, b=B, epsilon=EPSILON)


@dataclass(frozen=True, slots=True, eq=False)
class PostingsBM25:
    """Immutable BM25Okapi index in compressed-sparse-row form (term → sentences)."""

    vocabulary: dict[str, int]
    indptr: IntArray
    sentence_ids: Int32Array
    term_freqs: TfArray
    norms: FloatArray
    idf: FloatArray
    size: int

    @classmethod
    def build(cls, corpus: Iterable[Sequence[str]]) -> PostingsBM25:
        builder = PostingsBuilder()
        for sentence in corpus:
            builder.add(sentence)
        return builder.finish()

    @property
    def posting_count(self) -> int:
        return int(self.sentence_ids.size)

    @property
    def nbytes(self) -> int:
        """Bytes held by the numpy arrays (the vocabulary dict not included)."""
        arrays = (self.indptr, self.sentence_ids, self.term_freqs, self.norms, self.idf)
        return sum(a.nbytes for a in arrays)

    def term_ids(self, query: Sequence[str]) -> list[int]:
        """Ids of the query terms the index knows, in query order (duplicates kept)."""
        vocab = self.vocabulary
        return [vocab[t] for t in query if t in vocab]

    def _weights(self, tid: int, lo: int, hi: int) -> tuple[Int32Array, FloatArray]:
        """Sentence ids and BM25 weights of the postings ``lo:hi`` of term ``tid``."""
        ids = self.sentence_ids[lo:hi]
        tf = self.term_freqs[lo:hi].astype(np.float64)
        # Same expression and operation order as rank_bm25.BM25Okapi.get_scores.
        return ids, float(self.idf[tid]) * (tf * (K1 + 1) / (tf + self.norms[ids]))

    def scores(self, query: Sequence[str]) -> FloatArray:
        """Scores of every sentence, equal to ``BM25Okapi.get_scores(query)``."""
        score = np.zeros(self.size, dtype=np.float64)
        for tid in self.term_ids(query):
            ids, weights = self._weights(tid, int(self.indptr[tid]), int(self.indptr[tid + 1]))
            score[ids] += weights  # ids are unique within one term's postings
        return score

    def top_k(
        self, query: Sequence[str], k: int, start: int = 0, stop: int | None = None
    ) -> list[tuple[int, float]]:
        """Best ``k`` sentences in ``[start, stop)`` that contain at least one query term.

        Order: score descending, then sentence id ascending, which is rank-bm25's order after a
        stable full sort of ``get_scores``. Sentences sharing no term with the query are never
        returned, even where rank-bm25 would rank them (they score 0, and a matching sentence
        can score below 0 when the IDF floor is negative, as in a one-sentence corpus).
        """
        stop = self.size if stop is None else min(stop, self.size)
        start = max(start, 0)
        if k <= 0 or start >= stop:
            return []
        slices = self._slices(self.term_ids(query), start, stop)
        total = sum(hi - lo for _, lo, hi in slices)
        if total == 0:
            return []
        parts = [self._weights(tid, lo, hi) for tid, lo, hi in slices]
        # Concatenated in query order (duplicate terms repeated): bincount adds each sentence's
        # contributions in that order, exactly like get_scores' ``score += ...`` per term.
        ids = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
        weights = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
        if total * _SPARSE_FACTOR < stop - start:
            candidates, inverse = np.unique(ids, return_inverse=True)
            values = _sums(inverse, weights, candidates.size)
        else:
            local = ids.astype(np.intp) - start if start else ids
            dense = _sums(local, weights, stop - start)
            if all(self.idf[tid] > 0 for tid, _, _ in slices):
                touched = dense > 0  # every posting weighs > 0: touched ⇔ positive score
            else:
                touched = np.zeros(stop - start, dtype=np.bool_)
                touched[local] = True
            offsets = np.flatnonzero(touched)
            values = dense[offsets]
            candidates = offsets + start
        return _best(candidates, values, k)

    def _slices(self, tids: list[int], start: int, stop: int) -> list[tuple[int, int, int]]:
        """``(term, lo, hi)`` posting ranges restricted to sentences in ``[start, stop)``."""
        full = start == 0 and stop == self.size
        out: list[tuple[int, int, int]] = []
        for tid in tids:
            lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
            if not full:
                ids = self.sentence_ids[lo:hi]
                lo, hi = (
                    lo + int(np.searchsorted(ids, start)),
                    lo + int(np.searchsorted(ids, stop)),
                )
            out.append((tid, lo, hi))
        return out


def _sums(index: npt.NDArray[Any], weights: FloatArray, size: int) -> FloatArray:
    """``out[i] = sum(weights[index == i])``, added in array order (bincount is sequential)."""
    return cast("FloatArray", np.bincount(index, weights=weights, minlength=size))


def _best(candidates: npt.NDArray[Any], values: FloatArray, k: int) -> list[tuple[int, float]]:
    """Top ``k`` of ``candidates`` (ascending ids) by value, ties by ascending id.

    A partial sort finds the k-th best value; every candidate at least that good is kept so that
    a tie straddling position k is broken by id, not by where ``argpartition`` happened to leave
    the tied members.
    """
    if values.size > k:
        threshold = np.partition(values, values.size - k)[values.size - k]
        keep = np.flatnonzero(values >= threshold)
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))[:k]
    return [(int(candidates[i]), float(values[i])) for i in order]


class PostingsBuilder:
    """Accumulates tokenised sentences, then inverts them into a ``PostingsBM25``.

    Term ids are given in order of first occurrence, as rank-bm25 fills its document-frequency
    dict, so the average IDF (a sum taken in that order) is bit-identical too.
    """

    __slots__ = ("_chunk", "_chunk_lengths", "_counts", "_fwd_tf", "_fwd_tid", "_lengths", "_vocab")

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._chunk: array[int] = array("i")  # token ids of the sentences not yet inverted
        self._chunk_lengths: array[int] = array("i")
        self._lengths: list[Int32Array] = []  # tokens per sentence, one array per chunk
        self._fwd_tid: list[Int32Array] = []  # distinct term ids per sentence, sentence-major
        self._fwd_tf: list[npt.NDArray[np.uint32]] = []
        self._counts: list[IntArray] = []  # distinct terms per sentence

    @property
    def size(self) -> int:
        return sum(a.size for a in self._lengths) + len(self._chunk_lengths)

    def add(self, tokens: Sequence[str]) -> None:
        """Append one sentence (its id is the number of sentences added before it)."""
        setdefault = self._vocab.setdefault
        vocab = self._vocab
        self._chunk.extend([setdefault(t, len(vocab)) for t in tokens])
        self._chunk_lengths.append(len(tokens))
        if len(self._chunk_lengths) >= _CHUNK_SENTENCES:
            self._flush()

    def _flush(self) -> None:
        if not self._chunk_lengths:
            return
        lengths = np.frombuffer(self._chunk_lengths, dtype=np.int32).copy()
        tokens = np.frombuffer(self._chunk, dtype=np.int32).astype(np.int64)
        local = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
        keys, tf = np.unique((local << 32) | tokens, return_counts=True)  # by sentence, term
        self._fwd_tid.append((keys & 0xFFFFFFFF).astype(np.int32))
        self._fwd_tf.append(tf.astype(np.uint32))
        self._counts.append(np.bincount(keys >> 32, minlength=lengths.size))
        self._lengths.append(lengths)
        self._chunk = array("i")
        self._chunk_lengths = array("i")

    def finish(self) -> PostingsBM25:
        """Invert everything added so far. The builder is emptied."""
        self._flush()
        vocab, self._vocab = self._vocab, {}
        size = sum(a.size for a in self._lengths)
        n_terms = len(vocab)
        doc_freq = np.zeros(n_terms, dtype=np.int64)
        max_tf = 0
        for tids, tfs in zip(self._fwd_tid, self._fwd_tf, strict=True):
            doc_freq += np.bincount(tids, minlength=n_terms)
            max_tf = max(max_tf, int(tfs.max(initial=0)))
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(doc_freq, out=indptr[1:])
        total = int(indptr[-1])
        tf_type = np.uint8 if max_tf <= 0xFF else np.uint16 if max_tf <= 0xFFFF else np.uint32
        sentence_ids = np.empty(total, dtype=np.int32)
        term_freqs: TfArray = np.empty(total, dtype=tf_type)
        cursor = indptr[:-1].copy()
        base = 0
        # Counting sort by term, chunk by chunk: chunks arrive in sentence order, so each term's
        # postings end up in ascending sentence order. Chunks are released as they are consumed.
        while self._fwd_tid:
            tids, tfs, counts = self._fwd_tid.pop(0), self._fwd_tf.pop(0), self._counts.pop(0)
            sids = np.repeat(np.arange(base, base + counts.size, dtype=np.int32), counts)
            order = np.argsort(tids, kind="stable")
            sorted_tids = tids[order]
            first = np.searchsorted(sorted_tids, sorted_tids, side="left")
            dest = cursor[sorted_tids] + (np.arange(order.size) - first)
            sentence_ids[dest] = sids[order]
            term_freqs[dest] = tfs[order]
            cursor += np.bincount(tids, minlength=n_terms)
            base += counts.size
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int32)
        self._lengths = []
        norms = _norms(lengths)
        idf = _okapi_idf(doc_freq, size)
        return PostingsBM25(vocab, indptr, sentence_ids, term_freqs, norms, idf, size)


def _norms(lengths: Int32Array) -> FloatArray:
    """rank-bm25's ``k1 * (1 - b + b * doc_len / avgdl)`` per sentence."""
    if not lengths.size:
        return np.zeros(0, dtype=np.float64)
    avgdl = int(lengths.sum(dtype=np.int64)) / lengths.size  # exact int sum, as rank-bm25
    if not avgdl:
        return np.full(lengths.size, K1 * (1 - B), dtype=np.float64)
    dl = lengths.astype(np.int64)
    norms = K1 * (1 - B + B * dl / avgdl)
    return norms.astype(np.float64, copy=False)


def _okapi_idf(doc_freq: IntArray, size: int) -> FloatArray:
    """rank_bm25's IDF: ``log(N - n + 0.5) - log(n + 0.5)``, negatives floored at
    ``epsilon * average_idf`` (the average taken before flooring, summed in term-id order)."""
    if not doc_freq.size:
        return np.zeros(0, dtype=np.float64)
    # math.log per distinct frequency (few of them) rather than np.log: the same libm call as
    # rank-bm25, so no last-bit differences from a vectorised logarithm.
    distinct, inverse = np.unique(doc_freq, return_inverse=True)
    per_freq = [math.log(size - f + 0.5) - math.log(f + 0.5) for f in distinct.tolist()]
    idf = np.asarray(per_freq, dtype=np.float64)[inverse.reshape(-1)]
    idf_sum = 0.0
    for value in idf.tolist():  # sequential left-to-right sum, as rank-bm25's loop
        idf_sum += value
    negative = idf < 0
    if negative.any():
        idf[negative] = EPSILON * (idf_sum / doc_freq.size)
    return idf

"""BM25Okapi scoring — the only module that imports rank_bm25.

``PostingsBM25`` returns exactly the scores of ``rank_bm25.BM25Okapi`` (same k1, b, epsilon,
IDF and its floor for terms found in more than half of the sentences) from a term → postings
layout, so a question touches only postings of its own terms instead of every sentence.
``reference_bm25`` builds the stock rank-bm25 model; tests and benchmarks compare the two.

Layout (compressed sparse rows, one row per term): ``indptr[t]:indptr[t + 1]`` slices
``sentence_ids`` (ascending) and ``term_freqs`` for term id ``t``; ``norms[s]`` is rank-bm25's
length normalisation ``k1 * (1 - b + b * len(s) / avgdl)`` of sentence ``s``. A posting's weight
``idf * (tf * (k1 + 1) / (tf + norm))`` is computed when a question needs it, with the same
operations in the same order as ``BM25Okapi.get_scores``, so scores are bit-identical. Storing
term frequencies (one byte each) instead of precomputed float64 weights keeps a million-sentence
index at about 5 bytes per posting.

``top_k`` picks the best sentences without scoring every posting: MaxScore pruning reads the
postings of the rare, high-weight terms, and looks the common terms up only for the candidates
that can still reach the top k; the survivors are rescored in query order, so the returned
scores are rank-bm25's to the last bit, and ties are broken by sentence order.

Sentences are added through ``PostingsBuilder``, which inverts them chunk by chunk with numpy so
that building never holds more than one chunk of Python objects.

The ranker does no preprocessing: callers pass token lists produced by ``index.tokens``.
"""

from __future__ import annotations

import math
import mmap
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

__all__ = ["EPSILON", "K1", "B", "PostingsBM25", "PostingsBuilder", "reference_bm25"]

K1 = 1.5
B = 0.75
EPSILON = 0.25

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
TfArray = npt.NDArray[np.unsignedinteger[Any]]

_CHUNK_SENTENCES = 1 << 14
"""Sentences inverted per numpy step while building: bounds the Python lists held at once.
At most 65,536, so that a sentence's offset within its chunk fits 16 bits."""

_PRUNE_FROM = 4096
"""Questions with more postings than this try MaxScore pruning (``_top_k_pruned``)."""

_PRUNE_BUDGET = 0.25
"""Pruning gives up (and scores exhaustively) after reading postings for this share of the
searched sentences without being able to stop: then the question's terms are all common."""

_SPARSE_FACTOR = 8
"""A question whose postings number less than 1/8 of the searched sentences is scored on its
postings alone (sort + group); above that a dense accumulator over the range is cheaper."""


def reference_bm25(corpus: Iterable[Sequence[str]]) -> Any:
    """Stock ``rank_bm25.BM25Okapi`` with the parameters this project uses (it reads the corpus
    once, so a generator keeps only rank-bm25's own structures in memory)."""
    return BM25Okapi((list(s) for s in corpus), k1=K1, b=B, epsilon=EPSILON)


@dataclass(frozen=True, slots=True, eq=False)
class PostingsBM25:
    """Immutable BM25Okapi index in compressed-sparse-row form (term → sentences)."""

    vocabulary: dict[str, int]
    indptr: IntArray
    sentence_ids: Int32Array
    term_freqs: TfArray
    norms: FloatArray
    idf: FloatArray
    upper: FloatArray  # per term: its largest posting weight (MaxScore's bound)
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
        arrays = (
            self.indptr,
            self.sentence_ids,
            self.term_freqs,
            self.norms,
            self.idf,
            self.upper,
        )
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
        Returned scores are bit-identical to ``get_scores``.
        """
        stop = self.size if stop is None else min(stop, self.size)
        start = max(start, 0)
        if k <= 0 or start >= stop:
            return []
        slices = self._slices(self.term_ids(query), start, stop)
        total = sum(hi - lo for _, lo, hi in slices)
        if total == 0:
            return []
        if total > _PRUNE_FROM and all(self.idf[tid] >= 0 for tid, _, _ in slices):
            budget = max(_PRUNE_FROM, (stop - start) * _PRUNE_BUDGET)
            pruned = self._top_k_pruned(slices, k, budget)
            if pruned is not None:
                return pruned
        return self._top_k_exhaustive(slices, k, start, stop, total)

    def _top_k_exhaustive(
        self, slices: list[tuple[int, int, int]], k: int, start: int, stop: int, total: int
    ) -> list[tuple[int, float]]:
        """Score every posting of every query term."""
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

    def _top_k_pruned(
        self, slices: list[tuple[int, int, int]], k: int, budget: float
    ) -> list[tuple[int, float]] | None:
        """MaxScore: skip the postings of terms too weak to lift a sentence into the top k.

        Terms are taken from the highest score bound down (rare terms first). Once the bounds
        of the terms not yet read add up to less than the k-th best partial score, no unseen
        sentence can enter the top k; the remaining terms are then only looked up for the
        candidates already seen (binary search), and candidates whose bound falls below the
        k-th best are dropped on the way. Weights are never negative here, so partial scores
        are lower bounds and partial + remaining bounds are upper bounds; a tolerance covers
        float rounding. Survivors are finally rescored term by term in query order, which gives
        rank-bm25's exact floats. Returns None (use the exhaustive path) when more than
        ``budget`` postings had to be read.
        """
        multiplicity: dict[int, int] = {}
        ranges: dict[int, tuple[int, int]] = {}
        for tid, lo, hi in slices:
            multiplicity[tid] = multiplicity.get(tid, 0) + 1
            ranges[tid] = (lo, hi)
        terms = sorted(multiplicity, key=lambda t: -multiplicity[t] * float(self.upper[t]))
        bounds = [multiplicity[t] * float(self.upper[t]) for t in terms]
        remaining = sum(bounds)
        candidates: Int32Array = np.zeros(0, dtype=np.int32)
        partial: FloatArray = np.zeros(0, dtype=np.float64)
        threshold = -math.inf
        read = 0
        index = 0
        while index < len(terms):
            tid = terms[index]
            lo, hi = ranges[tid]
            ids, weights = self._weights(tid, lo, hi)
            candidates, partial = _merge(candidates, partial, ids, weights * multiplicity[tid])
            remaining -= bounds[index]
            index += 1
            read += hi - lo
            if candidates.size >= k:
                threshold = _kth_largest(partial, k)
            if remaining < threshold - _tolerance(threshold, remaining):
                break
            if read > budget:
                return None
        for tid in terms[index:]:
            if candidates.size > k:
                keep = partial + remaining >= threshold - _tolerance(threshold, remaining)
                candidates, partial = candidates[keep], partial[keep]
            lo, hi = ranges[tid]
            partial = partial + self._lookup(tid, lo, hi, candidates) * multiplicity[tid]
            remaining -= multiplicity[tid] * float(self.upper[tid])
            if candidates.size >= k:
                threshold = _kth_largest(partial, k)
        if candidates.size > k:
            keep = partial >= threshold - _tolerance(threshold, 0.0)
            candidates = candidates[keep]
        exact = np.zeros(candidates.size, dtype=np.float64)
        for tid, lo, hi in slices:  # query order, duplicates repeated: get_scores' sums
            exact += self._lookup(tid, lo, hi, candidates)
        return _best(candidates, exact, k)

    def _lookup(self, tid: int, lo: int, hi: int, candidates: Int32Array) -> FloatArray:
        """Weights of term ``tid`` (postings ``lo:hi``) for sorted ``candidates``; 0 if absent."""
        out = np.zeros(candidates.size, dtype=np.float64)
        if hi <= lo or not candidates.size:
            return out
        ids = self.sentence_ids[lo:hi]
        pos = np.minimum(np.searchsorted(ids, candidates), hi - lo - 1)
        found = np.flatnonzero(ids[pos] == candidates)
        tf = self.term_freqs[lo + pos[found]].astype(np.float64)
        norm = self.norms[candidates[found]]
        # Same expression and operation order as rank_bm25.BM25Okapi.get_scores.
        out[found] = float(self.idf[tid]) * (tf * (K1 + 1) / (tf + norm))
        return out

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


def _merge(
    ids_a: Int32Array, values_a: FloatArray, ids_b: Int32Array, values_b: FloatArray
) -> tuple[Int32Array, FloatArray]:
    """Union of two id-sorted (ids, values) lists, summing values of common ids."""
    if not ids_a.size:
        return ids_b, values_b
    ids = np.concatenate((ids_a, ids_b))
    order = np.argsort(ids, kind="stable")  # two sorted runs: a linear merge
    ids, values = ids[order], np.concatenate((values_a, values_b))[order]
    first = np.empty(ids.size, dtype=np.bool_)  # where a run of equal ids starts
    first[0] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ids[starts], np.add.reduceat(values, starts)


def _kth_largest(values: FloatArray, k: int) -> float:
    return float(np.partition(values, values.size - k)[values.size - k])


def _tolerance(threshold: float, remaining: float) -> float:
    """Slack for comparing sums of the same weights added in different orders: a few ulps
    each, so this is far wider than rounding and far below any real score gap."""
    scale = max(abs(threshold) if math.isfinite(threshold) else 0.0, abs(remaining))
    return 1e-9 * (1.0 + scale)


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

    Every ``_CHUNK_SENTENCES`` sentences are inverted on the spot into a chunk-local postings
    list (terms present, their posting counts, 16-bit sentence offsets and term frequencies:
    about 3 bytes a posting), so the Python token lists of only one chunk exist at a time and
    ``finish`` merges compact chunks into the final arrays.

    Term ids are given in order of first occurrence, as rank-bm25 fills its document-frequency
    dict, so the average IDF (a sum taken in that order) is bit-identical too.
    """

    __slots__ = ("_chunk", "_chunk_lengths", "_chunks", "_lengths", "_vocab")

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._chunk: array[int] = array("i")  # token ids of the sentences not yet inverted
        self._chunk_lengths: array[int] = array("i")
        self._lengths: list[Int32Array] = []  # tokens per sentence, one array per chunk
        self._chunks: list[_Chunk] = []

    @property
    def size(self) -> int:
        return sum(a.size for a in self._lengths) + len(self._chunk_lengths)

    def add(self, tokens: Sequence[str]) -> None:
        """Append one sentence (its id is the number of sentences added before it)."""
        self.add_many([tokens])

    def add_many(self, sentences: Sequence[Sequence[str]]) -> None:
        """Append sentences in order (one call per document is much cheaper than per sentence)."""
        done = 0
        while done < len(sentences):
            room = _CHUNK_SENTENCES - len(self._chunk_lengths)
            part = sentences[done : done + room]
            flat = [t for s in part for t in s]
            vocab = self._vocab
            ids: Sequence[int]
            try:  # all terms known: one C-level lookup
                ids = itemgetter(*flat)(vocab) if len(flat) > 1 else [vocab[t] for t in flat]
            except KeyError:  # new terms get the next ids, in order of first occurrence
                setdefault = vocab.setdefault
                ids = [setdefault(t, len(vocab)) for t in flat]
            self._chunk.extend(ids)
            self._chunk_lengths.extend(map(len, part))
            done += len(part)
            if len(self._chunk_lengths) >= _CHUNK_SENTENCES:
                self._flush()

    def _flush(self) -> None:
        if not self._chunk_lengths:
            return
        lengths = np.frombuffer(self._chunk_lengths, dtype=np.int32).copy()
        n = lengths.size
        tokens = np.frombuffer(self._chunk, dtype=np.int32).astype(np.int64)
        local = np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys, tf = np.unique(tokens * n + local, return_counts=True)  # by term, then sentence
        self._chunk = array("i")
        self._chunk_lengths = array("i")
        tids = keys // n
        starts = np.flatnonzero(np.diff(tids, prepend=-1))
        self._chunks.append(
            _Chunk.pack(
                terms=tids[starts].astype(np.int32),
                counts=np.diff(starts, append=tids.size).astype(np.int32),
                offsets=(keys - tids * n).astype(np.uint16),
                freqs=tf.astype(_tf_dtype(int(tf.max(initial=0)))),
            )
        )
        self._lengths.append(lengths)

    def finish(self) -> PostingsBM25:
        """Invert everything added so far. The builder is emptied."""
        self._flush()
        vocab, self._vocab = self._vocab, {}
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int32)
        bases = np.cumsum([0] + [a.size for a in self._lengths])
        self._lengths = []
        n_terms = len(vocab)
        doc_freq = np.zeros(n_terms, dtype=np.int64)
        for chunk in self._chunks:
            doc_freq[chunk.terms] += chunk.counts  # terms are distinct within a chunk
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(doc_freq, out=indptr[1:])
        total = int(indptr[-1])
        max_tf = max((int(c.freqs.max(initial=0)) for c in self._chunks), default=0)
        sentence_ids: Int32Array = _unhinted_array(total, np.int32)
        term_freqs: TfArray = _unhinted_array(total, _tf_dtype(max_tf))
        cursor = indptr[:-1].copy()
        # Chunks arrive in sentence order and are sorted by (term, sentence) inside, so copying
        # each term's group to that term's cursor leaves every postings list in ascending
        # sentence order. Chunks are released as they are consumed.
        chunks, self._chunks = self._chunks, []
        for base in bases[:-1].tolist():
            chunk = chunks.pop(0)
            group_starts = np.cumsum(chunk.counts, dtype=np.int64) - chunk.counts
            dest = np.repeat(cursor[chunk.terms] - group_starts, chunk.counts)
            dest += np.arange(chunk.offsets.size, dtype=np.int64)
            sentence_ids[dest] = chunk.offsets.astype(np.int32) + base
            term_freqs[dest] = chunk.freqs
            cursor[chunk.terms] += chunk.counts
        norms = _norms(lengths)
        idf = _okapi_idf(doc_freq, lengths.size)
        upper = idf * _max_factors(indptr, sentence_ids, term_freqs, norms)
        return PostingsBM25(
            vocab, indptr, sentence_ids, term_freqs, norms, idf, upper, lengths.size
        )


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Postings of up to ``_CHUNK_SENTENCES`` consecutive sentences, grouped by term.

    The four arrays live in one anonymous memory map. Chunks are freed one by one while
    ``finish`` fills the final arrays; small numpy arrays would come from the malloc heap, which
    keeps freed memory, so the chunks' memory would stay resident beside the final index (one
    and a half times the index at the peak). An unmapped region goes back to the OS at once.
    """

    terms: Int32Array  # distinct term ids, ascending
    counts: Int32Array  # postings per term
    offsets: npt.NDArray[np.uint16]  # sentence offset within the chunk, per posting
    freqs: TfArray  # term frequency, per posting

    @classmethod
    def pack(
        cls,
        terms: Int32Array,
        counts: Int32Array,
        offsets: npt.NDArray[np.uint16],
        freqs: TfArray,
    ) -> _Chunk:
        parts = (terms, counts, offsets, freqs)  # widest item first: every view stays aligned
        region = mmap.mmap(-1, max(1, sum(a.nbytes for a in parts)))
        views: list[npt.NDArray[Any]] = []
        position = 0
        for part in parts:
            view = np.frombuffer(region, dtype=part.dtype, count=part.size, offset=position)
            view[:] = part
            views.append(view)
            position += part.nbytes
        return cls(*views)


def _unhinted_array(size: int, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """An uninitialised array in its own anonymous memory map, in 4 KB pages.

    numpy asks for transparent huge pages on large arrays; ``finish`` writes the postings in
    sentence-chunk order, a little into every term's region at a time, which would fault in
    every 2 MB page almost at once — the whole index resident while the chunks it is built from
    still are. With small pages the index becomes resident as the chunks are released.
    """
    itemsize = np.dtype(dtype).itemsize
    region = mmap.mmap(-1, max(1, size * itemsize))
    return np.frombuffer(region, dtype=dtype, count=size)


def _max_factors(
    indptr: IntArray, sentence_ids: Int32Array, term_freqs: TfArray, norms: FloatArray
) -> FloatArray:
    """Per term, the largest ``tf * (k1 + 1) / (tf + norm)`` over its postings, computed over
    batches of about 256k postings to bound the temporary arrays."""
    n_terms = indptr.size - 1
    out = np.zeros(n_terms, dtype=np.float64)
    first = 0
    while first < n_terms:
        lo = int(indptr[first])
        last = int(np.searchsorted(indptr, lo + (1 << 18), side="right")) - 1
        last = min(max(last, first + 1), n_terms)  # at least one term per batch
        hi = int(indptr[last])
        tf = term_freqs[lo:hi].astype(np.float64)
        factor = tf * (K1 + 1) / (tf + norms[sentence_ids[lo:hi]])
        out[first:last] = np.maximum.reduceat(factor, indptr[first:last] - lo)
        first = last
    return out


def _tf_dtype(max_tf: int) -> type[np.unsignedinteger[Any]]:
    """The narrowest unsigned type holding every term frequency (one byte in practice)."""
    return np.uint8 if max_tf <= 0xFF else np.uint16 if max_tf <= 0xFFFF else np.uint32


def _norms(lengths: Int32Array) -> FloatArray:
    """rank-bm25's ``k1 * (1 - b + b * doc_len / avgdl)`` per sentence."""
    if not lengths.size:
        return np.zeros(0, dtype=np.float64)
    avgdl = int(lengths.sum(dtype=np.int64)) / lengths.size  # exact int sum, as rank-bm25
    if not avgdl:
        return np.full(lengths.size, K1 * (1 - B), dtype=np.float64)
    # rank-bm25 evaluates k1 * (1 - b + b * doc_len / avgdl) element-wise; the same operations
    # done in place (all commutative, same order) give the same floats with one array.
    norms = lengths.astype(np.float64)
    norms *= B
    norms /= avgdl
    norms += 1 - B
    norms *= K1
    return norms


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

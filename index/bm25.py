"""BM25Okapi scoring — the only module that imports rank_bm25.

``PostingsBM25`` returns exactly the scores of ``rank_bm25.BM25Okapi`` (same k1, b, epsilon,
IDF and its floor for terms found in more than half of the sentences) but stores a term →
postings layout with per-posting weights precomputed, so a question touches only the sentences
that contain its terms. ``reference_bm25`` builds the stock rank-bm25 model; tests and
benchmarks compare the two.

The ranker does no preprocessing: callers pass token lists produced by ``index.tokens``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["EPSILON", "K1", "B", "PostingsBM25", "reference_bm25"]

K1 = 1.5
B = 0.75
EPSILON = 0.25

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def reference_bm25(corpus: Sequence[Sequence[str]]) -> Any:
    """Stock ``rank_bm25.BM25Okapi`` with the parameters this project uses."""
    from rank_bm25 import BM25Okapi

    return BM25Okapi([list(s) for s in corpus], k1=K1, b=B, epsilon=EPSILON)


@dataclass(frozen=True, slots=True, eq=False)
class PostingsBM25:
    """Immutable BM25Okapi index in compressed-sparse-row form (term → sentences).

    ``indptr[t]:indptr[t+1]`` slices ``sentence_ids`` / ``weights`` for term id ``t``.
    ``weights`` already hold ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))``.
    """

    vocabulary: dict[str, int]
    indptr: IntArray
    sentence_ids: npt.NDArray[np.int32]
    weights: FloatArray
    idf: FloatArray
    size: int

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]]) -> PostingsBM25:
        size = len(corpus)
        vocabulary: dict[str, int] = {}
        doc_freq: list[int] = []
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        lengths = np.fromiter((len(s) for s in corpus), dtype=np.float64, count=size)
        for sid, sentence in enumerate(corpus):
            counts: dict[int, int] = {}
            for token in sentence:
                tid = vocabulary.get(token)
                if tid is None:
                    tid = vocabulary[token] = len(vocabulary)
                    doc_freq.append(0)
                counts[tid] = counts.get(tid, 0) + 1
            for tid, tf in counts.items():
                doc_freq[tid] += 1
                rows.append(tid)
                cols.append(sid)
                tfs.append(tf)
        idf = _okapi_idf(doc_freq, size)
        terms = np.asarray(rows, dtype=np.int64)
        order = np.argsort(terms, kind="stable")  # stable: postings stay in sentence order
        sentence_ids = np.asarray(cols, dtype=np.int32)[order]
        tf_arr = np.asarray(tfs, dtype=np.float64)[order]
        term_sorted = terms[order]
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_sorted, minlength=len(vocabulary)), out=indptr[1:])
        if size:
            avgdl = float(lengths.sum()) / size
            dl = lengths[sentence_ids]
            # Same expression and operation order as rank_bm25.BM25Okapi.get_scores.
            denom = tf_arr + K1 * (1 - B + B * dl / avgdl) if avgdl else tf_arr + K1 * (1 - B)
            weights = idf[term_sorted] * (tf_arr * (K1 + 1) / denom)
        else:
            weights = np.zeros(0, dtype=np.float64)
        return cls(vocabulary, indptr, sentence_ids, weights, idf, size)

    def term_ids(self, query: Sequence[str]) -> list[int]:
        """Ids of the query terms the index knows, in query order (duplicates kept)."""
        vocab = self.vocabulary
        return [vocab[t] for t in query if t in vocab]

    def scores(self, query: Sequence[str]) -> FloatArray:
        """Scores of every sentence, equal to ``BM25Okapi.get_scores(query)``."""
        score = np.zeros(self.size, dtype=np.float64)
        for tid in self.term_ids(query):
            lo, hi = self.indptr[tid], self.indptr[tid + 1]
            score[self.sentence_ids[lo:hi]] += self.weights[lo:hi]
        return score

    def top_k(
        self, query: Sequence[str], k: int, start: int = 0, stop: int | None = None
    ) -> list[tuple[int, float]]:
        """Best ``k`` sentences in ``[start, stop)`` that contain at least one query term.

        Order: score descending, then sentence id ascending (deterministic ties). Sentences
        sharing no term with the query are never returned, even when rank-bm25 would rank them
        (with a negative IDF floor a matching sentence can score below zero).
        """
        stop = self.size if stop is None else stop
        if k <= 0 or start >= stop:
            return []
        tids = self.term_ids(query)
        if not tids:
            return []
        score = np.zeros(self.size, dtype=np.float64)
        slices = []
        for tid in tids:
            lo, hi = self.indptr[tid], self.indptr[tid + 1]
            ids = self.sentence_ids[lo:hi]
            score[ids] += self.weights[lo:hi]
            slices.append(ids)
        touched = np.unique(np.concatenate(slices))
        if start > 0 or stop < self.size:
            touched = touched[(touched >= start) & (touched < stop)]
        if touched.size == 0:
            return []
        values = score[touched]
        if touched.size > k:
            part = np.argpartition(-values, k - 1)[:k]
            touched, values = touched[part], values[part]
        order = np.lexsort((touched, -values))
        return [(int(touched[i]), float(values[i])) for i in order]


def _okapi_idf(doc_freq: Sequence[int], size: int) -> FloatArray:
    """rank_bm25's IDF: ``log(N - n + 0.5) - log(n + 0.5)``, negatives floored at
    ``epsilon * average_idf`` (the average taken before flooring)."""
    idf = np.empty(len(doc_freq), dtype=np.float64)
    idf_sum = 0.0
    negative: list[int] = []
    for tid, freq in enumerate(doc_freq):
        value = math.log(size - freq + 0.5) - math.log(freq + 0.5)
        idf[tid] = value
        idf_sum += value
        if value < 0:
            negative.append(tid)
    if len(doc_freq):
        idf[negative] = EPSILON * (idf_sum / len(doc_freq))
    return idf

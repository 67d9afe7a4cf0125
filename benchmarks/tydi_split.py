"""The tuning / held-apart split of TyDi QA Indonesian, shared by training and reporting.

The split is by *context* (a paragraph is never on both sides): a record is held apart when its
context occurs in the CI quality-gate slice (the first ``CI_SLICE`` lines of the file) or when
``sha1(context) % HELD_APART_BUCKETS == 0``; every other record is in the tuning part. Only the
tuning part is used to learn weights and thresholds.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix, diags

from index.evaluation import EvalRecord
from index.tokens import default_tokenizer

CI_SLICE = 1000
HELD_APART_BUCKETS = 4


def context_bucket(context: str, buckets: int = HELD_APART_BUCKETS) -> int:
    """A stable bucket of the context (sha1 of its UTF-8 bytes, modulo ``buckets``)."""
    digest = hashlib.sha1(context.encode("utf-8")).hexdigest()
    return int(digest, 16) % buckets


def split_tydi(records: Sequence[EvalRecord]) -> tuple[list[EvalRecord], list[EvalRecord]]:
    """``(tuning, held_apart)`` for the records of ``tydiqa_id_train.jsonl`` in file order."""
    ci_contexts = {r.context for r in records[:CI_SLICE]}
    tuning: list[EvalRecord] = []
    held: list[EvalRecord] = []
    for record in records:
        if record.context in ci_contexts or context_bucket(record.context) == 0:
            held.append(record)
        else:
            tuning.append(record)
    return tuning, held


def mismatched(records: Sequence[EvalRecord], seed: int = 13) -> list[EvalRecord]:
    """Each question asked against a random *other* context of the same records: a generic
    off-topic set (unanswerable by construction) for tuning and checking abstention."""
    rng = random.Random(seed)
    contexts = sorted({r.context for r in records})
    out: list[EvalRecord] = []
    if len(contexts) < 2:
        return out
    for record in records:
        other = record.context
        while other == record.context:
            other = contexts[rng.randrange(len(contexts))]
        out.append(EvalRecord(f"{record.id}-mismatched", other, record.question, ()))
    return out


def with_distractors(
    records: Sequence[EvalRecord], paragraphs: int = 7, seed: int = 29
) -> list[EvalRecord]:
    """Each record's context becomes a long document: its own paragraph placed at a random
    position among ``paragraphs`` random other contexts of the same records (blank lines between
    paragraphs). This turns 4-sentence paragraphs into news-article-sized documents (~30
    sentences), where answer-type cues and position priors are far less selective."""
    rng = random.Random(seed)
    contexts = sorted({r.context for r in records})
    documents: dict[str, str] = {}
    out: list[EvalRecord] = []
    for record in records:
        if record.context not in documents:
            picked = rng.sample(contexts, min(len(contexts), paragraphs + 1))
            others = [c for c in picked if c != record.context][:paragraphs]
            others.insert(rng.randrange(len(others) + 1), record.context)
            documents[record.context] = "\n\n".join(others)
        out.append(
            EvalRecord(record.id, documents[record.context], record.question, record.answers)
        )
    return out


def with_similar(
    records: Sequence[EvalRecord], paragraphs: int = 7, seed: int = 31
) -> list[EvalRecord]:
    """Like ``with_distractors``, but the other paragraphs are the ``paragraphs`` most similar
    ones (TF-IDF cosine over stems): a *topical* long document, where the neighbours speak of
    the same things — closer to a whole article than random paragraphs, which make the
    question's own paragraph easy to spot."""

    tokenizer = default_tokenizer()
    contexts = sorted({r.context for r in records})
    if len(contexts) < 2:
        return list(records)
    counts = [Counter(tokenizer.tokens(c)) for c in contexts]
    vocabulary: dict[str, int] = {}
    frequency: Counter[str] = Counter()
    for count in counts:
        frequency.update(count.keys())
        for term in count:
            vocabulary.setdefault(term, len(vocabulary))
    data: list[float] = []
    columns: list[int] = []
    starts = [0]
    for count in counts:
        for term, n in count.items():
            columns.append(vocabulary[term])
            data.append((1 + math.log(n)) * math.log(len(contexts) / frequency[term]))
        starts.append(len(columns))
    matrix = csr_matrix((data, columns, starts), shape=(len(contexts), len(vocabulary)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = diags(1 / np.where(norms > 0, norms, 1.0)) @ matrix
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, -1.0)
    rng = random.Random(seed)
    documents: dict[str, str] = {}
    for i, context in enumerate(contexts):
        near = [contexts[j] for j in np.argsort(-similarity[i], kind="stable")[:paragraphs]]
        near.insert(rng.randrange(len(near) + 1), context)
        documents[context] = "\n\n".join(near)
    return [EvalRecord(r.id, documents[r.context], r.question, r.answers) for r in records]

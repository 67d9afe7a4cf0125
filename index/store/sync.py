"""The content directory: make the ``content`` documents match the files under it."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Table, select

from index.errors import ErrorDetail
from index.results import SyncStatus, zero_counts
from index.sources import DOCUMENT_SUFFIXES, SourceError, parse_bytes
from index.store.db import Database
from index.store.documents import DocumentWrites
from index.store.errors import StoreError
from index.store.models import DocumentRow
from index.store.prepare import Prepared
from index.tokens import Tokenizer

__all__ = ["DirectorySync", "SyncOutcome"]

_DOCS = cast(Table, DocumentRow.__table__)


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0
    error_details: tuple[ErrorDetail, ...] = ()
    skipped: tuple[ErrorDetail, ...] = ()  # files of unsupported types (key unsupported_type)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


class DirectorySync(DocumentWrites):
    """``sync_directory``, remembering which files it read so that a reload reads only what
    changed."""

    def __init__(self, database: Database, tokenizer: Tokenizer) -> None:
        super().__init__(database, tokenizer)
        # Content file path → ((mtime_ns, size), hash of its bytes) as last read.
        self._file_digests: dict[str, tuple[tuple[int, int], str]] = {}

    def sync_directory(self, directory: Path) -> SyncOutcome:
        """Make the ``content`` documents match the files under ``directory``: new files
        added, changed ones updated, deleted ones deactivated. A file that cannot be read
        keeps its previous version. Documents an admin removed stay removed until their
        file changes.

        A file is changed when the hash of its bytes differs from the stored one. Files whose
        size and modification time are those this process saw last time are not read again
        (their hash is remembered), so a reload of a large directory stats it but reads only
        what changed."""
        if not directory.is_dir():
            raise StoreError(
                f"content directory {directory} does not exist (CONTENT_DIR)",
                key="content_dir_missing",
                params={"path": str(directory)},
            )
        with self.db.read() as session:
            stored = {
                ref: (doc_id, digest, active, removed_by, pipeline)
                for doc_id, ref, digest, active, removed_by, pipeline in session.execute(
                    select(
                        _DOCS.c.id,
                        _DOCS.c.source_ref,
                        _DOCS.c.source_digest,
                        _DOCS.c.active,
                        _DOCS.c.removed_by,
                        _DOCS.c.pipeline,
                    ).where(_DOCS.c.source_kind == "content")
                )
            }
        counts = zero_counts()
        errors: list[ErrorDetail] = []
        seen: set[str] = set()
        others: list[str] = []
        for relative, path, stamp in _content_files(directory, others):
            seen.add(relative)
            status, error = self._sync_file(relative, path, stamp, stored.get(relative))
            counts[status] += 1
            if error is not None:
                errors.append(error)
        for relative, (doc_id, _, active, _, _) in stored.items():
            if active and relative not in seen and self.deactivate(doc_id, by="sync"):
                counts["removed"] += 1
        return SyncOutcome(
            counts["added"],
            counts["updated"],
            counts["removed"],
            counts["unchanged"],
            counts["failed"],
            tuple(errors),
            tuple(map(_unsupported, others)),
        )

    def _sync_file(
        self,
        relative: str,
        path: str,
        stamp: tuple[int, int],
        known: tuple[int, str | None, bool, str | None, str] | None,
    ) -> tuple[SyncStatus, ErrorDetail | None]:
        """Sync one content file; returns its status and, when it failed, why."""
        remembered = self._file_digests.get(path)
        data: bytes | None = None
        try:
            if remembered is not None and remembered[0] == stamp:
                digest = remembered[1]
            else:
                data = _read(path)
                digest = hashlib.sha256(data).hexdigest()
            if known is not None and known[1] == digest and known[4] == self.pipeline:
                _, _, active, removed_by, _ = known
                if active or removed_by == "user":
                    self._file_digests[path] = (stamp, digest)
                    return "unchanged", None
            if data is None:
                data = _read(path)
                digest = hashlib.sha256(data).hexdigest()
            source = parse_bytes(data, Path(relative).name, path)
        except OSError as exc:
            reason = str(exc.strerror or exc)
            return "failed", ErrorDetail(
                f"{relative}: cannot read ({reason})",
                "cannot_read",
                {"name": relative, "reason": reason},
            )
        except SourceError as exc:
            return "failed", exc.detail()
        result = self.save(
            Prepared("content", relative, source.title, source.text, digest, relative)
        )
        # ``save`` never skips; two comparisons (not ``in``) narrow the status type for mypy.
        if result.status == "failed" or result.status == "skipped":  # noqa: PLR1714
            return "failed", result.error_detail
        self._file_digests[path] = (stamp, digest)
        return result.status, None


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _unsupported(relative: str) -> ErrorDetail:
    suffix = os.path.splitext(relative)[1].lower() or "(none)"
    kinds = ", ".join(sorted(DOCUMENT_SUFFIXES))
    return ErrorDetail(
        f"{relative}: unsupported file type {suffix}; use {kinds}",
        "unsupported_type",
        {"name": relative, "suffix": suffix, "allowed": kinds},
    )


def _content_files(
    directory: Path, others: list[str] | None = None
) -> list[tuple[str, str, tuple[int, int]]]:
    """(relative POSIX path, full path, (mtime_ns, size)) of the content files under
    ``directory``, sorted; hidden files and directories are skipped. Files of other types go
    to ``others`` (relative paths, sorted), so that the sync can say it skipped them."""
    found: list[tuple[str, str, tuple[int, int]]] = []
    root = str(directory)
    for current, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        base = os.path.relpath(current, root)
        for name in names:
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() not in DOCUMENT_SUFFIXES:
                if others is not None:
                    others.append(name if base == "." else f"{base.replace(os.sep, '/')}/{name}")
                continue
            full = os.path.join(current, name)
            try:
                info = os.stat(full)
            except OSError:
                continue  # vanished since the listing
            if not stat.S_ISREG(info.st_mode):
                continue
            relative = name if base == "." else f"{base.replace(os.sep, '/')}/{name}"
            found.append((relative, full, (info.st_mtime_ns, info.st_size)))
    found.sort()
    if others is not None:
        others.sort()
    return found

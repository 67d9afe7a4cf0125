"""The content commands: ``ingest`` (files, directories, URLs, JSONL batches, stdin),
``documents``, ``remove`` and ``reload`` (sync the content directory into the store)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from bot.cli.arguments import Subcommands, positive_int
from bot.cli.errors import EXIT_ERROR, EXIT_OK, EXIT_USAGE, PRIVATE_HINT, CLIError
from bot.cli.semantic import embedding_line
from bot.cli.service import open_service, read_only_store
from bot.config import Settings
from bot.i18n import count
from index.results import IngestResult

__all__ = ["cmd_documents", "cmd_ingest", "cmd_reload", "cmd_remove", "register"]


class _IngestBar:
    """tqdm progress for batch ingest on a terminal (stderr); silent otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Any = None

    def total(self, count: int) -> None:
        if count > 1 and self._stream.isatty():
            self._bar = tqdm(total=count, desc="ingest", unit="doc", file=self._stream)

    def step(self, result: IngestResult) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _result_line(result: IngestResult) -> str:
    if result.status == "skipped":
        return f"skipped    {result.error or result.source}"
    if result.status == "failed":
        hint = PRIVATE_HINT if result.error_key == "private_address" else ""
        return f"failed     {result.error or result.source}{hint}"
    note = f" ({result.error})" if result.error else ""
    return (
        f"{result.status:<10} #{result.document_id} {result.title} "
        f"[{count('en', 'sentence', result.sentences)}] ← {result.source}{note}"
    )


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.title and (len(args.source) != 1 or args.source[0].lower().endswith(".jsonl")):
        raise CLIError("--title needs exactly one document (not a batch)", EXIT_USAGE)
    if args.title and Path(args.source[0]).is_dir():
        raise CLIError("--title needs exactly one document, not a directory", EXIT_USAGE)
    service = open_service(settings, live=False, sync=False, announce=args)
    bar = _IngestBar(sys.stderr)
    started = time.perf_counter()
    try:
        results = service.ingest_paths(
            args.source,
            title=args.title,
            allow_private=args.allow_private,
            stdin=sys.stdin.buffer,
            progress=bar,
            workers=args.workers,
        )
    finally:
        bar.close()
        service.close()
    seconds = time.perf_counter() - started
    counts = Counter(r.status for r in results)
    failed = [r for r in results if r.status == "failed"]
    skipped = [r for r in results if r.status == "skipped"]
    if args.json:
        for r in results:
            row = {
                "source": r.source,
                "status": r.status,
                "document_id": r.document_id,
                "title": r.title,
                "sentences": r.sentences,
                "error": r.error,
            }
            print(json.dumps(row, ensure_ascii=False))
    else:
        for r in results if len(results) <= 20 or args.verbose else failed:
            print(_result_line(r))
        print(
            f"{counts['added']} added, {counts['updated']} updated, {counts['unchanged']} "
            f"unchanged, {len(failed)} failed{_skipped_summary(skipped)} in {seconds:.1f} s",
            file=sys.stderr,
        )
    # Nothing to ingest (no files, or only files of unsupported types) is a failure too.
    return EXIT_ERROR if failed or len(skipped) == len(results) else EXIT_OK


def _skipped_summary(skipped: list[IngestResult]) -> str:
    """ ", 2 skipped (unsupported type .docx, .pdf)" — or nothing when none was skipped."""
    if not skipped:
        return ""
    suffixes = sorted({str(r.error_params.get("suffix", "")) for r in skipped} - {""})
    reasons = [f"unsupported type {', '.join(suffixes)}"] if suffixes else []
    if any(r.error_params.get("empty") for r in skipped):
        reasons.append("empty directory")
    why = f" ({'; '.join(reasons)})" if reasons else ""
    return f", {len(skipped)} skipped{why}"


def cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    embedded = ""
    with read_only_store(settings, args, "listed") as backup:
        if backup is not None:
            documents = backup.documents(args.all)
    if backup is None:
        service = open_service(settings, live=False, sync=False, announce=args)
        try:
            documents = service.documents(include_inactive=args.all)
            if not args.json:
                embedded = embedding_line(service, documents)
        finally:
            service.close()
    if args.json:
        for d in documents:
            row = {
                "id": d.id,
                "title": d.title,
                "sentences": d.sentences,
                "source_kind": d.source_kind,
                "source": d.source_ref,
                "updated_at": d.updated_at.isoformat() if d.updated_at else None,
                "active": d.active,
            }
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not documents:
        print("no documents (add some with `tanyaberita ingest SOURCE`)")
        return EXIT_OK
    print(f"{'ID':>6}  {'SENT':>5}  {'UPDATED':<16}  {'SOURCE':<30}  TITLE")
    for d in documents:
        updated = d.updated_at.strftime("%Y-%m-%d %H:%M") if d.updated_at else "-"
        ref = Path(d.source_ref).name if d.source_kind in ("file", "jsonl") else d.source_ref
        source = f"{d.source_kind}:{ref}"
        flag = "" if d.active else " (removed)"
        print(f"{d.id:>6}  {d.sentences:>5}  {updated:<16}  {source[:30]:<30}  {d.title}{flag}")
    if embedded:
        print(embedded)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings, live=False, sync=False, announce=args)
    try:
        removed = service.remove(args.id)
    finally:
        service.close()
    if not removed:
        raise CLIError(f"no active document with id {args.id} (see `tanyaberita documents`)")
    print(f"removed document {args.id}")
    return EXIT_OK


def cmd_reload(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(
        settings, live=False, sync=False, allow_private_urls=args.allow_private, announce=args
    )
    try:
        report = service.reload(refresh_urls=args.urls)
    finally:
        service.close()
    print(
        f"reload: {report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged, {report.failed} failed — "
        f"{count('en', 'article', report.documents)}, {count('en', 'sentence', report.sentences)} "
        f"in {report.seconds:.2f} s (revision {report.revision})"
    )
    for skipped in report.skipped:
        print(f"skipped: {skipped.message}", file=sys.stderr)
    for error in report.errors:
        hint = PRIVATE_HINT if "private or local address" in error else ""
        print(f"error: {error}{hint}", file=sys.stderr)
    return EXIT_ERROR if report.errors else EXIT_OK


def register(sub: Subcommands) -> None:
    ingest = sub.add_parser(
        "ingest",
        help="add articles: .txt/.md/.html files, directories, URLs, JSONL batches, '-' (stdin)",
    )
    ingest.add_argument("source", nargs="+", help="file, directory, URL, .jsonl or '-'")
    ingest.add_argument("--title", help="title for a single document")
    ingest.add_argument(
        "--allow-private", action="store_true", help="allow URLs on private/loopback addresses"
    )
    ingest.add_argument("--json", action="store_true", help="one JSON line per document")
    ingest.add_argument("--verbose", action="store_true", help="a line per document in batches")
    ingest.add_argument(
        "--workers",
        type=positive_int,
        default=min(4, os.cpu_count() or 1),
        help="processes that split and stem large JSONL batches (default: CPUs, at most 4)",
    )
    ingest.set_defaults(handler=cmd_ingest)

    documents = sub.add_parser("documents", help="list the stored articles")
    documents.add_argument("--all", action="store_true", help="include removed articles")
    documents.add_argument("--json", action="store_true", help="one JSON line per article")
    documents.set_defaults(handler=cmd_documents)

    remove = sub.add_parser("remove", help="remove an article from the index (by id)")
    remove.add_argument("id", type=int)
    remove.set_defaults(handler=cmd_remove)

    reload = sub.add_parser("reload", help="sync the content directory into the store")
    reload.add_argument("--urls", action="store_true", help="also download URL articles again")
    reload.add_argument(
        "--allow-private", action="store_true", help="with --urls: allow private/loopback hosts"
    )
    reload.set_defaults(handler=cmd_reload)

"""The ``tanyaberita`` command line.

Subcommands and their options are a contract other tools use: keep them stable.
Every subcommand gets one ``Settings`` object; errors are printed as one clear line and a
non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import SecretStr, ValidationError
from tqdm import tqdm

from bot.cli_semantic import add_embed_parser, embedding_line, eval_scorer, start_semantic
from bot.config import (
    Settings,
    describe_store,
    settings_error_lines,
    sqlite_path,
    store_write_problem,
)
from bot.feeds_cli import add_feeds_parser
from bot.i18n import plain_text
from bot.i18n import text as i18n_text
from bot.logs import configure_logging
from bot.smalltalk import classify as classify_smalltalk
from index.engine import Answer, Hit
from index.evaluation import QAFileError, build_eval_index, evaluate, read_qa_file
from index.rerank import default_reranker
from index.store.errors import StoreError
from index.tokens import default_tokenizer

log = logging.getLogger("tanyaberita")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

T = TypeVar("T")


class CLIError(Exception):
    """A user-facing error: printed as ``error: <message>``, exit code ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


# --- shared helpers -------------------------------------------------------------------------


def announce_store(settings: Settings, args: argparse.Namespace, note: str = "") -> None:
    """Content commands say which database they use (stderr, one line, no password): the
    CLI reads ``.env`` from the current directory only, so a command run elsewhere may use
    another store than the bot."""
    line = f"store: {describe_store(settings, database_url_flag=bool(args.database_url))}"
    if note:
        line = f"{line}; {note}"
    if settings.log_format == "json":  # stderr is for log collectors: one JSON object a line
        store_log = logging.getLogger("tanyaberita.store")
        store_log.setLevel(logging.INFO)
        store_log.info("%s", line)
    else:
        print(line, file=sys.stderr)


def open_service(
    settings: Settings,
    *,
    live: bool = True,
    sync: bool = True,
    allow_private_urls: bool = False,
    announce: argparse.Namespace | None = None,
) -> Any:
    """The store-backed QAService. ``live``: build the in-memory index (for answering);
    ``sync``: sync the content directory into the store first; ``announce`` (the command's
    arguments): print which store is used, once it is open (an error names it itself)."""
    from index.service import QAService  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that only store commands need

    problem = store_write_problem(settings)
    if problem is not None:
        raise CLIError(
            f"{problem}; this command writes to the store: set DATA_DIR (or DATABASE_URL) to a "
            "writable place (`tanyaberita documents` can list a read-only copy)"
        )
    try:
        service = QAService.open(
            settings.resolved_database_url(),
            content_dir=settings.content_dir,
            sync_content=sync,
            build_index=live,
            allow_private_urls=allow_private_urls,
        )
    except StoreError as exc:
        raise CLIError(str(exc)) from exc
    if announce is not None:
        announce_store(settings, announce)
    return service


def load_service(settings: Settings) -> Any:
    """The QAService answering from the store (synced with the content directory)."""
    service = open_service(settings)
    for error in service.start_report.errors:
        print(f"warning: {error}", file=sys.stderr)
    if not service.snapshot.documents:
        service.close()
        raise CLIError(
            f"no articles to answer from: add some with `tanyaberita ingest` or put .txt/.md/"
            f".html files in the content directory {settings.content_dir} (CONTENT_DIR)"
        )
    return service


def _progress(items: Sequence[T], desc: str, stream: TextIO) -> Iterator[T]:
    """A progress bar on a terminal, plain iteration otherwise."""
    if stream.isatty():
        yield from tqdm(items, desc=desc, file=stream, unit="q")
    else:
        yield from items


def _short_answer_json(hit: Hit) -> dict[str, Any] | None:
    short = hit.short_answer
    if short is None:
        return None
    return {
        "text": short.text,
        "start": short.start,
        "end": short.end,
        "confidence": round(short.confidence, 4),
    }


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The answer as JSON; ``short_answer`` (the best hit's, or null) is the span of that
    hit's ``sentence`` that answers a factoid question, when the engine is sure of it."""
    return {
        "question": answer.question,
        "abstained": answer.abstained,
        "short_answer": _short_answer_json(answer.hits[0]) if answer.hits else None,
        "answers": [
            {
                "rank": h.rank,
                "score": h.score,
                "sentence": h.sentence,
                "passage": h.passage,
                "document_id": h.document_id,
                "document_title": h.document_title,
                "short_answer": _short_answer_json(h),
            }
            for h in answer.hits
        ],
    }


HINT_TITLES = 3
"""Titles named in the answer to a greeting (the newest), as the bot does."""


def _no_document(document_id: int) -> CLIError:
    return CLIError(f"no document with id {document_id} (see `tanyaberita documents`)")


def _mark(hit: Hit, bold: bool) -> str:
    """The sentence with matched words in bold (``*word*`` off a terminal) and the short
    answer underlined (``_answer_``)."""
    start_mark, end_mark = ("\033[1m", "\033[0m") if bold else ("*", "*")
    answer_start, answer_end = ("\033[1;4m", "\033[0m") if bold else ("_", "_")
    short = hit.short_answer
    marks = [(s, e, start_mark, end_mark) for s, e in hit.highlights]
    if short is not None:
        marks = [m for m in marks if m[1] <= short.start or m[0] >= short.end]
        marks.append((short.start, short.end, answer_start, answer_end))
    text, out, last = hit.sentence, [], 0
    for start, end, opening, closing in sorted(marks):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(f"{opening}{text[start:end]}{closing}")
        last = end
    out.append(text[last:])
    return "".join(out)


def _smalltalk_text(question: str, titles: Sequence[str]) -> str:
    """Thanks for thanks, a greeting back for a greeting, with a hint of what to ask: the bot's
    messages (``bot.i18n``) as plain text."""
    kind = classify_smalltalk(question)
    if kind.kind == "thanks":
        return plain_text("id", "smalltalk_thanks")
    hint = plain_text("id", "smalltalk_hint", titles=", ".join(titles)) if titles else ""
    if kind.kind == "greeting":
        hello = i18n_text("id", kind.hello)
        return plain_text("id", "smalltalk_greeting", hello=hello, hint=hint).strip()
    return plain_text("id", "smalltalk_other", hint=hint).strip()


def render_answer_text(answer: Answer, stream: TextIO, titles: Sequence[str] = ()) -> str:
    """An answer for the terminal; an abstention in the bot's words (``bot.i18n``), a greeting
    answered with a hint naming ``titles``."""
    if answer.abstained:
        if answer.reason == "smalltalk":
            return _smalltalk_text(answer.question, titles)
        return plain_text("id", "empty_question" if answer.reason == "empty" else "not_in_article")
    bold = stream.isatty()
    lines: list[str] = []
    if answer.hits and answer.hits[0].short_answer is not None:
        lines.append(f"Jawaban singkat: {answer.hits[0].short_answer.text}")
    for hit in answer.hits:
        lines.append(f"{hit.rank}. {_mark(hit, bold)}")
        if hit.before or hit.after:
            lines.append(f"   Konteks: {hit.passage}")
        lines.append(
            f"   Sumber: {hit.document_title} (dokumen {hit.document_id}, skor {hit.score:.3f})"
        )
    return "\n".join(lines)


def _newest_titles(service: Any) -> list[str]:
    newest = sorted(service.snapshot.documents, key=lambda d: d.id, reverse=True)
    return [d.title for d in newest[:HINT_TITLES]]


def _questions(args_question: list[str], stdin: TextIO) -> Iterable[str]:
    if args_question == ["-"]:
        for line in stdin:
            if line.strip():
                yield line.rstrip("\n")
    else:
        yield " ".join(args_question)


# --- subcommands ----------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    service = load_service(settings)
    try:
        start_semantic(service, settings, background=False)
        if args.document is not None and service.snapshot.document(args.document) is None:
            raise _no_document(args.document)
        titles = _newest_titles(service)
        for question in _questions(args.question, sys.stdin):
            answer = service.ask(question, top_k=args.top, document_id=args.document)
            if answer.reason == "unknown_document":  # removed by another process meanwhile
                raise _no_document(args.document)
            if args.json:
                print(json.dumps(answer_to_json(answer), ensure_ascii=False), flush=True)
            else:
                if args.question == ["-"]:
                    print(f"? {question}")
                print(render_answer_text(answer, sys.stdout, titles), flush=True)
    finally:
        service.close()
    return EXIT_OK


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    service = load_service(settings)
    service.start_watching()  # pick up content changed by `ingest`/`reload` meanwhile
    start_semantic(service, settings, background=True)
    documents = service.snapshot.documents
    titles = ", ".join(d.title for d in documents[:5])
    more = f" (dan {len(documents) - 5} artikel lain)" if len(documents) > 5 else ""
    print(f"tanyaberita — tanya apa saja tentang: {titles}{more}")
    print("Ketik pertanyaan lalu Enter. Keluar: Ctrl-D atau 'keluar'.")
    try:
        while True:
            try:
                question = input("? ")
            except (EOFError, KeyboardInterrupt):
                print()
                return EXIT_OK
            if question.strip().lower() in {"keluar", "exit", "quit", ":q"}:
                return EXIT_OK
            if not question.strip():
                continue
            answer = service.ask(question, top_k=args.top)
            print(render_answer_text(answer, sys.stdout, _newest_titles(service)))
    finally:
        service.close()


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit is not None and args.limit <= 0:
        raise CLIError("--limit must be a positive number", EXIT_USAGE)
    try:
        records = read_qa_file(Path(args.file), args.limit)
    except QAFileError as exc:
        raise CLIError(str(exc), EXIT_USAGE) from exc
    started = time.perf_counter()
    reranker = None
    if args.no_abstain:
        reranker = replace(default_reranker(), abstain=False)
    snapshot, context_ids = build_eval_index(records, reranker=reranker)
    build_s = time.perf_counter() - started
    scorer = eval_scorer(snapshot, settings)
    details = Path(args.details).open("w", encoding="utf-8") if args.details else None  # noqa: SIM115 - closed in the finally below

    def write_detail(record: Any, answer: Answer) -> None:
        if details is not None:
            row = {
                "id": record.id,
                "question": record.question,
                "abstained": answer.abstained,
                "answers": [{"sentence": h.sentence, "score": h.score} for h in answer.hits],
                "short_answer": _short_answer_json(answer.hits[0]) if answer.hits else None,
            }
            details.write(json.dumps(row, ensure_ascii=False) + "\n")

    try:
        report = evaluate(
            records,
            snapshot,
            context_ids,
            top_k=args.top,
            open_domain=args.open,
            on_answer=write_detail,
            progress=lambda items: _progress(list(items), "eval", sys.stderr),
            semantic=scorer,
        )
    finally:
        if details is not None:
            details.close()
    summary = report.summary()
    summary["abstention"] = not args.no_abstain
    summary["semantic"] = scorer is not None
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{Path(args.file).name}: {summary['questions']} questions "
            f"({summary['answerable']} answerable, {summary['unanswerable']} unanswerable), "
            f"{snapshot.sentence_count} sentences indexed in {build_s:.2f} s"
        )
        for key in (
            "hit@1",
            "hit@3",
            "mrr@10",
            "false_abstain_rate",
            "abstain_rate_unanswerable",
            "p50_ms",
            "p99_ms",
            "abstention",
            "semantic",
        ):
            print(f"  {key:<26} {summary[key]}")
        _print_short_answers(summary["short_answer"])
    return EXIT_OK


def _print_short_answers(rows: dict[str, dict[str, Any]]) -> None:
    """Short answers over factoid questions whose top sentence is right, per question type."""
    if not rows:
        return
    print("  short answers (factoid questions, top sentence right):")
    print(f"    {'type':<8} {'n':>5} {'shown':>7} {'exact':>7} {'F1':>7} {'precise':>8}")

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for qtype, row in rows.items():
        print(
            f"    {qtype:<8} {row['n']:>5} {cell(row['shown_share']):>7} "
            f"{cell(row['exact_when_shown']):>7} {cell(row['f1_when_shown']):>7} "
            f"{cell(row['precision_when_shown']):>8}"
        )


# --- content store commands ----------------------------------------------------------------


class _IngestBar:
    """tqdm progress for batch ingest on a terminal (stderr); silent otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Any = None

    def total(self, count: int) -> None:
        if count > 1 and self._stream.isatty():
            self._bar = tqdm(total=count, desc="ingest", unit="doc", file=self._stream)

    def step(self, result: Any) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


_PRIVATE_HINT = " (a host on this machine or network: add --allow-private to read it anyway)"


def _result_line(result: Any) -> str:
    if result.status == "skipped":
        return f"skipped    {result.error or result.source}"
    if result.status == "failed":
        hint = _PRIVATE_HINT if result.error_key == "private_address" else ""
        return f"failed     {result.error or result.source}{hint}"
    note = f" ({result.error})" if result.error else ""
    return (
        f"{result.status:<10} #{result.document_id} {result.title} "
        f"[{result.sentences} sentences] ← {result.source}{note}"
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


def _skipped_summary(skipped: list[Any]) -> str:
    """ ", 2 skipped (unsupported type .docx, .pdf)" — or nothing when none was skipped."""
    if not skipped:
        return ""
    suffixes = sorted({str(r.error_params.get("suffix", "")) for r in skipped} - {""})
    why = f" (unsupported type {', '.join(suffixes)})" if suffixes else ""
    return f", {len(skipped)} skipped{why}"


def _read_only_url(path: Path) -> str:
    """A SQLite URL that opens ``path`` without writing anything (not even -wal/-shm)."""
    return f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"


def _read_only_documents(path: Path, include_inactive: bool) -> list[Any]:
    """The documents of a read-only SQLite file (a backup, a read-only mount), read without
    migrating or touching it."""
    from index.store.db import connect, current_revision, head_revision  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that only store commands need
    from index.store.store import ContentStore  # noqa: PLC0415 - the same

    database = connect(_read_only_url(path), upgrade=False)
    try:
        revision, head = current_revision(database), head_revision()
        if revision != head:
            raise CLIError(
                f"the read-only database {path} has schema revision {revision or 'none'}, this "
                f"version reads {head}: copy it to a writable place and run "
                "`tanyaberita --database-url sqlite:///COPY documents` (which upgrades the copy)"
            )
        return ContentStore(database, default_tokenizer()).documents(include_inactive)
    finally:
        database.dispose()


def cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    embedded = ""
    path = sqlite_path(settings)
    if path is not None and path.exists() and store_write_problem(settings) is not None:
        documents = _read_only_documents(path, args.all)
        announce_store(settings, args, note="read-only: listed without migrating or changing it")
    else:
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
        f"{report.unchanged} unchanged, {report.failed} failed — {report.documents} documents, "
        f"{report.sentences} sentences in {report.seconds:.2f} s (revision {report.revision})"
    )
    for skipped in report.skipped:
        print(f"skipped: {skipped.message}", file=sys.stderr)
    for error in report.errors:
        hint = _PRIVATE_HINT if "private or local address" in error else ""
        print(f"error: {error}{hint}", file=sys.stderr)
    return EXIT_ERROR if report.errors else EXIT_OK


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from index.store.db import connect, current_revision, head_revision  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that only store commands need

    url = settings.resolved_database_url()
    path = sqlite_path(settings)
    problem = store_write_problem(settings)
    if problem is not None and (args.action == "upgrade" or path is None or not path.exists()):
        raise CLIError(f"{problem}; set DATA_DIR (or DATABASE_URL) to a writable place")
    if problem is not None and path is not None:
        url = _read_only_url(path)  # `db current` on a read-only file: look, never write
    try:
        database = connect(url, upgrade=args.action == "upgrade")
        try:
            revision = current_revision(database)
        finally:
            database.dispose()
        head = head_revision()
    except StoreError as exc:
        raise CLIError(str(exc)) from exc
    state = "latest" if revision == head else f"latest is {head}"
    shown = (
        f"sqlite:///{path} (read-only)" if url != settings.resolved_database_url() else database.url
    )
    print(f"{shown}: schema revision {revision or 'none'} ({state})")
    return EXIT_OK if revision == head else EXIT_ERROR


def _add_store_commands(sub: Any) -> None:
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
        type=_positive_int,
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

    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "current"])
    db.set_defaults(handler=cmd_db)


# --- wiring ---------------------------------------------------------------------------------

Handler = Callable[[argparse.Namespace, Settings], int]


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tanyaberita",
        description="Answer questions about Indonesian news articles (Sastrawi + BM25).",
    )
    parser.add_argument("--database-url", help="database URL (default: DATABASE_URL or SQLite)")
    parser.add_argument("--content-dir", type=Path, help="content directory (default: CONTENT_DIR)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ask = sub.add_parser("ask", help="answer a question (or '-' for one per line on stdin)")
    ask.add_argument("--top", type=_positive_int, default=3, help="number of answers (default 3)")
    ask.add_argument("--document", type=int, help="search only this document id")
    ask.add_argument("--json", action="store_true", help="one JSON line per question")
    ask.add_argument("question", nargs="+", help="the question, or '-' to read stdin")
    ask.set_defaults(handler=cmd_ask)

    chat = sub.add_parser("chat", help="interactive question-and-answer in the terminal")
    chat.add_argument("--top", type=_positive_int, default=3)
    chat.set_defaults(handler=cmd_chat)

    ev = sub.add_parser("eval", help="measure retrieval quality on a QA JSONL file")
    ev.add_argument("file", help="JSONL with context, question, answers")
    ev.add_argument("--top", type=_positive_int, default=10)
    ev.add_argument("--limit", type=int, help="only the first N records")
    ev.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    ev.add_argument("--details", help="write one JSON line per question to this file")
    ev.add_argument("--open", action="store_true", help="ask each question against all contexts")
    ev.add_argument(
        "--no-abstain",
        action="store_true",
        help="never abstain for low evidence (measures what abstention costs in Hit@1)",
    )
    ev.set_defaults(handler=cmd_eval)

    _add_store_commands(sub)
    add_feeds_parser(sub)
    add_serve_parser(sub)
    add_stats_parser(sub)
    add_embed_parser(sub)
    return parser


# --- serve (the Telegram bot) ---------------------------------------------------------------


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    # python-telegram-bot and the web server: ~0.3 s that only `serve` needs.
    from bot.serve import ServeError, ServeOptions, serve  # noqa: PLC0415

    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("webhook_url", args.webhook_url),
            ("webhook_listen", args.listen),
            ("webhook_port", args.port),
            ("webhook_secret_token", SecretStr(args.secret_token) if args.secret_token else None),
        )
        if value is not None
    }
    if overrides:
        settings = settings.model_copy(update=overrides)
    try:
        return serve(settings, ServeOptions(webhook=args.webhook, poll_interval=args.poll_interval))
    except ServeError as exc:
        raise CLIError(str(exc), exc.code) from None


def add_serve_parser(sub: Any) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the Telegram bot (long polling; --webhook for production)",
        description="Run the Telegram bot. Settings come from the environment or .env "
        "(TELEGRAM_BOT_TOKEN, ADMIN_USER_IDS, TELEGRAM_BASE_URL, WEBHOOK_*); flags override them.",
    )
    serve.add_argument("--webhook", action="store_true", help="receive updates by webhook")
    serve.add_argument("--webhook-url", help="public URL Telegram posts to (WEBHOOK_URL)")
    serve.add_argument("--listen", help="local address for the webhook server (WEBHOOK_LISTEN)")
    serve.add_argument("--port", type=_positive_int, help="local webhook port (WEBHOOK_PORT)")
    serve.add_argument("--secret-token", help="webhook secret token (WEBHOOK_SECRET_TOKEN)")
    serve.add_argument(
        "--poll-interval",
        type=float,
        default=0.0,
        help="seconds between getUpdates calls (long polling; default 0)",
    )
    serve.set_defaults(handler=cmd_serve)


# --- stats (from the stored question log) ----------------------------------------------------


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings, live=False, sync=False, announce=args)
    try:
        stats = service.stats(args.top)
    finally:
        service.close()
    extra = stats.extra
    if args.json:
        row = {
            "questions": stats.questions,
            "answered": stats.answered,
            "abstained": stats.abstained,
            "thumbs_up": stats.thumbs_up,
            "thumbs_down": stats.thumbs_down,
            "p50_ms": stats.p50_ms,
            "top_questions": [list(q) for q in stats.top_questions],
            "unanswered_questions": [list(q) for q in stats.unanswered_questions],
            **{key: int(value) for key, value in extra.items()},
        }
        print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    share = f" ({100 * stats.answered / stats.questions:.1f} %)" if stats.questions else ""
    print(f"questions        {stats.questions:,}")
    print(f"answered         {stats.answered:,}{share}")
    print(f"not answered     {stats.abstained:,}")
    print(f"feedback         {stats.thumbs_up:,} 👍  {stats.thumbs_down:,} 👎")
    print(f"median latency   {stats.p50_ms:.1f} ms")
    if extra:
        documents, sentences = int(extra.get("documents", 0)), int(extra.get("sentences", 0))
        revision = int(extra.get("revision", 0))
        content = f"{documents:,} articles, {sentences:,} sentences, revision {revision}"
        print(f"content          {content}")
        if "embedded_sentences" in extra:
            print(f"embeddings       {int(extra['embedded_sentences']):,} sentences")
    for heading, rows in (
        ("most asked", stats.top_questions),
        ("most asked without an answer", stats.unanswered_questions),
    ):
        if rows:
            print(f"{heading}:")
            for question, count in rows:
                print(f"  {count:>5}  {' '.join(question.split())}")
    return EXIT_OK


def add_stats_parser(sub: Any) -> None:
    stats = sub.add_parser("stats", help="usage statistics from the stored question log")
    stats.add_argument("--top", type=_positive_int, default=10, help="questions listed (10)")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=cmd_stats)


def make_settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    if args.content_dir:
        overrides["content_dir"] = args.content_dir
    if args.log_level:
        overrides["log_level"] = args.log_level
    return Settings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = make_settings(args)
    except ValidationError as exc:  # one plain line per bad setting
        for line in settings_error_lines(exc):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # e.g. an unreadable .env
        print(f"error: cannot read the settings: {exc}", file=sys.stderr)
        return EXIT_USAGE
    explicit = args.log_level or "log_level" in settings.model_fields_set
    # One-shot commands print their own results and errors; their logs matter only as warnings.
    level = settings.log_level if args.command == "serve" or explicit else "WARNING"
    configure_logging(level, settings.log_format)
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except StoreError as exc:  # the database failed mid-command: its one-line reason
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # last resort: one line for the user, the traceback in the log
        log.debug("unexpected error", exc_info=True)
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (rerun with --log-level DEBUG)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

"""``tanyaberita ask`` (one question, or one a line on stdin) and ``tanyaberita chat`` (a
question-and-answer loop in the terminal)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from bot.cli.arguments import Subcommands, positive_int
from bot.cli.errors import EXIT_OK, CLIError
from bot.cli.render import answer_to_json, render_answer_text
from bot.cli.semantic import start_semantic
from bot.cli.service import load_service
from bot.config import Settings
from bot.i18n import count, plain_text

if TYPE_CHECKING:
    from index.service import QAService

__all__ = ["cmd_ask", "cmd_chat", "register"]

HINT_TITLES = 3
"""Titles named in the answer to a greeting (the newest), as the bot does."""
BANNER_TITLES = 5


def _no_document(document_id: int) -> CLIError:
    return CLIError(f"no document with id {document_id} (see `tanyaberita documents`)")


def _newest_titles(service: QAService, limit: int = HINT_TITLES) -> list[str]:
    newest = sorted(service.snapshot.documents, key=lambda d: d.id, reverse=True)
    return [d.title for d in newest[:limit]]


def _banner_titles(service: QAService) -> str:
    """What the terminal chat opens with: the newest titles, as /start lists them."""
    total = len(service.snapshot.documents)
    if not total:
        return plain_text("id", "no_articles")
    titles = ", ".join(_newest_titles(service, BANNER_TITLES))
    if total > BANNER_TITLES:
        titles += f" (dan {count('id', 'article', total - BANNER_TITLES)} lain)"
    return f"tanya apa saja tentang: {titles}"


def _questions(args_question: list[str], stdin: TextIO) -> Iterable[str]:
    if args_question == ["-"]:
        for line in stdin:
            if line.strip():
                yield line.rstrip("\n")
    else:
        yield " ".join(args_question)


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
    print(f"tanyaberita — {_banner_titles(service)}")
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


def register(sub: Subcommands) -> None:
    ask = sub.add_parser("ask", help="answer a question (or '-' for one per line on stdin)")
    ask.add_argument("--top", type=positive_int, default=3, help="number of answers (default 3)")
    ask.add_argument("--document", type=int, help="search only this document id")
    ask.add_argument("--json", action="store_true", help="one JSON line per question")
    ask.add_argument("question", nargs="+", help="the question, or '-' to read stdin")
    ask.set_defaults(handler=cmd_ask)

    chat = sub.add_parser("chat", help="interactive question-and-answer in the terminal")
    chat.add_argument("--top", type=positive_int, default=3)
    chat.set_defaults(handler=cmd_chat)

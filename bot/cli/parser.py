"""The ``tanyaberita`` parser and ``main``: global options, settings, logging, and each
command group's ``register`` adding its subcommands (in the order ``--help`` lists them)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.cli import ask, content, db, eval, feeds, semantic, serve, stats
from bot.cli.arguments import Handler
from bot.cli.errors import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CLIError
from bot.config import Settings, settings_error_lines, settings_read_problem
from bot.logs import configure_logging
from index.store.errors import StoreError

__all__ = ["build_parser", "main"]

log = logging.getLogger("tanyaberita")

COMMAND_GROUPS = (ask, eval, content, db, feeds, serve, stats, semantic)
"""Each module's ``register(sub)`` adds its subcommands, each naming its ``handler``."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tanyaberita",
        description="Answer questions about Indonesian news articles (Sastrawi + BM25).",
        epilog="Settings come from these flags, then environment variables, then a .env file in "
        "the current directory (not the install directory), then defaults; .env.example lists "
        "them. The content commands print on stderr which store they used ('store: ...').",
    )
    parser.add_argument("--database-url", help="database URL (default: DATABASE_URL or SQLite)")
    parser.add_argument("--content-dir", type=Path, help="content directory (default: CONTENT_DIR)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


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
        print(f"error: cannot read the settings: {settings_read_problem(exc)}", file=sys.stderr)
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

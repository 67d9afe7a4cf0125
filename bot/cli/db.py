"""``tanyaberita db upgrade | current``: the store's schema revision (a read-only SQLite file
is looked at, never written)."""

from __future__ import annotations

import argparse

from bot.cli.arguments import Subcommands
from bot.cli.errors import EXIT_ERROR, EXIT_OK, CLIError
from bot.cli.service import read_only_url
from bot.config import Settings, sqlite_path, store_write_problem
from index.store.errors import StoreError

__all__ = ["cmd_db", "register"]


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from index.store.db import connect, current_revision, head_revision  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that only store commands need

    url = settings.resolved_database_url()
    path = sqlite_path(settings)
    problem = store_write_problem(settings)
    if problem is not None and (args.action == "upgrade" or path is None or not path.exists()):
        raise CLIError(f"{problem}; set DATA_DIR (or DATABASE_URL) to a writable place")
    if problem is not None and path is not None:
        url = read_only_url(path)  # `db current` on a read-only file: look, never write
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


def register(sub: Subcommands) -> None:
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "current"])
    db.set_defaults(handler=cmd_db)

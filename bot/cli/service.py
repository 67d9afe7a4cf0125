"""How the commands — ``serve`` included — open the store-backed service: one place that
checks the store can be written, opens (and migrates) it and turns a store failure into a
``CLIError``; and the line that says which store a command used."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.errors import CLIError
from bot.config import Settings, describe_store, sqlite_path, store_write_problem
from index.store.errors import StoreError

if TYPE_CHECKING:
    from index.service import QAService
    from index.store.store import ContentStore

__all__ = [
    "announce_store",
    "load_service",
    "open_service",
    "read_only_store",
    "read_only_url",
]

_COMMAND_WRITES = (
    "this command writes to the store: set DATA_DIR (or DATABASE_URL) to a writable place "
    "(`tanyaberita documents` can list a read-only copy)"
)
_BOT_WRITES = (
    "the bot writes to it (content sync, question log): set DATA_DIR (or DATABASE_URL) to a "
    "writable place"
)
_BOT_PREFIX = "cannot open the content store: "


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
    for_the_bot: bool = False,
) -> QAService:
    """The store-backed QAService. ``live``: build the in-memory index (for answering);
    ``sync``: sync the content directory into the store first; ``announce`` (the command's
    arguments): print which store is used, once it is open (an error names it itself);
    ``for_the_bot``: the errors say that the bot (not one command) could not open it."""
    from index.service import QAService  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that only store commands need

    prefix = _BOT_PREFIX if for_the_bot else ""
    problem = store_write_problem(settings)
    if problem is not None:
        raise CLIError(f"{prefix}{problem}; {_BOT_WRITES if for_the_bot else _COMMAND_WRITES}")
    try:
        service = QAService.open(
            settings.resolved_database_url(),
            content_dir=settings.content_dir,
            sync_content=sync,
            build_index=live,
            allow_private_urls=allow_private_urls,
        )
    except StoreError as exc:
        raise CLIError(f"{prefix}{exc}") from exc
    if announce is not None:
        announce_store(settings, announce)
    return service


def load_service(settings: Settings) -> QAService:
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


def read_only_url(path: Path) -> str:
    """A SQLite URL that opens ``path`` without writing anything (not even -wal/-shm)."""
    return f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"


@contextmanager
def read_only_store(
    settings: Settings, args: argparse.Namespace, done: str = "read"
) -> Iterator[ContentStore | None]:
    """The store of a SQLite file this process cannot write (a backup, a read-only mount),
    opened without migrating or touching it, for commands that only read; ``None`` when the
    store is writable (open it as usual). The store line says it was ``done`` read-only."""
    from index.store.db import connect, current_revision, head_revision  # noqa: PLC0415 - SQLAlchemy: ~0.3 s of start-up that only store commands need
    from index.store.store import ContentStore  # noqa: PLC0415 - the same
    from index.tokens import default_tokenizer  # noqa: PLC0415 - the same

    path = sqlite_path(settings)
    if path is None or not path.exists() or store_write_problem(settings) is None:
        yield None
        return
    database = connect(read_only_url(path), upgrade=False)
    try:
        revision, head = current_revision(database), head_revision()
        if revision != head:
            raise CLIError(
                f"the read-only database {path} has schema revision {revision or 'none'}, this "
                f"version reads {head}: copy it to a writable place and run "
                f"`tanyaberita --database-url sqlite:///COPY {args.command}` (which upgrades the "
                "copy)"
            )
        announce_store(settings, args, note=f"read-only: {done} without migrating or changing it")
        yield ContentStore(database, default_tokenizer())
    finally:
        database.dispose()

"""Database engines and schema migrations.

``connect(url)`` returns a ready ``Database``: the engine (SQLite: WAL, foreign keys, busy
timeout and real ``BEGIN``s; PostgreSQL through psycopg 3), its session factories and the schema
upgraded to the newest Alembic revision. Failures become ``StoreUnavailableError`` with one
sentence a user can act on (the password is never shown).

SQLite write transactions start with ``BEGIN IMMEDIATE`` (``Database.writer``): a transaction
that reads and then writes would otherwise fail at once with "database is locked" when another
process committed in between, instead of waiting for the busy timeout.
"""

from __future__ import annotations

import logging
import selectors
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session, sessionmaker

from index.store.errors import StoreError, StoreUnavailableError

__all__ = [
    "CONTENT_CHANNEL_SQL",
    "ChangeListener",
    "Database",
    "StoreError",
    "StoreUnavailableError",
    "connect",
    "default_sqlite_url",
    "describe_url",
    "normalize_url",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 5
# Any constant: serialises concurrent schema upgrades of several instances on one PostgreSQL.
_PG_MIGRATION_LOCK = 7_326_915_001
SCHEMA_HEAD = "0003"
"""The newest migration in ``migrations/versions`` (a test keeps the two in step)."""
_WRITE = "tanyaberita_write"
CONTENT_CHANNEL_SQL = "'tanyaberita_content_' || left(md5(coalesce(current_schema(), '')), 12)"
"""The PostgreSQL notification channel of content changes, as an SQL expression: one channel per
schema (several deployments or test runs may share a database), the same for the notifying
transaction and the listening connection because both compute it from their own session."""
LISTEN_RETRY_S = (1.0, 60.0)
"""After the listening connection fails: first retry, longest pause between retries."""
# Alembic keeps its migration context in module globals: one upgrade at a time per process.
_UPGRADE_LOCK = threading.Lock()


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'tanyaberita.sqlite3'}"


def normalize_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use psycopg 3 for all of them."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe_url(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
        return parsed.render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<unparseable database URL>"


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


@dataclass(frozen=True, slots=True, eq=False)
class Database:
    """An engine plus its session factories. ``reader`` for reads, ``writer`` for
    transactions that write (on SQLite they take the write lock up front)."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return describe_url(self.engine.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self.writer.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.reader() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def change_listener(self) -> ChangeListener | None:
        """A listener for content-change notifications (PostgreSQL; None on SQLite)."""
        if self.dialect != "postgresql":
            return None
        return ChangeListener(self.engine.url)


class ChangeListener:
    """One dedicated autocommit psycopg connection that LISTENs on the content channel.

    ``wait(timeout)`` returns True as soon as a notification arrives (or right after the
    connection was (re)established, since changes may have been missed meanwhile) and False
    when ``timeout`` passes; it never raises. A failed connection is logged once per outage
    and retried with a growing pause (``LISTEN_RETRY_S``) — callers poll meanwhile.
    ``close()`` may be called from any thread: a ``wait`` in progress returns at once, and the
    connection is closed by the thread that waits (or by ``close`` when none does).
    """

    def __init__(self, url: URL) -> None:
        # libpq takes the SQLAlchemy URL without the driver name (query options kept).
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._describe = describe_url(url)
        self._conn: Any = None
        self._failing = False
        self._retry_at = 0.0
        self._retry = LISTEN_RETRY_S[0]
        self._closed = threading.Event()
        self._waker, self._wake = socket.socketpair()
        self._waker.setblocking(False)
        self._lock = threading.Lock()  # one waiter at a time

    @property
    def listening(self) -> bool:
        return self._conn is not None

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (None while not listening)."""
        conn = self._conn
        return None if conn is None else int(conn.info.backend_pid)

    def _listen(self) -> bool:
        import psycopg  # noqa: PLC0415 - 0.1-0.15 s that a SQLite store never needs

        try:
            conn = psycopg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=PG_CONNECT_TIMEOUT_S,
                application_name="tanyaberita-listener",
                # A silently dropped connection would deliver nothing: notice it within ~2 min.
                keepalives=1,
                keepalives_idle=60,
                keepalives_interval=10,
                keepalives_count=5,
            )
            try:
                channel = conn.execute(f"SELECT {CONTENT_CHANNEL_SQL}").fetchone()
                conn.execute(f'LISTEN "{channel[0] if channel else ""}"')
            except BaseException:
                conn.close()
                raise
        except Exception as error:
            self._failed(error)
            return False
        self._conn = conn
        self._retry = LISTEN_RETRY_S[0]
        if self._failing:
            self._failing = False
            log.warning("listening for content changes on %s again", self._describe)
        return True

    def _failed(self, error: BaseException) -> None:
        if self._conn is not None:
            with suppress(Exception):
                self._conn.close()
            self._conn = None
        if not self._failing:
            self._failing = True
            log.warning(
                "listening for content changes on %s failed (%s); polling until it works again",
                self._describe,
                _reason(error),
            )
        log.debug("content change listener failed", exc_info=True)
        self._retry_at = time.monotonic() + self._retry
        self._retry = min(self._retry * 2, LISTEN_RETRY_S[1])

    def _drain(self) -> bool:
        """Consume what the socket holds: True when it brought a notification."""
        return any(True for _ in self._conn.notifies(timeout=0))

    def wait(self, timeout: float) -> bool:
        with self._lock:
            try:
                return self._wait(max(0.0, timeout))
            finally:
                if self._closed.is_set():
                    self._shut()

    def _wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if self._closed.is_set():
            return False
        if self._conn is None and time.monotonic() >= self._retry_at and self._listen():
            return True  # (re)connected: whatever changed before is for the caller to check
        try:
            if self._conn is not None and self._drain():  # received during an earlier call
                return True
            with selectors.DefaultSelector() as selector:
                selector.register(self._waker, selectors.EVENT_READ)
                if self._conn is not None:
                    selector.register(self._conn.fileno(), selectors.EVENT_READ)
                else:
                    deadline = min(deadline, max(self._retry_at, time.monotonic()))
                while not self._closed.is_set():
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    for key, _ in selector.select(remaining):
                        if key.fileobj is self._waker:
                            return False
                        if self._drain():
                            return True
                return False
        except Exception as error:
            if self._closed.is_set():
                return False
            self._failed(error)
            return False

    def _shut(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):
                conn.close()
        for end in (self._waker, self._wake):
            with suppress(OSError):
                end.close()

    def close(self) -> None:
        """Stop: a ``wait`` in progress returns now; later ones return False at once."""
        if self._closed.is_set():
            return
        self._closed.set()
        with suppress(OSError):
            self._wake.send(b"\0")
        if self._lock.acquire(blocking=False):
            try:
                self._shut()
            finally:
                self._lock.release()


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailableError(
                f"cannot create the data directory {path.parent}: {error.strerror or error} "
                "(set DATA_DIR or DATABASE_URL)"
            ) from error
        url = url.set(database=str(path))
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take over BEGIN from the sqlite3 module (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if database not in ("", ":memory:"):
                cursor.execute("PRAGMA journal_mode = WAL")
                # With WAL, NORMAL is safe against process crashes (kill -9); only a power
                # loss can drop the last commits, never corrupt the file.
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: URL) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
    )


def create_store_engine(url: str) -> Engine:
    try:
        parsed = make_url(normalize_url(url))
    except exc.ArgumentError as error:
        raise StoreUnavailableError(
            "DATABASE_URL is not a database URL (expected sqlite:///path/to/file.sqlite3 or "
            "postgresql+psycopg://user:password@host/dbname)"
        ) from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _postgres_engine(parsed)
    raise StoreUnavailableError(
        f"unsupported database {backend!r}: use SQLite (sqlite:///file) or PostgreSQL "
        "(postgresql+psycopg://...)"
    )


def connect(url: str, *, upgrade: bool = True) -> Database:
    """Open the database at ``url``, check that it answers and bring its schema up to date."""
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except exc.SQLAlchemyError as error:
        engine.dispose()
        raise StoreUnavailableError(
            f"cannot connect to the database {describe_url(engine.url)}: {_reason(error)}"
        ) from error
    database = Database(
        engine,
        sessionmaker(engine, expire_on_commit=False),
        sessionmaker(engine.execution_options(**{_WRITE: True}), expire_on_commit=False),
    )
    if upgrade:
        try:
            upgrade_schema(database)
        except StoreError:
            engine.dispose()
            raise
    return database


# --- migrations ------------------------------------------------------------------------------


def _quiet(name: str) -> None:
    """Libraries whose INFO lines are noise for users: WARNING unless configured."""
    logger = logging.getLogger(name)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)


def _alembic_config(connection: Connection | None = None) -> Any:
    _quiet("alembic")
    from alembic.config import Config  # noqa: PLC0415 - see upgrade_schema

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    _quiet("alembic")
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - see upgrade_schema

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise StoreError("no schema migrations found in the installed package")
    return head


def current_revision(database: Database) -> str | None:
    _quiet("alembic")
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415 - see upgrade_schema

    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(database: Database) -> str | None:
    """The schema revision recorded in the database, read without Alembic (None when the
    database has no schema yet or cannot say)."""
    try:
        with database.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except exc.SQLAlchemyError:
        return None


def upgrade_schema(database: Database) -> str:
    """Apply pending migrations (no-op when up to date); returns the schema revision.

    Several instances may start at once: PostgreSQL serialises them with an advisory lock,
    SQLite with its write lock (``BEGIN IMMEDIATE``); the loser finds the schema up to date.
    """
    if _stored_revision(database) == SCHEMA_HEAD:
        return SCHEMA_HEAD  # up to date: no need to load Alembic (a fifth of the start time)
    _quiet("alembic")
    from alembic import command  # noqa: PLC0415 - loaded only when the schema is behind
    from alembic.util.exc import CommandError  # noqa: PLC0415 - the same

    head = head_revision()
    try:
        if current_revision(database) == head:
            return head
        engine = database.engine.execution_options(**{_WRITE: True})
        with _UPGRADE_LOCK, engine.connect() as conn:
            # Open the transaction first so that the whole upgrade is one transaction that
            # holds the lock: Alembic then runs inside it instead of committing step by step.
            if database.dialect == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            else:
                conn.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the SQLite write lock
            command.upgrade(_alembic_config(conn), "head")
            conn.commit()
    except CommandError as error:
        raise StoreUnavailableError(
            f"cannot upgrade the database schema of {database.url}: {error} (is the database "
            "from a newer version of tanyaberita?)"
        ) from error
    except exc.SQLAlchemyError as error:
        raise StoreUnavailableError(
            f"cannot upgrade the database schema of {database.url}: {_reason(error)}"
        ) from error
    log.info("database schema of %s upgraded to %s", database.url, head)
    return head

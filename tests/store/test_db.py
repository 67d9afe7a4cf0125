"""Engines and migrations: schema matches the models, SQLite settings, clear connection errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from index.store.db import (
    SCHEMA_HEAD,
    connect,
    current_revision,
    describe_url,
    head_revision,
    normalize_url,
)
from index.store.errors import StoreUnavailableError
from index.store.models import Base, ContentState, MetaRow
from tests.support.store import ROOT


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    database = connect(database_url)
    try:
        assert current_revision(database) == head_revision()
        with database.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        with database.read() as session:
            assert session.scalar(select(ContentState.revision)) == 0
            key = session.scalar(select(MetaRow.value).where(MetaRow.key == "user_hash_key"))
            assert key is not None and len(bytes.fromhex(key)) == 32
    finally:
        database.dispose()


def test_schema_head_constant_matches_the_migrations() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_upgrade_is_idempotent_and_keeps_the_secret(database_url: str) -> None:
    first = connect(database_url)
    with first.read() as session:
        key = session.scalar(select(MetaRow.value))
    first.dispose()
    second = connect(database_url)
    try:
        with second.read() as session:
            assert session.scalar(select(MetaRow.value)) == key
    finally:
        second.dispose()


def test_instances_starting_together_upgrade_once(database_url: str) -> None:
    """Three processes open a brand-new database at the same moment."""
    code = "import sys; from index.store.db import connect; connect(sys.argv[1]).dispose()"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, database_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    for process in processes:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert outcomes == [(0, "")] * 3
    database = connect(database_url)
    try:
        assert current_revision(database) == head_revision()
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(ContentState)) == 1
            assert session.scalar(select(func.count()).select_from(MetaRow)) == 1
    finally:
        database.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = connect(f"sqlite:///{tmp_path / 'deep' / 'dir' / 'db.sqlite3'}")
    try:
        assert (tmp_path / "deep" / "dir" / "db.sqlite3").is_file()  # directories created
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://nobody@127.0.0.1:1/nothing", "cannot connect to the database"),
        ("mysql://user@localhost/db", "unsupported database 'mysql'"),
        ("this is not a url", "not a database URL"),
    ],
)
def test_unusable_database_gets_a_clear_error(url: str, message: str) -> None:
    with pytest.raises(StoreUnavailableError, match=message):
        connect(url)


def test_password_never_appears_in_messages() -> None:
    url = "postgresql+psycopg://bot:s3cret-pw@127.0.0.1:1/db"
    with pytest.raises(StoreUnavailableError) as caught:
        connect(url)
    assert "s3cret-pw" not in str(caught.value)
    assert "s3cret-pw" not in describe_url(url)


def test_data_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailableError, match="cannot create the data directory"):
        connect(f"sqlite:///{blocker / 'sub' / 'db.sqlite3'}")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgres_urls_use_psycopg3(given: str, expected: str) -> None:
    assert normalize_url(given) == expected

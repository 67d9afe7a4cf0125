"""ContentStore writes: a briefly locked SQLite database is written on a retry; a lock that
lasts is reported after a few attempts, not waited on forever."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from index.store.db import Database, connect
from index.store.store import ContentStore, Prepared
from index.tokens import default_tokenizer
from tests.support.store import ARTICLE_BANJIR


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ContentStore]:
    content = ContentStore(connect(f"sqlite:///{tmp_path / 'store.sqlite3'}"), default_tokenizer())
    try:
        yield content
    finally:
        content.close()


def _locked_for(monkeypatch: pytest.MonkeyPatch, refusals: int) -> list[int]:
    """The next ``refusals`` write transactions find the database locked; returns a counter of
    the write transactions begun."""
    real = Database.write
    begun = [0]

    @contextmanager
    def write(self: Database) -> Iterator[Session]:
        begun[0] += 1
        if begun[0] <= refusals:
            raise _locked()
        manager: AbstractContextManager[Session] = real(self)
        with manager as session:
            yield session

    monkeypatch.setattr(Database, "write", write)
    return begun


def test_a_briefly_locked_database_is_written_on_a_retry(
    store: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    begun = _locked_for(monkeypatch, refusals=1)
    result = store.save(Prepared("text", "banjir", "Banjir", ARTICLE_BANJIR))
    assert result.status == "added" and begun[0] == 2


def test_the_bot_records_are_written_on_a_retry_too(
    store: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    begun = _locked_for(monkeypatch, refusals=2)
    store.set_chat_language(7, "en")
    assert store.chat_language(7) == "en" and begun[0] == 3


def test_a_lasting_lock_is_reported_after_a_few_attempts(
    store: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    begun = _locked_for(monkeypatch, refusals=10**6)
    with pytest.raises(OperationalError, match="locked"):
        store.set_chat_language(7, "en")
    assert 2 <= begun[0] <= 5

"""The store's transactions: the content revision every change bumps (and, on PostgreSQL, the
notification of the other instances) and one write transaction with its retries. Every part of
``ContentStore`` writes through ``_write``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar, cast

from sqlalchemy import Table, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from index.store.db import CONTENT_CHANNEL_SQL, ChangeListener, Database
from index.store.models import ContentState, utcnow
from index.store.prepare import pipeline_fingerprint
from index.tokens import Tokenizer

__all__ = ["WRITE_ATTEMPTS", "StoreTransactions"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_STATE = cast(Table, ContentState.__table__)

WRITE_ATTEMPTS = 3


class StoreTransactions:
    """The database, the tokenizer and the pipeline fingerprint the other parts share, the
    content revision, and the write transaction with its retries."""

    def __init__(self, database: Database, tokenizer: Tokenizer) -> None:
        self.db = database
        self.tokenizer = tokenizer
        self.pipeline = pipeline_fingerprint(tokenizer)

    def close(self) -> None:
        self.db.dispose()

    def change_listener(self) -> ChangeListener | None:
        """Notifications of content changes (PostgreSQL; None on SQLite: poll instead)."""
        return self.db.change_listener()

    def revision(self) -> int:
        with self.db.read() as session:
            value = session.scalar(select(ContentState.revision).where(ContentState.id == 1))
        return int(value or 0)

    @staticmethod
    def _bump(session: Session) -> None:
        """Next content revision, in the caller's transaction. On PostgreSQL it also notifies
        the listening instances (delivered at commit; never for a rolled-back change)."""
        conn = session.connection()
        bump = (
            update(_STATE)
            .where(_STATE.c.id == 1)
            .values(revision=_STATE.c.revision + 1, updated_at=utcnow())
        )
        if conn.dialect.name != "postgresql":
            conn.execute(bump)
            return
        revision = conn.execute(bump.returning(_STATE.c.revision)).scalar()
        conn.execute(
            sql_text(f"SELECT pg_notify({CONTENT_CHANNEL_SQL}, :revision)"),
            {"revision": str(revision)},
        )

    def bump_revision(self, session: Session) -> None:
        """``_bump`` for changes written outside this class (feeds, retention)."""
        self._bump(session)

    def _write(self, action: Callable[[Session], T]) -> T:
        """Run ``action`` in one write transaction; retry when a concurrent writer won a
        unique-key race (the retry sees its row) or the database was briefly locked."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.db.write() as session:
                    return action(session)
            except sa_exc.IntegrityError:
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.debug("write conflict, retrying (attempt %d)", attempt)
            except sa_exc.OperationalError as error:
                if attempt == WRITE_ATTEMPTS or "locked" not in str(error).lower():
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

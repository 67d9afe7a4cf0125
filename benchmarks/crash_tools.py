"""``kill -9`` tools for real ``tanyaberita`` processes: distinct generated articles, a
consistency check of the store, and killing a child the moment the store holds N documents.
Used by ``tests/reliability/test_crash.py`` and ``benchmarks/faults.py``."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from sqlalchemy import func, select

from benchmarks.processes import ROOT, cli_command
from bot.config import SHIPPED_CONTENT_DIR as SHIPPED_CONTENT
from index.store.db import connect
from index.store.models import ContentState, DocumentRow, SentenceRow

__all__ = ["articles", "count_documents", "kill_when", "spawn", "store_state"]


def articles(count: int, offset: int = 0) -> list[tuple[str, str]]:
    """Distinct (title, text) pairs made of the shipped article's sentences, each with its own
    lead sentence and selection."""
    text = next(SHIPPED_CONTENT.glob("*.txt")).read_text(encoding="utf-8")
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s) > 40]
    made = []
    for i in range(offset, offset + count):
        picked = [sentences[(i * 3 + k * 5) % len(sentences)] for k in range(9)]
        body = "\n\n".join(" ".join(picked[k : k + 3]) for k in range(0, 9, 3))
        lead = f"Berita nomor {i} dari desk {i % 13} ditulis pada pekan ke-{i % 52 + 1}."
        made.append((f"Berita {i}", f"{lead}\n\n{body}"))
    return made


def store_state(url: str) -> tuple[int, int]:
    """(documents, revision) after checking that the store is consistent."""
    database = connect(url)
    try:
        with database.read() as session:
            counts = dict(session.execute(select(DocumentRow.id, DocumentRow.sentence_count)).all())
            stored = dict(
                session.execute(
                    select(SentenceRow.document_id, func.count()).group_by(SentenceRow.document_id)
                ).all()
            )
            revision = int(session.scalar(select(ContentState.revision)) or 0)
            distinct = session.scalar(select(func.count(func.distinct(DocumentRow.content_hash))))
            empty = session.scalar(select(func.count()).where(SentenceRow.tokens == ""))
        assert counts == stored, "a document and its sentences disagree"
        assert distinct == len(counts), "the same text stored twice"
        assert empty == 0
        if database.dialect == "sqlite":
            with database.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        return len(counts), revision
    finally:
        database.dispose()


def count_documents(url: str) -> int:
    try:
        database = connect(url, upgrade=False)
    except Exception:
        return 0
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count(DocumentRow.id))) or 0)
    except Exception:  # the schema may not exist yet while the child starts
        return 0
    finally:
        database.dispose()


def kill_when(child: subprocess.Popen[str], url: str, stored: int) -> None:
    """``kill -9`` the child as soon as the store holds ``stored`` documents (an
    ``AssertionError`` if it finished first)."""
    deadline = time.monotonic() + 120
    while count_documents(url) < stored and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.poll() is None, "the child finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_command(*args),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

"""``kill -9`` of real ``tanyaberita`` processes in the middle of a content-directory reload
and, several times at random moments, of a batch ingest. After every kill the store is
consistent (each document whole or absent, the revision counting the changes, SQLite's
integrity check clean), an instance that was running all along keeps answering and can load
what was committed, and a rerun completes the work."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from index.service import QAService
from index.store.db import connect
from index.store.models import ContentState, DocumentRow, SentenceRow
from tests.reliability.conftest import ROOT, cli_command
from tests.store.conftest import SHIPPED_CONTENT

pytestmark = pytest.mark.slow

PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"


def _articles(count: int, offset: int = 0) -> list[tuple[str, str]]:
    """Distinct (title, text) pairs made of the shipped article's sentences, each with its own
    lead sentence and selection."""
    text = next(SHIPPED_CONTENT.glob("*.txt")).read_text(encoding="utf-8")
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s) > 40]
    articles = []
    for i in range(offset, offset + count):
        picked = [sentences[(i * 3 + k * 5) % len(sentences)] for k in range(9)]
        body = "\n\n".join(" ".join(picked[k : k + 3]) for k in range(0, 9, 3))
        lead = f"Berita nomor {i} dari desk {i % 13} ditulis pada pekan ke-{i % 52 + 1}."
        articles.append((f"Berita {i}", f"{lead}\n\n{body}"))
    return articles


def _state(url: str) -> tuple[int, int]:
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


def _count(url: str) -> int:
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


def _kill_when(child: subprocess.Popen[str], url: str, stored: int) -> None:
    """``kill -9`` the child as soon as the store holds ``stored`` documents."""
    deadline = time.monotonic() + 120
    while _count(url) < stored and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.poll() is None, "the child finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_command(*args),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_kill_9_during_reload(database_url: str, content_dir: Path) -> None:
    total = 60
    for number, (title, text) in enumerate(_articles(total)):
        (content_dir / f"berita-{number:03d}.txt").write_text(f"{title}\n\n{text}", "utf-8")
    # An instance that was serving before the reload started (the shipped article only).
    running = QAService.open(database_url, content_dir=SHIPPED_CONTENT)
    try:
        putin = running.ask(PUTIN).hits[0].sentence
        reload = _spawn("--database-url", database_url, "--content-dir", str(content_dir), "reload")
        _kill_when(reload, database_url, 10)
        documents, revision = _state(database_url)
        assert 10 <= documents < total + 1
        assert revision == documents  # one bump per stored document, none half-done
        assert running.ask(PUTIN).hits[0].sentence == putin
        assert running.check_for_newer_revision() is True  # loads what was committed
        assert len(running.snapshot.documents) == documents

        rerun = _spawn("--database-url", database_url, "--content-dir", str(content_dir), "reload")
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert out.startswith(f"reload: {total + 1 - documents} added, 0 updated, 0 removed, ")
        assert f"{documents} unchanged, 0 failed — {total + 1} documents" in out
        assert _state(database_url) == (total + 1, total + 1)
        assert running.check_for_newer_revision() is True
        assert len(running.snapshot.documents) == total + 1
        assert running.ask(PUTIN).hits[0].sentence == putin
    finally:
        running.close()


def test_kill_9_at_random_moments_during_a_batch_ingest(database_url: str, tmp_path: Path) -> None:
    total, kills = 120, 2
    batch = tmp_path / "batch.jsonl"
    with batch.open("w", encoding="utf-8") as handle:
        for number, (title, text) in enumerate(_articles(total, offset=1000)):
            record = {"id": f"b-{number}", "title": title, "text": text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    rng = random.Random(6)
    seen = 0
    for _ in range(kills):
        child = _spawn("--database-url", database_url, "ingest", "--json", str(batch))
        _kill_when(child, database_url, seen + rng.randint(5, 15))
        documents, revision = _state(database_url)
        assert seen < documents < total and revision == documents
        seen = documents
    child = _spawn("--database-url", database_url, "ingest", "--json", str(batch))
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert (statuses.count("unchanged"), statuses.count("added")) == (seen, total - seen)
    assert _state(database_url) == (total, total)

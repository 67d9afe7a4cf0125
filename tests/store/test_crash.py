"""Real processes: ``kill -9`` in the middle of a batch ingest, and two instances ingesting at
once. The database must stay consistent: every document complete or absent, one revision bump
per stored document, and a rerun completing the batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from index.store.db import connect
from index.store.models import ContentState, DocumentRow, SentenceRow
from tests.support.store import ROOT, SHIPPED_CONTENT

pytestmark = pytest.mark.slow


def _write_batch(path: Path, ids: range) -> None:
    """Distinct articles built from the shipped article's sentences (each gets its own lead
    sentence and a different selection, so no two texts are equal)."""
    text = next(SHIPPED_CONTENT.glob("*.txt")).read_text(encoding="utf-8")
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s) > 40]
    with path.open("w", encoding="utf-8") as handle:
        for i in ids:
            picked = [sentences[(i + k * 7) % len(sentences)] for k in range(12)]
            # News paragraphs are short: three sentences each.
            body = "\n\n".join(" ".join(picked[k : k + 3]) for k in range(0, 12, 3))
            lead = f"Laporan nomor {i} dari wilayah {i % 17} disusun oleh tim redaksi {i % 5}."
            record = {"id": f"doc-{i}", "title": f"Laporan {i}", "text": f"{lead}\n\n{body}"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _ingest(database_url: str, batch: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--database-url",
            database_url,
            "ingest",
            "--json",
            str(batch),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _check_consistent(database_url: str) -> int:
    """Every stored document has exactly its sentences; the revision counts the documents."""
    database = connect(database_url)
    try:
        with database.read() as session:
            documents = session.execute(select(DocumentRow.id, DocumentRow.sentence_count)).all()
            stored = dict(
                session.execute(
                    select(SentenceRow.document_id, func.count()).group_by(SentenceRow.document_id)
                ).all()
            )
            revision = session.scalar(select(ContentState.revision))
            hashes = session.scalar(select(func.count(func.distinct(DocumentRow.content_hash))))
        assert {doc_id: count for doc_id, count in documents} == stored
        assert revision == len(documents) == hashes
        if database.dialect == "sqlite":
            with database.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        return len(documents)
    finally:
        database.dispose()


def _count(database_url: str) -> int:
    database = connect(database_url, upgrade=False)
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count(DocumentRow.id))) or 0)
    except Exception:  # the schema may not exist yet while the child starts
        return 0
    finally:
        database.dispose()


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_during_a_batch_leaves_a_consistent_store(database_url: str, tmp_path: Path) -> None:
    total = 320  # large enough for the batch to be prepared by worker processes
    batch = tmp_path / "batch.jsonl"
    _write_batch(batch, range(total))
    child = _ingest(database_url, batch)
    deadline = time.monotonic() + 60
    while _count(database_url) < 25 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    workers = _children(child.pid)
    assert len(workers) >= 2, "the batch should be prepared by worker processes"
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "worker processes outlived the killed ingest"
    stored = _check_consistent(database_url)
    assert 25 <= stored < total, "the batch should have been killed in the middle"

    rerun = _ingest(database_url, batch)
    out, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert statuses.count("unchanged") == stored
    assert statuses.count("added") == total - stored
    assert _check_consistent(database_url) == total


def test_two_instances_ingesting_at_once(database_url: str, tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write_batch(first, range(0, 70))
    _write_batch(second, range(35, 105))  # 35 articles in both batches
    connect(database_url).dispose()  # schema ready, so both start ingesting at once
    children = [_ingest(database_url, first), _ingest(database_url, second)]
    outputs = [child.communicate(timeout=180) for child in children]
    assert [child.returncode for child in children] == [0, 0], [err for _, err in outputs]
    results = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(results) == 140
    by_source: dict[str, set[int]] = {}
    for result in results:
        by_source.setdefault(result["source"].split("#")[1], set()).add(result["document_id"])
    assert all(len(ids) == 1 for ids in by_source.values())  # one document per article
    assert sum(r["status"] == "added" for r in results) == 105
    assert _check_consistent(database_url) == 105

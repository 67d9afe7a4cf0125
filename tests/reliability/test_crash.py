"""``kill -9`` of a real ``tanyaberita reload`` in the middle of a content-directory sync.
After the kill the store is consistent (each document whole or absent, the revision counting
the changes, SQLite's integrity check clean), an instance that was running all along keeps
answering and can load what was committed, and a rerun completes the work.

(Killing a batch ``ingest`` is tested in ``tests/store/test_crash.py``; many kills at random
moments of both run in ``benchmarks/faults.py``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.crash_tools import articles, kill_when, spawn, store_state
from index.service import QAService
from tests.support.store import SHIPPED_CONTENT

pytestmark = pytest.mark.slow

PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"


def test_kill_9_during_reload(database_url: str, content_dir: Path) -> None:
    total = 60
    for number, (title, text) in enumerate(articles(total)):
        (content_dir / f"berita-{number:03d}.txt").write_text(f"{title}\n\n{text}", "utf-8")
    # An instance that was serving before the reload started (the shipped article only).
    running = QAService.open(database_url, content_dir=SHIPPED_CONTENT)
    try:
        putin = running.ask(PUTIN).hits[0].sentence
        reload = spawn("--database-url", database_url, "--content-dir", str(content_dir), "reload")
        kill_when(reload, database_url, 10)
        documents, revision = store_state(database_url)
        assert 10 <= documents < total + 1
        assert revision == documents  # one bump per stored document, none half-done
        assert running.ask(PUTIN).hits[0].sentence == putin
        assert running.check_for_newer_revision() is True  # loads what was committed
        assert len(running.snapshot.documents) == documents

        rerun = spawn("--database-url", database_url, "--content-dir", str(content_dir), "reload")
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert out.startswith(f"reload: {total + 1 - documents} added, 0 updated, 0 removed, ")
        assert f"{documents} unchanged, 0 failed — {total + 1} articles" in out
        assert store_state(database_url) == (total + 1, total + 1)
        assert running.check_for_newer_revision() is True
        assert len(running.snapshot.documents) == total + 1
        assert running.ask(PUTIN).hits[0].sentence == putin
    finally:
        running.close()

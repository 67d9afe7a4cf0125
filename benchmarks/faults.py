"""Fault injection at scale: ``kill -9`` of real ``tanyaberita`` processes at random moments.

Usage (from the repository root)::

    python -m benchmarks.faults [--kills 10] [--documents 300] [--seed 6]
        [--database-url URL] [--json benchmarks/out/faults.json]

Two scenarios, each on a fresh database (a temporary SQLite file, or a fresh schema of the
PostgreSQL server at ``--database-url``/``TEST_DATABASE_URL`` with ``--postgres``):

1. **ingest**: a JSONL batch of ``--documents`` articles; ``tanyaberita ingest`` is killed
   ``--kills`` times, each time after a random number of further documents were stored; then a
   last run must complete the batch (every earlier document reported ``unchanged``).
2. **reload**: the same number of ``.txt`` files in a content directory; ``tanyaberita
   reload`` is killed ``--kills`` times the same way, then a last reload completes. Meanwhile a
   QAService opened before the first kill answers a question in a loop (every answer must
   come) and loads the committed content after each kill (``check_for_newer_revision``).

After every kill the store is checked: each document whole (its sentence rows match its
count), no text stored twice, one revision bump per stored document, SQLite's integrity check.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

from benchmarks.crash_tools import articles, kill_when, spawn, store_state
from bot.config import SHIPPED_CONTENT_DIR as SHIPPED_CONTENT
from index.service import QAService

QUESTION = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"


@contextmanager
def fresh_database(postgres_url: str | None, tmp: Path, name: str) -> Iterator[str]:
    if not postgres_url:
        yield f"sqlite:///{tmp / f'{name}.sqlite3'}"
        return

    admin = make_url(postgres_url).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _next_kill(rng: random.Random, total: int, stored: int, kills_left: int) -> int:
    """The document count at which to kill next: a random step that leaves room for the
    kills still to come."""
    room = (total - stored) // (kills_left + 1)
    return stored + rng.randint(1, max(1, room))


def run_ingest(
    url: str, tmp: Path, documents: int, kills: int, rng: random.Random
) -> dict[str, Any]:
    batch = tmp / "batch.jsonl"
    with batch.open("w", encoding="utf-8") as handle:
        for number, (title, text) in enumerate(articles(documents, offset=5000)):
            record = {"id": f"b-{number}", "title": title, "text": text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    survived, stored_at_kill, stored = 0, [], 0
    for left in range(kills, 0, -1):
        child = spawn("--database-url", url, "ingest", "--json", str(batch))
        kill_when(child, url, _next_kill(rng, documents, stored, left))
        stored, revision = store_state(url)  # raises if inconsistent
        assert revision == stored
        stored_at_kill.append(stored)
        survived += 1
    child = spawn("--database-url", url, "ingest", "--json", str(batch))
    out, err = child.communicate(timeout=1800)
    assert child.returncode == 0, err
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    before = stored_at_kill[-1] if stored_at_kill else 0
    assert statuses.count("unchanged") == before and statuses.count("added") == documents - before
    assert store_state(url) == (documents, documents)
    return {
        "documents": documents,
        "kills": kills,
        "consistent_after_kill": survived,
        "stored_at_each_kill": stored_at_kill,
        "rerun_completed": True,
    }


def run_reload(
    url: str, tmp: Path, documents: int, kills: int, rng: random.Random
) -> dict[str, Any]:
    content = tmp / "content"
    shutil.copytree(SHIPPED_CONTENT, content)  # the article the running instance answers from
    for number, (title, text) in enumerate(articles(documents, offset=9000)):
        (content / f"berita-{number:04d}.txt").write_text(f"{title}\n\n{text}", "utf-8")
    running = QAService.open(url, content_dir=SHIPPED_CONTENT)
    expected = running.ask(QUESTION).hits[0].sentence
    asked = {"answered": 0, "wrong": 0}
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answer = running.ask(QUESTION)
            ok = not answer.abstained and answer.hits[0].sentence == expected
            asked["answered" if ok else "wrong"] += 1
            time.sleep(0.005)

    asker = threading.Thread(target=keep_asking, daemon=True)
    asker.start()
    survived, stored_at_kill, loaded = 0, [], []
    try:
        stored = 1
        for left in range(kills, 0, -1):
            child = spawn("--database-url", url, "--content-dir", str(content), "reload")
            kill_when(child, url, _next_kill(rng, documents + 1, stored, left))
            stored, revision = store_state(url)
            assert revision == stored
            stored_at_kill.append(stored)
            running.check_for_newer_revision()
            loaded.append(len(running.snapshot.documents) == stored)
            survived += 1
        child = spawn("--database-url", url, "--content-dir", str(content), "reload")
        out, err = child.communicate(timeout=1800)
        assert child.returncode == 0, err
        assert store_state(url) == (documents + 1, documents + 1)
        running.check_for_newer_revision()
        assert len(running.snapshot.documents) == documents + 1
    finally:
        stop.set()
        asker.join()
        running.close()
    return {
        "documents": documents + 1,
        "kills": kills,
        "consistent_after_kill": survived,
        "stored_at_each_kill": stored_at_kill,
        "running_instance_loaded_committed_content": all(loaded),
        "questions_answered_meanwhile": asked["answered"],
        "questions_failed_meanwhile": asked["wrong"],
        "rerun_completed": True,
        "rerun_output": out.strip(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (implies --postgres)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    postgres = args.database_url or (os.environ.get("TEST_DATABASE_URL") if args.postgres else None)
    if args.postgres and not postgres:
        parser.error("--postgres needs TEST_DATABASE_URL or --database-url")
    rng = random.Random(args.seed)
    results: dict[str, Any] = {"backend": "postgresql" if postgres else "sqlite"}
    with tempfile.TemporaryDirectory(prefix="tanyaberita-faults-") as folder:
        tmp = Path(folder)
        for name, run in (("ingest", run_ingest), ("reload", run_reload)):
            (tmp / name).mkdir()
            started = time.perf_counter()
            with fresh_database(postgres, tmp / name, name) as url:
                results[name] = run(url, tmp / name, args.documents, args.kills, rng)
            results[name]["seconds"] = round(time.perf_counter() - started, 1)
            print(f"{name}: {json.dumps(results[name], ensure_ascii=False)}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

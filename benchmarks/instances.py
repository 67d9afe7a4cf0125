"""Several instances on one database: how long a content change made by one process takes to
reach the answers of another, running process.

Usage (from the repository root)::

    python -m benchmarks.instances [--changes 10] [--postgres] [--json FILE]

A long-running ``tanyaberita chat`` answers a question about an article that is alternately
added (``tanyaberita ingest`` in another process) and removed (``tanyaberita remove``). On
PostgreSQL the chat listens for the change notification (checking at the latest every 3 s);
on SQLite it checks the revision every 3 s (``serve`` uses the same watcher, every 5 s).
The question is asked every ``--every`` s (0.02), while the command runs too, until the
answer reflects the change. Reported: seconds from the change's commit (the revision bump's
time stamp, just before it) to the first answer that shows the change, the same from the end
of the changing command (0 when served before it ended), and that the control question was
answered correctly throughout. SQLite file by default; ``--postgres`` uses a fresh schema of
``TEST_DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

from sqlalchemy import Engine, select

from benchmarks.chat_process import ChatProcess
from benchmarks.faults import fresh_database
from benchmarks.processes import ROOT, cli_command
from index.store.db import create_store_engine
from index.store.models import ContentState

QUESTION = "Berapa rumah yang terendam banjir di Bekasi?"
FACT = "450 rumah"
CONTROL = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
ARTICLE = (
    "Banjir Rendam Ratusan Rumah di Bekasi\n\n"
    "Hujan deras yang mengguyur sejak Senin malam membuat Kali Bekasi meluap dan merendam "
    "sedikitnya 450 rumah di Kecamatan Rawalumbu. Ketinggian air mencapai 1,5 meter.\n\n"
    "Kepala BPBD Kota Bekasi, Agus Salim, mengatakan petugas telah mengevakuasi 1.200 warga."
)


def _bumped_at(engine: Engine) -> float:
    """When the last change bumped the content revision (just before its commit), as a Unix
    time: the changing process and this one share the machine's clock."""
    with engine.connect() as conn:
        stamp = conn.execute(select(ContentState.updated_at)).scalar_one()
    if stamp.tzinfo is None:  # SQLite keeps it without its zone (UTC)
        stamp = stamp.replace(tzinfo=UTC)
    return float(stamp.timestamp())


def _change(
    chat: ChatProcess, command: list[str], wanted: Callable[[str], bool], every: float
) -> tuple[str, float | None, float, float]:
    """Run ``command`` and ask until ``wanted`` holds, also while it runs (the change may be
    served before it exits): its output, when it ended (None: still running when the change
    was served; monotonic), when the change was served (monotonic and Unix time)."""
    running = subprocess.Popen(cli_command(*command), cwd=ROOT, stdout=subprocess.PIPE, text=True)
    ended: float | None = None
    while not wanted(chat.ask(QUESTION)):
        if ended is None and running.poll() is not None:
            ended = time.monotonic()
        if ended is not None and time.monotonic() - ended > 20:
            raise TimeoutError("the change was not served within 20 s")
        time.sleep(every)
    seen, seen_at = time.monotonic(), time.time()
    out, _ = running.communicate(timeout=60)
    if running.returncode != 0:
        raise RuntimeError(f"{command[2]} failed")
    return out, ended, seen, seen_at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--every", type=float, default=0.02, help="seconds between questions")
    args = parser.parse_args(argv)
    postgres = os.environ.get("TEST_DATABASE_URL") if args.postgres else None
    if args.postgres and not postgres:
        parser.error("--postgres needs TEST_DATABASE_URL")
    seconds: list[float] = []
    since_commit: list[float] = []
    control_ok = True
    with (
        tempfile.TemporaryDirectory(prefix="tanyaberita-instances-") as folder,
        fresh_database(postgres, Path(folder), "instances") as url,
    ):
        tmp = Path(folder)
        content = tmp / "content"
        shutil.copytree(ROOT / "content", content)
        article = tmp / "banjir-bekasi.txt"
        document = 0
        chat = ChatProcess(url, content)
        engine = create_store_engine(url)
        try:
            for change in range(args.changes):
                adding = change % 2 == 0
                if adding:
                    # New bytes each time: a re-added article is a new version, not "unchanged".
                    article.write_text(f"{ARTICLE}\n\nPembaruan ke-{change}.", encoding="utf-8")
                    command = ["--database-url", url, "ingest", "--json", str(article)]
                else:
                    command = ["--database-url", url, "remove", str(document)]
                wanted = (lambda a: FACT in a) if adding else (lambda a: FACT not in a)
                out, ended, seen, seen_at = _change(chat, command, wanted, args.every)
                if adding:
                    document = json.loads(out)["document_id"]
                after = max(0.0, seen - ended) if ended is not None else 0.0
                seconds.append(round(after, 3))
                since_commit.append(round(seen_at - _bumped_at(engine), 3))
                print(
                    f"{'added' if adding else 'removed'}: seen {since_commit[-1]:.3f} s after "
                    f"the commit, {after:.3f} s after the command ended",
                    flush=True,
                )
                control_ok = control_ok and "Vladimir Putin" in chat.ask(CONTROL)
        finally:
            code, err = chat.close()
            engine.dispose()
    result = {
        "backend": "postgresql" if postgres else "sqlite",
        "changes": args.changes,
        "mechanism": "LISTEN/NOTIFY, polling as fallback" if postgres else "polling",
        "poll_interval_s": 3.0,
        "ask_every_s": args.every,
        "p50_s": round(statistics.median(seconds), 3),
        "max_s": max(seconds),
        "all_s": seconds,
        "since_commit_p50_s": round(statistics.median(since_commit), 3),
        "since_commit_max_s": max(since_commit),
        "control_answered_throughout": control_ok,
        "chat_exit": code,
        "chat_traceback": "Traceback" in err,
    }
    print(json.dumps(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if control_ok and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

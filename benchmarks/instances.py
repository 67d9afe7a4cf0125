"""Several instances on one database: how long a content change made by one process takes to
reach the answers of another, running process.

Usage (from the repository root)::

    python -m benchmarks.instances [--changes 10] [--postgres] [--json FILE]

A long-running ``tanyaberita chat`` (it checks the content revision every 3 s, as ``serve``
does every 5 s) answers a question about an article that is alternately added
(``tanyaberita ingest`` in another process) and removed (``tanyaberita remove``). After each
change the question is asked every 0.1 s until the answer reflects it; reported: seconds from
the end of the changing command to the first answer that shows the change (p50, max), and
that the control question was answered correctly throughout. SQLite file by default;
``--postgres`` uses a fresh schema of ``TEST_DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.faults import fresh_database
from tests.processes import ROOT, run_cli
from tests.reliability.chat_process import ChatProcess

QUESTION = "Berapa rumah yang terendam banjir di Bekasi?"
FACT = "450 rumah"
CONTROL = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
ARTICLE = (
    "Banjir Rendam Ratusan Rumah di Bekasi\n\n"
    "Hujan deras yang mengguyur sejak Senin malam membuat Kali Bekasi meluap dan merendam "
    "sedikitnya 450 rumah di Kecamatan Rawalumbu. Ketinggian air mencapai 1,5 meter.\n\n"
    "Kepala BPBD Kota Bekasi, Agus Salim, mengatakan petugas telah mengevakuasi 1.200 warga."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    postgres = os.environ.get("TEST_DATABASE_URL") if args.postgres else None
    if args.postgres and not postgres:
        parser.error("--postgres needs TEST_DATABASE_URL")
    seconds: list[float] = []
    control_ok = True
    with (
        tempfile.TemporaryDirectory(prefix="tanyaberita-instances-") as folder,
        fresh_database(postgres, Path(folder), "instances") as url,
    ):
        tmp = Path(folder)
        content = tmp / "content"
        shutil.copytree(ROOT / "content", content)
        article = tmp / "banjir-bekasi.txt"
        chat = ChatProcess(url, content)
        try:
            for change in range(args.changes):
                adding = change % 2 == 0
                if adding:
                    # New bytes each time: a re-added article is a new version, not "unchanged".
                    article.write_text(f"{ARTICLE}\n\nPembaruan ke-{change}.", encoding="utf-8")
                    done = run_cli(["--database-url", url, "ingest", "--json", str(article)])
                    document = json.loads(done.stdout)["document_id"]
                else:
                    done = run_cli(["--database-url", url, "remove", str(document)])
                if done.returncode != 0:
                    raise RuntimeError(done.stderr)
                took = chat.wait_until(
                    QUESTION, (lambda a: FACT in a) if adding else (lambda a: FACT not in a)
                )
                seconds.append(round(took, 2))
                control_ok = control_ok and "Vladimir Putin" in chat.ask(CONTROL)
                print(f"{'added' if adding else 'removed'}: seen after {took:.2f} s", flush=True)
        finally:
            code, err = chat.close()
    result = {
        "backend": "postgresql" if postgres else "sqlite",
        "changes": args.changes,
        "poll_interval_s": 3.0,
        "p50_s": round(statistics.median(seconds), 2),
        "max_s": max(seconds),
        "all_s": seconds,
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

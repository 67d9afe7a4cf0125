"""Long fuzz run: the property-based tests with many more examples than the test suite uses,
and how many cases ran.

Usage (from the repository root)::

    python -m benchmarks.fuzz [--examples 2000] [--json benchmarks/out/fuzz.json]

Runs with ``TANYABERITA_FUZZ_EXAMPLES=--examples``: ``tests/fuzz/`` (the text pipeline,
tokenizer and engine — fixed at 300 examples per property; the formatter, the splitter and
random Telegram updates through the Application — scaled), the renderer's own property test
and the upload fuzz. Hypothesis' statistics are parsed to count the cases: *passing* and
*failing* examples (invalid ones — rejected by a strategy filter — are not cases).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = [
    "tests/fuzz",
    "tests/bot/test_render.py::test_any_text_renders_to_valid_chunks",
    "tests/security/test_limits.py::test_arbitrary_uploads_never_raise",
]
_TEST = re.compile(r"^(tests/\S+::\S+):$")
_COUNTS = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid test cases")


def parse(output: str) -> dict[str, dict[str, int]]:
    """Per test: passing / failing / invalid examples (summed over Hypothesis' phases)."""
    stats: dict[str, dict[str, int]] = {}
    current = ""
    for raw in output.splitlines():
        line = raw.strip()
        if match := _TEST.match(line):
            current = match.group(1)
            stats.setdefault(current, {"passing": 0, "failing": 0, "invalid": 0})
        elif current and (match := _COUNTS.search(line)):
            for key, value in zip(("passing", "failing", "invalid"), match.groups(), strict=True):
                stats[current][key] += int(value)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="per scaled property")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:warnings",
            "--hypothesis-show-statistics",
            *TARGETS,
        ],
        cwd=ROOT,
        env={**os.environ, "TANYABERITA_FUZZ_EXAMPLES": str(args.examples)},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    stats = parse(done.stdout)
    cases = sum(s["passing"] + s["failing"] for s in stats.values())
    failing = sum(s["failing"] for s in stats.values())
    for test, counts in sorted(stats.items()):
        print(f"{counts['passing'] + counts['failing']:>7}  {counts['failing']:>3}  {test}")
    summary = {
        "examples_per_scaled_property": args.examples,
        "properties": len(stats),
        "cases": cases,
        "failing_cases": failing,
        "pytest_exit": done.returncode,
        "seconds": round(seconds, 1),
        "per_test": stats,
    }
    print(f"{cases} cases in {len(stats)} properties, {failing} failing, {seconds:.0f} s")
    if done.returncode != 0:
        print(done.stdout[-4000:], file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())

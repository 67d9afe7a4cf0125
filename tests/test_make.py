"""`make test` says why tests are skipped and uses a local PostgreSQL as `.ci/run` does; the
README's examples name files a user of the project has."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.processes import ROOT, run_cli
from index.evaluation import read_qa_file


def _dry_run(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # Under `make test` itself the environment carries MAKELEVEL/MAKEFLAGS: a top-level view.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "unit", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


def test_make_unit_reports_skips_and_probes_the_local_server() -> None:
    recipe = _dry_run()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    url = re.search(r'TEST_DATABASE_URL="(postgresql\+psycopg://[^"]+)"', ci)
    assert url is not None
    assert f'export TEST_DATABASE_URL="{url.group(1)}"' in recipe
    assert "PostgreSQL store tests: skipped" in recipe  # said when no server answers


def test_make_unit_shell_logic(tmp_path: Path) -> None:
    """The recipe's decision, run with a probe that fails: an explicit empty
    TEST_DATABASE_URL, or no server, means a one-line note instead of silent skips."""
    recipe = _dry_run()
    start = recipe.index("if [")
    script = recipe[start:].replace(".venv/bin/pytest", 'echo "url=[$TEST_DATABASE_URL]"')
    script = re.sub(r"\.venv/bin/python -c '[^']*'", "false", script)
    done = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, check=True, env={"PATH": "/bin"}
    )
    assert "PostgreSQL store tests: skipped (no server answers" in done.stdout
    done = subprocess.run(
        ["sh", "-c", script.replace("false", "true", 1)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/bin"},
    )
    assert "using the local server" in done.stdout and "url=[postgresql+psycopg://" in done.stdout


def test_the_summary_counts_skips_by_reason() -> None:
    """`pytest -q` ends with one line per skip reason (tests/conftest.py)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/store/test_sync.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},
            "TEST_DATABASE_URL": "",
        },
        check=False,
    )
    assert done.returncode == 0, done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("skipped ")]
    assert len(lines) == 1 and "TEST_DATABASE_URL is not set" in lines[0]
    assert "make test" in lines[0]


def test_readme_names_no_folder_outside_the_project() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme


def test_docs_that_name_the_data_folder_say_it_is_not_in_the_repository() -> None:
    """`../shared/data` is the maintainers' folder of public data sets: every page whose
    commands use it points to the section that says what it holds and how to replace it."""
    benchmarks = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    section = benchmarks.partition("## Data sets")[2]
    assert "not** part of the repository" in " ".join(section.split())
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        if "../shared/data" in text and doc.name != "benchmarks.md":
            assert "benchmarks.md#data-sets" in text, doc.name


def test_readme_eval_example_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^tanyaberita eval (\S+\.jsonl)", readme, re.MULTILINE)
    assert match is not None
    sample = ROOT / match.group(1)
    assert len(read_qa_file(sample)) >= 5
    done = run_cli(["eval", match.group(1), "--json"])
    assert done.returncode == 0, done.stderr
    assert '"hit@3": 1.0' in done.stdout

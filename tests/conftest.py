"""Shared fixtures: the shipped article and the optional ../shared data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
SHARED_DIR = Path(os.environ.get("TANYABERITA_SHARED_DIR", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def article_text() -> str:
    return next(CONTENT_DIR.glob("*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared data directory not found at {SHARED_DIR} (set TANYABERITA_SHARED_DIR)")
    return SHARED_DIR


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commands run in tests (in-process or as subprocesses, which inherit the environment)
    use a throw-away data directory: never the developer's database or a DATABASE_URL; and
    lexical answers unless a test turns semantic re-ranking on."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    # The sentence encoder is CPU-heavy: tests that want it turn it on themselves.
    monkeypatch.setenv("SEMANTIC_RERANK", "off")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per reason tests were skipped (with how many), even under ``-q``: a run
    without PostgreSQL or Node.js says so instead of hiding ~100 skips in a count."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if not reasons:
        return
    terminalreporter.write_line("")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"skipped {count:>4}: {reason}")

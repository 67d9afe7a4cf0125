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
    use a throw-away data directory: never the developer's database or a DATABASE_URL."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CONTENT_DIR", raising=False)

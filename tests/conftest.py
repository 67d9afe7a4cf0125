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

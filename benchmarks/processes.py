"""Running ``tanyaberita`` as a real process from tests and benchmarks (the environment of the
caller is inherited, so the isolated ``DATA_DIR`` of ``tests/conftest.py`` applies in tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


def run_cli(
    args: Sequence[str], *, timeout: float = 60, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``tanyaberita ARGS`` to completion, with a deadline."""
    return subprocess.run(
        cli_command(*args),
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )

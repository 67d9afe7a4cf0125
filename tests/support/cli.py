"""Running the CLI in-process against a throw-away SQLite store: the ``db_args`` fixture
(registered in ``tests/bot/conftest.py``) and ``run``, which returns exit code, stdout, stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

__all__ = ["db_args", "run"]


@pytest.fixture
def db_args(tmp_path: Path) -> list[str]:
    return ["--database-url", f"sqlite:///{tmp_path / 'cli.sqlite3'}"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err

"""Fault-injection fixtures for the tests in this folder: the store's (SQLite, and PostgreSQL
when ``TEST_DATABASE_URL`` is set) and a cuttable TCP path to PostgreSQL
(``tests.support.reliability``). The helpers are importable from here too, for tests written
before they moved to ``tests.support``."""

from __future__ import annotations

from benchmarks.processes import cli_command, run_cli
from tests.support.reliability import pg_proxy, pg_url, sqlite_path, through
from tests.support.store import ROOT, content_dir, database_url

__all__ = [
    "ROOT",
    "cli_command",
    "content_dir",
    "database_url",
    "pg_proxy",
    "pg_url",
    "run_cli",
    "sqlite_path",
    "through",
]

"""The database fails: unreachable at start (every CLI command: one clear line, exit code 1,
no traceback) and during a run (questions keep being answered from the in-memory index,
writes fail with a clear error, everything works again when the database is back).

Mid-run faults are real: another process holding SQLite's write lock (then killed with
``kill -9``), and a PostgreSQL server whose port closes and reopens (a TCP path to the real
server at ``TEST_DATABASE_URL`` that the test cuts).
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import make_url

from benchmarks.processes import cli_command, run_cli
from bot.cli import main
from index.service import QAService
from index.store import db as store_db
from index.store.errors import StoreError, StoreUnavailableError
from tests.reliability.tcpproxy import TcpProxy
from tests.support.reliability import sqlite_path
from tests.support.store import ARTICLE_BANJIR, ARTICLE_GEMPA, TEST_DATABASE_URL

PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
BANJIR = "Berapa rumah yang terendam banjir di Bekasi?"
GEMPA = "Berapa kekuatan gempa di Cianjur?"
PASSWORD = "s3cret-Passw0rd"


def _top(service: QAService, question: str) -> str:
    answer = service.ask(question)
    return "" if answer.abstained else answer.hits[0].sentence


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- unreachable at start -------------------------------------------------------------------


def _garbage_file(tmp: Path) -> str:
    path = tmp / "garbage.sqlite3"
    path.write_bytes(bytes(range(256)) * 40)
    return f"sqlite:///{path}"


def _directory(tmp: Path) -> str:
    (tmp / "a-directory").mkdir()
    return f"sqlite:///{tmp / 'a-directory'}"


def _under_a_file(tmp: Path) -> str:
    (tmp / "plain-file").write_text("x")
    return f"sqlite:///{tmp / 'plain-file' / 'db.sqlite3'}"


def _from_a_newer_version(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'newer.sqlite3'}"
    store_db.connect(url).dispose()

    with sqlite3.connect(tmp / "newer.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    return url


def _pg_missing_database(_: Path) -> str:
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")

    return (
        make_url(TEST_DATABASE_URL)
        .set(database="tanyaberita_no_such_db")
        .render_as_string(hide_password=False)
    )


UNUSABLE: dict[str, tuple[Callable[[Path], str], str]] = {
    "postgres closed port": (
        lambda _: f"postgresql://news:{PASSWORD}@127.0.0.1:{_closed_port()}/news",
        "Connection refused",
    ),
    "postgres unknown host": (
        lambda _: f"postgresql+psycopg://news:{PASSWORD}@no-such-host.invalid/news",
        "failed to resolve host",
    ),
    "postgres missing database": (_pg_missing_database, "does not exist"),
    "sqlite garbage file": (_garbage_file, "file is not a database"),
    "sqlite path is a directory": (_directory, "unable to open database file"),
    "sqlite under a plain file": (_under_a_file, "cannot create the data directory"),
    "schema from a newer version": (_from_a_newer_version, "newer version of tanyaberita"),
    "unsupported backend": (lambda _: "mysql://news@127.0.0.1/news", "unsupported database"),
    "not a url": (lambda _: "::: not a url", "not a database URL"),
}
COMMANDS = [
    ["ask", "Siapa presiden Rusia?"],
    ["chat"],
    ["ingest", "-"],
    ["documents"],
    ["remove", "1"],
    ["reload"],
    ["db", "upgrade"],
    ["stats"],
]


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_every_command_reports_an_unusable_database_in_one_line(
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_url, reason = UNUSABLE[case]
    url = make_url(tmp_path)
    monkeypatch.setattr(sys, "stdin", _NoInput())
    for command in COMMANDS:
        code = main(["--database-url", url, *command])
        out, err = capsys.readouterr()
        assert code == 1, (command, out, err)
        assert err.startswith("error: ") and err.count("\n") == 1, (command, err)
        assert reason in err, (command, err)
        assert PASSWORD not in out + err + caplog.text
        assert "Traceback" not in err + caplog.text


class _NoInput:
    """stdin for in-process commands: empty."""

    buffer = None

    def read(self) -> str:
        return ""

    def readline(self) -> str:
        return ""

    def __iter__(self) -> _NoInput:
        return self

    def __next__(self) -> str:
        raise StopIteration


def test_real_chat_process_exits_non_zero_without_a_traceback() -> None:
    """(``tests/bot/test_cli_store.py`` runs the other commands as processes.)"""
    url = f"postgresql://news:{PASSWORD}@127.0.0.1:{_closed_port()}/news"
    done = run_cli(["--database-url", url, "chat"], timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("error: cannot connect to the database postgresql+psycopg://")
    assert "Traceback" not in done.stderr and PASSWORD not in done.stderr
    assert "news:***@" in done.stderr  # the password is masked, the user name stays


# --- mid-run: SQLite locked by another process ------------------------------------------------

_HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(120)
"""


def test_sqlite_write_lock_held_by_another_process(
    tmp_path: Path, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Production waits 30 s for a lock; the test waits 0.2 s so that the failure is quick.
    monkeypatch.setattr(store_db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    service = QAService.open(url, content_dir=content_dir)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(sqlite_path(url))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        putin = _top(service, PUTIN)
        assert "Vladimir Putin" in putin

        started = time.monotonic()
        result = service.ingest_text("Banjir", ARTICLE_BANJIR)
        assert result.status == "failed"
        assert result.error == "database error: database is locked"
        assert time.monotonic() - started < 10
        question = service.ask(PUTIN)
        with pytest.raises(StoreUnavailableError, match="database is not available"):
            service.log_question(
                chat_id=1, user_id=2, question=PUTIN, answer=question, latency_ms=1.0
            )
        with pytest.raises(StoreUnavailableError, match=r"removing a document failed: .*locked"):
            service.remove(1)
        # Readers are not blocked (WAL): listing and the revision check still work.
        assert [d.active for d in service.documents()] == [True]
        assert service.check_for_newer_revision() is False
        assert _top(service, PUTIN) == putin and _top(service, BANJIR) == ""

        holder.kill()  # kill -9: the operating system releases the lock
        holder.wait(timeout=10)
        assert service.ingest_text("Banjir", ARTICLE_BANJIR).status == "added"
        assert "450 rumah" in _top(service, BANJIR)
        assert service.remove(1) is True
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
        service.close()


# --- mid-run: PostgreSQL goes away and comes back ---------------------------------------------


@pytest.mark.postgres
def test_postgres_lost_mid_run_then_back(
    pg_proxy: tuple[TcpProxy, str], content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = pg_proxy
    service = QAService.open(url, content_dir=content_dir)
    try:
        putin = _top(service, PUTIN)
        snapshot = service.snapshot
        proxy.stop()  # the server is gone: port closed, open connections reset

        for _ in range(3):  # answers go on from the in-memory index
            assert _top(service, PUTIN) == putin
        started = time.monotonic()
        result = service.ingest_text("Banjir", ARTICLE_BANJIR)
        assert result.status == "failed" and result.error.startswith("database error: ")
        with pytest.raises(StoreUnavailableError, match="removing a document failed"):
            service.remove(1)
        with pytest.raises(StoreUnavailableError, match="the database is not available"):
            service.log_question(
                chat_id=1, user_id=2, question=PUTIN, answer=service.ask(PUTIN), latency_ms=1
            )
        with pytest.raises(StoreError):
            service.stats()
        # What an answering instance knows, from memory (the bot's article list and "not in
        # the article" replies keep working).
        assert [(d.id, d.source_kind) for d in service.documents()] == [(1, "index")]
        report = service.reload()
        assert report.errors and report.errors[0].startswith("reload failed: ")
        assert service.snapshot is snapshot
        with caplog.at_level(logging.WARNING, logger="index.service"):
            assert [service.check_for_newer_revision() for _ in range(3)] == [False] * 3
        warnings = [r for r in caplog.records if "content revision failed" in r.getMessage()]
        assert len(warnings) == 1  # one line per outage, not one per check
        assert time.monotonic() - started < 30  # refused connections fail fast
        assert _top(service, PUTIN) == putin

        proxy.start()  # the server is back on the same port
        assert service.ingest_text("Banjir", ARTICLE_BANJIR).status == "added"
        assert "450 rumah" in _top(service, BANJIR)
        assert service.log_question(
            chat_id=1, user_id=2, question=BANJIR, answer=service.ask(BANJIR), latency_ms=1
        )
        assert service.stats().questions == 1
    finally:
        service.close()


@pytest.mark.postgres
def test_changes_made_during_an_outage_arrive_when_it_ends(
    pg_proxy: tuple[TcpProxy, str], pg_url: str, content_dir: Path
) -> None:
    """This instance loses its database while another one (direct connection) changes the
    content; when the path is back, the revision check brings the change in."""
    proxy, url = pg_proxy
    cut_off = QAService.open(url, content_dir=content_dir)
    other = QAService.open(pg_url, content_dir=content_dir, build_index=False)
    try:
        proxy.stop()
        assert other.ingest_text("Gempa", ARTICLE_GEMPA).status == "added"
        assert cut_off.check_for_newer_revision() is False
        assert _top(cut_off, GEMPA) == ""
        proxy.start()
        assert cut_off.check_for_newer_revision() is True
        assert "5,6 magnitudo" in _top(cut_off, GEMPA)
    finally:
        cut_off.close()
        other.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_chat_process_keeps_answering_while_postgres_is_away(
    pg_proxy: tuple[TcpProxy, str], content_dir: Path
) -> None:
    """A real ``tanyaberita chat`` process: the database disappears after start; questions are
    still answered and the revision watcher logs one warning line, never a traceback."""
    proxy, url = pg_proxy
    chat = subprocess.Popen(
        cli_command("--database-url", url, "--content-dir", str(content_dir), "chat"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert chat.stdin is not None and chat.stdout is not None
    try:
        banner = chat.stdout.readline()  # printed once the index is built
        assert banner.startswith("tanyaberita — "), banner
        proxy.stop()
        time.sleep(7)  # the watcher polls every 3 s: let it fail at least twice
        out, err = chat.communicate(f"{PUTIN}\n{PUTIN}\nkeluar\n", timeout=60)
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.communicate()
    assert chat.returncode == 0, err
    assert out.count("Vladimir Putin") >= 2
    assert "Traceback" not in err
    assert err.count("checking the content revision failed") == 1, err

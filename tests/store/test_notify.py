"""PostgreSQL change notifications: every content change notifies (at commit only), and a
watching instance serves it at once — long before its polling interval — surviving the loss
of its listening connection, and stopping at once on ``close()``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from index.service import QAService
from index.store.db import CONTENT_CHANNEL_SQL, ChangeListener
from tests.support.store import ARTICLE_BANJIR, ARTICLE_GEMPA, postgres_schema_url

pytestmark = pytest.mark.postgres

BANJIR = "Berapa rumah yang terendam banjir di Bekasi?"
GEMPA = "Berapa kekuatan gempa di Cianjur?"
SLOW_POLL_S = 30.0  # far beyond every wait below: what arrives in time came by notification
SOON_S = 1.5


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema_url() as url:
        yield url


def _top(service: QAService, question: str) -> str:
    answer = service.ask(question)
    return "" if answer.abstained else answer.hits[0].sentence


def _within(seconds: float, condition: Callable[[], bool]) -> float | None:
    """Seconds until ``condition`` held, or None when it did not within ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.01)
    return None


def _listener(service: QAService) -> ChangeListener:
    assert service._watcher is not None
    listener = service._watcher.listener
    assert listener is not None
    assert _within(5, lambda: listener.listening) is not None
    return listener


def _raw(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_change_is_served_by_a_watching_instance_at_once(pg_url: str, content_dir: Path) -> None:
    first = QAService.open(pg_url, content_dir=content_dir)
    second = QAService.open(pg_url, content_dir=content_dir)
    try:
        second.start_watching(interval=SLOW_POLL_S)
        _listener(second)
        assert first.ingest_text("Banjir", ARTICLE_BANJIR).status == "added"
        assert _within(SOON_S, lambda: "450 rumah" in _top(second, BANJIR)) is not None
        assert first.remove(2) is True
        assert _within(SOON_S, lambda: _top(second, BANJIR) == "") is not None
        assert second.revision == first.revision
    finally:
        first.close()
        second.close()


def test_only_committed_changes_notify(pg_url: str, content_dir: Path) -> None:
    service = QAService.open(pg_url, content_dir=content_dir)
    store = service._require_store()
    with psycopg.connect(_raw(pg_url), autocommit=True) as conn:
        channel = conn.execute(f"SELECT {CONTENT_CHANNEL_SQL}").fetchone()
        assert channel is not None
        conn.execute(f'LISTEN "{channel[0]}"')
        try:
            with pytest.raises(RuntimeError), store.db.write() as session:
                store._bump(session)
                raise RuntimeError("rolled back")
            assert list(conn.notifies(timeout=0.5)) == []
            assert store.revision() == service.revision  # the bump was rolled back too

            assert service.ingest_text("Gempa", ARTICLE_GEMPA).status == "added"
            [notice] = conn.notifies(timeout=5, stop_after=1)
            assert (notice.channel, notice.payload) == (channel[0], str(store.revision()))
        finally:
            service.close()


def test_the_watcher_survives_losing_its_listening_connection(
    pg_url: str, content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = QAService.open(pg_url, content_dir=content_dir)
    second = QAService.open(pg_url, content_dir=content_dir)
    try:
        second.start_watching(interval=SLOW_POLL_S)
        listener = _listener(second)
        pid = listener.backend_pid
        with (
            caplog.at_level(logging.WARNING, logger="index.store.db"),
            psycopg.connect(_raw(pg_url), autocommit=True) as admin,
        ):
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert (
                _within(5, lambda: not listener.listening or listener.backend_pid != pid)
                is not None
            )
            # The change is picked up when the listener is back (it checks after reconnecting).
            assert first.ingest_text("Banjir", ARTICLE_BANJIR).status == "added"
            assert _within(10, lambda: "450 rumah" in _top(second, BANJIR)) is not None
            assert _within(5, lambda: listener.listening) is not None
            assert listener.backend_pid != pid
            # …and later changes arrive by notification again.
            assert first.ingest_text("Gempa", ARTICLE_GEMPA).status == "added"
            assert _within(SOON_S, lambda: "magnitudo" in _top(second, GEMPA)) is not None
        failures = [r for r in caplog.records if "listening for content changes" in r.message]
        assert 1 <= len(failures) <= 2  # "failed" once, "again" once: no traceback, no flood
        assert all(r.exc_info is None for r in caplog.records)
    finally:
        first.close()
        second.close()


def test_close_stops_a_listening_watcher_at_once(pg_url: str, content_dir: Path) -> None:
    service = QAService.open(pg_url, content_dir=content_dir)
    service.start_watching(interval=SLOW_POLL_S)
    listener = _listener(service)
    assert service._watcher is not None
    watcher = service._watcher.thread
    started = time.monotonic()
    service.close()
    assert time.monotonic() - started < 1.0
    assert not watcher.is_alive()
    assert not listener.listening
    assert listener.wait(5) is False  # closed: returns at once, never reconnects


def test_an_unreachable_server_is_polled_meanwhile(
    content_dir: Path, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The listener cannot connect (wrong port): ``wait`` logs one line, never raises and
    keeps its timeout, so the caller polls as before."""

    listener = ChangeListener(make_url(pg_url).set(port=1))
    try:
        with caplog.at_level(logging.WARNING, logger="index.store.db"):
            started = time.monotonic()
            assert listener.wait(0.3) is False
            assert listener.wait(0.3) is False
            assert time.monotonic() - started < 5
        assert not listener.listening
        assert len([r for r in caplog.records if "failed" in r.message]) == 1
    finally:
        listener.close()

"""The revision watcher: a daemon thread that keeps one instance's index in step with content
changes made by other instances (another bot process, a ``tanyaberita ingest``).

On PostgreSQL it LISTENs for the notification every content change sends at commit and runs
the check as soon as one arrives, and at the latest every ``interval`` seconds (a missed or
merged notification never leaves it stale; if the listening connection fails it polls and
reconnects later). Without a listener (SQLite) it polls every ``interval`` seconds. The check
itself — is the store at a newer revision, then rebuild — is the service's
(``QAService.check_for_newer_revision``); the watcher only decides when to run it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.store.db import ChangeListener

__all__ = ["NOTIFY_MIN_GAP_S", "WATCH_INTERVAL_S", "RevisionWatcher"]

log = logging.getLogger(__name__)

WATCH_INTERVAL_S = 3.0
"""How often the watcher checks whether another instance changed the content, at the latest."""

NOTIFY_MIN_GAP_S = 0.5
"""Least time between two rebuilds caused by change notifications (a batch ingest elsewhere
notifies once per document)."""


class RevisionWatcher:
    """Runs ``check`` when ``listener`` is notified (at most once per ``NOTIFY_MIN_GAP_S``)
    and at the latest every ``interval`` seconds, in a daemon thread, until ``stop``."""

    def __init__(
        self,
        check: Callable[[], object],
        listener: ChangeListener | None,
        interval: float = WATCH_INTERVAL_S,
    ) -> None:
        self._check = check
        self.listener = listener
        self._interval = interval
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="revision-watcher", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 5) -> None:
        """Stop the thread and wait for it (closing the listener wakes a waiting one)."""
        self._stop.set()
        if self.listener is not None:
            self.listener.close()
        self.thread.join(timeout=timeout)

    def _run(self) -> None:
        if self.listener is None:
            while not self._stop.wait(self._interval):
                self._check()
            return
        self._listen(self.listener)

    def _listen(self, listener: ChangeListener) -> None:
        try:
            due = time.monotonic() + self._interval
            last = 0.0
            while not self._stop.is_set():
                notified = listener.wait(due - time.monotonic())
                if self._stop.is_set():
                    break
                now = time.monotonic()
                if not notified and now < due:
                    continue  # woke up to retry listening
                gap = last + NOTIFY_MIN_GAP_S - now
                # A burst (a batch ingest elsewhere notifies once per document): one
                # rebuild per gap, not one per notification.
                if notified and gap > 0 and self._stop.wait(gap):
                    break
                self._check()
                last = time.monotonic()
                due = last + self._interval
        except Exception:  # pragma: no cover - wait() and the check never raise
            log.exception("the content revision watcher stopped")
        finally:
            listener.close()

"""The revision watcher decides when the service's revision check runs: polling without a
listener, at once on a notification with one, and never again after ``stop``."""

from __future__ import annotations

import itertools
import threading
import time

from index.watcher import NOTIFY_MIN_GAP_S, RevisionWatcher


class _Listener:
    """A stand-in for the store's change listener: ``notify`` wakes ``wait`` with True."""

    def __init__(self) -> None:
        self._notified = threading.Event()
        self.closed = False

    def notify(self) -> None:
        self._notified.set()

    def wait(self, timeout: float) -> bool:
        if self.closed:
            return False
        notified = self._notified.wait(max(timeout, 0))
        self._notified.clear()
        return notified and not self.closed

    def close(self) -> None:
        self.closed = True
        self._notified.set()


def test_without_a_listener_it_polls_every_interval_until_stopped() -> None:
    checks: list[float] = []
    called = threading.Event()

    def check() -> bool:
        checks.append(time.monotonic())
        if len(checks) >= 3:
            called.set()
        return False

    watcher = RevisionWatcher(check, None, interval=0.01)
    watcher.start()
    assert called.wait(5)
    watcher.stop()
    assert not watcher.thread.is_alive()
    seen = len(checks)
    time.sleep(0.05)
    assert len(checks) == seen


def test_a_notification_runs_the_check_long_before_the_interval() -> None:
    checks: list[float] = []
    called = threading.Event()

    def check() -> bool:
        checks.append(time.monotonic())
        called.set()
        return False

    listener = _Listener()
    watcher = RevisionWatcher(check, listener, interval=60)
    watcher.start()
    started = time.monotonic()
    listener.notify()
    assert called.wait(5)
    assert checks[0] - started < 5  # not the 60 s poll
    watcher.stop()
    assert not watcher.thread.is_alive() and listener.closed


def test_a_burst_of_notifications_is_one_check_per_gap() -> None:
    checks: list[float] = []

    def check() -> bool:
        checks.append(time.monotonic())
        return False

    listener = _Listener()
    watcher = RevisionWatcher(check, listener, interval=60)
    watcher.start()
    ends = time.monotonic() + 3 * NOTIFY_MIN_GAP_S
    while time.monotonic() < ends:
        listener.notify()
        time.sleep(0.005)
    watcher.stop()
    assert 1 <= len(checks) <= 4  # hundreds of notifications, a handful of checks
    gaps = [b - a for a, b in itertools.pairwise(checks)]
    assert all(gap >= NOTIFY_MIN_GAP_S * 0.9 for gap in gaps)

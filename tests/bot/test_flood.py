"""bot/flood.py: sliding window, one notice per burst, bounded memory."""

from __future__ import annotations

import pytest

from bot import flood
from bot.flood import FloodGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_the_limit_then_refuses_with_one_notice() -> None:
    clock = Clock()
    guard = FloodGuard(3, 10, clock)
    assert [guard.check(1).allowed for _ in range(3)] == [True] * 3
    first, second = guard.check(1), guard.check(1)
    assert (first.allowed, first.notify, first.retry_after) == (False, True, 10)
    assert (second.allowed, second.notify) == (False, False)
    assert guard.check(2).allowed  # per sender
    clock.now += 10.01
    assert guard.check(1).allowed  # the window slid


def test_retry_after_counts_down_and_notice_repeats_after_a_window() -> None:
    clock = Clock()
    guard = FloodGuard(1, 30, clock)
    guard.check(7)
    clock.now += 20
    assert guard.check(7).retry_after == 10
    clock.now += 5
    assert not guard.check(7).notify
    clock.now += 4
    assert guard.check(7).retry_after == 1


def test_disabled_guard_allows_everything() -> None:
    guard = FloodGuard(0, 30)
    assert all(guard.check(1).allowed for _ in range(1000))


def test_idle_senders_are_forgotten(monkeypatch: object) -> None:
    mp = pytest.MonkeyPatch()
    mp.setattr(flood, "_MAX_SENDERS", 100)
    try:
        clock = Clock()
        guard = FloodGuard(1, 5, clock)
        for sender in range(100):
            guard.check(sender)
        clock.now += 6
        guard.check(1000)
        assert len(guard._events) == 1
    finally:
        mp.undo()

"""Per-user flood guard for incoming questions (outgoing calls are throttled by PTB's
AIORateLimiter; this protects the engine and the chat from one sender's burst).

A sliding window: at most ``limit`` questions per ``window`` seconds per sender. The first
refused question in a burst gets a polite note; further ones in the same window are dropped
silently, so a spammer cannot make the bot spam back. Single-threaded use only (the event loop).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FloodGuard", "Verdict"]

_MAX_SENDERS = 50_000
"""Beyond this many tracked senders the idle ones are forgotten (bounded memory)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    notify: bool = False  # refused, and this is the first refusal of the burst
    retry_after: int = 0  # whole seconds until the next question is accepted


class FloodGuard:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[int, deque[float]] = {}
        self._notified: dict[int, float] = {}

    @property
    def enabled(self) -> bool:
        return self.limit > 0 and self.window > 0

    def check(self, sender: int) -> Verdict:
        """Record a question from ``sender`` if it is allowed."""
        if not self.enabled:
            return Verdict(True)
        now = self._clock()
        events = self._events.get(sender)
        if events is None:
            if len(self._events) >= _MAX_SENDERS:
                self._forget_idle(now)
            events = self._events[sender] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) < self.limit:
            events.append(now)
            self._notified.pop(sender, None)
            return Verdict(True)
        retry = max(1, math.ceil(events[0] + self.window - now))
        first = self._notified.get(sender, -math.inf) <= now - self.window
        if first:
            self._notified[sender] = now
        return Verdict(False, notify=first, retry_after=retry)

    def _forget_idle(self, now: float) -> None:
        idle = [s for s, ev in self._events.items() if not ev or ev[-1] <= now - self.window]
        for sender in idle:
            del self._events[sender]
            self._notified.pop(sender, None)

"""bot/state.py: the bounded LRU cache."""

from __future__ import annotations

from bot.state import LRUCache


def test_lru_forgets_the_least_recently_used() -> None:
    cache: LRUCache[int, str] = LRUCache(2)
    cache.put(1, "a")
    cache.put(2, "b")
    assert cache.get(1) == "a"  # 1 is now the most recent
    cache.put(3, "c")
    assert (1 in cache, 2 in cache, 3 in cache, len(cache)) == (True, False, True, 2)
    assert cache.get(2) is None

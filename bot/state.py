"""What the handlers share: the service, the settings and small bounded in-memory caches.

One ``BotState`` lives in ``application.bot_data[STATE_KEY]``; ``state(context)`` returns it
typed. Everything here is touched from the event loop only (handlers run concurrently as
coroutines on one thread), so plain dicts need no locks; service calls go through threads.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.config import Settings
from bot.flood import FloodGuard
from bot.services import BotService
from index.engine import Answer

__all__ = ["STATE_KEY", "BotState", "CachedAnswer", "LRUCache", "state", "state_of"]

STATE_KEY = "tanyaberita"
ANSWER_CACHE_SIZE = 5000
LANGUAGE_CACHE_SIZE = 20_000

K = TypeVar("K")
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """A dict that forgets the least recently used entry beyond ``capacity``."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """The ranked hits behind an answer message, for "Jawaban lain" paging and vote checks."""

    chat_id: int
    answer: Answer


@dataclass(slots=True)
class BotState:
    settings: Settings
    service: BotService
    flood: FloodGuard
    answers: LRUCache[int, CachedAnswer] = field(
        default_factory=lambda: LRUCache(ANSWER_CACHE_SIZE)
    )
    # chat id -> the chat's language setting ("" when the chat has none)
    chat_languages: LRUCache[int, str] = field(
        default_factory=lambda: LRUCache(LANGUAGE_CACHE_SIZE)
    )
    # content changes (reload, ingest, remove) run one at a time
    content_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    background: set[asyncio.Task[Any]] = field(default_factory=set)


def state(context: Any) -> BotState:
    """The shared ``BotState`` of a handler's ``CallbackContext``."""
    return state_of(context.bot_data)


def state_of(bot_data: Mapping[str, Any]) -> BotState:
    """The shared ``BotState`` in an application's ``bot_data``."""
    found = bot_data[STATE_KEY]
    if not isinstance(found, BotState):  # pragma: no cover - wiring error
        raise TypeError("bot_data holds no BotState")
    return found

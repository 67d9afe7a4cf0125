"""Outgoing Bot API calls that survive a flaky network.

``RetryingRateLimiter`` is PTB's ``AIORateLimiter`` (Telegram's flood limits; a ``RetryAfter``
answer is waited out and the call repeated) plus retries on network errors — a refused or reset
connection, a timeout, a 5xx from Telegram's front end — with a growing pause, so that an answer
is not lost to a hiccup. Errors that repeating cannot fix (``BadRequest``, ``Forbidden``, an
invalid token) are raised at once. ``getUpdates`` never passes through a rate limiter (PTB's
polling loop retries it by itself).

A retry after a *timeout* can, rarely, deliver a message twice: Telegram may have received the
first attempt and only its answer was lost. A duplicate answer is the lesser evil.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

__all__ = ["NETWORK_RETRIES", "RetryingRateLimiter"]

log = logging.getLogger("tanyaberita.retry")

NETWORK_RETRIES = 3
BACKOFF_S = 0.5  # then 1 s, 2 s: about 3.5 s in all before giving up


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, *, network_retries: int = NETWORK_RETRIES, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._network_retries = network_retries

    async def process_request(  # noqa: PLR0917 - BaseRateLimiter's signature
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # a NetworkError subclass, but final
                raise
            except NetworkError as error:
                if attempt == self._network_retries:
                    raise
                delay = BACKOFF_S * 2**attempt
                log.warning(
                    "Bot API %s failed (%s); retry %d of %d in %.1f s",
                    endpoint,
                    error,
                    attempt + 1,
                    self._network_retries,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

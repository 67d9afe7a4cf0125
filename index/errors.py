"""Errors a user sees, with a stable key and parameters besides their English sentence.

The English message is what the CLI prints and the logs record. The ``key`` and ``params``
let a front end say the same in the user's language (the bot's catalogue in ``bot.i18n`` has
a template per key); a front end that does not know a key shows the English message. Keys are
part of the contract between ``index`` and its callers: renaming one is a breaking change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = ["ErrorDetail", "ErrorKey", "ErrorParam", "KeyedError"]

ErrorKey: TypeAlias = Literal[
    # reading a file, an upload or a page (index.sources)
    "empty",
    "binary",
    "binary_format",
    "unknown_encoding",
    "invalid_encoding",
    "invalid_utf8",
    "unsupported_type",
    "too_large",
    "too_long",
    "no_article_text",
    "no_sentences",
    "cannot_read",
    # downloading a URL (index.store.fetch)
    "invalid_url",
    "only_http",
    "no_host",
    "unresolvable_host",
    "private_address",
    "timeout",
    "cannot_connect",
    "download_failed",
    "download_too_slow",
    "too_many_redirects",
    "http_status",
    "not_a_page",
    "not_html",
    # following a feed (index.feeds)
    "not_a_feed",
    "malformed_feed",
    "too_many_entries",
    "no_such_feed",
    # the store and the service
    "duplicate",
    "database_error",
    "database_unavailable",
    "content_dir_missing",
    "no_store",
    "reload_failed",
    "count_failed",
]
ErrorParam: TypeAlias = str | int | float


class KeyedError(Exception):
    """An exception whose message is one English sentence, with an optional ``key`` and
    ``params`` for translation (pickles with them: they live in ``__dict__``)."""

    def __init__(
        self,
        message: str,
        *,
        key: ErrorKey | None = None,
        params: Mapping[str, ErrorParam] | None = None,
    ) -> None:
        super().__init__(message)
        self.key: ErrorKey | None = key
        self.params: dict[str, ErrorParam] = dict(params or {})

    def detail(self, message: str | None = None) -> ErrorDetail:
        return ErrorDetail(str(self) if message is None else message, self.key, self.params)


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One error as data: the English ``message``, and ``key``/``params`` when it has them.
    ``cause``: the error it wraps (``reload_failed`` wraps why the reload failed)."""

    message: str
    key: ErrorKey | None = None
    params: Mapping[str, ErrorParam] = field(default_factory=dict, hash=False)
    cause: ErrorDetail | None = None

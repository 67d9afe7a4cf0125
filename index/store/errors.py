"""Store exceptions (a module of their own so ``index.service`` can name them without
importing SQLAlchemy)."""

from __future__ import annotations

from index.errors import KeyedError

__all__ = ["StoreError", "StoreUnavailableError"]


class StoreError(KeyedError):
    """A content-store failure the user can understand (the message says what to do; ``key``
    and ``params`` say it for translation, see ``index.errors``)."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached, created or upgraded."""

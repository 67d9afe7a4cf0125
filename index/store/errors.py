"""Store exceptions (a module of their own so ``index.service`` can name them without
importing SQLAlchemy)."""

from __future__ import annotations

__all__ = ["StoreError", "StoreUnavailableError"]


class StoreError(Exception):
    """A content-store failure the user can understand (the message says what to do)."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached, created or upgraded."""

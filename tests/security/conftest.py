"""Security tests share the store fixtures (a fresh database and a content directory)."""

from __future__ import annotations

from tests.store.conftest import content_dir, database_url

__all__ = ["content_dir", "database_url"]

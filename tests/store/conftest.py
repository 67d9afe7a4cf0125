"""The store fixtures (``tests.support.store``) for the tests in this folder. The helpers are
importable from here too, for tests written before they moved to ``tests.support``."""

from __future__ import annotations

from tests.support.store import (
    ARTICLE_BANJIR,
    ARTICLE_GEMPA,
    PAGES,
    PG_SKIP,
    ROOT,
    SHIPPED_CONTENT,
    TEST_DATABASE_URL,
    content_dir,
    database_url,
    pg_admin_url,
    postgres_schema_url,
    service,
)

_pg_admin_url = pg_admin_url

__all__ = [
    "ARTICLE_BANJIR",
    "ARTICLE_GEMPA",
    "PAGES",
    "PG_SKIP",
    "ROOT",
    "SHIPPED_CONTENT",
    "TEST_DATABASE_URL",
    "_pg_admin_url",
    "content_dir",
    "database_url",
    "pg_admin_url",
    "postgres_schema_url",
    "service",
]

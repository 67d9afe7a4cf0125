"""Store fixtures' building blocks: every store test runs against SQLite, and against PostgreSQL
when ``TEST_DATABASE_URL`` is set (each test then gets a schema of its own, dropped afterwards).
``tests/store/conftest.py`` registers the fixtures for its folder."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from index.service import QAService

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PG_SKIP = (
    "TEST_DATABASE_URL is not set: PostgreSQL store tests need a server (`make test` and .ci/run "
    "use postgres@127.0.0.1:5432/test when it answers)"
)
ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CONTENT = ROOT / "content"
PAGES = ROOT / "tests" / "fixtures" / "pages"


def pg_admin_url() -> str:
    """The psycopg conninfo for TEST_DATABASE_URL (SQLAlchemy's driver prefix removed)."""

    url = make_url(TEST_DATABASE_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """TEST_DATABASE_URL narrowed to a fresh schema of its own, dropped afterwards."""
    if not TEST_DATABASE_URL:
        pytest.skip(PG_SKIP)

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    try:
        yield f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A content directory holding a copy of the shipped article."""
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, folder)
    return folder


@pytest.fixture
def service(database_url: str, content_dir: Path) -> Iterator[QAService]:
    svc = QAService.open(database_url, content_dir=content_dir)
    try:
        yield svc
    finally:
        svc.close()


ARTICLE_BANJIR = (
    "Hujan deras yang mengguyur sejak Senin malam membuat Kali Bekasi meluap dan merendam "
    "sedikitnya 450 rumah di Kecamatan Rawalumbu. Ketinggian air mencapai 1,5 meter.\n\n"
    "Kepala BPBD Kota Bekasi, Agus Salim, mengatakan petugas telah mengevakuasi 1.200 warga."
)
ARTICLE_GEMPA = (
    "Gempa bumi berkekuatan 5,6 magnitudo mengguncang Kabupaten Cianjur pada Senin siang. "
    "Badan Meteorologi, Klimatologi, dan Geofisika mencatat pusat gempa berada di darat.\n\n"
    "Ratusan bangunan rusak dan warga mengungsi ke tenda darurat."
)

"""Fault injection: a cuttable TCP path to PostgreSQL (``pg_proxy``) and the URLs around it.
``tests/reliability/conftest.py`` registers these fixtures, the store's and a CLI runner for real
subprocesses (``benchmarks.processes``) for its folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.reliability.tcpproxy import TcpProxy
from tests.support.store import postgres_schema_url

__all__ = ["pg_proxy", "pg_url", "sqlite_path", "through"]


def through(url: str, proxy: TcpProxy) -> str:
    """``url`` with its host and port replaced by the proxy's (query options kept)."""
    parsed = make_url(url).set(host="127.0.0.1", port=proxy.port)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema of its own (dropped afterwards)."""
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def pg_proxy(pg_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """A proxy in front of the test PostgreSQL server and the schema URL through it."""
    parsed = make_url(pg_url)
    proxy = TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432)).start()
    try:
        yield proxy, through(pg_url, proxy)
    finally:
        proxy.stop()


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")

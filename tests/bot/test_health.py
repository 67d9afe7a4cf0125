"""The health endpoint: 200 with what the instance serves while running, 503 while starting
or stopping, nothing else answered, slow clients cut off; wired into the Application's
start-up and shutdown."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from bot import health
from bot.health import HealthServer, attach_health_server
from index.service import QAService, load_content_dir
from tests.fakes import CONTENT_DIR


@pytest.fixture
def service() -> QAService:
    return QAService.from_documents(load_content_dir(CONTENT_DIR))


async def _started(app: Any, service: QAService) -> HealthServer:
    server = HealthServer(app, service, host="127.0.0.1", port=0, mode="webhook")
    await server.start()
    return server


async def test_running_instance_is_healthy(service: QAService) -> None:
    app = SimpleNamespace(running=True)
    server = await _started(app, service)
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{server.port}/healthz")
            assert response.status_code == 200
            body = response.json()
            assert body["status"] == "ok" and body["mode"] == "webhook"
            assert body["documents"] == 1 and body["sentences"] == service.snapshot.sentence_count
            app.running = False  # starting or draining
            response = await client.get(f"http://127.0.0.1:{server.port}/healthz?x=1")
            assert (response.status_code, response.json()["status"]) == (503, "unavailable")
            head = await client.head(f"http://127.0.0.1:{server.port}/healthz")
            assert head.status_code == 503 and head.content == b""
    finally:
        await server.stop()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/", 404), ("GET", "/healthz/../admin", 404), ("POST", "/healthz", 405)],
)
async def test_only_get_healthz_is_answered(
    service: QAService, method: str, path: str, status: int
) -> None:
    server = await _started(SimpleNamespace(running=True), service)
    try:
        async with httpx.AsyncClient() as client:
            response = await client.request(method, f"http://127.0.0.1:{server.port}{path}")
        assert response.status_code == status
    finally:
        await server.stop()


async def test_a_client_that_never_finishes_is_cut_off(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "_READ_TIMEOUT_S", 0.2)
    server = await _started(SimpleNamespace(running=True), service)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /healthz HTTP/1.1\r\n")  # no blank line: the request never ends
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 2) == b""  # closed without an answer
        writer.close()
        async with httpx.AsyncClient() as client:  # and the server still answers others
            assert (await client.get(f"http://127.0.0.1:{server.port}/healthz")).status_code == 200
    finally:
        await server.stop()


async def test_attached_server_starts_and_stops_with_the_application(
    service: QAService,
) -> None:
    calls: list[str] = []

    async def post_init(_: Any) -> None:
        calls.append("init")

    async def post_shutdown(_: Any) -> None:
        calls.append("shutdown")

    app = SimpleNamespace(running=False, post_init=post_init, post_shutdown=post_shutdown)
    server = attach_health_server(app, service, host="127.0.0.1", port=0, mode="polling")  # type: ignore[arg-type]
    await app.post_init(app)
    app.running = True
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{server.port}/healthz")
    assert response.json()["mode"] == "polling"
    port = server.port
    await app.post_shutdown(app)
    assert calls == ["init", "shutdown"]
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")

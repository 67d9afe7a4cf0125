"""A health endpoint for load balancers, container runtimes and monitoring (``HEALTH_PORT``).

``GET /healthz`` answers ``200`` with a small JSON document while the bot is running and
``503`` while it starts or shuts down (so a load balancer stops sending webhook traffic to an
instance that is draining)::

    {"status": "ok", "mode": "webhook", "uptime_s": 812.4, "revision": 17,
     "documents": 42, "sentences": 1375}

It is a plain asyncio server on its own port (``HEALTH_LISTEN``, default 127.0.0.1), started
with the Application and stopped with it, in polling and in webhook mode alike. The answer comes
from memory only (the index the bot answers from): a database outage does not make an instance
that still answers look dead. Nothing secret is in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from telegram.ext import Application

from bot.services import BotService

__all__ = ["HealthServer", "attach_health_server"]

log = logging.getLogger("tanyaberita.health")

_MAX_REQUEST_BYTES = 8192
_READ_TIMEOUT_S = 5.0


class HealthServer:
    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        service: BotService,
        *,
        host: str,
        port: int,
        mode: str,
    ) -> None:
        self._app = app
        self._service = service
        self._host, self._port, self._mode = host, port, mode
        self._server: asyncio.Server | None = None
        self._started = time.monotonic()

    @property
    def port(self) -> int:
        """The bound port (useful when started with port 0)."""
        if self._server is None or not self._server.sockets:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._started = time.monotonic()
        self._server = await asyncio.start_server(self._handle, self._host, self._port)
        log.info("health endpoint on http://%s:%d/healthz", self._host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def report(self) -> tuple[int, dict[str, Any]]:
        running = bool(self._app.running)
        snapshot = getattr(self._service, "snapshot", None)
        body: dict[str, Any] = {
            "status": "ok" if running else "unavailable",
            "mode": self._mode,
            "uptime_s": round(time.monotonic() - self._started, 1),
            "revision": int(getattr(self._service, "revision", 0)),
        }
        if snapshot is not None:
            body["documents"] = len(snapshot.documents)
            body["sentences"] = int(snapshot.sentence_count)
        return (200 if running else 503), body

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT_S)
            method, _, rest = request[:_MAX_REQUEST_BYTES].decode("latin-1").partition(" ")
            path = rest.split(" ", 1)[0].split("?", 1)[0]
            if method not in ("GET", "HEAD"):
                status, body = 405, {"status": "method not allowed"}
            elif path != "/healthz":
                status, body = 404, {"status": "not found"}
            else:
                status, body = self.report()
            payload = json.dumps(body).encode() if method != "HEAD" else b""
            reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}.get(
                status, "Service Unavailable"
            )
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nCache-Control: no-store\r\n"
                "Connection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a client that does not finish its request gets nothing
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def attach_health_server(
    app: Application[Any, Any, Any, Any, Any, Any],
    service: BotService,
    *,
    host: str,
    port: int,
    mode: str,
) -> HealthServer:
    """Start the health endpoint after the Application's own ``post_init`` and stop it after
    its ``post_shutdown``."""
    server = HealthServer(app, service, host=host, port=port, mode=mode)
    post_init, post_shutdown = app.post_init, app.post_shutdown

    async def init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if post_init is not None:
            await post_init(application)
        await server.start()

    async def shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await server.stop()
        if post_shutdown is not None:
            await post_shutdown(application)

    app.post_init = init
    app.post_shutdown = shutdown
    return server

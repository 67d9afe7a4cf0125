"""``tanyaberita serve``: start-up problems end as one clear line and a non-zero exit."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.ext._utils.webhookhandler import WebhookAppClass, WebhookServer

from benchmarks.processes import run_cli
from bot import cli, serve
from tests.fakes import FakeService
from tests.support.bot import TOKEN


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer .env or environment leaks into these runs."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET_TOKEN", "TELEGRAM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(["serve", *argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (None, "TELEGRAM_BOT_TOKEN is not set"),
        ("", "TELEGRAM_BOT_TOKEN is not set"),
        ("abc", "does not look like a bot token"),
        ("123456:short", "does not look like a bot token"),
    ],
)
def test_missing_or_malformed_token(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    token: str | None,
    problem: str,
) -> None:
    if token is not None:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    code, out = run(capsys)
    assert code == 2
    assert problem in out and "@BotFather" in out and ".env" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, "--webhook needs WEBHOOK_URL"),
        ({"WEBHOOK_URL": "bot.example.com/x"}, "--webhook needs WEBHOOK_URL"),
        (
            {"WEBHOOK_URL": "https://bot.example.com/x", "WEBHOOK_SECRET_TOKEN": "no spaces!"},
            "may only contain",
        ),
    ],
)
def test_bad_webhook_settings(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    problem: str,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, out = run(capsys, "--webhook")
    assert code == 2 and problem in out and "Traceback" not in out


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        (
            ("--webhook-url", "https://b.example/x", "--secret-token", "bad token!"),
            "may only contain",
        ),
        (("--webhook-url", "ftp://b.example/x"), "--webhook needs WEBHOOK_URL"),
    ],
)
def test_webhook_flags_override_settings(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: tuple[str, ...],
    problem: str,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://fine.example/hook")
    code, out = run(capsys, "--webhook", *flags)
    assert code == 2 and problem in out and "Traceback" not in out


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.com/tanyaberita", "tanyaberita"),
        ("https://b.example/a/b/", "a/b"),
        ("https://b.example", ""),
    ],
)
def test_webhook_path_follows_the_public_url(url: str, path: str) -> None:
    assert serve.webhook_path(url) == path


class _Rejecting(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def rejecting_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rejecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_service(monkeypatch: pytest.MonkeyPatch) -> FakeService:
    service = FakeService()
    monkeypatch.setattr(serve, "open_bot_service", lambda settings: service)
    return service


def test_token_rejected_by_telegram(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rejecting_api: str,
    fake_service: FakeService,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", rejecting_api)
    code, out = run(capsys)
    assert code == 2
    assert "Telegram rejected the bot token" in out and "@BotFather" in out
    assert TOKEN not in out and "Traceback" not in out
    assert fake_service.closed


@pytest.mark.parametrize(
    "case",
    [
        (
            ["--database-url", "postgresql+psycopg://bot:hunter2@db.internal:5433/berita"],
            {},
            "store: PostgreSQL bot@db.internal:5433/berita (--database-url)",
        ),
        (
            [],
            {"DATABASE_URL": "postgresql+psycopg://bot:hunter2@db.internal/berita"},
            "store: PostgreSQL bot@db.internal/berita (DATABASE_URL from the environment)",
        ),
    ],
    ids=["flag", "environment"],
)
def test_the_bot_logs_which_store_it_serves(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    rejecting_api: str,
    fake_service: FakeService,
    case: tuple[list[str], dict[str, str], str],
) -> None:
    """The store line a content command prints, in the bot's log: an operator can see that
    the bot and a `tanyaberita ingest` use the same database (never the password)."""
    argv, env, line = case
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", rejecting_api)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with caplog.at_level(logging.INFO, logger="tanyaberita.serve"):
        assert cli.main([*argv, "serve"]) == 2  # the token is refused after the store opened
    logged = [r.getMessage() for r in caplog.records if r.name == "tanyaberita.serve"]
    assert line in logged
    assert "hunter2" not in caplog.text


def test_unreachable_bot_api(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_service: FakeService
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", f"http://127.0.0.1:{port}")
    code, out = run(capsys)
    assert code == 1
    assert f"cannot reach the Bot API at http://127.0.0.1:{port}" in out
    assert TOKEN not in out and "Traceback" not in out
    assert fake_service.closed


def test_serve_is_listed_in_the_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    for flag in (
        "--webhook",
        "--webhook-url",
        "--listen",
        "--port",
        "--secret-token",
        "--poll-interval",
    ):
        assert flag in out


def test_token_never_reaches_the_log_even_at_debug_level(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    rejecting_api: str,
    fake_service: FakeService,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", rejecting_api)
    with caplog.at_level(logging.DEBUG):
        code = cli.main(["--log-level", "DEBUG", "serve"])
    assert code == 2
    assert TOKEN not in "".join(capsys.readouterr())
    logged = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert caplog.records and TOKEN not in logged and TOKEN.split(":")[1] not in logged
    assert logging.getLogger("httpx").level == logging.WARNING


def test_unreachable_bot_api_prints_no_traceback_as_a_process() -> None:
    """What an operator sees in the terminal: the retries and one error line, no traceback
    (python-telegram-bot's own record of the failed start is dropped below DEBUG)."""

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = run_cli(
        ["serve"],
        env={
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
        },
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and "Network Retry Loop" not in done.stderr
    assert lines[-1].startswith(f"error: cannot reach the Bot API at http://127.0.0.1:{port}")
    assert all("retry" in line for line in lines[:-1]) and len(lines) <= 4


def test_busy_webhook_port_names_the_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_service: FakeService
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:1")  # never reached
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out = run(
            capsys, "--webhook", "--webhook-url", "https://b.example/hook", "--port", str(port)
        )
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port} for the webhook" in out
    assert "already in use" in out and "WEBHOOK_PORT" in out
    assert "OSError" not in out and "Traceback" not in out


def test_busy_health_port_names_the_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_service: FakeService
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:1")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        monkeypatch.setenv("HEALTH_PORT", str(busy.getsockname()[1]))
        code, out = run(capsys)
    assert code == 1
    assert "for the health endpoint" in out and "HEALTH_PORT" in out


def test_unknown_webhook_listen_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_service: FakeService
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    code, out = run(
        capsys, "--webhook", "--webhook-url", "https://b.example/h", "--listen", "no.such.host."
    )
    assert code == 2 and "unknown address 'no.such.host.'" in out and "WEBHOOK_LISTEN" in out


def test_refused_webhook_requests_are_logged_rate_limited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    refusals = serve.RefusedWebhookLog(interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="tanyaberita.serve"):
        refusals.refused("wrong secret token", "10.0.0.5", None)
        for _ in range(5):
            now[0] += 1
            refusals.refused("no secret token", "10.0.0.5", "203.0.113.9")
        now[0] += 60
        refusals.refused("no secret token", "10.0.0.6", "203.0.113.9")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "refused a request from 10.0.0.5: wrong secret token" in lines[0]
    assert "WEBHOOK_SECRET_TOKEN" in lines[0] and "X-Telegram-Bot-Api-Secret-Token" in lines[0]
    assert "10.0.0.6, X-Forwarded-For 203.0.113.9: no secret token" in lines[1]
    assert "(5 more refused since the last such line)" in lines[1]


async def test_the_webhook_server_logs_what_it_refuses(caplog: pytest.LogCaptureFixture) -> None:
    """Through python-telegram-bot's own webhook server: wrong and missing secrets are
    answered 403 and logged (once per interval); the right secret is accepted silently."""

    serve.log_refused_webhooks(serve.RefusedWebhookLog(interval=0))
    queue: asyncio.Queue[object] = asyncio.Queue()
    bot = Bot(TOKEN)
    app = WebhookAppClass("/hook", bot, queue, secret_token="right-secret")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = WebhookServer("127.0.0.1", port, app, None)
    ready = asyncio.Event()
    task = asyncio.create_task(server.serve_forever(ready))
    await ready.wait()
    url = f"http://127.0.0.1:{port}/hook"
    body = {"update_id": 1}
    try:
        with caplog.at_level(logging.WARNING, logger="tanyaberita.serve"):
            async with httpx.AsyncClient() as client:
                wrong = {"X-Telegram-Bot-Api-Secret-Token": "other-secret"}
                assert (await client.post(url, json=body, headers=wrong)).status_code == 403
                assert (await client.post(url, json=body)).status_code == 403
                right = {"X-Telegram-Bot-Api-Secret-Token": "right-secret"}
                assert (await client.post(url, json=body, headers=right)).status_code == 200
    finally:
        await server.shutdown()
        task.cancel()
    lines = [r.getMessage() for r in caplog.records if r.name == "tanyaberita.serve"]
    assert len(lines) == 2
    assert "wrong secret token" in lines[0] and "other-secret" not in lines[0]
    assert "no secret token" in lines[1]


def test_only_start_up_failures_are_quietened(monkeypatch: pytest.MonkeyPatch) -> None:
    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, message, (), None)

    quiet = serve._QuietBootstrap()
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", logging.INFO)
    start = "Network Retry Loop (Bootstrap Initialize Application): Failed run number 0 of 0."
    assert not quiet.filter(record(start))
    assert quiet.filter(record("Network Retry Loop (Polling Updates): Failed run number 3."))
    assert quiet.filter(record("Error while getting Updates"))
    monkeypatch.setattr(root, "level", logging.DEBUG)
    assert quiet.filter(record(start))  # at DEBUG the traceback is wanted

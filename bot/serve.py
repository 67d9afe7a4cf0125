"""``tanyaberita serve``: run the bot by long polling (default) or behind a webhook.

Everything that can go wrong before the first update — a missing or malformed token, a token
Telegram rejects, an unreachable Bot API, a bad webhook setting — ends as one clear message and
a non-zero exit code, with the token redacted wherever it could appear.
"""

from __future__ import annotations

import errno
import logging
import re
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import build_application
from bot.cli.errors import CLIError
from bot.cli.semantic import start_semantic
from bot.cli.service import open_service
from bot.config import TOKEN_HELP, Settings, describe_store
from bot.health import attach_health_server
from bot.logs import install_token_redaction, redact
from bot.services import BotService

__all__ = ["ServeOptions", "open_bot_service", "serve", "webhook_path"]

log = logging.getLogger("tanyaberita.serve")

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True, slots=True)
class ServeOptions:
    webhook: bool = False
    poll_interval: float = 0.0
    database_url_flag: bool = False  # DATABASE_URL came from --database-url (for the store line)


def webhook_path(url: str) -> str:
    """The local path to listen on: the public URL's path, so a reverse proxy can forward the
    request unchanged (``https://bot.example.com/tanyaberita`` → ``tanyaberita``)."""
    return urlsplit(url).path.strip("/")


def _check_webhook(settings: Settings) -> tuple[str, str]:
    """The webhook URL and secret token, validated; a random secret when none is configured."""
    url = settings.webhook_url or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CLIError(
            "--webhook needs WEBHOOK_URL (or --webhook-url), the public https:// address "
            "Telegram posts updates to, e.g. https://bot.example.com/tanyaberita",
            2,
        )
    if (
        settings.webhook_secret_token is not None
        and settings.webhook_secret_token.get_secret_value()
    ):
        secret = settings.webhook_secret_token.get_secret_value()
        if not _SECRET_TOKEN.match(secret):
            raise CLIError(
                "WEBHOOK_SECRET_TOKEN may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)", 2
            )
    else:
        # Telegram sends the secret back with every update; a random one per start still
        # rejects forged requests. Several instances behind one URL need a shared, fixed one.
        secret = secrets.token_urlsafe(32)
        log.warning("WEBHOOK_SECRET_TOKEN is not set: using a random secret for this run")
    return url, secret


class _QuietBootstrap(logging.Filter):
    """python-telegram-bot logs a failed start (getMe, setWebhook, deleteWebhook) with three
    chained tracebacks before it re-raises; ``serve`` turns that exception into one line, so
    the record is dropped — unless the bot runs at DEBUG, where the traceback is wanted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
            return True
        # Only the start ("Bootstrap …"): failures while polling stay in the log.
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


_QUIET_BOOTSTRAP = _QuietBootstrap()


def _check_listen(host: str, port: int, what: str, settings_names: str) -> None:
    """Fail before connecting to Telegram when ``host:port`` cannot be listened on, naming
    the address and the settings that chose it."""
    address = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CLIError(
            f"cannot listen on {address} for the {what}: unknown address {host!r} "
            f"({exc.strerror}); check {settings_names}",
            2,
        ) from None
    for family, kind, proto, _, sockaddr in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(sockaddr)
            except OSError as exc:
                raise CLIError(_listen_problem(address, what, settings_names, exc)) from None


def _listen_problem(address: str, what: str, settings_names: str, exc: OSError) -> str:
    reason = {
        errno.EADDRINUSE: "the address is already in use (another process, or another "
        "tanyaberita, listens there; `ss -ltnp` shows which)",
        errno.EACCES: "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
        errno.EADDRNOTAVAIL: "this machine has no such address",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return f"cannot listen on {address} for the {what}: {reason}; check {settings_names}"


class RefusedWebhookLog:
    """Webhook requests refused for a missing or wrong secret token, logged at WARNING at most
    once per ``interval`` seconds (with the count of those not logged since), so that a proxy
    that drops the header, or a second instance registered with another secret, is visible
    without a flood of lines."""

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.clock = clock
        self._last: float | None = None
        self._unlogged = 0

    def refused(self, reason: str, remote: str, forwarded_for: str | None) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            self._unlogged += 1
            return
        more = (
            f" ({self._unlogged} more refused since the last such line)" if self._unlogged else ""
        )
        source = remote + (f", X-Forwarded-For {forwarded_for}" if forwarded_for else "")
        log.warning(
            "webhook: refused a request from %s: %s%s — Telegram sends the secret registered "
            "at start; check that the proxy passes the X-Telegram-Bot-Api-Secret-Token header "
            "and that every instance has the same WEBHOOK_SECRET_TOKEN",
            source,
            reason,
            more,
        )
        self._last, self._unlogged = now, 0


def log_refused_webhooks(refusals: RefusedWebhookLog) -> None:
    """Report requests the webhook server refuses (python-telegram-bot answers them 403 and
    logs them only at DEBUG). Wraps its request check; idempotent."""
    try:  # a private part of python-telegram-bot: without it the bot still runs, unlogged
        from telegram.ext._utils import webhookhandler  # noqa: PLC0415 - its absence is handled

        handler = webhookhandler.TelegramHandler
        original = getattr(handler, "_tanyaberita_original_validate", handler._validate_post)
    except (ImportError, AttributeError):  # pragma: no cover - another PTB version
        log.debug("refused webhook requests cannot be logged with this python-telegram-bot")
        return

    def validate(self: Any) -> None:
        try:
            original(self)
        except tornado.web.HTTPError as exc:
            headers = self.request.headers
            if self.secret_token is not None and exc.status_code == 403:
                token = headers.get("X-Telegram-Bot-Api-Secret-Token")
                if headers.get("Content-Type") != "application/json":
                    reason = "not a JSON request"
                elif not token:
                    reason = "no secret token"
                else:
                    reason = "wrong secret token"
                refusals.refused(reason, self.request.remote_ip, headers.get("X-Forwarded-For"))
            raise

    handler._tanyaberita_original_validate = original  # type: ignore[attr-defined]
    handler._validate_post = validate  # type: ignore[method-assign]


def open_bot_service(settings: Settings) -> BotService:
    """The store-backed answer service: the database opened (and migrated), the content
    directory synced into it, the index built from the stored tokens and semantic
    re-ranking started as ``SEMANTIC_RERANK`` says (embedding in the background)."""
    service = open_service(settings, for_the_bot=True)
    for error in service.start_report.errors:
        log.warning("content sync: %s", error)
    try:
        start_semantic(service, settings, background=True)  # lexical until embedded
    except CLIError:
        service.close()
        raise
    if not service.snapshot.documents:
        log.warning(
            "no articles yet: admins can add them with /tambah, or put files in %s",
            settings.content_dir,
        )
    return service


def _check_addresses(settings: Settings, *, webhook: bool) -> None:
    """The webhook and health addresses can be listened on (checked before Telegram is
    contacted); refused webhook requests will be logged."""
    if webhook:
        _check_listen(
            settings.webhook_listen,
            settings.webhook_port,
            "webhook",
            "WEBHOOK_LISTEN and WEBHOOK_PORT (--listen, --port)",
        )
        log_refused_webhooks(RefusedWebhookLog())
    if settings.health_port:
        _check_listen(
            settings.health_listen,
            settings.health_port,
            "health endpoint",
            "HEALTH_LISTEN and HEALTH_PORT",
        )


def serve(settings: Settings, options: ServeOptions) -> int:
    problem = settings.token_problem()
    if problem is not None:
        raise CLIError(f"{problem}\n{TOKEN_HELP}", 2)
    assert settings.telegram_bot_token is not None  # token_problem() checked it
    token = settings.telegram_bot_token.get_secret_value().strip()
    hidden = [token]
    password = urlsplit(settings.resolved_database_url()).password
    if password:
        hidden.append(password)
    webhook: tuple[str, str] | None = None
    if options.webhook:
        webhook = _check_webhook(settings)
        hidden.append(webhook[1])
    install_token_redaction(*hidden)
    _check_addresses(settings, webhook=webhook is not None)
    quiet = logging.getLogger("telegram.ext")
    quiet.addFilter(_QUIET_BOOTSTRAP)

    service = open_bot_service(settings)
    # Which database the bot serves (never the password): compare with a command's `store:` line.
    log.info("store: %s", describe_store(settings, database_url_flag=options.database_url_flag))
    try:
        app = build_application(settings, service, token=token)
        if settings.health_port:
            mode = "polling" if webhook is None else "webhook"
            host, port = settings.health_listen, settings.health_port
            attach_health_server(app, service, host=host, port=port, mode=mode)
        if webhook is None:
            log.info("starting long polling against %s", settings.telegram_base_url)
            app.run_polling(
                poll_interval=options.poll_interval,
                allowed_updates=Update.ALL_TYPES,
                close_loop=False,
            )
        else:
            url, secret = webhook
            log.info(
                "starting webhook on %s:%s for %s",
                settings.webhook_listen,
                settings.webhook_port,
                url,
            )
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=webhook_path(url),
                webhook_url=url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                close_loop=False,
            )
    except InvalidToken as exc:
        raise CLIError(
            f"Telegram rejected the bot token ({redact(str(exc), tuple(hidden))}).\n{TOKEN_HELP}", 2
        ) from None
    except NetworkError as exc:
        raise CLIError(
            f"cannot reach the Bot API at {settings.telegram_base_url}: "
            f"{redact(str(exc), tuple(hidden))}"
        ) from None
    except TelegramError as exc:
        raise CLIError(f"Telegram error: {redact(str(exc), tuple(hidden))}") from None
    except OSError as exc:  # a port taken between the check above and the start
        raise CLIError(f"cannot start the bot's servers: {exc.strerror or exc}") from None
    finally:
        quiet.removeFilter(_QUIET_BOOTSTRAP)
        service.close()
    return 0

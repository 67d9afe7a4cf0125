"""``tanyaberita serve``: run the bot by long polling (default) or behind a webhook.

Everything that can go wrong before the first update — a missing or malformed token, a token
Telegram rejects, an unreachable Bot API, a bad webhook setting — ends as one clear message and
a non-zero exit code, with the token redacted wherever it could appear.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import TOKEN_HELP, Settings
from bot.logs import install_token_redaction, redact
from bot.services import BotService

__all__ = ["ServeError", "ServeOptions", "open_service", "serve", "webhook_path"]

log = logging.getLogger("tanyaberita.serve")

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ServeError(Exception):
    """A user-facing start-up problem: printed as one line, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ServeOptions:
    webhook: bool = False
    poll_interval: float = 0.0


def webhook_path(url: str) -> str:
    """The local path to listen on: the public URL's path, so a reverse proxy can forward the
    request unchanged (``https://bot.example.com/tanyaberita`` → ``tanyaberita``)."""
    return urlsplit(url).path.strip("/")


def _check_webhook(settings: Settings) -> tuple[str, str]:
    """The webhook URL and secret token, validated; a random secret when none is configured."""
    url = settings.webhook_url or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServeError(
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
            raise ServeError(
                "WEBHOOK_SECRET_TOKEN may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)", 2
            )
    else:
        # Telegram sends the secret back with every update; a random one per start still
        # rejects forged requests. Several instances behind one URL need a shared, fixed one.
        secret = secrets.token_urlsafe(32)
        log.warning("WEBHOOK_SECRET_TOKEN is not set: using a random secret for this run")
    return url, secret


def open_service(settings: Settings) -> BotService:
    """The store-backed answer service: the database opened (and migrated), the content
    directory synced into it and the index built from the stored tokens."""
    from index.service import QAService
    from index.store.errors import StoreError

    try:
        service = QAService.open(settings.resolved_database_url(), content_dir=settings.content_dir)
    except StoreError as exc:
        raise ServeError(f"cannot open the content store: {exc}") from None
    for error in service.start_report.errors:
        log.warning("content sync: %s", error)
    if not service.snapshot.documents:
        log.warning(
            "no articles yet: admins can add them with /tambah, or put files in %s",
            settings.content_dir,
        )
    return service


def serve(settings: Settings, options: ServeOptions) -> int:
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.app import build_application

    problem = settings.token_problem()
    if problem is not None:
        raise ServeError(f"{problem}\n{TOKEN_HELP}", 2)
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

    service = open_service(settings)
    try:
        app = build_application(settings, service, token=token)
        if settings.health_port:
            from bot.health import attach_health_server

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
        raise ServeError(
            f"Telegram rejected the bot token ({redact(str(exc), tuple(hidden))}).\n{TOKEN_HELP}", 2
        ) from None
    except NetworkError as exc:
        raise ServeError(
            f"cannot reach the Bot API at {settings.telegram_base_url}: "
            f"{redact(str(exc), tuple(hidden))}"
        ) from None
    except TelegramError as exc:
        raise ServeError(f"Telegram error: {redact(str(exc), tuple(hidden))}") from None
    finally:
        service.close()
    return 0

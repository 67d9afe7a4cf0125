"""``tanyaberita serve``: the options of the Telegram bot's run (``bot.serve`` runs it)."""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import SecretStr

from bot.cli.arguments import Subcommands, positive_int
from bot.config import Settings

__all__ = ["cmd_serve", "register"]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.serve import ServeOptions, serve  # noqa: PLC0415 - python-telegram-bot and the web server: ~1 s that only `serve` needs

    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("webhook_url", args.webhook_url),
            ("webhook_listen", args.listen),
            ("webhook_port", args.port),
            ("webhook_secret_token", SecretStr(args.secret_token) if args.secret_token else None),
        )
        if value is not None
    }
    if overrides:
        settings = settings.model_copy(update=overrides)
    # A start-up problem is a CLIError, printed as one line like any command's.
    options = ServeOptions(
        webhook=args.webhook,
        poll_interval=args.poll_interval,
        database_url_flag=bool(args.database_url),
    )
    return serve(settings, options)


def register(sub: Subcommands) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the Telegram bot (long polling; --webhook for production)",
        description="Run the Telegram bot. Settings come from the environment or .env "
        "(TELEGRAM_BOT_TOKEN, ADMIN_USER_IDS, TELEGRAM_BASE_URL, WEBHOOK_*); flags override them.",
    )
    serve.add_argument("--webhook", action="store_true", help="receive updates by webhook")
    serve.add_argument("--webhook-url", help="public URL Telegram posts to (WEBHOOK_URL)")
    serve.add_argument("--listen", help="local address for the webhook server (WEBHOOK_LISTEN)")
    serve.add_argument("--port", type=positive_int, help="local webhook port (WEBHOOK_PORT)")
    serve.add_argument("--secret-token", help="webhook secret token (WEBHOOK_SECRET_TOKEN)")
    serve.add_argument(
        "--poll-interval",
        type=float,
        default=0.0,
        help="seconds between getUpdates calls (long polling; default 0)",
    )
    serve.set_defaults(handler=cmd_serve)

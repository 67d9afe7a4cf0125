"""``build_application``: the python-telegram-bot Application with every handler, in order.

The first matching handler in group 0 wins, so the order below is the bot's behaviour:
commands, documents, buttons and inline queries first; then plain text by chat type; then
deliberate silence or hints for everything else. Updates are processed concurrently: handlers
keep no per-update state outside local variables, the shared caches are touched only from the
event loop, and content changes are serialised by a lock (``BotState.content_lock``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.flood import FloodGuard
from bot.handlers import admin, errors, feedback, feeds, group, inline, private
from bot.logs import UPDATE_ID
from bot.retry import RetryingRateLimiter
from bot.services import BotService
from bot.state import STATE_KEY, BotState, state_of

__all__ = ["COMMANDS", "build_application", "telegram_api_urls"]

log = logging.getLogger(__name__)

COMMANDS: dict[str, list[tuple[str, str]]] = {
    "id": [
        ("tanya", "Ajukan pertanyaan tentang berita"),
        ("artikel", "Daftar artikel, terbaru dulu (atau cari: /artikel kata)"),
        ("bahasa", "Bahasa bot: id atau en"),
        ("help", "Bantuan"),
    ],
    "en": [
        ("ask", "Ask a question about the news"),
        ("artikel", "Articles, newest first (or search: /artikel word)"),
        ("bahasa", "Bot language: id or en"),
        ("help", "Help"),
    ],
}

GET_UPDATES_CONNECTIONS = 2
"""The long poll's connection plus one for the confirming getUpdates on stop."""
GET_UPDATES_POOL_TIMEOUT_SECONDS = 10.0


def telegram_api_urls(root: str) -> tuple[str, str]:
    """PTB's ``base_url`` and ``base_file_url`` for a Bot API root (PTB appends the token)."""
    root = root.rstrip("/")
    return f"{root}/bot", f"{root}/file/bot"


def build_application(
    settings: Settings,
    service: BotService,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    revision_poll_seconds: float | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application for ``settings`` answering from ``service``.

    ``request``/``get_updates_request`` replace the HTTP layer (tests); ``rate_limit=False``
    (or ``RATE_LIMIT_PER_SECOND=0``) drops AIORateLimiter; ``revision_poll_seconds``: how often
    to check for content changed by other instances (default: the service's own interval;
    ``0`` disables the check).
    """
    if token is None:
        if settings.telegram_bot_token is None:
            raise ValueError("no bot token configured")
        token = settings.telegram_bot_token.get_secret_value().strip()
    base_url, base_file_url = telegram_api_urls(settings.telegram_base_url)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    else:
        # On stop, PTB cancels the long poll and calls getUpdates once more to confirm what was
        # fetched. With PTB's one-connection pool that call can wait for the cancelled poll's
        # connection and time out (a traceback, and updates fetched again after a restart).
        builder = builder.get_updates_connection_pool_size(
            GET_UPDATES_CONNECTIONS
        ).get_updates_pool_timeout(GET_UPDATES_POOL_TIMEOUT_SECONDS)
    if rate_limit:
        # Telegram's limits for outgoing messages (per bot, and 20 a minute per group; both
        # off with RATE_LIMIT_PER_SECOND=0); RetryAfter answers are waited out and network
        # errors retried (bot/retry.py).
        rate = settings.rate_limit_per_second
        builder = builder.rate_limiter(
            RetryingRateLimiter(
                overall_max_rate=rate, group_max_rate=20 if rate > 0 else 0, max_retries=3
            )
        )
    app = builder.build()
    app.bot_data[STATE_KEY] = BotState(
        settings=settings,
        service=service,
        flood=FloodGuard(settings.flood_max_questions, settings.flood_window_seconds),
    )
    app.bot_data["revision_poll_seconds"] = revision_poll_seconds
    feed_service = feeds.make_feed_service(settings, service)
    if feed_service is not None:
        app.bot_data[feeds.FEEDS_KEY] = feed_service

    message = filters.UpdateType.MESSAGE
    edited = filters.UpdateType.EDITED_MESSAGE
    private_chat = filters.ChatType.PRIVATE
    group_chat = filters.ChatType.GROUPS
    plain_text = filters.TEXT & ~filters.COMMAND

    # First, in a group of its own: the update id for every log line about this update.
    app.add_handler(TypeHandler(Update, _mark_update), group=-1)
    app.add_handlers(
        [
            # everyone, any chat
            CommandHandler("start", private.on_start, filters=message),
            CommandHandler(["help", "bantuan"], private.on_help, filters=message),
            CommandHandler(["artikel", "articles"], private.on_articles, filters=message),
            CommandHandler(["bahasa", "language"], private.on_language, filters=message),
            CommandHandler(["tanya", "ask"], group.on_ask_command, filters=message),
            # admins (everyone else is refused politely inside)
            CommandHandler("reload", admin.on_reload, filters=message),
            CommandHandler(["tambah", "add"], admin.on_add, filters=message),
            CommandHandler(["hapus", "remove"], admin.on_remove, filters=message),
            CommandHandler("stats", admin.on_stats, filters=message),
            CommandHandler(["langganan", "subscribe"], feeds.on_subscribe, filters=message),
            CommandHandler(["berhenti", "unsubscribe"], feeds.on_unsubscribe, filters=message),
            CommandHandler("feeds", feeds.on_feeds, filters=message),
            CommandHandler(["kabari", "notify"], feeds.on_notify, filters=message),
            MessageHandler(message & filters.Document.ALL, admin.on_document),
            # buttons and inline mode
            CallbackQueryHandler(feedback.on_callback),
            InlineQueryHandler(inline.on_inline_query),
            # private chats: text is a question, an edited question is answered again
            MessageHandler(message & private_chat & plain_text, private.on_text),
            MessageHandler(edited & private_chat & plain_text, private.on_edited_text),
            MessageHandler(message & private_chat & filters.COMMAND, private.on_unknown_command),
            MessageHandler(message & private_chat, private.on_non_text),
            # groups: only follow-ups to the bot and @mentions; all other chatter is ignored
            MessageHandler(
                message & group_chat & plain_text & group.ADDRESSED_TO_BOT, group.on_addressed
            ),
            ChatMemberHandler(group.on_membership_change, ChatMemberHandler.MY_CHAT_MEMBER),
            # channel posts, edits in groups, stickers in groups…: deliberately nothing
        ]
    )
    app.add_error_handler(errors.on_error)
    return app


async def _mark_update(update: Update, _: Any) -> None:
    UPDATE_ID.set(update.update_id)


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menu (best effort) and start watching for content revisions."""
    for lang, commands in COMMANDS.items():
        try:
            await app.bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                language_code=None if lang == "id" else lang,
            )
        except TelegramError as exc:  # a Bot API without setMyCommands (e.g. an emulator)
            log.warning("could not publish the command menu (%s): %s", lang, exc)
            break
    interval: float | None = app.bot_data.get("revision_poll_seconds")
    if interval is None or interval > 0:
        # The service's watcher thread keeps the index in step with other instances: on
        # PostgreSQL it listens for change notifications (and checks every `interval` s as
        # a fallback), on SQLite it checks every `interval` s. `service.close()` stops it.
        service = state_of(app.bot_data).service
        if interval is None:
            await asyncio.to_thread(service.start_watching)
        else:
            await asyncio.to_thread(service.start_watching, interval)
    # Feeds due are polled in a thread of their own (one instance at a time on PostgreSQL).
    await feeds.start_polling(app, state_of(app.bot_data).settings.feed_check_seconds)


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await feeds.stop_polling(app.bot_data)
    st = state_of(app.bot_data)
    for task in list(st.background):
        task.cancel()
    await asyncio.gather(*st.background, return_exceptions=True)

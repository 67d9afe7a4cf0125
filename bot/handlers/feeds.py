"""Admin feed commands: ``/langganan URL [15m]``, ``/berhenti ID``, ``/feeds``; and the feed
poller's lifetime (started after the bot starts, stopped before the service closes).

The ``FeedService`` lives in ``bot_data[FEEDS_KEY]`` when the bot answers from a store; without
one (an answer-only service) the commands say feeds are not available.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.handlers.admin import admin_gate, exclusive
from bot.handlers.common import chat_language, reply_chunks, reply_text
from bot.handlers.private import may_change_chat_setting
from bot.i18n import Language, text
from bot.render_feeds import render_feeds, render_news, render_subscription
from bot.services import BotService
from bot.state import state_of
from bot.telegram_html import split_html
from index.feeds import FeedService, NewArticle
from index.store.errors import StoreError
from index.store.feeds import DEFAULT_INTERVAL_S, interval_from_text

__all__ = [
    "FEEDS_KEY",
    "feeds_of",
    "make_feed_service",
    "on_feeds",
    "on_notify",
    "on_subscribe",
    "on_unsubscribe",
    "start_polling",
    "stop_polling",
]

log = logging.getLogger(__name__)

FEEDS_KEY = "feeds"


def make_feed_service(settings: Settings, service: BotService) -> FeedService | None:
    """The feed service for a store-backed answer service (None for any other)."""
    return FeedService.for_service(
        service,
        retention_days=settings.retention_days,
        allow_private=settings.feeds_allow_private,
    )


def feeds_of(bot_data: Any) -> FeedService | None:
    found = bot_data.get(FEEDS_KEY)
    return found if isinstance(found, FeedService) else None


async def start_polling(
    app: Application[Any, Any, Any, Any, Any, Any], check_seconds: float
) -> None:
    """Start the poller thread; the articles its cycles add are announced, through the bot's
    rate limiter, to the chats that asked (``/kabari on``)."""
    feeds = feeds_of(app.bot_data)
    if feeds is None or check_seconds <= 0:
        return
    loop = asyncio.get_running_loop()

    def announce(articles: list[NewArticle]) -> None:  # in the poller thread
        asyncio.run_coroutine_threadsafe(_announce(app, feeds, articles), loop)

    feeds.on_new_articles = announce
    await asyncio.to_thread(feeds.start, check_seconds)


async def _announce(
    app: Application[Any, Any, Any, Any, Any, Any], feeds: FeedService, articles: list[NewArticle]
) -> None:
    service = state_of(app.bot_data).service
    default = state_of(app.bot_data).settings.default_language
    try:
        chats = await asyncio.to_thread(feeds.notice_chats)
    except StoreError as exc:
        log.warning("new articles not announced: %s", exc)
        return
    for chat_id in chats:
        try:
            lang = await asyncio.to_thread(service.chat_language, chat_id) or default
            await app.bot.send_message(
                chat_id,
                render_news(articles, lang),
                parse_mode=ParseMode.HTML,
                disable_web_page_preview=True,
            )
        except Forbidden:  # the bot left the chat or was blocked: stop telling it
            log.info("chat %s cannot be told of new articles any more; notices off", chat_id)
            await asyncio.to_thread(feeds.set_notice, chat_id, False)
        except (TelegramError, StoreError) as exc:
            log.warning("chat %s not told of new articles: %s", chat_id, exc)


async def stop_polling(bot_data: Any) -> None:
    feeds = feeds_of(bot_data)
    if feeds is not None:
        await asyncio.to_thread(feeds.close)


async def _feeds_for_admin(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, Language, FeedService] | None:
    """The message, chat language and feed service for an admin's feed command; None (after
    telling why) for anyone else or without a store."""
    message = await admin_gate(update, context)
    if message is None:
        return None
    lang = await chat_language(update, context)
    feeds = feeds_of(context.bot_data)
    if feeds is None:
        await reply_text(message, text(lang, "feeds_unavailable"))
        return None
    return message, lang, feeds


async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/langganan URL [interval]``: subscribe and read the feed once, now."""
    admin = await _feeds_for_admin(update, context)
    if admin is None:
        return
    message, lang, feeds = admin
    args = context.args or []
    if not args or len(args) > 2:
        await reply_text(message, text(lang, "langganan_usage"))
        return
    interval = DEFAULT_INTERVAL_S
    if len(args) == 2:
        try:
            interval = interval_from_text(args[1])
        except ValueError:
            await reply_text(message, text(lang, "langganan_bad_interval", value=args[1][:20]))
            return
    url = args[0]

    async def work() -> list[str]:
        sub = await asyncio.to_thread(feeds.subscribe, url, interval)
        log.info("feed subscription by admin: %s", sub.feed_id)
        return render_subscription(sub, interval, lang)

    await exclusive(message, lang, context, work)


async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await _feeds_for_admin(update, context)
    if admin is None:
        return
    message, lang, feeds = admin
    raw = (context.args or [""])[0].lstrip("#")
    if not raw.isdigit() or len(raw) > 18:
        await reply_text(message, text(lang, "berhenti_usage"))
        return
    feed_id = int(raw)

    async def work() -> list[str]:
        removed = await asyncio.to_thread(feeds.unsubscribe, feed_id)
        log.info("feed %s unsubscribed by admin: %s", feed_id, removed)
        return split_html(
            text(lang, "berhenti_done" if removed else "berhenti_missing", id=feed_id)
        )

    await exclusive(message, lang, context, work)


async def on_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await _feeds_for_admin(update, context)
    if admin is None:
        return
    message, lang, feeds = admin
    listing = await asyncio.to_thread(feeds.feeds)
    await reply_chunks(message, render_feeds(listing, lang))


async def on_notify(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/kabari on|off``: tell this chat of new articles from feeds (in groups: the group's
    admins decide, as for /bahasa)."""
    message = update.effective_message
    if message is None:
        return
    lang = await chat_language(update, context)
    feeds = feeds_of(context.bot_data)
    if feeds is None:
        await reply_text(message, text(lang, "feeds_unavailable"))
        return
    choice = (context.args or [""])[0].lower()
    if choice not in ("on", "off", "ya", "tidak"):
        await reply_text(message, text(lang, "kabari_usage"))
        return
    allowed = await may_change_chat_setting(update, context)
    if not allowed:
        await reply_text(message, text(lang, "kabari_admins_only" if allowed is False else "error"))
        return
    on = choice in ("on", "ya")
    await asyncio.to_thread(feeds.set_notice, message.chat_id, on)
    await reply_text(message, text(lang, "kabari_on" if on else "kabari_off"))

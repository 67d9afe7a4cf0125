"""Admin content commands: /reload, /tambah, /hapus, /stats, and documents sent to the bot.

Only users listed in ``ADMIN_USER_IDS``, speaking as themselves (see ``common.is_admin``), may
run them; anyone else gets a polite refusal and the attempt is logged with user and chat ids.
Content changes run one at a time; a second one while the first runs is told to wait.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath

from telegram import Document, Message, Update
from telegram.ext import ContextTypes

from bot.handlers.common import chat_language, is_admin, is_private, log, reply_chunks, reply_text
from bot.i18n import Language, megabytes, text
from bot.render import localized_error, render_ingest, render_reload, render_stats
from bot.render_feeds import feed_lines
from bot.state import state
from bot.telegram_html import escape, split_html
from index.store.errors import StoreError

__all__ = [
    "MAX_UPLOAD_BYTES",
    "UPLOAD_SUFFIXES",
    "admin_gate",
    "exclusive",
    "on_add",
    "on_document",
    "on_reload",
    "on_remove",
    "on_stats",
]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
"""A news article is a few kilobytes; anything near this is not one."""
UPLOAD_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")


async def admin_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Message | None:
    """The message when its sender is an admin; otherwise refuse politely, log, and ``None``."""
    message = update.effective_message
    if message is None:
        return None
    if is_admin(message, context):
        return message
    user = message.from_user
    log.warning(
        "refused admin command %r from user %s (sender_chat %s) in chat %s",
        next(iter((message.text or message.caption or "").split(maxsplit=1)), ""),
        user.id if user else None,
        message.sender_chat.id if message.sender_chat else None,
        message.chat_id,
    )
    await reply_text(message, text(await chat_language(update, context), "admin_only"))
    return None


async def exclusive(
    message: Message,
    lang: Language,
    context: ContextTypes.DEFAULT_TYPE,
    work: Callable[[], Awaitable[list[str]]],
) -> None:
    lock = state(context).content_lock
    if lock.locked():
        await reply_text(message, text(lang, "busy"))
        return
    async with lock:
        try:
            chunks = await work()
        except StoreError as exc:  # the database failed: say so instead of "something went wrong"
            log.warning("content change failed: %s", exc)
            error = localized_error(exc.detail(), lang)
            chunks = split_html(text(lang, "store_error", error=escape(error)))
    await reply_chunks(message, chunks)


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = await admin_gate(update, context)
    if message is None:
        return
    lang = await chat_language(update, context)
    service = state(context).service

    async def work() -> list[str]:
        report = await asyncio.to_thread(service.reload)
        log.info("reload by admin: %s", report)
        return render_reload(report, lang)

    await exclusive(message, lang, context, work)


def _check_upload(document: Document, lang: Language) -> str | None:
    """Why ``document`` cannot be an article (before downloading it), or ``None``."""
    name = document.file_name or "?"
    suffix = PurePosixPath(name).suffix.lower()
    mime = (document.mime_type or "").lower()
    if suffix not in UPLOAD_SUFFIXES or not (mime.startswith("text/") or not mime):
        return text(lang, "upload_wrong_type", name=_escape_name(name))
    size = document.file_size or 0
    if size > MAX_UPLOAD_BYTES:
        return _too_large(size, lang)
    return None


def _too_large(size: int, lang: Language) -> str:
    limit = megabytes(lang, MAX_UPLOAD_BYTES)
    return text(lang, "upload_too_large", size=megabytes(lang, size), limit=limit)


def _escape_name(name: str) -> str:
    return escape(name[:100])


async def _ingest_document(
    message: Message, document: Document, lang: Language, context: ContextTypes.DEFAULT_TYPE
) -> None:
    problem = _check_upload(document, lang)
    if problem is not None:
        await reply_text(message, problem)
        return
    name = document.file_name or "upload.txt"
    service = state(context).service

    async def work() -> list[str]:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
        if len(data) > MAX_UPLOAD_BYTES:  # file_size is optional in updates: check what came
            return [_too_large(len(data), lang)]
        # Content checks (charset, binary data, empty text) belong to the store: it reports
        # them as a failed IngestResult with a reason.
        result = await asyncio.to_thread(service.ingest_upload, name, data)
        log.info("upload %r by admin: %s", name, result.status)
        return render_ingest(result, lang)

    await exclusive(message, lang, context, work)


async def on_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/tambah URL``; ``/tambah [title]`` replying to a text or a document."""
    message = await admin_gate(update, context)
    if message is None:
        return
    lang = await chat_language(update, context)
    service = state(context).service
    args = context.args or []
    reply = message.reply_to_message
    if args and _URL.match(args[0]):
        url = args[0]

        async def add_url() -> list[str]:
            result = await asyncio.to_thread(service.ingest_url, url)
            log.info("url ingest by admin: %s", result.status)
            return render_ingest(result, lang)

        await exclusive(message, lang, context, add_url)
    elif reply is not None and reply.document is not None:
        await _ingest_document(message, reply.document, lang, context)
    elif reply is not None and (reply.text or reply.caption):
        body = reply.text or reply.caption or ""
        title = " ".join(args)

        async def add_text() -> list[str]:
            result = await asyncio.to_thread(service.ingest_text, title, body)
            log.info("text ingest by admin: %s", result.status)
            return render_ingest(result, lang)

        await exclusive(message, lang, context, add_text)
    else:
        await reply_text(message, text(lang, "tambah_usage"))


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document sent to the bot: an article upload from an admin (in private chats, or with
    the caption /tambah anywhere); a hint for other users in private; silence in groups."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    first = ((message.caption or "").split(maxsplit=1) or [""])[0]
    command, _, addressee = first.lower().partition("@")
    # "/tambah" or "/tambah@ThisBot"; a caption addressed to another bot is not for us.
    captioned = command in ("/tambah", "/add") and addressee in ("", context.bot.username.lower())
    if not captioned and not is_private(message):
        return
    if not captioned and not is_admin(message, context):
        await reply_text(message, text(await chat_language(update, context), "non_text"))
        return
    gated = await admin_gate(update, context)
    if gated is None:
        return
    await _ingest_document(gated, message.document, await chat_language(update, context), context)


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = await admin_gate(update, context)
    if message is None:
        return
    lang = await chat_language(update, context)
    raw = (context.args or [""])[0].lstrip("#")
    if not raw.isdigit() or len(raw) > 18:
        await reply_text(message, text(lang, "hapus_usage"))
        return
    document_id = int(raw)
    service = state(context).service

    async def work() -> list[str]:
        removed = await asyncio.to_thread(service.remove, document_id)
        log.info("remove %s by admin: %s", document_id, removed)
        key = "hapus_done" if removed else "hapus_missing"
        return split_html(text(lang, key, id=document_id))

    await exclusive(message, lang, context, work)


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = await admin_gate(update, context)
    if message is None:
        return
    lang = await chat_language(update, context)
    stats = await asyncio.to_thread(state(context).service.stats, 5)
    chunks = render_stats(stats, lang)
    from bot.handlers.feeds import feeds_of  # noqa: PLC0415 - it imports this module

    feed_service = feeds_of(context.bot_data)
    if feed_service is not None:  # the feeds, with their last success and error
        listing = await asyncio.to_thread(feed_service.feeds)
        if listing:
            chunks += split_html(
                "\n\n".join([text(lang, "feeds_header"), *feed_lines(listing, lang)])
            )
    await reply_chunks(message, chunks)

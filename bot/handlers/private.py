"""Private chats: any text is a question; /start, /help, /artikel, /bahasa; hints for the rest.

/start, /help, /artikel and /bahasa also work in groups (addressed as ``/cmd@Bot`` there).
"""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import callbacks
from bot.handlers.common import (
    answer_question,
    chat_language,
    is_admin,
    is_private,
    log,
    reply_chunks,
    reply_text,
    without_own_mention,
)
from bot.i18n import Language, text
from bot.render import render_article_page, render_help, render_welcome
from bot.state import state

__all__ = [
    "may_change_chat_setting",
    "on_articles",
    "on_articles_page",
    "on_edited_text",
    "on_help",
    "on_language",
    "on_non_text",
    "on_start",
    "on_text",
    "on_unknown_command",
]


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    lang = await chat_language(update, context)
    documents = await asyncio.to_thread(state(context).service.documents)
    await reply_chunks(message, render_welcome(documents, lang))


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    lang = await chat_language(update, context)
    bot = context.bot
    chunks = render_help(
        bot.username, is_admin(message, context), lang, bool(bot.can_read_all_group_messages)
    )
    await reply_chunks(message, chunks)


async def on_articles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/artikel [search term]``: the first page, newest first; buttons turn the pages."""
    message = update.effective_message
    if message is None:
        return
    lang = await chat_language(update, context)
    query = callbacks.search_term(context.args or [])
    documents = await asyncio.to_thread(state(context).service.documents)
    chunks, markup = render_article_page(documents, query, 0, lang)
    await reply_chunks(message, chunks, markup)


async def on_articles_page(
    query: CallbackQuery,
    data: callbacks.Callback,
    lang: Language,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    """A "Berikutnya ▸"/"◂ Sebelumnya" button: the list's message shows that page."""
    message = query.message
    if not isinstance(message, Message) or not message.is_accessible:  # deleted or too old
        await query.answer(text(lang, "stale_list"))
        return
    documents = await asyncio.to_thread(state(context).service.documents)
    chunks, markup = render_article_page(documents, data.query, data.page, lang)
    try:
        await message.edit_text(chunks[0], parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # a double click is fine
            log.info("could not edit the article list: %s", exc)
            await query.answer(text(lang, "stale_list"))
            return
    await query.answer()


async def may_change_chat_setting(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> bool | None:
    """Anyone in a private chat; in groups only the group's administrators (an anonymous
    admin, who speaks as the group itself, is one). ``None`` when Telegram cannot tell."""
    message = update.effective_message
    if message is None:
        return False
    if message.sender_chat is not None:
        return message.sender_chat.id == message.chat_id
    if message.from_user is None:
        return False
    if is_private(message):
        return True
    try:
        member = await context.bot.get_chat_member(message.chat_id, message.from_user.id)
    except TelegramError as exc:
        log.warning("chat %s: could not check the member's status: %s", message.chat_id, exc)
        return None
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    st = state(context)
    choice = (context.args or [""])[0].lower()
    if choice not in ("id", "en"):
        await reply_text(message, text(await chat_language(update, context), "language_usage"))
        return
    allowed = await may_change_chat_setting(update, context)
    if not allowed:
        key = "language_admins_only" if allowed is False else "error"
        await reply_text(message, text(await chat_language(update, context), key))
        return
    await asyncio.to_thread(st.service.set_chat_language, message.chat_id, choice)
    st.chat_languages.put(message.chat_id, choice)
    await reply_text(message, text(choice, "language_set"))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None or message.via_bot is not None:
        return  # via_bot: one of our own inline answers posted by the user
    await answer_question(
        update, context, message, without_own_mention(message.text, context.bot.username)
    )


async def on_edited_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited question (usually a fixed typo) is answered again, as a reply to it."""
    await on_text(update, context)


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes, locations…: a hint that questions are text."""
    message = update.effective_message
    if message is None:
        return
    log.debug("non-text message in private chat %s", message.chat_id)
    await reply_text(message, text(await chat_language(update, context), "non_text"))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    await reply_text(message, text(await chat_language(update, context), "unknown_command"))

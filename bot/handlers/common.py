"""Helpers shared by the handlers: who is asking, in which language, and how to reply.

``answer_question`` is the one path every question takes (private text, /tanya, group
follow-ups and mentions): flood check → ``bot.qa.ask_and_log`` off the event loop → render →
reply to the asking message in its chat and forum topic.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.i18n import Language, count, language_for, text
from bot.qa import ask_and_log
from bot.render import answer_keyboard, render_abstention, render_answer
from bot.state import CachedAnswer, state
from bot.telegram_html import split_html

__all__ = [
    "answer_question",
    "chat_language",
    "is_admin",
    "is_private",
    "reply_chunks",
    "reply_text",
    "sender_id",
    "without_own_mention",
]

log = logging.getLogger("bot.handlers")
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def without_own_mention(text: str, bot_username: str) -> str:
    """``text`` without the bot's own ``@username`` (any case; a longer name that merely starts
    with it stays): what a user asks when they address the bot by name."""
    pattern = rf"@{re.escape(bot_username)}\b"
    return re.sub(pattern, " ", text, flags=re.IGNORECASE).strip()


def sender_id(message: Message) -> int:
    """Who sent ``message``: the user, or the chat an anonymous admin or channel speaks as."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.from_user.id if message.from_user else message.chat_id


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def is_admin(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Only a listed user speaking as themselves: anonymous group admins and channels (the
    message has ``sender_chat``) have no identity to check, and a forwarded command was not
    typed by its sender."""
    if message.sender_chat is not None or message.forward_origin is not None:
        return False
    user = message.from_user
    return (
        user is not None and not user.is_bot and user.id in state(context).settings.admin_user_ids
    )


async def chat_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Language:
    """The chat's own setting (looked up once per chat, then cached), else the user's."""
    st = state(context)
    chat = update.effective_chat
    setting: str | None = None
    if chat is not None:
        cached = st.chat_languages.get(chat.id)
        if cached is None:
            try:
                cached = await asyncio.to_thread(st.service.chat_language, chat.id) or ""
                st.chat_languages.put(chat.id, cached)
            except Exception as exc:  # the database is away: answer anyway, in the user's language
                log.warning("chat %s: language setting unavailable: %s", chat.id, exc)
                cached = ""
        setting = cached or None
    user = update.effective_user
    return language_for(user.language_code if user else None, setting, st.settings.default_language)


async def reply_chunks(
    message: Message, chunks: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send ``chunks`` as replies to ``message`` (same chat and forum topic); the keyboard goes
    on the last one. Returns the last message sent."""
    sent: Message | None = None
    for number, chunk in enumerate(chunks, 1):
        sent = await message.reply_html(
            chunk,
            reply_parameters=ReplyParameters(
                message_id=message.message_id, allow_sending_without_reply=True
            ),
            reply_markup=markup if number == len(chunks) else None,
            link_preview_options=_NO_PREVIEW,
        )
    return sent


async def reply_text(message: Message, html_text: str) -> Message | None:
    return await reply_chunks(message, split_html(html_text))


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, question: str
) -> None:
    st = state(context)
    lang = await chat_language(update, context)
    sender = sender_id(message)
    verdict = st.flood.check(sender)
    if not verdict.allowed:
        log.info("flood guard: dropped a question from %s in chat %s", sender, message.chat_id)
        if verdict.notify:
            wait = count(lang, "second", verdict.retry_after)
            await reply_text(message, text(lang, "flood", seconds=wait))
        return
    outcome = await asyncio.to_thread(
        ask_and_log,
        st.service,
        chat_id=message.chat_id,
        user_id=sender,
        question=question,
        top_k=st.settings.top_k,
    )
    answer = outcome.answer
    log.info(
        "chat %s: %s in %.1f ms (question %s)",
        message.chat_id,
        f"abstained ({answer.reason})" if answer.abstained else f"{len(answer.hits)} hits",
        outcome.latency_ms,
        outcome.question_id,
    )
    if answer.abstained:
        await reply_chunks(message, render_abstention(answer, outcome.documents, lang))
        return
    markup = None
    if outcome.question_id:
        st.answers.put(outcome.question_id, CachedAnswer(message.chat_id, answer))
        markup = answer_keyboard(outcome.question_id, 0, len(answer.hits), lang)
    await reply_chunks(message, render_answer(answer, 0, lang), markup)

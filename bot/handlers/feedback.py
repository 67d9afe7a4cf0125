"""Buttons. Under answers: "Jawaban lain" pages through the ranked hits by editing the
message; 👍/👎 records a vote. Callback data is parsed strictly (``bot.callbacks``): forged or
unknown data, an answer from another chat, or one too old to be known gets a short note and
nothing else.

Paging uses the hits cached when the answer was sent. After a restart (or once the cache has
forgotten it) the question is read back from the message the answer replies to and asked
again; that result is used for this click only, never cached, so forged ids cannot plant
answers for other chats.

Under /artikel: "Berikutnya ▸"/"◂ Sebelumnya" turn the list's pages (``private``).
"""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import callbacks
from bot.handlers.common import chat_language, log, reply_chunks, without_own_mention
from bot.handlers.group import question_from_command
from bot.handlers.private import on_articles_page
from bot.i18n import Language, text
from bot.render import answer_keyboard, render_answer
from bot.state import state
from index.engine import Answer

__all__ = ["on_callback"]


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    lang = await chat_language(update, context)
    data = callbacks.parse(query.data)
    if data is None:
        log.warning("ignored unknown callback data from user %s", query.from_user.id)
        await query.answer(text(lang, "stale_answer"))
    elif data.action == "list":
        await on_articles_page(query, data, lang, context)
    elif data.action == "vote":
        await _vote(query, data, lang, context)
    else:
        await _page(query, data, lang, context)


async def _vote(
    query: CallbackQuery,
    data: callbacks.Callback,
    lang: Language,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    st = state(context)
    cached = st.answers.get(data.question_id)
    message = query.message
    if cached is not None and (message is None or cached.chat_id != message.chat.id):
        await query.answer(text(lang, "stale_answer"))
        return
    if message is None:  # answers with buttons are always messages the bot sent
        await query.answer(text(lang, "stale_answer"))
        return
    recorded = await asyncio.to_thread(
        st.service.record_feedback,
        question_id=data.question_id,
        user_id=query.from_user.id,
        vote=data.vote,
        chat_id=message.chat.id,  # only a question asked in this chat: forged ids do nothing
    )
    if not recorded:
        await query.answer(text(lang, "stale_answer"))
        return
    await query.answer(
        text(lang, "feedback_thanks_up" if data.vote > 0 else "feedback_thanks_down")
    )


def _asked_question(message: Message, bot_username: str) -> str:
    """The question an answer message replies to (its text, minus a /tanya or @mention)."""
    asked = message.reply_to_message
    if asked is None or not (asked.text or asked.caption):
        return ""
    words = (asked.text or asked.caption or "").split()
    if words and words[0].startswith("/"):
        return question_from_command(asked, words[1:])
    return without_own_mention(" ".join(words), bot_username)


async def _page(
    query: CallbackQuery,
    data: callbacks.Callback,
    lang: Language,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    st = state(context)
    message = query.message
    if not isinstance(message, Message) or not message.is_accessible:  # deleted or too old
        await query.answer(text(lang, "stale_answer"))
        return
    answer: Answer | None = None
    cached = st.answers.get(data.question_id)
    if cached is not None:
        answer = cached.answer if cached.chat_id == message.chat.id else None
    else:
        question = _asked_question(message, context.bot.username)
        if question:
            answer = await asyncio.to_thread(st.service.ask, question, st.settings.top_k)
    if answer is None or answer.abstained or data.page >= len(answer.hits):
        await query.answer(text(lang, "stale_answer"))
        return
    chunks = render_answer(answer, data.page, lang)
    markup = answer_keyboard(data.question_id, data.page, len(answer.hits), lang)
    try:
        await message.edit_text(
            chunks[0], parse_mode="HTML", reply_markup=markup if len(chunks) == 1 else None
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # a double click is fine; the rest is stale
            log.info("could not edit answer message: %s", exc)
            await query.answer(text(lang, "stale_answer"))
            return
    if len(chunks) > 1:  # a page longer than one message: the rest follows as replies
        asked = message.reply_to_message or message
        await reply_chunks(asked, chunks[1:], markup)
    await query.answer()

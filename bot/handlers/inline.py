"""Inline mode: ``@Bot question`` in any chat offers the top answers as results to post."""

from __future__ import annotations

import asyncio

from telegram import InlineQueryResultsButton, Update
from telegram.ext import ContextTypes

from bot.i18n import language_for, text
from bot.render import render_inline_results
from bot.state import state

__all__ = ["INLINE_CACHE_SECONDS", "on_inline_query"]

INLINE_CACHE_SECONDS = 60
"""Telegram may reuse results this long: answers change only when the content does."""


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    st = state(context)
    lang = language_for(query.from_user.language_code, None, st.settings.default_language)
    question = query.query.strip()
    if not question:
        button = InlineQueryResultsButton(text(lang, "inline_help_title"), start_parameter="inline")
        await query.answer([], cache_time=INLINE_CACHE_SECONDS, button=button)
        return
    answer = await asyncio.to_thread(st.service.ask, question, st.settings.top_k)
    await query.answer(render_inline_results(answer, lang), cache_time=INLINE_CACHE_SECONDS)

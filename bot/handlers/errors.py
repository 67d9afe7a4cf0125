"""The one error handler: log the failure (token redacted by ``bot.logs``) and tell the user
something short — never a traceback. Errors while telling the user are logged and dropped."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.handlers.common import log
from bot.i18n import language_for, text
from bot.state import state

__all__ = ["on_error"]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):  # the user blocked the bot or removed it from the group
        log.info("update %s: not allowed to reply: %s", update_id, error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network problem talking to Telegram: %s", error)
        return
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    lang = language_for(
        user.language_code if user else None, None, state(context).settings.default_language
    )
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text(lang, "error"))
        elif update.inline_query is not None:
            return
        elif update.effective_message is not None and update.effective_chat is not None:
            if update.effective_chat.type == ChatType.CHANNEL:
                return
            await update.effective_message.reply_text(text(lang, "error"))
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", exc)

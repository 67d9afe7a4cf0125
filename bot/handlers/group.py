"""Groups and supergroups: answer only when addressed, stay quiet otherwise.

Addressed means ``/tanya``/``/ask`` (``/tanya@Bot`` too — PTB drops commands meant for other
bots), a reply to one of the bot's messages (a follow-up), or an @mention of the bot. With
privacy mode on (Telegram's default) a bot receives only the first two; plain @mentions arrive
only when privacy mode is off or the bot is a group admin (see docs/bot.md).
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import ContextTypes, filters

from bot.handlers.common import (
    answer_question,
    chat_language,
    reply_text,
    without_own_mention,
)
from bot.i18n import text
from bot.render import how_to_ask_in_groups

__all__ = [
    "ADDRESSED_TO_BOT",
    "on_addressed",
    "on_ask_command",
    "on_membership_change",
    "question_from_command",
]


def _mentions(message: Message, username: str) -> bool:
    wanted = f"@{username}".lower()
    try:
        mentions = message.parse_entities([MessageEntity.MENTION])
        text_mentions = message.parse_entities([MessageEntity.TEXT_MENTION])
    except UnicodeDecodeError:  # entity offsets that split a character: not a real mention
        return False
    if any(value.lower() == wanted for value in mentions.values()):
        return True
    return any(e.user is not None and e.user.id == message.get_bot().id for e in text_mentions)


def _replies_to_bot(message: Message) -> bool:
    reply = message.reply_to_message
    return (
        reply is not None
        and reply.from_user is not None
        and reply.from_user.id == message.get_bot().id
        # in forum topics every message "replies" to the topic's first message
        and reply.forum_topic_created is None
    )


class _AddressedToBot(filters.MessageFilter):
    """A reply to the bot or a mention of it, not a message posted through inline mode."""

    def filter(self, message: Message) -> bool:
        if message.via_bot is not None:
            return False
        username = message.get_bot().username
        return _replies_to_bot(message) or _mentions(message, username)


ADDRESSED_TO_BOT = _AddressedToBot(name="ADDRESSED_TO_BOT")


def question_from_command(message: Message, args: list[str]) -> str:
    """``/tanya q`` → q; a bare ``/tanya`` in reply to someone's text asks that text."""
    question = " ".join(args).strip()
    reply = message.reply_to_message
    if not question and reply is not None and not _replies_to_bot(message):
        question = (reply.text or reply.caption or "").strip()
    return question


async def on_ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    question = question_from_command(message, context.args or [])
    if not question:
        await reply_text(message, text(await chat_language(update, context), "tanya_usage"))
        return
    await answer_question(update, context, message, question)


async def on_addressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = without_own_mention(message.text, context.bot.username)
    await answer_question(update, context, message, question)


_OUTSIDE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
_INSIDE = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)


async def on_membership_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Added to a group: one short message on how to ask there. Other changes: nothing."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    if (
        change.old_chat_member.status not in _OUTSIDE
        or change.new_chat_member.status not in _INSIDE
    ):
        return
    lang = await chat_language(update, context)
    bot = context.bot
    groups = how_to_ask_in_groups(bot.username, bool(bot.can_read_all_group_messages), lang)
    await bot.send_message(
        change.chat.id, text(lang, "group_intro", groups=groups), parse_mode=ParseMode.HTML
    )

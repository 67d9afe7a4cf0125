"""Offline harness for the bot: the real Application with a recording HTTP layer.

``RecordingRequest`` stands in for the Bot API: it records every ``(method, params)`` call and
answers with canned JSON shaped like Telegram's. Updates are built as Bot API JSON and fed
through ``Update.de_json`` + ``Application.process_update``, so PTB's own filters, command
parsing, serialisation and error path all run.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.config import Settings
from tests.fakes import FakeService

TOKEN = "123456789:AAHfakeTokenForOfflineTests_abcdefghij"
BOT_ID = 123456789
BOT_USERNAME = "TanyaBeritaBot"
ADMIN_ID = 4242
USER_ID = 1001
GROUP_ID = -100777


ADMIN_RIGHTS = (
    "can_be_edited",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
"""The rights a ``ChatMemberAdministrator`` must carry (``getChatMember`` answers)."""


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class RecordingRequest(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # file_path -> content
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)  # method -> (code, text)
    member_status: str = "member"
    privacy_mode: bool = True  # getMe's can_read_all_group_messages is its opposite
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(  # noqa: PLR0917 - BaseRequest's signature
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download
            path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            return 200, self.files[path]
        name = url.rsplit("/", 1)[1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(name, params))
        if name in self.errors:
            code, description = self.errors[name]
            body = {"ok": False, "error_code": code, "description": description}
            return code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Tanya", "username": BOT_USERNAME}
        if name == "getMe":
            return {
                **bot_user,
                "can_join_groups": True,
                "supports_inline_queries": True,
                "can_read_all_group_messages": not self.privacy_mode,
            }
        if name in ("sendMessage", "editMessageText"):
            message_id = params.get("message_id") or next(self._ids)
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": bot_user,
                "text": params.get("text", ""),
            }
        if name == "getChatMember":
            member: dict[str, Any] = {
                "status": self.member_status,
                "user": {"id": params["user_id"], "is_bot": False, "first_name": "U"},
            }
            if self.member_status in ("creator", "administrator"):
                member["is_anonymous"] = False
            if self.member_status == "administrator":
                member.update(dict.fromkeys(ADMIN_RIGHTS, False))
            return member
        if name == "getFile":
            path = f"documents/{params['file_id']}"
            return {
                "file_id": params["file_id"],
                "file_unique_id": "u" + params["file_id"],
                "file_path": path,
            }
        return True

    # -- assertions --------------------------------------------------------------------------
    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def texts(self) -> list[str]:
        return [p["text"] for p in self.sent()]

    def clear(self) -> None:
        self.calls.clear()


class Updates:
    """Bot API update JSON for the situations the bot must handle."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)

    @staticmethod
    def user(
        user_id: int = USER_ID, lang: str | None = "id", is_bot: bool = False
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": f"User{user_id}"}
        if lang is not None:
            user["language_code"] = lang
        return user

    @staticmethod
    def entities(text: str) -> list[dict[str, Any]]:
        """Command and @mention entities, offsets in UTF-16 code units like Telegram's."""
        found = []
        for match in re.finditer(r"(?<!\S)(@\w+|/\w+(?:@\w+)?)", text):
            if match.group().startswith("/") and match.start() != 0:
                continue
            found.append(
                {
                    "type": "mention" if match.group().startswith("@") else "bot_command",
                    "offset": len(text[: match.start()].encode("utf-16-le")) // 2,
                    "length": len(match.group().encode("utf-16-le")) // 2,
                }
            )
        return found

    def message(
        self,
        text: str | None = None,
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        user_id: int = USER_ID,
        lang: str | None = "id",
        reply_to: dict[str, Any] | None = None,
        thread_id: int | None = None,
        sender_chat: dict[str, Any] | None = None,
        forwarded: bool = False,
        via_bot: bool = False,
        kind: str = "message",
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if chat_id is None:
            chat_id = user_id if chat_type == "private" else GROUP_ID
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "Grup Berita"
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
        }
        if kind != "channel_post":
            message["from"] = self.user(user_id, lang)
        if text is not None:
            message["text"] = text
            if ents := self.entities(text):
                message["entities"] = ents
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            chat["is_forum"] = True
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        if forwarded:
            message["forward_origin"] = {"type": "hidden_user", "date": 1, "sender_user_name": "X"}
        if via_bot:
            message["via_bot"] = {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Tanya",
                "username": BOT_USERNAME,
            }
        if kind == "edited_message":
            message["edit_date"] = int(time.time())
        message.update(extra or {})
        return {"update_id": next(self._update_ids), kind: message}

    def bot_message(
        self, text: str, chat_id: int = GROUP_ID, chat_type: str = "group"
    ) -> dict[str, Any]:
        """A message the bot sent earlier (as it appears in ``reply_to_message``)."""
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "title": "Grup Berita"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Tanya", "username": BOT_USERNAME},
            "text": text,
        }

    def callback(
        self, data: str, message: dict[str, Any] | None, user_id: int = USER_ID, lang: str = "id"
    ) -> dict[str, Any]:
        query: dict[str, Any] = {
            "id": str(next(self._update_ids)),
            "from": self.user(user_id, lang),
            "chat_instance": "ci-1",
            "data": data,
        }
        if message is not None:
            query["message"] = message
        return {"update_id": next(self._update_ids), "callback_query": query}

    def inline(self, query: str, user_id: int = USER_ID, lang: str = "id") -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "inline_query": {
                "id": "iq1",
                "from": self.user(user_id, lang),
                "query": query,
                "offset": "",
            },
        }


@dataclass
class Harness:
    app: Application[Any, Any, Any, Any, Any, Any]
    request: RecordingRequest
    service: FakeService
    updates: Updates

    async def feed(self, payload: dict[str, Any]) -> None:
        self.request.clear()
        await self.app.process_update(Update.de_json(payload, self.app.bot))


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": SecretStr(TOKEN),
        "admin_user_ids": frozenset({ADMIN_ID}),
        "telegram_base_url": "http://127.0.0.1:9",
        "flood_max_questions": 0,
        "default_language": "id",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@asynccontextmanager
async def running_bot(settings: Settings, service: Any) -> AsyncIterator[Harness]:
    """The Application for ``service`` (a fake or a real ``QAService``) on a recording Bot API,
    without rate limiter or revision watcher; shut down on exit (the service stays open)."""
    request = RecordingRequest()
    app = build_application(
        settings, service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        yield Harness(app, request, service, Updates())
    finally:
        await app.shutdown()


@pytest.fixture
async def bot(settings: Settings, service: FakeService) -> AsyncIterator[Harness]:
    async with running_bot(settings, service) as harness:
        yield harness


# Sticker, photo and voice message fields: non-text input that handlers must treat deliberately.
MEDIA_PAYLOADS: tuple[dict[str, Any], ...] = (
    {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
)

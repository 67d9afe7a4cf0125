"""Start the Bot API emulator (tests/e2e/emulator/server.js) and talk to it as a user.

Used by the end-to-end tests and by ``benchmarks/bot_roundtrip.py``. The emulator runs as a
child process on 127.0.0.1 (a free port chosen by the OS) and is stopped by its PID.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.processes import ROOT
from bot.config import SHIPPED_CONTENT_DIR

EMULATOR_DIR = ROOT / "tests" / "e2e" / "emulator"  # the Node.js package of server.js
BOT_USERNAME = "TanyaTestBot"
BOT_ID = 777000


def unavailable_reason() -> str | None:
    """Why the emulator cannot run here, or ``None``."""
    if shutil.which("node") is None:
        return "Node.js is not installed (needed for the Bot API emulator)"
    if not (EMULATOR_DIR / "node_modules" / "telegram-test-api").is_dir():
        return "emulator not installed: run `make e2e-setup` (npm install in tests/e2e/emulator)"
    return None


class EmulatorProcess:
    """``node server.js`` on a free loopback port."""

    def __init__(self, *extra_args: str) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.extra_args = extra_args  # e.g. "--telegram-offsets" (see server.js)

    def start(self, timeout: float = 10.0) -> str:
        self.process = subprocess.Popen(
            [
                "node",
                "server.js",
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--bot-username",
                BOT_USERNAME,
                "--bot-id",
                str(BOT_ID),
                *self.extra_args,
            ],
            cwd=EMULATOR_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = self.process.stdout.readline()  # "listening http://127.0.0.1:PORT"
        if not line.startswith("listening ") or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.url = line.split()[1]
        return self.url

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        self.process = None


class ServeProcess:
    """The real ``tanyaberita serve`` (long polling, or ``webhook=True``) against the emulator,
    with its own SQLite store in a temporary directory and the shipped content.

    It runs in that temporary directory, so no developer ``.env`` is read; ``env`` adds or
    overrides settings. ``stop()`` sends SIGTERM (a graceful shutdown) and returns the log."""

    def __init__(
        self,
        emulator_url: str,
        token: str,
        *,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = ("--poll-interval", "0.01"),
    ) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="tanyaberita-serve-")
        self.dir = Path(self.tmp.name)
        self.database_url = f"sqlite:///{self.dir / 'store.sqlite3'}"
        full_env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_BASE_URL": emulator_url,
            "DATABASE_URL": self.database_url,
            "DATA_DIR": str(self.dir),
            "CONTENT_DIR": str(SHIPPED_CONTENT_DIR),
            "ADMIN_USER_IDS": "",
            "FLOOD_MAX_QUESTIONS": "0",
            "LOG_LEVEL": "INFO",
            **(env or {}),
        }
        self._output: str | None = None
        self.log_path = self.dir / "serve.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", *args],
            cwd=self.dir,
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        if self._output is not None:
            return self._output
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8")

    def stop(self) -> str:
        """SIGTERM, wait (kill after 15 s); the full log. Idempotent."""
        if self._output is None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self._output = self.log()
            self._log.close()
            self.tmp.cleanup()
        return self._output


_ids = itertools.count(1)


@dataclass
class BotMessage:
    """A message the bot sent, as the emulator stored it."""

    message_id: int
    chat_id: int
    text: str
    reply_to: int | None
    thread_id: int | None
    keyboard: list[list[dict[str, Any]]]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> BotMessage:
        message = entry["message"]
        reply = message.get("reply_parameters")
        reply = json.loads(reply) if isinstance(reply, str) else reply
        markup = message.get("reply_markup") or {}
        markup = json.loads(markup) if isinstance(markup, str) else markup
        thread = message.get("message_thread_id")
        return cls(
            message_id=int(entry["messageId"]),
            chat_id=int(message["chat_id"]),
            text=message.get("text", ""),
            reply_to=int(reply["message_id"]) if reply else None,
            thread_id=int(thread) if thread is not None else None,
            keyboard=markup.get("inline_keyboard", []),
            raw=entry,
        )

    def callback_data(self) -> list[str]:
        return [b["callback_data"] for row in self.keyboard for b in row]

    def as_telegram_message(self, chat: dict[str, Any]) -> dict[str, Any]:
        """The message as Telegram shows it to clients (for replies and callbacks)."""
        return {
            "message_id": self.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Tanya", "username": BOT_USERNAME},
            "text": self.text,
        }


class FakeUser:
    """A Telegram user (or group of users) driving the emulator for one bot token."""

    def __init__(self, emulator_url: str, token: str, client: httpx.AsyncClient) -> None:
        # ``client``'s read timeout must exceed the longest wait_for_replies timeout
        self.url = emulator_url
        self.token = token
        self.client = client

    @staticmethod
    def user(user_id: int, lang: str = "id") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": lang}

    @staticmethod
    def private_chat(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": f"U{user_id}"}

    @staticmethod
    def group_chat(chat_id: int, kind: str = "supergroup") -> dict[str, Any]:
        return {"id": chat_id, "type": kind, "title": "Grup Uji"}

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.client.post(f"{self.url}/{path}", json=body)
        response.raise_for_status()
        return response.json()["result"]

    async def send(
        self,
        text: str,
        *,
        user_id: int,
        chat: dict[str, Any] | None = None,
        lang: str = "id",
        reply_to: dict[str, Any] | None = None,
    ) -> int:
        """Send ``text`` as ``user_id``; returns our own id for the message (the emulator
        assigns the real one)."""
        message: dict[str, Any] = {
            "botToken": self.token,
            "message_id": next(_ids),
            "date": int(time.time()),
            "from": self.user(user_id, lang),
            "chat": chat or self.private_chat(user_id),
            "text": text,
        }
        entities = []
        if text.startswith("/"):
            entities.append(
                {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
            )
        if f"@{BOT_USERNAME}" in text and not text.startswith("/"):
            entities.append(
                {"type": "mention", "offset": text.index("@"), "length": len(BOT_USERNAME) + 1}
            )
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        await self._post("sendCommand" if text.startswith("/") else "sendMessage", message)
        return message["message_id"]

    async def click(
        self, message: BotMessage, data: str, *, user_id: int, chat: dict[str, Any]
    ) -> None:
        await self._post(
            "sendCallback",
            {
                "botToken": self.token,
                "from": self.user(user_id),
                "message": message.as_telegram_message(chat),
                "data": data,
            },
        )

    async def new_bot_messages(self, chat_id: int) -> list[BotMessage]:
        entries = await self._post("getUpdates", {"token": self.token, "chatId": chat_id})
        return [BotMessage.from_entry(e) for e in entries]

    async def wait_for_replies(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[BotMessage]:
        """The next ``count`` messages the bot sends to ``chat_id`` (fails after ``timeout``).
        Long-polls the emulator, so a reply is seen the moment the bot sends it."""
        found: list[BotMessage] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{len(found)} of {count} replies in chat {chat_id} after {timeout} s"
                )
            entries = await self._post(
                "waitUpdates", {"token": self.token, "chatId": chat_id, "timeout": left}
            )
            found.extend(BotMessage.from_entry(e) for e in entries)
        return found

    async def bot_message(self, message_id: int, chat_id: int) -> BotMessage:
        """The current state of a bot message (after edits)."""
        history = await self._post("getUpdatesHistory", {"token": self.token})
        for entry in history:
            if (
                entry.get("messageId") == message_id
                and "chat_id" in entry.get("message", {})
                and int(entry["message"]["chat_id"]) == chat_id
            ):
                return BotMessage.from_entry(entry)
        raise KeyError(message_id)

    async def callback_answers(self) -> list[dict[str, Any]]:
        return list(await self._post("getCallbackAnswers", {"token": self.token}))

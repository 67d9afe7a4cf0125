"""Callback data of the answer buttons: build it, and parse what comes back.

Telegram returns callback data verbatim, but a client can send any string, so ``parse`` accepts
only the exact shapes built here and everything else is ``None`` (the handler then does
nothing harmful). Data stays far below Telegram's 64-byte limit:

- ``more:<question id>:<page>`` — show ranked hit ``page`` (0-based) of a logged question;
- ``vote:<question id>:up`` / ``vote:<question id>:down`` — feedback on the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAX_PAGES", "Callback", "more_data", "parse", "vote_data"]

MAX_PAGES = 50
"""No answer has more ranked hits than this (the engine caps ``top_k`` at 50)."""

_PATTERN = re.compile(r"(more|vote):([1-9][0-9]{0,17}):([0-9]{1,2}|up|down)")


@dataclass(frozen=True, slots=True)
class Callback:
    action: Literal["more", "vote"]
    question_id: int
    page: int = 0
    vote: int = 0  # +1 or -1 for "vote"


def more_data(question_id: int, page: int) -> str:
    return f"more:{question_id}:{page}"


def vote_data(question_id: int, up: bool) -> str:
    return f"vote:{question_id}:{'up' if up else 'down'}"


def parse(data: object) -> Callback | None:
    """The callback encoded in ``data``, or ``None`` for anything this bot did not build."""
    if not isinstance(data, str):
        return None
    match = _PATTERN.fullmatch(data)
    if match is None:
        return None
    action, qid, arg = match.groups()
    if action == "more":
        if not arg.isdigit() or int(arg) >= MAX_PAGES:
            return None
        return Callback("more", int(qid), page=int(arg))
    if arg.isdigit():
        return None
    return Callback("vote", int(qid), vote=1 if arg == "up" else -1)

"""Callback data of the answer buttons: build it, and parse what comes back.

Telegram returns callback data verbatim, but a client can send any string, so ``parse`` accepts
only the exact shapes built here and everything else is ``None`` (the handler then does
nothing harmful). Data stays far below Telegram's 64-byte limit:

- ``more:<question id>:<page>`` — show ranked hit ``page`` (0-based) of a logged question;
- ``vote:<question id>:up`` / ``vote:<question id>:down`` — feedback on the answer;
- ``list:<page>`` / ``list:<page>:<search term>`` — page ``page`` (0-based) of ``/artikel``,
  the search term at most ``MAX_QUERY_BYTES`` bytes (``/artikel`` cuts longer ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MAX_PAGES",
    "MAX_QUERY_BYTES",
    "Callback",
    "list_data",
    "more_data",
    "parse",
    "search_term",
    "vote_data",
]

MAX_PAGES = 50
"""No answer has more ranked hits than this (the engine caps ``top_k`` at 50)."""
MAX_QUERY_BYTES = 40
"""An /artikel search term is cut to this many UTF-8 bytes, so it fits in the button data."""

_PATTERN = re.compile(r"(more|vote):([1-9][0-9]{0,17}):([0-9]{1,2}|up|down)")
_LIST = re.compile(r"list:(0|[1-9][0-9]{0,5})(?::(.+))?", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Callback:
    action: Literal["more", "vote", "list"]
    question_id: int = 0
    page: int = 0
    vote: int = 0  # +1 or -1 for "vote"
    query: str = ""  # the search term of a "list"


def search_term(words: list[str] | tuple[str, ...]) -> str:
    """The /artikel search term for ``words``: one space between words, no control
    characters, cut (at a word boundary where possible) to ``MAX_QUERY_BYTES``."""
    term = " ".join("".join(ch for ch in " ".join(words) if ch.isprintable()).split())
    if len(term.encode()) <= MAX_QUERY_BYTES:
        return term
    cut = term.encode()[:MAX_QUERY_BYTES].decode(errors="ignore")
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).strip()


def list_data(page: int, query: str = "") -> str:
    return f"list:{page}:{query}" if query else f"list:{page}"


def more_data(question_id: int, page: int) -> str:
    return f"more:{question_id}:{page}"


def vote_data(question_id: int, up: bool) -> str:
    return f"vote:{question_id}:{'up' if up else 'down'}"


def parse(data: object) -> Callback | None:
    """The callback encoded in ``data``, or ``None`` for anything this bot did not build."""
    if not isinstance(data, str):
        return None
    listing = _LIST.fullmatch(data)
    if listing is not None:
        page, query = listing.group(1), listing.group(2) or ""
        if query and search_term([query]) != query:  # not a term /artikel would have built
            return None
        return Callback("list", page=int(page), query=query)
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

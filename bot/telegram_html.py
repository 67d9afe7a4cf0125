"""Telegram HTML: escaping, and cutting a message into chunks that each fit one message.

``split_html`` parses the small tag set the bot produces (anything else is a bug and raises),
splits the text at paragraph, line or word boundaries and closes/reopens the open tags at every
cut, so no chunk ever holds broken markup.

Telegram limits a message to 4096 characters *after* entity parsing, counted in UTF-16 code
units. The chunks here are held to 4096 UTF-16 units of *raw HTML* — stricter, so a chunk is
within the limit however Telegram counts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAX_MESSAGE", "escape", "split_html", "utf16_len"]

MAX_MESSAGE = 4096
_TAGS = ("b", "i", "u", "s", "code", "blockquote")
_TAG_RE = re.compile(r"<(/?)([a-z]+)>")


def escape(value: str) -> str:
    """Text safe inside Telegram HTML (quotes need no escaping outside attributes)."""
    return html.escape(value, quote=False)


def utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Run:
    text: str
    tags: tuple[str, ...]


def _parse(markup: str) -> list[_Run]:
    """Runs of plain text with their open tags; raises ``ValueError`` on anything unexpected."""
    runs: list[_Run] = []
    stack: list[str] = []
    pos = 0
    for match in _TAG_RE.finditer(markup):
        if match.start() > pos:
            runs.append(_Run(html.unescape(markup[pos : match.start()]), tuple(stack)))
        closing, name = match.groups()
        if name not in _TAGS:
            raise ValueError(f"unsupported tag <{name}>")
        if closing:
            if not stack or stack[-1] != name:
                raise ValueError(f"unbalanced </{name}>")
            stack.pop()
        else:
            stack.append(name)
        pos = match.end()
    if pos < len(markup):
        runs.append(_Run(html.unescape(markup[pos:]), tuple(stack)))
    if stack:
        raise ValueError(f"unclosed <{stack[-1]}>")
    return runs


def _opening(tags: Sequence[str]) -> str:
    return "".join(f"<{t}>" for t in tags)


def _closing(tags: Sequence[str]) -> str:
    return "".join(f"</{t}>" for t in reversed(tags))


_ESCAPED_COST = {"&": 5, "<": 4, ">": 4}  # UTF-16 length of escape(char) for these


def _cost(char: str) -> int:
    return _ESCAPED_COST.get(char) or (2 if ord(char) > 0xFFFF else 1)


def _take(value: str, budget: int) -> tuple[str, str]:
    """The longest prefix of ``value`` whose escaped form fits ``budget`` UTF-16 units, cut at
    a paragraph, line or word boundary when one is reasonably close; and the rest."""
    if utf16_len(escape(value)) <= budget:  # the usual case: it all fits
        return value, ""
    used = 0
    n = 0
    for char in value:
        cost = _cost(char)
        if used + cost > budget:
            break
        used += cost
        n += 1
    if n >= len(value):
        return value, ""
    if n == 0:
        return "", value
    head = value[:n]
    for sep in ("\n\n", "\n", " "):
        cut = head.rfind(sep)
        if cut > n // 3:
            return value[:cut], value[cut:].lstrip()
    return head, value[n:]


def split_html(markup: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut Telegram HTML into chunks of at most ``limit`` UTF-16 units, each valid on its own.

    Chunks with no visible text are dropped (Telegram refuses empty messages). Raises
    ``ValueError`` when ``limit`` cannot hold the deepest nesting of tags around one character
    (never at the message limit: the bot nests three tags at most)."""
    if limit < 64:
        raise ValueError("limit too small to hold markup")
    runs = _parse(markup)
    deepest = max(
        (utf16_len(_opening(r.tags) + _closing(r.tags)) for r in runs if r.text.strip()),
        default=0,
    )
    if limit < deepest + max(_ESCAPED_COST.values()):
        raise ValueError(f"limit {limit} cannot hold the markup's nesting of tags ({deepest})")
    chunks: list[str] = []
    buf: list[str] = []
    length = 0
    stack: tuple[str, ...] = ()
    has_text = False

    def flush() -> None:
        nonlocal buf, length, stack, has_text
        if has_text:
            chunks.append("".join(buf) + _closing(stack))
        buf, length, stack, has_text = [], 0, (), False

    for run in runs:
        remaining = run.text
        while remaining:
            common = 0
            while common < min(len(stack), len(run.tags)) and stack[common] == run.tags[common]:
                common += 1
            transition = _closing(stack[common:]) + _opening(run.tags[common:])
            budget = limit - length - utf16_len(transition) - utf16_len(_closing(run.tags))
            if not has_text:
                remaining = remaining.lstrip()  # Telegram drops leading blanks anyway
                if not remaining:
                    break
            piece, rest = _take(remaining, budget)
            if not piece:
                if not buf:  # pragma: no cover - checked above: a fresh chunk fits a character
                    raise ValueError("markup nests too deep for the limit")
                flush()
                continue
            buf.append(transition + escape(piece))
            length += utf16_len(transition) + utf16_len(escape(piece))
            stack = run.tags
            has_text = has_text or bool(piece.strip())
            remaining = rest
            if rest:
                flush()
    flush()
    return chunks

"""A strict checker for the Telegram HTML the bot sends (test helper)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED = {"b", "i", "u", "s", "code", "blockquote"}
LIMIT = 4096


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED and not attrs, f"unexpected tag <{tag} {attrs}>"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check(chunk: str) -> str:
    """Assert ``chunk`` is one valid Telegram HTML message; return its visible text."""
    assert len(chunk.encode("utf-16-le")) // 2 <= LIMIT, "chunk longer than 4096 UTF-16 units"
    # every '<' and '&' must start a tag or an entity we produce
    assert not re.search(r"<(?!/?(b|i|u|s|code|blockquote)>)", chunk), "stray '<'"
    assert not re.search(r"&(?!(amp|lt|gt|quot);)", chunk), "stray '&'"
    checker = _Checker()
    checker.feed(chunk)
    checker.close()
    assert checker.stack == [], f"unclosed {checker.stack}"
    visible = "".join(checker.text)
    assert visible.strip(), "empty message"
    return visible


def visible(chunk: str) -> str:
    return html.unescape(re.sub(r"</?[a-z]+>", "", chunk))

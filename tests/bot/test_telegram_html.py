"""bot/telegram_html.py: escaping and cutting Telegram HTML into valid chunks (pure)."""

from __future__ import annotations

import re

import pytest

from bot import telegram_html
from bot.telegram_html import escape, split_html, utf16_len
from tests.bot.telegram_html import check, visible


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("\"kutip\" 'tunggal'", "\"kutip\" 'tunggal'"),
        ("&amp;", "&amp;amp;"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_short_markup_is_one_chunk_unchanged() -> None:
    markup = "<b>Judul</b>\n\nteks &lt;aman&gt; <i>miring <u>garis</u></i>"
    assert split_html(markup) == [markup]


@pytest.mark.parametrize(
    "text",
    [
        "kata " * 3000,  # many words
        "x" * 9000,  # one word longer than a message
        ("paragraf panjang. " * 60 + "\n\n") * 12,  # paragraphs
        "😀" * 5000,  # 2 UTF-16 units each
        "<&>" * 3000,  # each character escapes to 4-5 characters
    ],
    ids=["words", "one-long-word", "paragraphs", "emoji", "escapes"],
)
def test_split_keeps_every_chunk_valid_and_under_the_limit(text: str) -> None:
    markup = f"<b>Judul</b>\n<blockquote>{escape(text)}</blockquote>\n<i>sumber</i>"
    chunks = split_html(markup)
    assert len(chunks) > 1
    seen = "".join(check(c) for c in chunks)
    # nothing lost but the whitespace at the cuts
    assert re.sub(r"\s+", "", seen) == re.sub(r"\s+", "", visible(markup))
    # a chunk cut inside the quote reopens it
    assert all(c.count("<blockquote>") == c.count("</blockquote>") for c in chunks)


def test_split_prefers_paragraph_then_word_boundaries() -> None:
    para = "kalimat " * 200
    chunks = split_html("\n\n".join([para.strip()] * 5), limit=2000)
    assert all(c.endswith("kalimat") for c in chunks)
    words = split_html("abc " * 1000, limit=500)
    assert all(not c.startswith(" ") and c.split()[-1] == "abc" for c in words)


@pytest.mark.parametrize("limit", [64, 100, 4096])
def test_split_respects_any_limit(limit: int) -> None:
    markup = "<b><i>" + escape("é<ö> 😀 " * 400) + "</i></b>"
    for chunk in split_html(markup, limit=limit):
        assert utf16_len(chunk) <= limit
        check(chunk) if limit == 4096 else None


@pytest.mark.parametrize(
    "markup", ["<b>open", "</i>", "<b><i>x</b></i>", '<a href="x">link</a>', "<script>x</script>"]
)
def test_split_refuses_markup_it_did_not_make(markup: str) -> None:
    with pytest.raises(ValueError):
        split_html(markup)


def test_whitespace_only_chunks_are_dropped() -> None:
    assert split_html("   \n\n  ") == []
    assert split_html("<b> </b>") == []


@pytest.mark.parametrize("char", ["a", "&", "<", ">", '"', "'", "é", "😀", "\u200d", "𝔸", "\n"])
def test_cost_table_matches_escaping(char: str) -> None:
    assert telegram_html._cost(char) == utf16_len(escape(char))

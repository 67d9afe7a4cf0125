"""Property-based fuzzing of the bot's two surfaces that take arbitrary input.

1. **The answer formatter** (``bot.render``): any article text, title, question, file name or
   error — arbitrary Unicode, controls, RTL, emoji, astral characters, markup-like text — gives
   chunks of valid Telegram HTML (only the tags the bot uses, balanced, every ``<`` and ``&``
   ours), each within 4096 UTF-16 units, and the user's text shows up *as text*: markup in it
   is never interpreted (``<b>`` typed by a user is visible as ``<b>``).
2. **The update handlers**: random Bot API updates — messages, edits, channel posts, button
   clicks, inline queries, membership changes, documents; private chats, groups, supergroups,
   channels; admins and others, anonymous admins, forwarded commands, commands for other bots,
   entities with offsets that do not fit the text — go through the real Application
   (``process_update`` with a recording Bot API). No exception escapes, none reaches the error
   handler, each update finishes within a time bound, everything sent is valid Telegram HTML,
   and a non-admin never changes content.

Example counts: ``TANYABERITA_FUZZ_EXAMPLES`` (default 60 per property; ``benchmarks/fuzz.py``
runs many more and reports the totals).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, find, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot import render, telegram_html
from bot.app import build_application
from bot.telegram_html import escape, split_html, utf16_len
from index.engine import Answer, Hit
from index.errors import ErrorDetail
from index.results import DocumentInfo, IngestResult, ReloadReport, Stats
from tests.bot.telegram_html import check, visible
from tests.fakes import FakeService
from tests.support.bot import ADMIN_ID, BOT_ID, BOT_USERNAME, RecordingRequest, make_settings

EXAMPLES = int(os.environ.get("TANYABERITA_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
UPDATE_TIME_LIMIT_S = 5.0

_NASTY = st.sampled_from(
    [
        "<b>",
        "</b>",
        "<i>x</i>",
        "</blockquote>",
        '<a href="tg://user?id=1">x</a>',
        "<script>alert(1)</script>",
        "&amp;",
        "&lt;",
        "&#60;",
        "&",
        "<",
        ">",
        '"',
        "'",
        "\u202e",
        "\u200f",
        "\u200b",
        "\ufeff",
        "\x00",
        "\x1b[31m",
        "\r\n",
        "\t",
        "\u2028",
        "🙂",
        "👍🏽",
        "👨‍👩‍👧",
        "𝔸𝔹",
        "e\u0301",
        "مرحبا",
        "שלום",
        "中文",
        "\n\n",
        "/tanya",
        "@" + BOT_USERNAME,
        "gencatan senjata",
        "Putin",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=30), _NASTY), max_size=40).map("".join)
LONG_TEXT = st.one_of(
    TEXT,
    st.tuples(TEXT, st.integers(min_value=1, max_value=400)).map(lambda t: (t[0] + " ") * t[1]),
)


def _squash(value: str) -> str:
    """Text compared without whitespace: cuts between chunks may fall on spaces and newlines."""
    return re.sub(r"\s", "", value)


def _visible(chunks: list[str]) -> str:
    return "".join(check(chunk) for chunk in chunks)


def _valid(chunks: list[str]) -> list[str]:
    assert chunks, "nothing rendered"
    for chunk in chunks:
        assert utf16_len(chunk) <= 4096
        check(chunk)
    return chunks


# --- 1. the formatter -------------------------------------------------------------------------


@st.composite
def hits(draw: st.DrawFn) -> Hit:
    sentence = draw(LONG_TEXT.filter(lambda s: s.strip()))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(sentence)), max_size=8))))
    spans = tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b)
    return Hit(
        rank=1,
        score=draw(st.floats(allow_nan=False, allow_infinity=False)),
        sentence=sentence,
        before=draw(LONG_TEXT),
        after=draw(LONG_TEXT),
        document_id=draw(st.integers(1, 10**9)),
        document_title=draw(TEXT),
        position=0,
        highlights=spans,
    )


@FUZZ
@given(
    st.lists(hits(), min_size=1, max_size=4),
    st.data(),
    st.sampled_from(["id", "en"]),
)
def test_answers_render_valid_and_literal(found: list[Hit], data: st.DataObject, lang: str) -> None:
    answer = Answer(data.draw(TEXT), tuple(found), False)
    page = data.draw(st.integers(0, len(found) - 1))
    hit = found[page]
    visible = _squash(_visible(_valid(render.render_answer(answer, page, lang))))
    assert _squash(hit.sentence) in visible  # user and article text stay text
    assert _squash(hit.document_title) in visible
    results = render.render_inline_results(answer, lang)
    for result in results:
        _valid([result.input_message_content.message_text])


@FUZZ
@given(
    st.lists(
        st.builds(
            DocumentInfo,
            id=st.integers(1, 10**6),
            title=TEXT,
            sentences=st.integers(0, 10**5),
            source_kind=st.sampled_from(["content", "url", "upload", "text"]),
            source_ref=TEXT,
            updated_at=st.none(),
        ),
        max_size=30,
    ),
    TEXT,
    st.sampled_from(["id", "en"]),
)
def test_lists_and_reports_render_valid_and_literal(
    documents: list[DocumentInfo], free: str, lang: str
) -> None:
    pages = []
    for page in range(-(-len(documents) // render.ARTICLES_PER_PAGE) or 1):
        chunks, _ = render.render_article_page(documents, "", page, lang)
        assert len(_valid(chunks)) == 1  # a page is edited in place: it must be one message
        pages.append(_squash(_visible(chunks)))
    articles = "".join(pages)
    for document in documents:
        assert _squash(document.title[:15]) in articles
    _valid(render.render_article_page(documents, free, 0, lang)[0])
    abstention = Answer(free, (), True, "no_match")
    _valid(render.render_abstention(abstention, documents, lang))
    _valid(render.render_welcome(documents, lang))
    _valid(render.render_help(free or "bot", True, lang))
    stats = Stats(
        questions=9,
        answered=4,
        abstained=5,
        top_questions=((free, 3),),
        unanswered_questions=((free[::-1], 2),),
    )
    shown = _squash(_visible(_valid(render.render_stats(stats, lang))))
    assert _squash(free)[:200] in shown or not _squash(free)
    for status in ("added", "failed", "weird<b>"):
        result = IngestResult(free, status, 7 if status != "failed" else None, free, 3, free)
        _valid(render.render_ingest(result, lang))
    errors = (ErrorDetail(free), ErrorDetail(free * 3))
    _valid(render.render_reload(ReloadReport(error_details=errors), lang))


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Well-formed markup in the bot's tag set around escaped random text."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(["b", "i", "u", "s", "code", "blockquote"]))
            parts.append(f"<{tag}>{draw(markup(depth + 1))}</{tag}>")
        else:
            parts.append(escape(draw(LONG_TEXT)))
    return "".join(parts)


@FUZZ
@given(markup(), st.integers(min_value=64, max_value=4096))
def test_split_keeps_every_character_and_the_markup_valid(source: str, limit: int) -> None:
    try:
        chunks = split_html(source, limit=limit)
    except ValueError as error:  # only when the limit cannot hold the tags around a character
        assert "cannot hold the markup's nesting" in str(error)
        runs = telegram_html._parse(source)
        html = telegram_html
        deepest = max(utf16_len(html._opening(r.tags) + html._closing(r.tags)) for r in runs)
        assert limit < deepest + 5
        return
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        telegram_html._parse(chunk)  # balanced, known tags only
    if limit == 4096 and chunks:
        _valid(chunks)
    assert _squash("".join(visible(chunk) for chunk in chunks)) == _squash(visible(source))


# --- 2. the update handlers -------------------------------------------------------------------

COMMANDS = [
    "/start",
    "/help",
    "/bantuan",
    "/artikel",
    "/tanya",
    "/ask",
    "/bahasa",
    "/language",
    "/reload",
    "/tambah",
    "/add",
    "/hapus",
    "/remove",
    "/stats",
    "/unknown",
]
CONTENT_CHANGES = {"reload", "ingest_url", "ingest_upload", "ingest_text", "remove"}


@dataclass
class FuzzBot:
    loop: asyncio.AbstractEventLoop
    app: Any
    request: RecordingRequest
    service: FakeService
    errors: list[logging.LogRecord]


class _Errors(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


@pytest.fixture(scope="module")
def fuzz_bot() -> Iterator[FuzzBot]:
    loop = asyncio.new_event_loop()
    request = RecordingRequest()
    service = FakeService()
    service.pages["https://berita.example/a"] = "Presiden meresmikan bendungan baru pada Senin."
    app = build_application(
        make_settings(), service, request=request, rate_limit=False, revision_poll_seconds=0
    )
    loop.run_until_complete(app.initialize())
    errors: list[logging.LogRecord] = []
    handler = _Errors(errors)
    logging.getLogger().addHandler(handler)
    try:
        yield FuzzBot(loop, app, request, service, errors)
    finally:
        logging.getLogger().removeHandler(handler)
        loop.run_until_complete(app.shutdown())
        loop.close()


_ids = iter(range(1, 10**9))


def _entities(draw: st.DrawFn, text: str) -> list[dict[str, Any]]:
    length = len(text.encode("utf-16-le")) // 2
    found = []
    if text.startswith("/"):
        first = text.split(maxsplit=1)[0] if text.split() else text
        found.append(
            {"type": "bot_command", "offset": 0, "length": len(first.encode("utf-16-le")) // 2}
        )
    for _ in range(draw(st.integers(0, 2))):  # arbitrary, possibly outside the text
        found.append(
            {
                "type": draw(st.sampled_from(["mention", "bot_command", "bold", "url", "hashtag"])),
                "offset": draw(st.integers(0, length + 3)),
                "length": draw(st.integers(0, length + 3)),
            }
        )
    return found


@st.composite
def updates(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, bytes], bool]:
    """(update JSON, files the Bot API serves, whether the sender is a real admin)."""
    update_id = next(_ids)
    chat_type = draw(st.sampled_from(["private", "group", "supergroup", "channel"]))
    user_id = draw(st.sampled_from([ADMIN_ID, 1001, 1002, BOT_ID]))
    chat_id = user_id if chat_type == "private" else draw(st.sampled_from([-100777, -100888]))
    sender = {
        "id": user_id,
        "is_bot": user_id == BOT_ID,
        "first_name": draw(TEXT) or "U",
        "language_code": draw(st.sampled_from(["id", "en", "fr", "", "zz-ZZ"])),
    }
    if draw(st.booleans()):
        command = draw(st.sampled_from(COMMANDS))
        if draw(st.booleans()):
            command += draw(st.sampled_from([f"@{BOT_USERNAME}", "@OtherBot", "@"]))
        text = command + draw(st.sampled_from(["", " "])) + draw(LONG_TEXT)
    else:
        text = draw(LONG_TEXT)
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = draw(TEXT) or "Grup"
        chat["is_forum"] = draw(st.booleans())
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
    }
    if chat_type != "channel":
        message["from"] = sender
    anonymous = chat_type != "private" and draw(st.booleans()) and user_id == ADMIN_ID
    if anonymous or chat_type == "channel":
        message["sender_chat"] = {"id": chat_id, "type": chat_type, "title": "Grup"}
    forwarded = draw(st.booleans()) and draw(st.booleans())
    if forwarded:
        message["forward_origin"] = {"type": "hidden_user", "date": 1, "sender_user_name": "X"}
    files: dict[str, bytes] = {}
    kind = draw(
        st.sampled_from(
            ["text", "text", "text", "document", "sticker", "photo", "reply", "caption"]
        )
    )
    if kind in ("text", "reply"):
        message["text"] = text
        if ents := _entities(draw, text):
            message["entities"] = ents
    if kind == "reply":
        replied_from = draw(
            st.sampled_from(
                [
                    {"id": BOT_ID, "is_bot": True, "first_name": "Tanya", "username": BOT_USERNAME},
                    {"id": 1003, "is_bot": False, "first_name": "Other"},
                ]
            )
        )
        message["reply_to_message"] = {
            "message_id": next(_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": replied_from,
            "text": draw(LONG_TEXT) or ".",
        }
    if kind in ("document", "caption"):
        file_id = f"f{next(_ids)}"
        data = draw(
            st.one_of(
                st.binary(max_size=3000),
                LONG_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")),
            )
        )
        files[f"documents/{file_id}"] = data
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": draw(st.one_of(TEXT, st.sampled_from(["a.txt", "b.html", "d.pdf"]))),
            "mime_type": draw(st.sampled_from(["text/plain", "text/html", "application/pdf", ""])),
            "file_size": draw(st.sampled_from([len(data), 0, 10**9])),
        }
        if kind == "caption" or draw(st.booleans()):
            message["caption"] = draw(st.sampled_from(["/tambah", "/add@" + BOT_USERNAME, ""]))
    if kind == "sticker":
        message["sticker"] = {
            "file_id": "s1",
            "file_unique_id": "s1u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    if kind == "photo":
        message["photo"] = [{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}]
    shape = draw(st.sampled_from(["message", "message", "edited_message", "callback", "inline"]))
    if chat_type == "channel" and shape == "message":
        shape = "channel_post"
    is_admin = user_id == ADMIN_ID and not anonymous and not forwarded and chat_type != "channel"
    if shape == "callback":
        data = draw(
            st.one_of(
                TEXT,
                st.builds(
                    "{}:{}:{}".format,
                    st.sampled_from(["more", "vote", "x"]),
                    st.integers(-5, 10**20),
                    st.sampled_from(["0", "1", "up", "down", "-1", "99"]),
                ),
            )
        )
        query: dict[str, Any] = {
            "id": str(update_id),
            "from": sender,
            "chat_instance": "ci",
            "data": data[:64],
        }
        if draw(st.booleans()):
            bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "T"}
            query["message"] = {**message, "from": bot_user}
        return {"update_id": update_id, "callback_query": query}, files, is_admin
    if shape == "inline":
        inline = {"id": str(update_id), "from": sender, "query": text[:256], "offset": ""}
        return {"update_id": update_id, "inline_query": inline}, files, is_admin
    if shape == "edited_message":
        message["edit_date"] = int(time.time())
    return {"update_id": update_id, shape: message}, files, is_admin


def _sent_html(request: RecordingRequest) -> list[str]:
    return [
        str(call.params["text"])
        for call in request.calls
        if call.method in ("sendMessage", "editMessageText") and call.params.get("parse_mode")
    ]


@FUZZ
@given(updates())
def test_random_updates_are_handled(
    fuzz_bot: FuzzBot, case: tuple[dict[str, Any], dict[str, bytes], bool]
) -> None:
    payload, files, is_admin = case
    fuzz_bot.request.clear()
    fuzz_bot.request.files.update(files)
    fuzz_bot.errors.clear()
    changes_before = sum(c in CONTENT_CHANGES for c in fuzz_bot.service.calls)
    update = Update.de_json(payload, fuzz_bot.app.bot)
    started = time.monotonic()
    fuzz_bot.loop.run_until_complete(
        asyncio.wait_for(fuzz_bot.app.process_update(update), UPDATE_TIME_LIMIT_S)
    )
    assert time.monotonic() - started < UPDATE_TIME_LIMIT_S
    assert [r.getMessage() for r in fuzz_bot.errors] == []  # nothing reached the error handler
    kind = next(k for k in payload if k != "update_id")
    event(f"{kind}: {'answered' if fuzz_bot.request.calls else 'silent'}")
    for html_text in _sent_html(fuzz_bot.request):
        assert utf16_len(html_text) <= 4096
        check(html_text)
    changes = sum(c in CONTENT_CHANGES for c in fuzz_bot.service.calls) - changes_before
    if not is_admin:
        assert changes == 0, (payload, fuzz_bot.service.calls[-3:])


def _part(case: tuple[dict[str, Any], dict[str, bytes], bool], part: str) -> bool:
    payload = case[0]
    kind = next(k for k in payload if k != "update_id")
    message = payload[kind]
    return kind == part or (isinstance(message, dict) and part in message)


@pytest.mark.parametrize(
    "part",
    [
        "message",
        "edited_message",
        "channel_post",
        "callback_query",
        "inline_query",
        "document",
        "sticker",
        "photo",
        "reply_to_message",
        "forward_origin",
        "sender_chat",
    ],
)
def test_fuzz_generator_produces(part: str) -> None:
    """The strategy above can produce every shape (a guard against a silently narrow fuzz)."""
    found = find(
        updates(),
        lambda case: _part(case, part),
        settings=settings(max_examples=2000, database=None, phases=[Phase.generate]),
    )
    assert _part(found, part)


def test_an_entity_splitting_a_character_is_not_a_failure(fuzz_bot: FuzzBot) -> None:
    """Found by this fuzz: a mention entity covering half of an astral character (one UTF-16
    unit of a surrogate pair) made the group filter raise, and the user got an error reply."""
    fuzz_bot.request.clear()
    fuzz_bot.errors.clear()
    payload = {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids),
            "date": int(time.time()),
            "chat": {"id": -100777, "type": "group", "title": "Grup"},
            "from": {"id": 1001, "is_bot": False, "first_name": "U"},
            "text": "𝔸 siapa perantara gencatan senjata?",
            "entities": [{"type": "mention", "offset": 0, "length": 1}],
        },
    }
    update = Update.de_json(payload, fuzz_bot.app.bot)
    fuzz_bot.loop.run_until_complete(fuzz_bot.app.process_update(update))
    assert fuzz_bot.errors == []
    assert fuzz_bot.request.calls == []  # plain group chatter: silence

"""Answers and reports → Telegram HTML messages. Pure: no I/O, no bot, no service.

Every outgoing text is built as Telegram HTML from the catalogue in ``i18n`` with article and
user text passed through ``escape``, then cut by ``split_html`` (``bot.telegram_html``) into
chunks that each fit one message.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode

from bot import callbacks, smalltalk
from bot.i18n import count, error_text, number, text
from bot.telegram_html import escape, split_html, utf16_len
from index.engine import Answer, Hit
from index.errors import ErrorDetail
from index.results import DocumentInfo, IngestResult, ReloadReport, Stats
from index.tokens import fold

__all__ = [
    "answer_keyboard",
    "highlight",
    "how_to_ask_in_groups",
    "localized_error",
    "render_abstention",
    "render_answer",
    "render_article_page",
    "render_help",
    "render_ingest",
    "render_inline_results",
    "render_reload",
    "render_smalltalk",
    "render_stats",
    "render_welcome",
]

NEIGHBOUR_CHARS = 400
"""Context sentences are cut to this length: the passage has to stay readable on a phone."""
TITLES_SHOWN = 8
HINT_TITLES = 3
"""Titles in the one-line hint that answers a greeting (the newest)."""
HINT_TITLE_CHARS = 60
ARTICLES_PER_PAGE = 10
"""/artikel lists this many per page: a group should not scroll past the whole store."""
TITLE_UNITS = 300
"""A title in /artikel is cut to this many UTF-16 units of HTML, so ten fit one message."""
INLINE_RESULTS = 5


def _shorten(value: str, limit: int, from_start: bool = False) -> str:
    """``value`` cut to about ``limit`` characters at a word boundary, with an ellipsis."""
    if len(value) <= limit:
        return value
    if from_start:  # keep the end: the words nearest to the answer sentence
        cut = value[-limit:]
        space = cut.find(" ")
        return "…" + (cut[space + 1 :] if 0 <= space < limit // 2 else cut)
    cut = value[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut) + "…"


def highlight(
    sentence: str, spans: Sequence[tuple[int, int]], answer: tuple[int, int] | None = None
) -> str:
    """``sentence`` escaped, with the characters of each valid ``(start, end)`` span in bold;
    ``answer`` (the short answer's span) in bold italics, over any span it overlaps."""
    marked = [(start, end, "b") for start, end in spans]
    if answer is not None:
        a_start, a_end = answer
        marked = [(s, e, t) for s, e, t in marked if e <= a_start or s >= a_end]
        marked.append((a_start, a_end, "answer"))
    out: list[str] = []
    last = 0
    for start, end, tag in sorted(marked):
        if start < last or end <= start or end > len(sentence):
            continue  # overlapping or out-of-range spans are ignored, never trusted
        out.append(escape(sentence[last:start]))
        piece = escape(sentence[start:end])
        out.append(f"<b><i>{piece}</i></b>" if tag == "answer" else f"<b>{piece}</b>")
        last = end
    out.append(escape(sentence[last:]))
    return "".join(out)


def _marked_sentence(hit: Hit) -> str:
    short = hit.short_answer
    return highlight(hit.sentence, hit.highlights, (short.start, short.end) if short else None)


def _short_answer_line(hit: Hit) -> str:
    """The short answer in bold, the first thing a reader sees (empty when there is none)."""
    return f"<b>{escape(hit.short_answer.text)}</b>" if hit.short_answer else ""


# --- answers --------------------------------------------------------------------------------


def render_answer(answer: Answer, page: int, lang: str) -> list[str]:
    """Hit number ``page`` (0-based) of an answered question as message chunks."""
    hit: Hit = answer.hits[page]
    header = text(lang, "answer_header", rank=page + 1, total=len(answer.hits))
    short = _short_answer_line(hit)
    parts = [f"{header}\n{short}" if short else header]
    sentence = _marked_sentence(hit)
    if hit.before or hit.after:
        # The sentence once, underlined where it sits in its passage (question words bold).
        before = _shorten(hit.before, NEIGHBOUR_CHARS, from_start=True)
        after = _shorten(hit.after, NEIGHBOUR_CHARS)
        passage = " ".join(p for p in (escape(before), f"<u>{sentence}</u>", escape(after)) if p)
        parts.append(f"<blockquote>{passage}</blockquote>")
    else:
        parts.append(sentence)
    parts.append(text(lang, "answer_source", title=f"<i>{escape(hit.document_title)}</i>"))
    return split_html("\n\n".join(parts))


def answer_keyboard(question_id: int, page: int, total: int, lang: str) -> InlineKeyboardMarkup:
    """ "Jawaban lain" (next page, wrapping around) when there is more than one hit; 👍/👎."""
    rows: list[list[InlineKeyboardButton]] = []
    if total > 1:
        rows.append(
            [
                InlineKeyboardButton(
                    f"{text(lang, 'button_more')} ({(page + 1) % total + 1}/{total})",
                    callback_data=callbacks.more_data(question_id, (page + 1) % total),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=callbacks.vote_data(question_id, True)),
            InlineKeyboardButton("👎", callback_data=callbacks.vote_data(question_id, False)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _newest(documents: Sequence[DocumentInfo]) -> list[DocumentInfo]:
    """Newest first: ids grow as articles are added."""
    return sorted(documents, key=lambda d: d.id, reverse=True)


def _title_lines(documents: Sequence[DocumentInfo], lang: str, shown: int) -> str:
    """The ``shown`` newest titles, one a line, then how many more."""
    lines = [f"• {escape(d.title)}" for d in _newest(documents)[:shown]]
    if len(documents) > shown:
        lines.append(text(lang, "more_titles", count=len(documents) - shown))
    return "\n".join(lines)


def render_smalltalk(message: str, documents: Sequence[DocumentInfo] | None, lang: str) -> str:
    """Thanks for thanks; a greeting back (or a smile for "ok", "sip"…) with a one-line hint
    of what to ask: the newest titles (no hint when ``documents`` is ``None``: unknown)."""
    kind = smalltalk.classify(message)
    if kind.kind == "thanks":
        return text(lang, "smalltalk_thanks")
    if documents is None:
        hint = ""
    elif not documents:
        hint = text(lang, "no_articles")
    else:
        newest = sorted(documents, key=lambda d: d.id, reverse=True)
        titles = ", ".join(
            f"<i>{escape(_shorten(d.title, HINT_TITLE_CHARS))}</i>" for d in newest[:HINT_TITLES]
        )
        if len(documents) > HINT_TITLES:
            titles += " " + text(
                lang, "smalltalk_all", articles=count(lang, "article", len(documents))
            )
        hint = text(lang, "smalltalk_hint", titles=titles)
    if kind.kind == "greeting":
        return text(lang, "smalltalk_greeting", hello=text(lang, kind.hello), hint=hint).strip()
    return text(lang, "smalltalk_other", hint=hint).strip()


def render_abstention(
    answer: Answer, documents: Sequence[DocumentInfo] | None, lang: str
) -> list[str]:
    """Why there is no answer, and — for real questions — what the bot does know about
    (``documents``; ``None`` when not known, as in inline mode)."""
    if smalltalk.is_small_talk(answer.reason, answer.question):
        return split_html(render_smalltalk(answer.question, documents, lang))
    if answer.reason in ("empty", "unknown_document"):
        key = "empty_question" if answer.reason == "empty" else answer.reason
        return split_html(text(lang, key))
    parts = [text(lang, "not_in_article")]
    if documents:
        parts.append(text(lang, "known_titles", titles=_title_lines(documents, lang, TITLES_SHOWN)))
        parts.append(text(lang, "ask_tip"))
    elif documents is not None:
        parts.append(text(lang, "no_articles"))
    return split_html("\n\n".join(parts))


def render_welcome(documents: Sequence[DocumentInfo], lang: str) -> list[str]:
    titles = _title_lines(documents, lang, TITLES_SHOWN) if documents else text(lang, "no_articles")
    return split_html(text(lang, "start", titles=titles))


def how_to_ask_in_groups(bot_username: str, reads_all_messages: bool, lang: str) -> str:
    """What reaches the bot in a group: with privacy mode on (Telegram's default) only
    commands and replies to it, so @mentions are advertised only with privacy mode off."""
    key = "groups_all_messages" if reads_all_messages else "groups_privacy"
    return text(lang, key, bot=escape(bot_username))


def render_help(
    bot_username: str, is_admin: bool, lang: str, reads_all_messages: bool = False
) -> list[str]:
    """/help; ``reads_all_messages``: the bot's privacy mode is off (getMe's
    ``can_read_all_group_messages``)."""
    groups = how_to_ask_in_groups(bot_username, reads_all_messages, lang)
    body = text(lang, "help", bot=escape(bot_username), groups=groups)
    if is_admin:
        body += text(lang, "help_admin")
    return split_html(body)


def _short_title(title: str) -> str:
    """``title`` escaped, shortened until it takes at most ``TITLE_UNITS``."""
    limit = TITLE_UNITS // 2
    while utf16_len(short := escape(_shorten(title, limit))) > TITLE_UNITS:
        limit //= 2
    return short


def _matches(title: str, words: Sequence[str]) -> bool:
    folded = fold(title)
    return all(w in folded for w in words)


def render_article_page(
    documents: Sequence[DocumentInfo], query: str, page: int, lang: str
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """Page ``page`` (0-based; past the end: the last page) of the articles whose titles
    contain every word of ``query`` (all articles for ""), newest first, with buttons to
    the previous and next pages. Always one message: titles are cut to ``TITLE_UNITS``."""
    words = fold(query).split()
    found = _newest([d for d in documents if _matches(d.title, words)])
    if not found:
        key = "articles_none_found" if query else "no_articles"
        return split_html(text(lang, key, query=escape(query))), None
    pages = -(-len(found) // ARTICLES_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    header_key = "articles_found" if query else "articles_header"
    lines = [
        text(lang, header_key, query=escape(query), count=len(found), page=page + 1, pages=pages)
    ]
    start = page * ARTICLES_PER_PAGE
    lines.extend(
        text(
            lang,
            "article_line",
            id=d.id,
            title=_short_title(d.title),
            sentences=count(lang, "sentence", d.sentences),
        )
        for d in found[start : start + ARTICLES_PER_PAGE]
    )
    if pages > 1 and not query:
        lines.append("\n" + text(lang, "articles_search_tip"))
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(
                text(lang, "button_previous"), callback_data=callbacks.list_data(page - 1, query)
            )
        )
    if page < pages - 1:
        buttons.append(
            InlineKeyboardButton(
                text(lang, "button_next"), callback_data=callbacks.list_data(page + 1, query)
            )
        )
    return split_html("\n".join(lines)), InlineKeyboardMarkup([buttons]) if buttons else None


# --- admin reports --------------------------------------------------------------------------


def localized_error(detail: ErrorDetail, lang: str) -> str:
    """A store error in ``lang`` (plain text, not escaped): its template filled with its
    parameters — a wrapped cause in its ``reason`` translated too — or, for an unknown key or
    parameters that do not fit the template, the English message."""
    params = dict(detail.params)
    if detail.cause is not None:
        params["reason"] = localized_error(detail.cause, lang)
    return error_text(lang, detail.key, params) or detail.message


def render_reload(report: ReloadReport, lang: str) -> list[str]:
    body = text(
        lang,
        "reload_done",
        seconds=number(lang, report.seconds, 2 if report.seconds >= 1 else 3),
        added=report.added,
        updated=report.updated,
        removed=report.removed,
        unchanged=report.unchanged,
        failed=report.failed,
        documents=count(lang, "article", report.documents),
        sentences=count(lang, "sentence", report.sentences),
        revision=report.revision,
    )
    if report.error_details:
        body += "\n\n" + text(lang, "reload_errors") + "\n"
        body += "\n".join(f"• {escape(localized_error(e, lang))}" for e in report.error_details)
    if report.skipped:
        body += "\n\n" + text(lang, "reload_skipped") + "\n"
        body += "\n".join(f"• {escape(localized_error(e, lang))}" for e in report.skipped)
    return split_html(body)


def render_ingest(result: IngestResult, lang: str) -> list[str]:
    if result.status == "failed" or result.document_id is None:
        return split_html(
            text(
                lang,
                "ingest_failed",
                source=escape(result.source),
                error=escape(localized_error(result.error_detail, lang) or "?"),
            )
        )
    status_key = f"status_{result.status}"
    status = text(lang, status_key) if status_key in _STATUS_KEYS else escape(result.status)
    return split_html(
        text(
            lang,
            "ingest_done",
            id=result.document_id,
            status=status,
            title=escape(result.title),
            sentences=count(lang, "sentence", result.sentences),
        )
    )


_STATUS_KEYS = frozenset({"status_added", "status_updated", "status_unchanged"})


def render_stats(stats: Stats, lang: str) -> list[str]:
    share = f"{stats.answered / stats.questions:.0%}" if stats.questions else "–"
    parts = [
        text(
            lang,
            "stats",
            questions=stats.questions,
            answered=stats.answered,
            share=share,
            abstained=stats.abstained,
            up=stats.thumbs_up,
            down=stats.thumbs_down,
            p50=number(lang, stats.p50_ms),
        )
    ]
    if "embedded_sentences" in stats.extra:
        parts.append(text(lang, "stats_embedded", sentences=int(stats.extra["embedded_sentences"])))
    for key, rows in (
        ("stats_top", stats.top_questions),
        ("stats_unanswered", stats.unanswered_questions),
    ):
        if rows:
            lines = [f"{n}× {escape(question)}" for question, n in rows]
            parts.append(text(lang, key) + "\n" + "\n".join(lines))
    return split_html("\n\n".join(parts))


# --- inline mode ----------------------------------------------------------------------------


def _plain_preview(value: str, limit: int) -> str:
    return _shorten(" ".join(value.split()), limit)


def render_inline_results(answer: Answer, lang: str) -> list[InlineQueryResultArticle]:
    """The top hits as inline results; an abstention as one result that says so."""
    if answer.abstained:
        message = render_abstention(answer, None, lang)[0]
        return [
            InlineQueryResultArticle(
                id="none",
                title=text(lang, "inline_none_title"),
                description=_plain_preview(answer.question, 100),
                input_message_content=InputTextMessageContent(message, parse_mode=ParseMode.HTML),
            )
        ]
    results = []
    for page, hit in enumerate(answer.hits[:INLINE_RESULTS]):
        short = _short_answer_line(hit)
        body = f"❓ <i>{escape(_plain_preview(answer.question, 300))}</i>\n\n" + "\n\n".join(
            part
            for part in (
                short,
                _marked_sentence(hit),
                text(lang, "answer_source", title=f"<i>{escape(hit.document_title)}</i>"),
            )
            if part
        )
        if hit.short_answer:  # the list shows the answer; the sentence says where it is from
            title = _plain_preview(hit.short_answer.text, 120)
            description = _plain_preview(hit.sentence, 120)
        else:
            title = _plain_preview(hit.sentence, 120)
            description = _plain_preview(hit.document_title, 80)
        results.append(
            InlineQueryResultArticle(
                id=str(page),
                title=title,
                description=description,
                input_message_content=InputTextMessageContent(
                    split_html(body)[0], parse_mode=ParseMode.HTML
                ),
            )
        )
    return results

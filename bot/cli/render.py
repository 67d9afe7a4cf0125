"""Answers for the terminal and as JSON (``ask``, ``chat``, ``eval --details``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from bot.i18n import plain_text
from bot.i18n import text as i18n_text
from bot.smalltalk import classify as classify_smalltalk
from bot.smalltalk import is_small_talk
from index.engine import Answer, Hit

__all__ = ["answer_to_json", "render_answer_text", "short_answer_json"]


def short_answer_json(hit: Hit) -> dict[str, Any] | None:
    short = hit.short_answer
    if short is None:
        return None
    return {
        "text": short.text,
        "start": short.start,
        "end": short.end,
        "confidence": round(short.confidence, 4),
    }


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The answer as JSON; ``short_answer`` (the best hit's, or null) is the span of that
    hit's ``sentence`` that answers a factoid question, when the engine is sure of it."""
    return {
        "question": answer.question,
        "abstained": answer.abstained,
        "short_answer": short_answer_json(answer.hits[0]) if answer.hits else None,
        "answers": [
            {
                "rank": h.rank,
                "score": h.score,
                "sentence": h.sentence,
                "passage": h.passage,
                "document_id": h.document_id,
                "document_title": h.document_title,
                "short_answer": short_answer_json(h),
            }
            for h in answer.hits
        ],
    }


def _mark(hit: Hit, bold: bool) -> str:
    """The sentence with matched words in bold (``*word*`` off a terminal) and the short
    answer in bold and underlined (``_answer_``)."""
    start_mark, end_mark = ("\033[1m", "\033[22m") if bold else ("*", "*")
    answer_start, answer_end = ("\033[1;4m", "\033[22;24m") if bold else ("_", "_")
    short = hit.short_answer
    marks = [(s, e, start_mark, end_mark) for s, e in hit.highlights]
    if short is not None:
        marks = [m for m in marks if m[1] <= short.start or m[0] >= short.end]
        marks.append((short.start, short.end, answer_start, answer_end))
    text, out, last = hit.sentence, [], 0
    for start, end, opening, closing in sorted(marks):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(f"{opening}{text[start:end]}{closing}")
        last = end
    out.append(text[last:])
    return "".join(out)


def _smalltalk_text(question: str, titles: Sequence[str]) -> str:
    """Thanks for thanks, a greeting back for a greeting, with a hint of what to ask: the bot's
    messages (``bot.i18n``) as plain text."""
    kind = classify_smalltalk(question)
    if kind.kind == "thanks":
        return plain_text("id", "smalltalk_thanks")
    hint = plain_text("id", "smalltalk_hint", titles=", ".join(titles)) if titles else ""
    if kind.kind == "greeting":
        hello = i18n_text("id", kind.hello)
        return plain_text("id", "smalltalk_greeting", hello=hello, hint=hint).strip()
    return plain_text("id", "smalltalk_other", hint=hint).strip()


def render_answer_text(answer: Answer, stream: TextIO, titles: Sequence[str] = ()) -> str:
    """An answer for the terminal; an abstention in the bot's words (``bot.i18n``), a greeting
    answered with a hint naming ``titles``."""
    if answer.abstained:
        if is_small_talk(answer.reason, answer.question):
            return _smalltalk_text(answer.question, titles)
        return plain_text("id", "empty_question" if answer.reason == "empty" else "not_in_article")
    bold = stream.isatty()
    lines: list[str] = []
    if answer.hits and answer.hits[0].short_answer is not None:
        lines.append(f"Jawaban singkat: {answer.hits[0].short_answer.text}")
    # in italics on a terminal (the marks above end bold and underline, never italics)
    open_sentence, close_sentence = ("\033[3m", "\033[23m") if bold else ("«", "»")
    for hit in answer.hits:
        # As in the bot: the sentence once, marked where it sits in its passage.
        sentence = _mark(hit, bold)
        if hit.before or hit.after:
            sentence = f"{open_sentence}{sentence}{close_sentence}"
        lines.append(f"{hit.rank}. " + " ".join(p for p in (hit.before, sentence, hit.after) if p))
        lines.append(
            f"   Sumber: {hit.document_title} (dokumen {hit.document_id}, skor {hit.score:.3f})"
        )
    return "\n".join(lines)

"""Blocking steps of a question, bundled so a handler makes one ``asyncio.to_thread`` call.

``ask_and_log`` answers, records the question (a failed record is logged and the answer still
goes out: the user should not pay for a logging problem) and, when there is no answer or the
message was a greeting, fetches the article titles the reply offers instead. Greetings, thanks
and empty messages are not questions and are not recorded (``NOT_QUESTIONS``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.services import BotService
from bot.smalltalk import is_small_talk
from index.engine import Answer
from index.results import DocumentInfo
from index.store.errors import StoreError

__all__ = ["NOT_QUESTIONS", "AskOutcome", "ask_and_log"]

log = logging.getLogger(__name__)

NOT_QUESTIONS = frozenset({"smalltalk", "empty"})
"""Abstention reasons of messages that are no questions (greetings, thanks, "???"): they are
not logged, so /stats counts neither them nor them as "not answered"."""


@dataclass(frozen=True, slots=True)
class AskOutcome:
    answer: Answer
    question_id: int  # 0 when the question could not be logged (then no buttons)
    latency_ms: float
    documents: tuple[DocumentInfo, ...] = ()  # filled for "not in the article" and small talk


def ask_and_log(
    service: BotService, *, chat_id: int, user_id: int, question: str, top_k: int
) -> AskOutcome:
    started = time.perf_counter()
    answer = service.ask(question, top_k=top_k)
    latency_ms = (time.perf_counter() - started) * 1000
    documents: tuple[DocumentInfo, ...] = ()
    if answer.abstained and (
        answer.reason in ("no_match", "low_coverage") or is_small_talk(answer.reason, question)
    ):
        documents = tuple(service.documents())
    if answer.abstained and answer.reason in NOT_QUESTIONS:
        return AskOutcome(answer, 0, latency_ms, documents)
    try:
        question_id = service.log_question(
            chat_id=chat_id,
            user_id=user_id,
            question=question,
            answer=answer,
            latency_ms=latency_ms,
        )
    except StoreError as exc:  # the database is away: one line, not a traceback per question
        log.warning("could not log a question in chat %s: %s", chat_id, exc)
        question_id = 0
    except Exception:
        log.exception("could not log a question in chat %s", chat_id)
        question_id = 0
    return AskOutcome(answer, question_id, latency_ms, documents)

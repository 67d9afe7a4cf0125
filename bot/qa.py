"""Blocking steps of a question, bundled so a handler makes one ``asyncio.to_thread`` call.

``ask_and_log`` answers, records the question (a failed record is logged and the answer still
goes out: the user should not pay for a logging problem) and, when there is no answer, fetches
the article titles the reply offers instead.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.services import BotService
from index.engine import Answer
from index.service import DocumentInfo
from index.store.errors import StoreError

__all__ = ["AskOutcome", "ask_and_log"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AskOutcome:
    answer: Answer
    question_id: int  # 0 when the question could not be logged (then no buttons)
    latency_ms: float
    documents: tuple[DocumentInfo, ...] = ()  # filled for "not in the article" replies


def ask_and_log(
    service: BotService, *, chat_id: int, user_id: int, question: str, top_k: int
) -> AskOutcome:
    started = time.perf_counter()
    answer = service.ask(question, top_k=top_k)
    latency_ms = (time.perf_counter() - started) * 1000
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
    documents: tuple[DocumentInfo, ...] = ()
    if answer.abstained and answer.reason in ("no_match", "low_coverage"):
        documents = tuple(service.documents())
    return AskOutcome(answer, question_id, latency_ms, documents)

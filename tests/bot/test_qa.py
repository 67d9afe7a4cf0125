"""bot/qa.py: answer, log, and offer titles on abstention — in one blocking call."""

from __future__ import annotations

from bot.qa import ask_and_log
from tests.fakes import FakeService


def test_answer_is_logged_with_its_latency() -> None:
    service = FakeService()
    outcome = ask_and_log(service, chat_id=5, user_id=6, question="Siapa perantara?", top_k=3)
    assert not outcome.answer.abstained and outcome.question_id == 1
    assert outcome.documents == ()
    assert service.questions[1].latency_ms == outcome.latency_ms > 0


def test_abstention_brings_the_titles() -> None:
    outcome = ask_and_log(FakeService(), chat_id=5, user_id=6, question="harga cabai?", top_k=3)
    assert outcome.answer.abstained
    assert [d.title for d in outcome.documents] == ["Armenia Azerbaijan Gencatan Senjata"]


def test_logging_failure_keeps_the_answer() -> None:
    service = FakeService()
    service.fail_logging = True
    outcome = ask_and_log(service, chat_id=5, user_id=6, question="Siapa perantara?", top_k=3)
    assert outcome.question_id == 0 and outcome.answer.hits

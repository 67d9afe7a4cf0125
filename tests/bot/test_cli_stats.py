"""``tanyaberita stats``: the figures of ``/stats`` on the command line, from the question log
that running bots write into the store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from index.service import QAService
from tests.fakes import CONTENT_DIR

PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
RENDANG = "Bagaimana cara memasak rendang?"


@pytest.fixture
def url(tmp_path: Path) -> str:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    database = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    service = QAService.open(database, content_dir=content)
    try:
        asked = [(1, PUTIN), (2, PUTIN), (3, f"  {PUTIN.lower()}"), (4, RENDANG), (5, RENDANG)]
        for user, question in asked:
            answer = service.ask(question)
            question_id = service.log_question(
                chat_id=user, user_id=user, question=question, answer=answer, latency_ms=float(user)
            )
            if user <= 2:
                service.record_feedback(question_id=question_id, user_id=user, vote=1)
        service.record_feedback(question_id=1, user_id=9, vote=-1)
    finally:
        service.close()
    return database


def test_stats_table(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", url, "stats", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "questions        5\n" in out
    assert "answered         3 (60.0 %)" in out
    assert "not answered     2" in out
    assert "feedback         2 👍  1 👎" in out
    assert "median latency   3.0 ms" in out
    assert "content          1 article, " in out  # one shipped article: singular
    most_asked = out.split("most asked:\n")[1].splitlines()
    assert most_asked[0].split(maxsplit=1) == ["3", PUTIN.lower()]
    unanswered = out.split("most asked without an answer:\n")[1]
    assert unanswered.split() == ["2", *RENDANG.lower().split()]


def test_stats_json(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", url, "stats", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["questions"], row["answered"], row["thumbs_up"], row["documents"]) == (5, 3, 2, 1)
    assert row["unanswered_questions"] == [[RENDANG.lower(), 2]]


def test_stats_of_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", f"sqlite:///{tmp_path / 'empty.sqlite3'}", "stats"]) == 0
    out = capsys.readouterr().out
    assert "questions        0\n" in out and "most asked" not in out

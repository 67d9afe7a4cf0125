"""Several instances on one database: a content change made by one process reaches the
answers of another *running* process within a few seconds — real processes throughout (a
long-running ``tanyaberita chat``; ``tanyaberita ingest`` and ``remove`` as the other
instance). The end-to-end version with two ``serve`` bots is in
``tests/e2e/test_instances_e2e.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.chat_process import ChatProcess
from benchmarks.processes import run_cli
from tests.support.store import ARTICLE_BANJIR

pytestmark = pytest.mark.slow

BANJIR = "Berapa rumah yang terendam banjir di Bekasi?"
FACT = "450 rumah"
PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
# The chat process polls the content revision every 3 s; a rebuild adds well under 1 s.
PROPAGATION_LIMIT_S = 8.0


def plain(answer: str) -> str:
    """A terminal answer without its marks (*matched words*, _short answer_, «sentence»)."""
    return answer.translate(str.maketrans("", "", "*_«»"))


def test_changes_by_another_process_reach_a_running_chat(
    database_url: str, content_dir: Path, tmp_path: Path
) -> None:
    chat = ChatProcess(database_url, content_dir)
    try:
        assert "Vladimir Putin" in chat.ask(PUTIN)
        assert FACT not in plain(chat.ask(BANJIR))

        article = tmp_path / "banjir-bekasi.txt"
        article.write_text(ARTICLE_BANJIR, encoding="utf-8")
        ingest = run_cli(["--database-url", database_url, "ingest", "--json", str(article)])
        assert ingest.returncode == 0, ingest.stderr
        document_id = json.loads(ingest.stdout)["document_id"]
        seconds = chat.wait_until(BANJIR, lambda answer: FACT in plain(answer))
        assert seconds < PROPAGATION_LIMIT_S

        removed = run_cli(["--database-url", database_url, "remove", str(document_id)])
        assert removed.returncode == 0, removed.stderr
        seconds = chat.wait_until(BANJIR, lambda answer: FACT not in plain(answer))
        assert seconds < PROPAGATION_LIMIT_S

        assert "Vladimir Putin" in chat.ask(PUTIN)  # answered throughout
    finally:
        code, err = chat.close()
    assert code == 0, err
    assert "Traceback" not in err

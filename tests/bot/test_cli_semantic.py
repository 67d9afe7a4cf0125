"""The command line with semantic re-ranking: `embed`, the counts in `documents` and `stats`,
`eval` embedding its contexts first, and SEMANTIC_RERANK (hashing stand-in encoder)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import index.encoder as encoder_module
from bot.render import render_stats
from index.results import Stats
from tests.semantic_fakes import HashingEncoder
from tests.support.cli import run

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "examples" / "qa-sample.jsonl"


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch) -> Iterator[HashingEncoder]:
    fake = HashingEncoder()
    monkeypatch.setattr(encoder_module, "load_encoder", lambda threads=None: fake)
    monkeypatch.setenv("SEMANTIC_RERANK", "auto")
    yield fake


def test_embed_reads_the_content_directory_first(
    db_args: list[str], encoder: HashingEncoder, capsys: pytest.CaptureFixture[str]
) -> None:
    # A new store: what the bot will serve (the content directory) is embedded, not nothing.
    code, out, err = run([*db_args, "embed"], capsys)
    assert code == 0, err
    assert "embedded 30 sentences" in out and "30 of 30 sentences have embeddings" in out


def test_embed_then_documents_and_stats_count_the_embedded_sentences(
    db_args: list[str], encoder: HashingEncoder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*db_args, "reload"], capsys)[0] == 0  # the shipped article, not embedded
    code, out, err = run([*db_args, "documents"], capsys)
    assert code == 0, err
    assert out.splitlines()[-1] == "embeddings: 0 of 30 sentences"
    code, out, err = run([*db_args, "embed"], capsys)
    assert code == 0, err
    assert "embedded 30 sentences" in out and "30 of 30 sentences have embeddings" in out
    code, out, _ = run([*db_args, "embed"], capsys)
    assert "embedded 0 sentences" in out
    code, out, _ = run([*db_args, "documents"], capsys)
    assert out.splitlines()[-1] == "embeddings: 30 of 30 sentences"
    code, out, _ = run([*db_args, "stats", "--json"], capsys)
    assert json.loads(out)["embedded_sentences"] == 30
    code, out, _ = run([*db_args, "ask", "Siapa presiden Rusia yang menjadi perantara?"], capsys)
    assert code == 0 and "Putin" in out


def test_embed_without_the_encoder_says_so(
    db_args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(encoder_module, "load_encoder", lambda threads=None: None)
    monkeypatch.setenv("SEMANTIC_RERANK", "auto")
    code, _, err = run([*db_args, "embed"], capsys)
    assert code == 1 and "sentence encoder did not load" in err
    monkeypatch.setenv("SEMANTIC_RERANK", "on")
    code, _, err = run([*db_args, "ask", "Siapa presiden Rusia?"], capsys)
    assert code == 1 and "SEMANTIC_RERANK=on" in err and "Traceback" not in err
    monkeypatch.setenv("SEMANTIC_RERANK", "off")
    code, _, err = run([*db_args, "embed"], capsys)
    assert code == 0 and "nothing to embed" in err


def test_eval_embeds_its_contexts_first(
    encoder: HashingEncoder, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["eval", "--json", str(SAMPLE)], capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["semantic"] is True and summary["questions"] == 5
    assert len(encoder.embedded) == 30  # the sample's one article, before any question
    encoder.embedded.clear()
    code, out, _ = run(["eval", "--json", str(SAMPLE)], capsys)
    assert json.loads(out)["semantic"] is True


def test_bad_setting_is_a_clear_error(
    db_args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SEMANTIC_RERANK", "maybe")
    code, _, err = run([*db_args, "documents"], capsys)
    assert code != 0 and "SEMANTIC_RERANK" in err.upper() and "Traceback" not in err


def test_stats_message_counts_the_embedded_sentences() -> None:
    stats = Stats(questions=3, answered=2, abstained=1, extra={"embedded_sentences": 12345})
    [chunk] = render_stats(stats, "id")
    assert "Kalimat dengan embedding (pemeringkatan semantik): 12.345" in chunk
    [chunk] = render_stats(stats, "en")
    assert "Sentences with embeddings (semantic re-ranking): 12,345" in chunk
    [chunk] = render_stats(Stats(questions=3, answered=2, abstained=1), "en")
    assert "embeddings" not in chunk

"""The speed benchmark's bookkeeping: agreement counting, medians of repeated runs, the report.

No timing here: the measurements themselves live in ``python -m benchmarks``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpora import read_columns, write_text_jsonl
from benchmarks.report import render
from benchmarks.suite import _agreement, _median_of_runs, rank_bm25_questions


def _latency(p50: float, p99: float) -> dict[str, float]:
    return {"p50_ms": p50, "p99_ms": p99, "mean_ms": p50, "n": 10}


def _results(p50_100k: float, rss_1m: float, identical: int) -> dict[str, Any]:
    def corpus(name: str, sentences: int, p50: float, rss: float) -> dict[str, Any]:
        ours = {
            "sentences": sentences,
            "documents": 1,
            "postings": sentences * 15,
            "terms": 100,
            "build_s": 1.0,
            "finish_s": 0.1,
            "load_s": 1.5,
            "rss_baseline_mb": 33.0,
            "rss_after_build_mb": rss,
            "rss_peak_mb": rss,
            "ask_cold": _latency(p50 * 2, p50 * 5),
            "ask_warm": _latency(p50, p50 * 3),
            "bm25": _latency(p50 / 4, p50),
        }
        reference = {
            "sentences": sentences,
            "build_s": 2.0,
            "rss_baseline_mb": 33.0,
            "rss_peak_mb": rss * 2,
            "query": _latency(p50 * 100, p50 * 200),
            "questions_with_10_matching_on_top": 10,
        }
        agreement = {"compared": 10, "identical": identical, "max_score_diff": 0.0}
        return {"name": name, "ours": ours, "rank_bm25": reference, "agreement": agreement}

    return {
        "corpora": [
            corpus("synthetic 100,000", 100_000, p50_100k, 90.0),
            corpus("synthetic 1,000,000", 1_000_000, 3.0, rss_1m),
        ],
        "stemming": {
            "sentences": 10,
            "words": 100,
            "distinct_words": 50,
            "memo_cold_words_per_s": 100_000.0,
            "memo_warm_words_per_s": 1_000_000.0,
            "no_memo_words": 100,
            "no_memo_words_per_s": 10_000.0,
        },
        "ingest": {
            "documents": 1,
            "sentences": 10,
            "tokens": 100,
            "seconds": 12.0,
            "tokens_per_s": 8.0,
            "rss_peak_mb": 80.0,
        },
        "cold_start": [],
        "environment": {
            "python": "3.11",
            "machine": "x86_64",
            "system": "Linux",
            "cpus": 2,
            "numpy": "2",
            "commit": "abc",
            "date": "today",
            "questions": 10,
            "seconds": 1.0,
            "command": "python -m benchmarks",
            "repeat": 1,
        },
    }


@pytest.mark.parametrize(
    ("p50_100k", "rss_1m", "identical", "verdicts"),
    [
        (0.8, 250.0, 10, ["met", "met", "met", "met"]),
        (1.2, 250.0, 10, ["**missed**", "met", "met", "met"]),
        (0.8, 320.0, 9, ["met", "met", "**missed**", "**missed**"]),
    ],
)
def test_report_checks_the_targets(
    p50_100k: float, rss_1m: float, identical: int, verdicts: list[str]
) -> None:
    text = render(_results(p50_100k, rss_1m, identical))
    targets = text.split("## Targets")[1].split("##")[0]
    rows = [line for line in targets.splitlines() if line.startswith("| ") and "target" not in line]
    assert [row.rsplit("|", 2)[-2].strip() for row in rows[:4]] == verdicts
    assert "Not measured in this run" in text  # no cold start in these results


def test_agreement_compares_ids_in_order() -> None:
    ours = [[(1, 2.0), (2, 1.0)], [(3, 1.0)], [(4, 1.0), (5, 1.0)]]
    reference = [[(1, 2.0), (2, 1.0)], [(3, 1.5)], [(5, 1.0), (4, 1.0)]]
    assert _agreement(ours, reference) == {"compared": 3, "identical": 2, "max_score_diff": 0.5}


def test_median_of_runs_keeps_peaks_and_lists() -> None:
    runs = [
        {"build_s": 3.0, "rss_peak_mb": 100.0, "top10": [1], "ask": {"p50_ms": 1.0}},
        {"build_s": 1.0, "rss_peak_mb": 120.0, "top10": [2], "ask": {"p50_ms": 5.0}},
        {"build_s": 2.0, "rss_peak_mb": 110.0, "top10": [3], "ask": {"p50_ms": 2.0}},
    ]
    assert _median_of_runs(runs) == {
        "build_s": 2.0,
        "rss_peak_mb": 120.0,
        "top10": [1],
        "ask": {"p50_ms": 2.0},
    }


@pytest.mark.parametrize(
    ("sentences", "expected"), [(30, 300), (62_221, 300), (100_000, 100), (1_000_000, 20)]
)
def test_rank_bm25_gets_fewer_questions_on_big_corpora(sentences: int, expected: int) -> None:
    assert rank_bm25_questions(sentences, 300) == expected


def test_columns_become_store_ready_text(tmp_path: Path) -> None:
    columns = tmp_path / "c.jsonl"
    columns.write_text(
        '{"id": 1, "title": "t", "source": "s", "texts": ["A satu.", "B dua.", "C tiga."], '
        '"paragraphs": [0, 0, 1], "tokens": ["a satu", "b dua", "c tiga"]}\n',
        encoding="utf-8",
    )
    (doc,) = read_columns(columns)
    assert doc.tokens == [["a", "satu"], ["b", "dua"], ["c", "tiga"]]
    text = tmp_path / "t.jsonl"
    write_text_jsonl(columns, text)
    assert '"text": "A satu. B dua.\\n\\nC tiga."' in text.read_text(encoding="utf-8")

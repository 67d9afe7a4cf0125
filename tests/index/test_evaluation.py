from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from index.evaluation import (
    EvalRecord,
    QAFileError,
    ShortAnswerTally,
    build_eval_index,
    canonical,
    evaluate,
    matches_answer,
    read_qa_file,
)
from index.rerank import default_reranker

BANJIR = (
    "Banjir besar melanda Kota Semarang pada Senin pagi. "
    "Hujan deras turun selama tujuh jam tanpa henti. "
    "Sebanyak 1.200 warga mengungsi ke gedung sekolah."
)
GEMPA = (
    "Gempa bermagnitudo 5,6 mengguncang Cianjur, Jawa Barat. "
    "Badan Meteorologi mencatat pusat gempa berada di darat. "
    "Ratusan rumah rusak berat akibat guncangan itu."
)

RECORDS = [
    # answered at rank 1
    {
        "id": "a",
        "context": BANJIR,
        "question": "Berapa warga yang mengungsi?",
        "answers": ["1.200"],
    },
    # answered at rank 1, matched after casefold + whitespace collapsing
    {
        "id": "b",
        "context": GEMPA,
        "question": "Di mana gempa mengguncang?",
        "answers": ["cianjur,   JAWA barat"],
    },
    # the gold answer is in no ranked sentence: a miss at every rank
    {"id": "c", "context": BANJIR, "question": "Berapa lama hujan turun?", "answers": ["delapan"]},
    # unanswerable and off-topic: should abstain
    {"id": "d", "context": GEMPA, "question": "Siapa juara Piala Dunia sepak bola?", "answers": []},
    # unanswerable small talk
    {"id": "e", "context": BANJIR, "question": "terima kasih", "answers": []},
    # unanswerable, only an everyday word in common with the context ("diadakan" and "berada"
    # share the stem "ada"): abstains for low evidence
    {
        "id": "f",
        "context": GEMPA,
        "question": "Siapa pemenang lomba lari di Jepang yang diadakan bulan lalu?",
        "answers": [],
    },
]


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def qa_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "qa.jsonl", list(RECORDS))


def test_metrics_on_a_hand_made_file(qa_file: Path) -> None:
    records = read_qa_file(qa_file)
    snapshot, ids = build_eval_index(records)
    assert len(ids) == 2  # each distinct context is one document
    summary = evaluate(records, snapshot, ids).summary()
    assert summary["questions"] == 6
    assert summary["answerable"] == 3
    assert summary["unanswerable"] == 3
    assert summary["hit@1"] == round(2 / 3, 4)
    assert summary["hit@3"] == round(2 / 3, 4)
    assert summary["mrr@10"] == round(2 / 3, 4)
    assert summary["abstain_rate_unanswerable"] == 1.0
    assert summary["false_abstain_rate"] == 0.0
    assert set(summary) == {
        "questions",
        "answerable",
        "unanswerable",
        "hit@1",
        "hit@3",
        "mrr@10",
        "false_abstain_rate",
        "abstain_rate_unanswerable",
        "p50_ms",
        "p99_ms",
        "short_answer",
    }
    assert 0 <= summary["p50_ms"] <= summary["p99_ms"]


def test_answers_are_scored_per_rank_and_details_are_reported(qa_file: Path) -> None:
    records = read_qa_file(qa_file)
    snapshot, ids = build_eval_index(records)
    seen: dict[str, bool] = {}
    report = evaluate(
        records, snapshot, ids, on_answer=lambda r, a: seen.__setitem__(r.id, a.abstained)
    )
    assert seen == {"a": False, "b": False, "c": False, "d": True, "e": True, "f": True}
    assert report.hit1 == 2 and report.reciprocal_rank_sum == 2.0


def test_no_abstain_mode_answers_everything_with_content(qa_file: Path) -> None:
    records = read_qa_file(qa_file)
    snapshot, ids = build_eval_index(records, reranker=replace(default_reranker(), abstain=False))
    summary = evaluate(records, snapshot, ids).summary()
    # only "f" is now answered: "d" shares no word with its context (no candidate to return)
    # and small talk is never searched
    assert summary["abstain_rate_unanswerable"] == round(2 / 3, 4)
    assert summary["hit@1"] == round(2 / 3, 4)


def test_open_mode_searches_all_contexts(qa_file: Path) -> None:
    records = read_qa_file(qa_file)
    snapshot, ids = build_eval_index(records)
    answers: dict[str, set[int]] = {}
    evaluate(
        records,
        snapshot,
        ids,
        open_domain=True,
        on_answer=lambda r, a: answers.__setitem__(r.id, {h.document_id for h in a.hits}),
    )
    assert answers["a"] and answers["b"]


def test_limit_reads_only_the_first_records(qa_file: Path) -> None:
    assert [r.id for r in read_qa_file(qa_file, limit=2)] == ["a", "b"]


def test_missing_id_falls_back_to_line_number(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.jsonl", [{"context": BANJIR, "question": "q?", "answers": []}])
    assert read_qa_file(path) == [EvalRecord("1", BANJIR, "q?", ())]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "has no records"),
        ("\n\n", "has no records"),
        ("not json\n", "line 1: not valid JSON"),
        ('{"context": "c", "question": "q", "answers": []}\n[1, 2]\n', "line 2: expected a JSON"),
        ('{"question": "q", "answers": []}\n', 'line 1: "context" and "question" must be'),
        ('{"context": "c", "answers": []}\n', 'line 1: "context" and "question" must be'),
        ('{"context": "c", "question": "q", "answers": "x"}\n', '"answers" must be a list'),
        ('{"context": "c", "question": "q", "answers": [1]}\n', '"answers" must be a list'),
    ],
)
def test_bad_files_give_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QAFileError, match=message):
        read_qa_file(path)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(QAFileError, match="cannot read"):
        read_qa_file(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(QAFileError, match="not UTF-8"):
        read_qa_file(binary)


@pytest.mark.parametrize(
    ("sentence", "answers", "expected"),
    [
        ("Ibu kota Jawa Barat adalah Bandung.", ["Bandung"], True),
        ("Ibu kota Jawa Barat adalah Bandung.", ["bandung"], True),
        ("Ibu kota  Jawa\nBarat.", ["kota jawa barat"], True),
        ("Harga naik 1/2 persen.", ["½"], False),  # NFKC: ½ → 1⁄2, not "1/2"
        ("Pemenangnya ｔｉｍ Garuda.", ["tim garuda"], True),  # full-width folded by NFKC
        ("Ibu kota Jawa Barat.", ["Bandung"], False),
        ("Ibu kota Jawa Barat.", [""], False),  # an empty gold answer never matches
        ("Ibu kota Jawa Barat.", [], False),
    ],
)
def test_matches_answer(sentence: str, answers: list[str], expected: bool) -> None:
    assert matches_answer(sentence, answers) is expected


def test_canonical() -> None:
    assert canonical("  Ｓａｂｔｕ\t(10/10) ") == "sabtu (10/10)"


def test_short_answer_tally_counts_shown_exact_f1_and_precise() -> None:
    tally = ShortAnswerTally()
    tally.add("Vladimir Putin", ["vladimir putin."])  # exact after normalisation
    tally.add("Putin", ["Vladimir Putin"])  # F1 2/3: precise, not exact
    tally.add("Lavrov", ["Vladimir Putin"])  # wrong
    tally.add(None, ["Moskwa"])  # not shown
    row = tally.summary()
    assert (row["n"], row["shown"], row["shown_share"]) == (4, 3, 0.75)
    assert row["exact_when_shown"] == round(1 / 3, 4)
    assert row["f1_when_shown"] == round((1 + 2 / 3) / 3, 4)
    assert row["precision_when_shown"] == round(2 / 3, 4)
    assert ShortAnswerTally().summary()["exact_when_shown"] is None

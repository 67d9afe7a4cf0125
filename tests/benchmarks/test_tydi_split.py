from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.tydi_split import CI_SLICE, mismatched, split_tydi, with_distractors
from index.evaluation import EvalRecord, read_qa_file


def _records(n: int, per_context: int = 3) -> list[EvalRecord]:
    return [
        EvalRecord(str(i), f"Paragraf nomor {i // per_context}.", f"Pertanyaan {i}?", ("x",))
        for i in range(n)
    ]


def _check_split(records: list[EvalRecord]) -> None:
    tuning, held = split_tydi(records)
    assert len(tuning) + len(held) == len(records)
    assert not {r.context for r in tuning} & {r.context for r in held}
    assert {r.context for r in records[:CI_SLICE]} <= {r.context for r in held}
    assert tuning, "the tuning part must not be empty"


def test_split_is_by_context_and_holds_the_ci_slice_apart() -> None:
    # contexts of the CI slice recurring later must follow it into the held-apart part
    records = _records(3000)
    records.append(EvalRecord("late", records[5].context, "Lagi?", ()))
    _check_split(records)
    assert split_tydi(records) == split_tydi(list(records))  # deterministic


def test_mismatched_never_asks_against_the_own_context() -> None:
    records = _records(60)
    off = mismatched(records)
    assert len(off) == len(records)
    pairs = zip(off, records, strict=True)
    assert all(o.context != r.context and o.answers == () for o, r in pairs)
    assert mismatched(records[:1]) == []  # one context: nothing to mismatch with


def test_long_documents_contain_the_own_paragraph() -> None:
    records = _records(60)
    long_docs = with_distractors(records, paragraphs=4)
    for original, long_doc in zip(records, long_docs, strict=True):
        paragraphs = long_doc.context.split("\n\n")
        assert original.context in paragraphs and len(paragraphs) == 5
        assert long_doc.question == original.question and long_doc.answers == original.answers


@pytest.mark.slow
def test_split_of_the_real_file(shared_dir: Path) -> None:
    path = shared_dir / "data" / "tydiqa_id_train.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    _check_split(read_qa_file(path))

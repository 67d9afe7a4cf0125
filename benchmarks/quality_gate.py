"""CI quality gate: Hit@1 on a fixed 1,000-question slice of TyDi-id train must not regress.

Usage: ``python -m benchmarks.quality_gate [--data DIR]``. Skips (exit 0) with a message when
the data directory is absent. The slice (the first 1,000 lines) lies entirely in the held-apart
part of the TyDi split (``benchmarks.tydi_split``): no weight or threshold was tuned on it. The
floor is the level the shipped engine reaches there (abstention on, as users get it; see
docs/quality.md) rounded down by 0.01: a change that lowers it must explain itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from index.evaluation import build_eval_index, evaluate, read_qa_file

HIT1_FLOOR = 0.757
SLICE = 1000
DEFAULT_DATA = Path(os.environ.get("TANYABERITA_DATA_DIR", "../shared/data"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    path = args.data / "tydiqa_id_train.jsonl"
    if not path.is_file():
        print(f"quality gate skipped: {path} not found")
        return 0
    records = read_qa_file(path, SLICE)
    snapshot, ids = build_eval_index(records)
    summary = evaluate(records, snapshot, ids).summary()
    hit1 = summary["hit@1"]
    verdict = "ok" if hit1 >= HIT1_FLOOR else "FAILED"
    print(f"quality gate {verdict}: TyDi-id train[:{SLICE}] hit@1={hit1} (floor {HIT1_FLOOR})")
    return 0 if hit1 >= HIT1_FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())

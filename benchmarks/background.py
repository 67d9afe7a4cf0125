"""Build the background document-frequency table (``index/lexicon/background_df.tsv.gz``).

Usage: ``python -m benchmarks.background [--data DIR] [--min-df 2]``

Counts, for every stem the shipped tokenizer produces, in how many IndoSum news articles it
occurs — as the stem of a content word: function words are skipped on their surface form, as
question analysis skips them, so "antara" counts the articles saying "perantara", not every
article using the preposition. The 8 articles of ``news_qa_dev.jsonl`` are left out, so that
evaluation on them does not see their own words in the background. Stems found in fewer than
``--min-df`` articles are not written (the engine treats a missing stem as found once). Rebuild
it whenever tokenising or stemming changes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.paths import DEFAULT_DATA
from index.background import BACKGROUND_FILE
from index.question import function_words
from index.tokens import default_tokenizer

TABLE_PATH = Path(__file__).resolve().parent.parent / "index" / "lexicon" / BACKGROUND_FILE


def held_out_articles(data: Path) -> set[str]:
    """IndoSum ids of the articles the whole-article news questions are about."""
    path = data / "news_qa_dev.jsonl"
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8") as handle:
        ids = {json.loads(line).get("article_id", "") for line in handle if line.strip()}
    return {i.removeprefix("indosum-") for i in ids if i}


def build(data: Path, min_df: int) -> tuple[int, Counter[str]]:
    tokenizer = default_tokenizer()
    skip = held_out_articles(data)
    skip_words = function_words()
    frequency: Counter[str] = Counter()
    documents = 0
    with (data / "indosum_news.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if str(record["id"]).removeprefix("indosum-") in skip:
                continue
            documents += 1
            frequency.update(
                {
                    t
                    for word in tokenizer.words(record["text"])
                    if word not in skip_words
                    for t in tokenizer.stem(word)
                }
            )
    return documents, Counter({t: n for t, n in frequency.items() if n >= min_df})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--min-df", type=int, default=2)
    args = parser.parse_args(argv)
    if not (args.data / "indosum_news.jsonl").is_file():
        print(f"error: no indosum_news.jsonl in {args.data} (--data)", file=sys.stderr)
        return 2
    documents, frequency = build(args.data, args.min_df)
    lines = [f"#documents\t{documents}"]
    lines += [f"{term}\t{n}" for term, n in sorted(frequency.items())]
    # mtime=0: the same table gives the same bytes.
    TABLE_PATH.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    print(f"wrote {len(frequency)} stems over {documents} articles to {TABLE_PATH.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

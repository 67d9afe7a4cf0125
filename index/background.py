"""How common each term is in Indonesian news in general: the background distribution.

An article of 30 sentences cannot tell which of its words are informative — in it, an everyday
word ("hari", "tahun", "presiden") found once weighs as much as a rare name. The background
table gives each stem its document frequency (as the stem of a content word, not of a function
word: "perantara" → ``antara`` is rare, the preposition "antara" is not counted) over a news
corpus (IndoSum, 3,455 articles; see
``benchmarks/background.py`` and docs/quality.md), so that evidence and ranking can ask "is this
word rare in the language?" independently of what is indexed. A stem missing from the table
occurred in at most one background article.

The table is derived data (stems and counts, no text) shipped as
``lexicon/background_df.tsv.gz``; its source, IndoSum, is CC BY-SA 4.0.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["BACKGROUND_FILE", "Background", "default_background", "read_background"]

BACKGROUND_FILE = "background_df.tsv.gz"


@dataclass(frozen=True, slots=True)
class Background:
    """Document frequencies of stems over ``documents`` background articles."""

    documents: int
    frequency: Mapping[str, int]

    def idf(self, term: str) -> float:
        """BM25-style IDF in the background, ``log(1 + (N - df + ½) / (df + ½))``; a term not
        in the table counts as found in one article."""
        df = self.frequency.get(term, 1)
        return math.log(1.0 + (self.documents - df + 0.5) / (df + 0.5))

    def idfs(self, terms: Iterable[str]) -> dict[str, float]:
        return {t: self.idf(t) for t in terms}

    @property
    def max_idf(self) -> float:
        """The IDF of a term found in a single article: the most informative a term can be."""
        return math.log(1.0 + (self.documents - 0.5) / 1.5)


def read_background(lines: Iterable[str]) -> Background:
    """Parse the table: a header ``#documents<TAB>N``, then ``stem<TAB>df`` lines."""
    documents = 0
    frequency: dict[str, int] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line:
            continue
        key, _, value = line.partition("\t")
        if not value.isdigit():
            raise ValueError(f"background table line {number}: expected 'stem<TAB>count'")
        if key == "#documents":
            documents = int(value)
        else:
            frequency[key] = int(value)
    if documents <= 0:
        raise ValueError("background table: missing '#documents' header")
    return Background(documents, frequency)


@cache
def default_background() -> Background:
    """The shipped table (read once per process, ~17k stems)."""
    raw = resources.files("index.lexicon").joinpath(BACKGROUND_FILE).read_bytes()
    return read_background(gzip.decompress(raw).decode("utf-8").splitlines())

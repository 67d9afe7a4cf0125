from __future__ import annotations

import gzip
from importlib import resources

import pytest

from index.background import BACKGROUND_FILE, Background, default_background, read_background


def test_idf_falls_with_frequency() -> None:
    background = Background(100, {"rare": 2, "common": 60, "everywhere": 100})
    assert background.idf("unseen") == background.max_idf
    assert background.max_idf > background.idf("rare") > background.idf("common")
    assert background.idf("common") > background.idf("everywhere") > 0
    assert background.idfs(["rare", "unseen"]) == {
        "rare": background.idf("rare"),
        "unseen": background.max_idf,
    }


def test_table_round_trip() -> None:
    background = read_background(["#documents\t10", "hari\t9", "", "cabai\t2"])
    assert background.documents == 10
    assert dict(background.frequency) == {"hari": 9, "cabai": 2}


@pytest.mark.parametrize(
    "lines",
    [
        [],  # no header
        ["hari\t9"],  # no header
        ["#documents\t0"],
        ["#documents\t10", "hari"],  # no count
        ["#documents\t10", "hari\tsembilan"],
        ["#documents\t10", "hari\t-1"],
    ],
)
def test_bad_tables_are_refused(lines: list[str]) -> None:
    with pytest.raises(ValueError, match="background table"):
        read_background(lines)


def test_shipped_table() -> None:
    background = default_background()
    assert background.documents > 3000
    # everyday words of the news are common, names and specific words are rare
    for common, rare in [("hari", "cabai"), ("tahun", "gencat"), ("presiden", "karabakh")]:
        assert background.idf(common) < background.idf(rare)
    # counted as the stem of content words only: the preposition "antara" is not, so
    # "perantara" (stem antara) keeps some weight
    assert background.idf("antara") > background.idf("kata")


def test_shipped_table_is_sorted_stems() -> None:
    raw = resources.files("index.lexicon").joinpath(BACKGROUND_FILE).read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    assert lines[0].startswith("#documents\t")
    stems = [line.split("\t")[0] for line in lines[1:]]
    assert stems == sorted(stems) and len(stems) == len(set(stems))
    assert all(s and " " not in s and "\t" not in s for s in stems)

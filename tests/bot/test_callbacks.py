"""bot/callbacks.py: round trips and strict parsing."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.callbacks import Callback


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (callbacks.more_data(12, 2), Callback("more", 12, page=2)),
        (callbacks.vote_data(12, True), Callback("vote", 12, vote=1)),
        (callbacks.vote_data(12, False), Callback("vote", 12, vote=-1)),
        (callbacks.more_data(10**17, 49), Callback("more", 10**17, page=49)),
        (callbacks.list_data(0), Callback("list", page=0)),
        (
            callbacks.list_data(346, "banjir bandang"),
            Callback("list", page=346, query="banjir bandang"),
        ),
        (callbacks.list_data(999999, "é" * 20), Callback("list", page=999999, query="é" * 20)),
    ],
)
def test_round_trip(data: str, expected: Callback) -> None:
    assert callbacks.parse(data) == expected
    assert len(data.encode()) <= 64


@pytest.mark.parametrize(
    "data",
    [
        None,
        5,
        b"more:1:1",
        "",
        "more:0:1",
        "more:1:50",
        "more:1:up",
        "vote:1:1",
        "vote:1:UP",
        " more:1:1",
        "more:1:1\n",
        "more:１:1",
        "more:1:٣",
        "vote:1:down;rm",
        "list:",
        "list:1:",
        "list:1000000",
        "list:1:two  spaces",
        "list:1:" + "x" * 41,
        "list:1:tab\tx",
    ],
)
def test_anything_else_is_refused(data: object) -> None:
    assert callbacks.parse(data) is None


@pytest.mark.parametrize(
    ("words", "term"),
    [
        (["banjir"], "banjir"),
        (["  banjir ", "bandang\n"], "banjir bandang"),
        (["kata"] * 20, " ".join(["kata"] * 8)),
        (["é" * 30], "é" * 20),
        ([], ""),
    ],
)
def test_search_term_fits_the_button(words: list[str], term: str) -> None:
    assert callbacks.search_term(words) == term
    assert len(callbacks.list_data(999999, term).encode()) <= 64

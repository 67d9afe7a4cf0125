"""PySastrawi and its gated prefix rules (index/stemmer.py): the gate is in use, it skips only
rules of the expected shape, and every way it can fail falls back to plain PySastrawi — logged
once, with the same stems."""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import Sastrawi
from Sastrawi.Stemmer.Context.Visitor.PrefixDisambiguator import PrefixDisambiguator
from Sastrawi.Stemmer.Context.Visitor.VisitorProvider import VisitorProvider

from index import stemmer
from index.stemmer import SastrawiStemmer, _gated_stemmer, _leading_pattern, _may_start_with
from index.tokens import Tokenizer
from tests.index.test_tokens import stock_stems


@pytest.fixture
def fresh_sastrawi() -> Iterator[None]:
    """``sastrawi()`` built again inside the test (and once more afterwards, unpatched)."""
    stemmer.sastrawi.cache_clear()
    yield
    stemmer.sastrawi.cache_clear()
    stemmer._literal_removals(undo=True)


def _affixed_words(count: int, seed: int) -> list[str]:
    roots_file = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    roots = [w for w in roots_file.read_text(encoding="utf-8").split() if w.isalpha()]
    rng = random.Random(seed)
    prefixes = ["", "me", "mem", "meny", "peng", "ber", "ter", "di", "ke", "memper", "per"]
    suffixes = ["", "kan", "an", "i", "nya", "lah"]
    return sorted(
        {rng.choice(prefixes) + root + rng.choice(suffixes) for root in rng.sample(roots, 150)}
    )


def _fallback_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "gated prefix rules are off" in r.message]


def test_the_gate_is_in_use() -> None:
    assert stemmer.sastrawi().gated


@pytest.mark.parametrize(
    "failure", ["build raises", "private parser missing", "probe disagrees", "stemming raises"]
)
def test_every_failure_of_the_gate_falls_back_to_plain_pysastrawi(
    failure: str,
    fresh_sastrawi: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if failure == "build raises":
        monkeypatch.setattr(stemmer, "_prefix_plans", _raise)
    elif failure == "private parser missing":  # as if a Python release renamed re._parser
        monkeypatch.setattr(stemmer, "_may_start_with", _raise)
    elif failure == "probe disagrees":
        original = stemmer._gated_stemmer
        monkeypatch.setattr(
            stemmer, "_gated_stemmer", lambda inner: _wrong_on("terbawa", original(inner))
        )
    else:
        original = stemmer._gated_stemmer
        monkeypatch.setattr(
            stemmer, "_gated_stemmer", lambda inner: _raising_on("kedatangannya", original(inner))
        )
    words = [*_affixed_words(400, seed=12), "kedatangannya", "terbawa"]
    with caplog.at_level(logging.WARNING, logger="index.stemmer"):
        stem = stemmer.sastrawi()
        stems = {w: Tokenizer(stemmer=stem, informal={}).stem(w) for w in words}
    assert not stem.gated
    assert len(_fallback_warnings(caplog)) == 1
    expected = stock_stems(words)
    assert {w: t for w, t in stems.items() if t != (expected[w],)} == {}
    # Nothing of the speed-up is left in Sastrawi's modules.
    visitor = pytest.importorskip("Sastrawi.Stemmer.Context.Visitor.RemoveDerivationalSuffix")
    assert visitor.re is re


def test_threads_failing_together_switch_once(
    fresh_sastrawi: None, caplog: pytest.LogCaptureFixture
) -> None:
    plain = stemmer.sastrawi()._plain
    barrier = threading.Barrier(8)

    def gated(word: str) -> str:
        barrier.wait(timeout=10)  # all eight threads are inside the gated stemmer at once
        raise RuntimeError("Sastrawi changed")

    both = SastrawiStemmer(plain, gated)
    results: list[str] = []
    with caplog.at_level(logging.WARNING, logger="index.stemmer"):
        threads = [
            threading.Thread(target=lambda: results.append(both("berlari"))) for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == ["lari"] * 8
    assert not both.gated
    assert len(_fallback_warnings(caplog)) == 1


def test_a_failing_plain_stemmer_is_not_hidden() -> None:
    plain_only = SastrawiStemmer(plain=_raise, gated=None)
    with pytest.raises(RuntimeError):
        plain_only("kata")


def _raise(*args: object, **kwargs: object) -> str:
    raise RuntimeError("Sastrawi changed")


def _wrong_on(word: str, gated: object) -> object:
    def stem(w: str) -> str:
        return "salah" if w == word else gated(w)  # type: ignore[operator]

    return stem


def _raising_on(word: str, gated: object) -> object:
    def stem(w: str) -> str:
        if w == word:
            raise AttributeError("'Context' object has no attribute 'removals'")
        return gated(w)  # type: ignore[operator]

    return stem


def test_prefix_rules_are_gated() -> None:
    """The speed-up is in use: all but the rules of an unexpected shape have a gate pattern."""
    rules = [
        rule
        for visitor in VisitorProvider().get_prefix_visitors()
        if isinstance(visitor, PrefixDisambiguator)
        for rule in visitor.disambiguators
    ]
    patterns = {type(r).__name__: _leading_pattern(r) for r in rules}
    assert patterns["DisambiguatorPrefixRule1a"] == "^ber([aiueo].*)$"
    assert sum(p is not None for p in patterns.values()) >= len(rules) - 4


class _OddRule:
    def disambiguate(self, word: str) -> str | None:
        matches = re.match(r"^ber(.*)$", word)
        if matches:
            return matches.group(1)
        return word  # acts on every word: must never be skipped


class _RuleWithElse:
    def disambiguate(self, word: str) -> str | None:
        matches = re.match(r"^ber(.*)$", word)
        if matches:
            return matches.group(1)
        else:
            return "r" + word


class _PlainRule:
    def disambiguate(self, word: str) -> str | None:
        """Rule: berV -> ber-V."""
        matches = re.match(r"^ber([aiueo].*)$", word)
        if matches:
            return matches.group(1)


@pytest.mark.parametrize(
    ("rule", "pattern"),
    [(_OddRule(), None), (_RuleWithElse(), None), (_PlainRule(), "^ber([aiueo].*)$")],
)
def test_only_rules_of_the_expected_shape_get_a_gate(rule: object, pattern: str | None) -> None:
    assert _leading_pattern(rule) == pattern


@pytest.mark.parametrize(
    ("pattern", "first", "allowed"),
    [
        ("^ber([aiueo].*)$", "b", True),
        ("^ber([aiueo].*)$", "m", False),
        ("^([bcdfghjklmnpqrstvwxyz])er([aiueo])(.*)$", "t", True),
        ("^([bcdfghjklmnpqrstvwxyz])er([aiueo])(.*)$", "a", False),
        ("(?:^ku(.*)$)|(?:^kau(.*)$)", "k", True),
        ("(?:^ku(.*)$)|(?:^kau(.*)$)", "s", False),
        ("^(.*)$", "x", True),
        ("^[^a]", "a", True),
    ],
)
def test_first_letter_dispatch_is_conservative(pattern: str, first: str, allowed: bool) -> None:
    assert _may_start_with(re.compile(pattern), first) is allowed


def test_unknown_stemmer_objects_are_not_gated() -> None:
    assert _gated_stemmer(object()) is None

"""Tokenising and stemming — the only module that imports Sastrawi.

Sentences and questions go through exactly the same ``Tokenizer.tokens`` pipeline:
lower-case words (accents folded, numbers kept), informal chat words mapped to standard ones
by ``lexicon/informal.txt``, then Sastrawi stems. Each distinct word is stemmed once per
process (memo), which is what makes ingest fast.

Hyphenated words are handled deliberately: Sastrawi stems the whole word first, which collapses
reduplication (``orang-orang`` → ``orang``, ``berpindah-pindah`` → ``pindah``); a compound that
keeps its hyphen after that (``Nagorno-Karabakh``, ``Agdere-Terter``) is indexed as its parts so
that "Nagorno Karabakh" and "Nagorno-Karabakh" match each other.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import Protocol, cast

__all__ = ["Stemmer", "Tokenizer", "default_tokenizer", "fold", "informal_lexicon", "sastrawi"]


class Stemmer(Protocol):
    """Anything that stems one lower-case word."""

    def __call__(self, word: str) -> str: ...


# Words: letters/digits with inner hyphens or apostrophes; numbers keep their inner separators
# (12.30, 2.375.000, 3,5) so that a number is one token.
_WORD = re.compile(r"\d+(?:[.,:]\d+)*|[^\W_]+(?:[-'][^\W_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def fold(text: str) -> str:
    """Lower-case and strip accents (``François`` → ``francois``); other scripts are kept."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def informal_lexicon() -> dict[str, tuple[str, ...]]:
    """Informal/chat word → standard words, from the shipped ``lexicon/informal.txt``."""
    raw = resources.files("index.lexicon").joinpath("informal.txt").read_text(encoding="utf-8")
    mapping: dict[str, tuple[str, ...]] = {}
    for raw_line in raw.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        informal, _, standard = line.partition("=")
        words = tuple(standard.split())
        if informal.strip() and words:
            mapping[informal.strip().lower()] = words
    return mapping


_sastrawi_lock = threading.Lock()


@cache
def sastrawi() -> Callable[[str], str]:
    """The PySastrawi stemmer, created once per process (loading its dictionary takes ~20 ms)."""
    with _sastrawi_lock:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        stemmer = StemmerFactory().create_stemmer()
        # The factory wraps the stemmer in an unbounded result cache; our memo replaces it.
        inner = getattr(stemmer, "delegatedStemmer", stemmer)
        return cast("Callable[[str], str]", inner.stem)


class Tokenizer:
    """Text → list of index terms (stems). Thread-safe; the memo only grows.

    ``stemmer`` and ``informal`` are injected so tests and benchmarks can swap them
    (e.g. no stemming, or PySastrawi without a memo).
    """

    def __init__(
        self,
        stemmer: Stemmer | None = None,
        informal: dict[str, tuple[str, ...]] | None = None,
        *,
        memo: bool = True,
    ) -> None:
        self._stem_word: Callable[[str], str] = stemmer if stemmer is not None else sastrawi()
        self._informal = informal if informal is not None else informal_lexicon()
        self._memo: dict[str, tuple[str, ...]] | None = {} if memo else None

    @property
    def memo_size(self) -> int:
        return len(self._memo) if self._memo is not None else 0

    def words(self, text: str) -> list[str]:
        """Surface words (folded, informal words expanded), before stemming."""
        result: list[str] = []
        for raw in _WORD.findall(fold(text)):
            expansion = self._informal.get(raw)
            if expansion is not None:
                result.extend(expansion)
            else:
                result.append(raw)
        return result

    def stem(self, word: str) -> tuple[str, ...]:
        """Index terms for one folded word (usually one stem; compounds give their parts)."""
        memo = self._memo
        if memo is not None:
            cached = memo.get(word)
            if cached is not None:
                return cached
        terms = self._stem_uncached(word)
        if memo is not None:
            memo[word] = terms
        return terms

    def _stem_uncached(self, word: str) -> tuple[str, ...]:
        if _NUMBER.fullmatch(word):
            return (word,)
        if not _ASCII_WORD.fullmatch(word):
            # Non-Latin script or apostrophes: Sastrawi would drop the characters it does not
            # know, so stem the ASCII pieces and keep anything else verbatim.
            terms: list[str] = []
            for piece in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*|[^\W\d_a-z]+", word):
                terms.extend(self.stem(piece) if _ASCII_WORD.fullmatch(piece) else (piece,))
            return tuple(terms)
        stemmed = self._stem_word(word)
        if not stemmed:
            return (word,)
        if "-" in stemmed or " " in stemmed:
            return tuple(part for part in re.split(r"[- ]+", stemmed) if part)
        return (stemmed,)

    def tokens(self, text: str) -> list[str]:
        """The pipeline for sentences and questions alike."""
        out: list[str] = []
        for word in self.words(text):
            out.extend(self.stem(word))
        return out

    def tokens_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.tokens(t) for t in texts]


@cache
def default_tokenizer() -> Tokenizer:
    """The process-wide tokenizer (Sastrawi, shipped informal lexicon, memo)."""
    return Tokenizer()

"""Tokenising and stemming: text → index terms.

Sentences and questions go through exactly the same ``Tokenizer.tokens`` pipeline:

1. **Words.** The text is lower-cased with accents folded (``François`` → ``francois``; other
   scripts are kept as they are). A word is a run of letters/digits with inner hyphens or
   apostrophes; a number keeps its inner separators (``12.30``, ``2.375.000``, ``3,5``) so it
   stays one token. Apostrophes inside a word are dropped (``Jum'at`` → ``jumat``,
   ``Qur'an`` → ``quran``), and a currency prefix is split from its amount (``Rp500`` →
   ``rp 500``).
2. **Informal words.** Chat Indonesian is mapped to standard words by the shipped lexicon
   ``lexicon/informal.txt`` (``yg`` → ``yang``, ``gak`` → ``tidak``, ``dmn`` → ``di mana``).
   Chat reduplication with a digit means the plain word (``anak2`` → ``anak``, as Sastrawi
   stems ``anak-anak``).
3. **Stems.** PySastrawi stems each word. The stemmer is created once per process and each
   distinct word is stemmed once (a memo), which is what makes ingest fast.

Hyphenated words are handled deliberately. Sastrawi stems the whole word first, which collapses
reduplication (``orang-orang`` → ``orang``, ``berpindah-pindah`` → ``pindah``,
``kuda-kudanya`` → ``kuda``). A word that keeps its hyphen after that — a compound or a name
(``Nagorno-Karabakh``, ``anti-korupsi``, ``COVID-19``) — is indexed as its parts, each stemmed
as a word of its own, so "Nagorno Karabakh" and "Nagorno-Karabakh" give the same terms and
``pro-pemerintahan`` matches ``pemerintahan``.

Parity: for a single alphabetic word, ``Tokenizer.stem`` returns exactly what PySastrawi's own
``stem()`` returns (tests/index/test_tokens.py checks it against the unmodified library on every
word of the shipped article, the whole IndoSum vocabulary and affixed forms of its roots).
PySastrawi itself — and the gated prefix rules that make it ~4× faster — is in
``index/stemmer.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import NamedTuple, Protocol

from index.stemmer import sastrawi

__all__ = [
    "Stemmer",
    "TermSpan",
    "Tokenizer",
    "default_tokenizer",
    "fold",
    "informal_lexicon",
    "sastrawi",
]


class Stemmer(Protocol):
    """Anything that stems one lower-case word."""

    def __call__(self, word: str) -> str: ...


# Words: a currency prefix before an amount, a number with its inner separators (12.30,
# 2.375.000, 3,5), or letters/digits with inner hyphens or apostrophes.
_WORD = re.compile(r"rp(?=\d)|\d+(?:[.,:]\d+)*|[^\W_]+(?:[-'][^\W_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SCRIPT_PIECES = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|[^\W\d_a-z]+")
# Chat reduplication: a word of 3+ letters with a vowel, then "2" ("anak2", "org2", "ibu2").
_REDUPLICATED = re.compile(r"([a-z]*[aiueo][a-z]*)2")
DEFAULT_MEMO_LIMIT = 1_000_000  # distinct words remembered (~100 MB at most); then no caching


# Apostrophe look-alikes in questions typed on phones (sentences were normalised already).
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032", "'"))


def _prepare(text: str) -> str:
    folded = fold(text)
    return folded if folded.isascii() else folded.translate(_APOSTROPHES)


class TermSpan(NamedTuple):
    """A word of a text: its span there, its folded form and its index terms."""

    start: int
    end: int
    word: str
    terms: tuple[str, ...]


def _prepare_with_offsets(text: str) -> tuple[str, list[int] | None] | None:
    """``_prepare(text)`` and, for each of its characters, the index in ``text`` it came from
    (``None``: the same index, as for ASCII text). Folding one character at a time gives the
    lengths (a lower case that depends on context, such as a final sigma, keeps the length);
    ``None`` if they do not add up to ``_prepare(text)``."""
    if text.isascii():
        return text.lower(), None
    prepared = _prepare(text)
    pieces = [fold(ch) for ch in text]
    if sum(map(len, pieces)) != len(prepared):
        return None
    offsets = [index for index, piece in enumerate(pieces) for _ in piece]
    return prepared, offsets


def _original_span(text: str, offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """The span in ``text`` of ``prepared[start:end]`` (with the accents folding removed)."""
    first, last = offsets[start], offsets[end - 1] + 1
    while last < len(text) and unicodedata.combining(text[last]):
        last += 1
    return first, last


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
        line = raw_line.split("#", 1)[0].strip()
        if not line:
            continue
        informal, _, standard = line.partition("=")
        words = tuple(standard.split())
        if informal.strip() and words:
            mapping[informal.strip().lower()] = words
    return mapping


class Tokenizer:
    """Text → list of index terms (stems). Thread-safe; the memo only grows.

    ``stemmer`` and ``informal`` are injected so tests and benchmarks can swap them (e.g. a
    counting fake, no stemming, or no informal lexicon). ``memo_limit`` bounds the memory an
    endless stream of new words (garbage input) can take: past it, new words are stemmed
    without being remembered.
    """

    def __init__(
        self,
        stemmer: Stemmer | None = None,
        informal: dict[str, tuple[str, ...]] | None = None,
        *,
        memo: bool = True,
        memo_limit: int = DEFAULT_MEMO_LIMIT,
    ) -> None:
        self._stem_word: Callable[[str], str] = stemmer if stemmer is not None else sastrawi()
        self._informal = informal if informal is not None else informal_lexicon()
        self._memo: dict[str, tuple[str, ...]] | None = {} if memo else None
        self._surface: dict[str, tuple[str, ...]] | None = {} if memo else None
        self._memo_limit = memo_limit

    @property
    def informal(self) -> Mapping[str, tuple[str, ...]]:
        """The informal lexicon in use (hashed into the store's pipeline fingerprint)."""
        return self._informal

    @property
    def memo_size(self) -> int:
        return len(self._memo) if self._memo is not None else 0

    def words(self, text: str) -> list[str]:
        """Surface words (folded, informal words expanded), before stemming."""
        result: list[str] = []
        for found in _WORD.findall(_prepare(text)):
            result.extend(self._expand(found))
        return result

    def _expand(self, found: str) -> tuple[str, ...]:
        word = found.replace("'", "") if "'" in found else found  # Jum'at → jumat
        expansion = self._informal.get(word)
        if expansion is None and word[-1] == "2" and len(word) > 3:
            match = _REDUPLICATED.fullmatch(word)
            if match is not None:
                base = match.group(1)
                expansion = self._informal.get(base, (base,))
        return expansion if expansion is not None else (word,)

    def stem(self, word: str) -> tuple[str, ...]:
        """Index terms for one folded word (usually one stem; compounds give their parts)."""
        memo = self._memo
        if memo is not None:
            cached = memo.get(word)
            if cached is not None:
                return cached
        terms = self._stem_uncached(word)
        if memo is not None and len(memo) < self._memo_limit:
            memo[word] = terms
        return terms

    def _stem_uncached(self, word: str) -> tuple[str, ...]:
        if _NUMBER.fullmatch(word):
            return (word,)
        if not _ASCII_WORD.fullmatch(word):
            # Another script (or digits of another script): Sastrawi would drop the characters
            # it does not know, so stem the ASCII pieces and keep anything else verbatim.
            terms: list[str] = []
            for piece in _SCRIPT_PIECES.findall(word):
                terms.extend(self.stem(piece) if _ASCII_WORD.fullmatch(piece) else (piece,))
            return tuple(terms)
        stemmed = self._stem_word(word)
        if not stemmed:
            return (word,)
        if "-" not in stemmed and " " not in stemmed:
            return (stemmed,)
        # A compound kept whole by Sastrawi: index its parts, each stemmed on its own; a
        # reduplication Sastrawi did not collapse ("masing-masing") counts once.
        parts: dict[str, None] = {}
        for part in re.split(r"[- ]+", stemmed):
            if part:
                parts.update(dict.fromkeys(self.stem(part)))
        return tuple(parts)

    def tokens(self, text: str) -> list[str]:
        """The pipeline for sentences and questions alike: ``stem`` of every ``words`` entry."""
        out: list[str] = []
        surface = self._surface
        for found in _WORD.findall(_prepare(text)):
            # Fast path: the terms of a surface word seen before (expansion + stems) in one
            # lookup; stemming itself still goes through the per-word memo of ``stem``.
            terms = surface.get(found) if surface is not None else None
            if terms is None:
                terms = tuple(t for word in self._expand(found) for t in self.stem(word))
                if surface is not None and len(surface) < self._memo_limit:
                    surface[found] = terms
            out.extend(terms)
        return out

    def term_spans(self, text: str, tokens: Sequence[str]) -> list[TermSpan]:
        """Each word of ``text`` as ``tokens(text)`` reads it (the same regex, the same
        expansion), with its span in ``text`` and its terms — taken from ``tokens``, what
        ``tokens(text)`` gave (e.g. stored with the sentence), not stemmed again (see
        ``_term_counts``). If ``tokens`` does not line up with ``text`` (stored by another
        pipeline), each word's terms are computed instead. Highlighting an answer uses this,
        so a fresh process marks words as fast as a warm one."""
        prepared = _prepare_with_offsets(text)
        if prepared is None:  # folding changed the text in a way offsets cannot follow
            return [
                TermSpan(m.start(), m.end(), m.group().lower(), tuple(self.tokens(m.group())))
                for m in _WORD.finditer(text)
            ]
        folded, offsets = prepared
        matches = list(_WORD.finditer(folded))
        expansions = [self._expand(m.group()) for m in matches]
        counts = self._term_counts(expansions, len(tokens))
        if counts is None:  # ``tokens`` does not line up with ``text``: compute them
            counts = [sum(len(self.stem(word)) for word in e) for e in expansions]
            tokens = self.tokens(text)
        spans: list[TermSpan] = []
        position = 0
        for match, count in zip(matches, counts, strict=True):
            start, end = match.span()
            if offsets is not None:
                start, end = _original_span(text, offsets, start, end)
            terms = tuple(tokens[position : position + count])
            spans.append(TermSpan(start, end, match.group(), terms))
            position += count
        return spans

    def _term_counts(self, expansions: list[tuple[str, ...]], total: int) -> list[int] | None:
        """How many terms each surface word (its ``expansions``) gives, ``total`` in all
        (``None`` if they cannot add up to it). Known without stemming: one for a number and
        for an unhyphenated ASCII word (PySastrawi returns one root for it), the memo's count
        for a word seen before. Of the other words (hyphenated, another script), all but the
        last are stemmed (memoised); the last takes what is left of ``total``."""
        memo = self._memo
        counts: list[int] = []
        unknown: list[tuple[int, str]] = []  # (surface word's index, word)
        for index, expansion in enumerate(expansions):
            count = 0
            for word in expansion:
                known = memo.get(word) if memo is not None else None
                if known is not None:
                    count += len(known)
                elif ("-" not in word and _ASCII_WORD.fullmatch(word)) or _NUMBER.fullmatch(word):
                    count += 1
                else:
                    unknown.append((index, word))
            counts.append(count)
        if not unknown:
            return counts if sum(counts) == total else None
        *stemmed, (last_index, last_word) = unknown
        for index, word in stemmed:
            counts[index] += len(self.stem(word))
        rest = total - sum(counts)
        if not 1 <= rest <= len(last_word):  # a word gives 1 term at least, 1 a character at most
            return None
        counts[last_index] += rest
        return counts

    def word_terms(self, word: str) -> tuple[str, ...]:
        """``tokens`` of a single surface word, answered from the surface cache when the word
        was seen before (short answers look up the words of the best sentence)."""
        surface = self._surface
        if surface is not None:
            terms = surface.get(word.lower() if word.isascii() else word)
            if terms is not None:
                return terms
        return tuple(self.tokens(word))

    def tokens_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.tokens(t) for t in texts]


@cache
def default_tokenizer() -> Tokenizer:
    """The process-wide tokenizer (Sastrawi, shipped informal lexicon, memo)."""
    return Tokenizer()

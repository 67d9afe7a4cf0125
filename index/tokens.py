"""Tokenising and stemming — the only module that imports Sastrawi.

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
PySastrawi runs with gated prefix rules (``_gated_stemmer``): same stems, ~4× faster.
"""

from __future__ import annotations

import re
import textwrap
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import Protocol, cast

__all__ = [
    "Stemmer",
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


_sastrawi_lock = threading.Lock()


@cache
def sastrawi() -> Callable[[str], str]:
    """PySastrawi's word stemmer, created once per process (loading its dictionary takes ~20 ms).

    ``StemmerFactory`` wraps the stemmer in an unbounded result cache and a text normaliser that
    runs a regex over every word; ``Tokenizer`` normalises and memoises itself, so it calls
    ``stem_word`` — for a lower-case ``[a-z0-9-]`` word that is exactly ``stem(word)``. The
    stemmer is PySastrawi's own, run with gated prefix rules (``_gated_stemmer``): same stems,
    about four times faster on new words.
    """
    with _sastrawi_lock:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        stemmer = StemmerFactory().create_stemmer()
        inner = getattr(stemmer, "delegatedStemmer", stemmer)
        gated = _gated_stemmer(inner)
        if gated is not None:
            return gated
        return cast("Callable[[str], str]", getattr(inner, "stem_word", inner.stem))


def _gated_stemmer(inner: object) -> Callable[[str], str] | None:
    """PySastrawi's ``Stemmer`` with one change in how it runs, not in what it computes.

    Sastrawi strips prefixes by calling ~40 prefix-rule visitors in order, each trying its
    regexes through ``re.match`` — about 60 visits and 100 regex calls per new word, which is
    where its time goes. Every rule of a ``PrefixDisambiguator`` starts with
    ``matches = re.match(PATTERN, word)`` and does nothing unless it matches, so a visitor whose
    patterns cannot match the current word is a no-op. ``_GatedContext`` skips those visitors
    (after the same dictionary/stop check the loop would have made after a no-op visit) using
    one precompiled alternation of their patterns, looked up by the word's first letter.

    A rule that does not have that exact shape (checked on its source) is never skipped. Returns
    ``None`` (use the plain stemmer) if Sastrawi's structure is not the expected one. Parity with
    ``stem()`` is tested on the whole IndoSum vocabulary (tests/index/test_tokens.py).
    """
    try:
        from Sastrawi.Stemmer.Context.Context import Context
        from Sastrawi.Stemmer.Context.Visitor.PrefixDisambiguator import PrefixDisambiguator
        from Sastrawi.Stemmer.Stemmer import Stemmer
    except ImportError:  # pragma: no cover - a different Sastrawi layout
        return None
    if not isinstance(inner, Stemmer):
        return None
    _literal_removals()
    stemmer = Stemmer(inner.dictionary)
    visitors = list(stemmer.visitor_provider.get_prefix_visitors())
    gates: list[re.Pattern[str] | None] = []
    for visitor in visitors:
        patterns = (
            [_leading_pattern(d) for d in visitor.disambiguators]
            if isinstance(visitor, PrefixDisambiguator)
            else [None]
        )
        gates.append(
            None
            if any(p is None for p in patterns)
            else re.compile("|".join(f"(?:{p})" for p in patterns))
        )
    plans = _prefix_plans(visitors, gates)
    prefix_visitors = stemmer.visitor_provider.get_prefix_visitors()

    class _GatedContext(Context):  # type: ignore[misc]  # Sastrawi is untyped
        def accept_prefix_visitors(self, visitors: list[object]) -> str | None:
            if visitors is not prefix_visitors:
                return cast("str | None", super().accept_prefix_visitors(visitors))
            removal_count = len(self.removals)
            word = self.current_word
            contains = self.dictionary.contains
            checked = False
            for visitor, gate in plans.get(word[:1], plans[""]):
                if visitor is None or (gate is not None and gate.match(word) is None):
                    # A no-op visit: the loop would now check the unchanged word once.
                    if not checked:
                        if contains(self.current_word) or self.process_is_stopped:
                            return cast(str, self.current_word)
                        checked = True
                    continue
                self.accept(visitor)
                if contains(self.current_word) or self.process_is_stopped:
                    return cast(str, self.current_word)
                if len(self.removals) > removal_count:
                    return None
            return None

    def stem_singular_word(word: str) -> str:
        context = _GatedContext(word, stemmer.dictionary, stemmer.visitor_provider)
        context.execute()
        return cast(str, context.result)

    stemmer.stem_singular_word = stem_singular_word
    return cast("Callable[[str], str]", stemmer.stem_word)


_PLAIN_WORD = re.compile(r"[a-z0-9]*")


class _LiteralSubRe:
    """Stands in for ``re`` in Sastrawi's affix visitors. After stripping an affix they compute
    the removed part with ``re.sub(stem, "", word, count=1)`` — the stem used as a pattern, a
    new one for every word, which evicts Sastrawi's own patterns from ``re``'s 512-entry cache
    and recompiles them. For a plain ``[a-z0-9]`` pattern that call is ``str.replace(stem, "",
    1)``; every other call goes to ``re`` unchanged."""

    def __getattr__(self, name: str) -> object:
        return getattr(re, name)

    @staticmethod
    def sub(pattern: str, repl: str, string: str, count: int = 0, flags: int = 0) -> str:
        if repl == "" and count == 1 and not flags and _PLAIN_WORD.fullmatch(pattern):
            return string.replace(pattern, "", 1)
        return re.sub(pattern, repl, string, count=count, flags=flags)


def _literal_removals() -> None:
    import importlib

    for name in (
        "AbstractDisambiguatePrefixRule",
        "RemovePlainPrefix",
        "RemoveInflectionalParticle",
        "RemoveInflectionalPossessivePronoun",
        "RemoveDerivationalSuffix",
    ):
        module = importlib.import_module(f"Sastrawi.Stemmer.Context.Visitor.{name}")
        if getattr(module, "re", None) is re:
            module.re = _LiteralSubRe()  # type: ignore[attr-defined]


_RULE_SOURCE = re.compile(
    r"""^\s*def disambiguate\(self, word(?:: str)?\)(?: -> [^:]+)?:\s*"""
    r"""(?:(?:\"\"\"[\s\S]*?\"\"\")\s*)?"""
    r"""matches = re\.match\(r(?:'([^'\\]*)'|"([^"\\]*)"), word\)\s*if matches:"""
)


def _leading_pattern(rule: object) -> str | None:
    """The pattern a prefix rule first matches the word against, if the rule has the shape
    ``matches = re.match(r'...', word)`` / ``if matches: ... return ...`` and nothing else
    that could return a stem (else ``None``: never skip the rule)."""
    import inspect

    try:
        source = inspect.getsource(type(rule).disambiguate)  # type: ignore[attr-defined]
    except (OSError, TypeError, AttributeError):
        return None
    source = textwrap.dedent(source)
    found = _RULE_SOURCE.match(source)
    if found is None:
        return None
    body = source[found.end() :]
    # Everything after ``if matches:`` must be inside that block (indented deeper).
    indent = len(found.group(0).rsplit("\n", 1)[-1]) - len("if matches:")
    for line in body.splitlines()[1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            return None
    return found.group(1) if found.group(1) is not None else found.group(2)


_PrefixPlan = tuple[tuple[object | None, "re.Pattern[str] | None"], ...]


def _prefix_plans(
    visitors: list[object], gates: list[re.Pattern[str] | None]
) -> dict[str, _PrefixPlan]:
    """For each possible first character, the prefix visitors in order; a visitor whose gate can
    never match a word starting with that character becomes ``(None, None)`` (a no-op).

    Only the first no-op of a plan is kept: the loop checks the unchanged word once at the first
    no-op, and the word stays unchanged until a visitor acts, after which the loop returns —
    so later no-ops would only repeat that check."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"
    plans: dict[str, _PrefixPlan] = {}
    for first in [*alphabet, ""]:
        plan: list[tuple[object | None, re.Pattern[str] | None]] = []
        has_noop = False
        for visitor, gate in zip(visitors, gates, strict=True):
            if gate is not None and first and not _may_start_with(gate, first):
                if not has_noop:
                    plan.append((None, None))
                    has_noop = True
            else:
                plan.append((visitor, gate))
        plans[first] = tuple(plan)
    return plans


def _may_start_with(gate: re.Pattern[str], first: str) -> bool:
    """Whether some word starting with ``first`` could match ``gate`` (conservative: True
    unless the pattern's first element is a literal or a character set without it)."""
    from re import _parser  # type: ignore[attr-defined]  # stable since 3.11

    try:
        items = list(_parser.parse(gate.pattern))
    except re.error:  # pragma: no cover - the gate compiled, so it parses
        return True
    return _first_chars_allow(items, first)


def _first_chars_allow(items: list[tuple[object, object]], first: str) -> bool:
    from re import _constants as c  # type: ignore[attr-defined]

    while items and items[0][0] is c.AT:
        items = items[1:]
    if not items:
        return True
    op, arg = items[0]
    if op is c.LITERAL:
        return chr(cast(int, arg)) == first
    if op is c.IN:
        members = cast(list[tuple[object, object]], arg)
        if any(kind is c.NEGATE for kind, _ in members):
            return True
        for kind, value in members:
            if kind is c.LITERAL and chr(cast(int, value)) == first:
                return True
            if kind is c.RANGE:
                lo, hi = cast(tuple[int, int], value)
                if lo <= ord(first) <= hi:
                    return True
            if kind not in (c.LITERAL, c.RANGE):
                return True
        return False
    if op is c.SUBPATTERN:
        body = cast("Iterable[tuple[object, object]]", cast("tuple[object, ...]", arg)[-1])
        return _first_chars_allow(list(body), first)
    if op is c.BRANCH:
        branches = cast("tuple[object, list[Iterable[tuple[object, object]]]]", arg)[1]
        return any(_first_chars_allow(list(b), first) for b in branches)
    return True


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

    def word_terms(self, word: str) -> tuple[str, ...]:
        """``tokens`` of a single surface word, answered from the surface cache when the word
        was seen before (highlighting looks up every word of the answer sentences)."""
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

"""PySastrawi's word stemmer — the only module that imports Sastrawi — and its speed-up.

``sastrawi()`` gives PySastrawi's own stemmer, run with **gated prefix rules** (``_gated_stemmer``):
same stems, about four times faster on new words. The speed-up leans on things neither
Sastrawi nor Python promise: the layout of Sastrawi's modules, the source text of its prefix
rules (read with ``inspect``), CPython's private regex parser (``re._parser``) and swapping the
``re`` of five Sastrawi modules for a literal ``sub`` (``_LiteralSubRe``). So all of it sits
behind one fallback: if building the gate raises, if the gated stemmer disagrees with plain
PySastrawi on a few probe words, or if it raises while stemming, plain PySastrawi stems from then
on (the swapped ``re`` is put back) and one warning is logged. A Python or Sastrawi upgrade can
make tokenising slower, never wrong. tests/index/test_stemmer.py forces each fallback.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
import textwrap
import threading
from collections.abc import Callable, Iterable
from functools import cache
from typing import cast

__all__ = ["SastrawiStemmer", "sastrawi"]

log = logging.getLogger(__name__)

# Words the gated and the plain stemmer must agree on before the gate is used: one or two per
# family of prefix rules (ber-, ter-, me-, pe-, di-/ke-/se-, memper-, with suffixes).
_PROBE_WORDS = (
    "berlari",
    "terbawa",
    "menyapu",
    "mempermainkan",
    "pengangguran",
    "perekonomian",
    "kebersamaan",
    "dipertanyakan",
)

_sastrawi_lock = threading.Lock()


class SastrawiStemmer:
    """A stemmer that runs ``gated`` and, the first time it raises, ``plain`` from then on.

    ``gated`` is ``None`` when the gate could not be built (plain from the start)."""

    __slots__ = ("_lock", "_plain", "_stem")

    def __init__(self, plain: Callable[[str], str], gated: Callable[[str], str] | None) -> None:
        self._plain = plain
        self._stem = gated if gated is not None else plain
        self._lock = threading.Lock()

    @property
    def gated(self) -> bool:
        """Whether the gated prefix rules are in use (else plain PySastrawi)."""
        return self._stem is not self._plain

    def __call__(self, word: str) -> str:
        stem = self._stem
        try:
            return stem(word)
        except Exception as exc:
            if stem is self._plain:
                raise
            with self._lock:  # threads failing together: one switch, one warning
                if self._stem is stem:
                    self._stem = self._plain
                    _log_fallback(f"it raised {exc!r} on {word!r}")
            return self._plain(word)


def _log_fallback(why: str) -> None:
    _literal_removals(undo=True)
    log.warning(
        "PySastrawi's gated prefix rules are off (%s): stemming with plain PySastrawi — the same "
        "stems, about four times slower on new words",
        why,
    )


@cache
def sastrawi() -> SastrawiStemmer:
    """PySastrawi's word stemmer, created once per process (loading its dictionary takes ~20 ms).

    ``StemmerFactory`` wraps the stemmer in an unbounded result cache and a text normaliser that
    runs a regex over every word; ``Tokenizer`` normalises and memoises itself, so this calls
    ``stem_word`` — for a lower-case ``[a-z0-9-]`` word that is exactly ``stem(word)``."""
    with _sastrawi_lock:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        stemmer = StemmerFactory().create_stemmer()
        inner = getattr(stemmer, "delegatedStemmer", stemmer)
        plain = cast("Callable[[str], str]", getattr(inner, "stem_word", inner.stem))
        return SastrawiStemmer(plain, _checked_gate(inner, plain))


def _checked_gate(inner: object, plain: Callable[[str], str]) -> Callable[[str], str] | None:
    """The gated stemmer if it builds and agrees with ``plain`` on the probe words, else None
    (logged once)."""
    try:
        gated = _gated_stemmer(inner)
        if gated is None:
            return None
        differing = [w for w in _PROBE_WORDS if gated(w) != plain(w)]
    except Exception as exc:
        _log_fallback(f"building them raised {exc!r}")
        return None
    if differing:
        _log_fallback(f"they stem {differing} unlike PySastrawi")
        return None
    return gated


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
    ``None`` (use the plain stemmer) if the stemmer is not Sastrawi's ``Stemmer``; anything else
    unexpected raises, and ``sastrawi`` falls back. Parity with ``stem()`` is tested on the
    whole IndoSum vocabulary (tests/index/test_tokens.py).
    """
    try:
        from Sastrawi.Stemmer.Context.Context import Context
        from Sastrawi.Stemmer.Context.Visitor.PrefixDisambiguator import PrefixDisambiguator
        from Sastrawi.Stemmer.Stemmer import Stemmer
    except ImportError:  # pragma: no cover - a different Sastrawi layout
        return None
    if not isinstance(inner, Stemmer):
        return None
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
    _literal_removals()
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


_LITERAL_MODULES = (
    "AbstractDisambiguatePrefixRule",
    "RemovePlainPrefix",
    "RemoveInflectionalParticle",
    "RemoveInflectionalPossessivePronoun",
    "RemoveDerivationalSuffix",
)


def _literal_removals(*, undo: bool = False) -> None:
    """Give Sastrawi's affix visitors ``_LiteralSubRe`` as their ``re`` (or ``re`` back)."""
    for name in _LITERAL_MODULES:
        module = importlib.import_module(f"Sastrawi.Stemmer.Context.Visitor.{name}")
        current = getattr(module, "re", None)
        if undo and isinstance(current, _LiteralSubRe):
            module.re = re  # type: ignore[attr-defined]
        elif not undo and current is re:
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

"""Text clean-up and sentence splitting for Indonesian news.

The flow is ``normalize`` → ``split_paragraphs`` → ``strip_boilerplate`` → ``split_sentences``;
``segment`` runs all of it and returns the answerable sentences with their paragraph numbers.

Splitting is rule based because news text has few, well-known traps: glued sentences left by
copy-paste (``Pashinian.Rusia``), abbreviations and initials (``Jl.``, ``H.``, ``S.H.``),
numbers (``12.30``, ``2.375.000``), dates in brackets (``(10/10/2020)``) and quotes that close
after the full stop. The rules are tuned on the IndoSum gold segmentation (see docs/quality.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "SegmentedSentence",
    "normalize",
    "segment",
    "split_paragraphs",
    "split_sentences",
    "strip_boilerplate",
]


@dataclass(frozen=True, slots=True)
class SegmentedSentence:
    """One answerable sentence and the paragraph (0-based) it belongs to."""

    paragraph: int
    text: str


_QUOTE_MAP = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u2033": '"',
    }
)
# Control characters except newline and tab; zero-width and bidi marks that break word matching.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_LINE = re.compile(r"\n\s*\n")


def normalize(text: str) -> str:
    """NFKC, straight quotes, no control characters, single spaces, ``\\n`` line ends."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\t", " ")
    text = _INVISIBLE.sub("", text.translate(_QUOTE_MAP))
    text = _HSPACE.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def split_paragraphs(text: str) -> list[str]:
    """Split normalised text into paragraphs.

    Text with blank lines uses them as paragraph breaks (single newlines inside are soft wraps);
    text without any blank line treats every line as a paragraph, as pasted articles do.
    """
    if _BLANK_LINE.search(text):
        blocks = _BLANK_LINE.split(text)
        paragraphs = [" ".join(block.split("\n")) for block in blocks]
    else:
        paragraphs = text.split("\n")
    return [p.strip() for p in paragraphs if p.strip()]


def _lexicon_lines(name: str) -> list[str]:
    raw = resources.files("index.lexicon").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    """(never-final, may-be-final) abbreviations, lower-cased, without the trailing dot."""
    never: set[str] = set()
    maybe: set[str] = set()
    for line in _lexicon_lines("abbreviations.txt"):
        word, _, kind = line.partition(" ")
        (maybe if kind.strip() == "final" else never).add(word.lower().rstrip("."))
    return frozenset(never), frozenset(maybe)


@cache
def _boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in _lexicon_lines("boilerplate.txt"))


_SOURCE_LINE = re.compile(r"^\(?[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,3}\)?$")


def _is_boilerplate_paragraph(paragraph: str) -> bool:
    return any(p.search(paragraph) for p in _boilerplate_patterns())


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop navigation and credit lines ("Baca juga: …", "Editor: …") and a trailing source name.

    A bare source name glued to the end of the last paragraph (``… kekerasan. Al Jazeera``) is
    cut too: it is a short run of capitalised words with no sentence punctuation.
    """
    kept = [p for p in paragraphs if not _is_boilerplate_paragraph(p)]
    while kept and _SOURCE_LINE.match(kept[-1]) and not kept[-1].endswith("."):
        kept.pop()
    if kept:
        last = split_sentences(kept[-1])
        if len(last) > 1 and _SOURCE_LINE.match(last[-1]) and last[-1][-1] not in ".!?\"')":
            kept[-1] = kept[-1][: kept[-1].rfind(last[-1])].rstrip()
    return kept


# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then either
# whitespace or (glued) directly an upper-case letter / opening quote.
_CANDIDATE = re.compile(r"[.!?]+[\"')\]]*(?=\s|[\"'(\[]?[A-Z]|$)")
_WORD_BEFORE = re.compile(r"([\w.]*[\w])\.+$")
_DIGIT_DOT_DIGIT = re.compile(r"\d\.$")
_URLISH = re.compile(r"(?:https?://|www\.)\S*$|\S+@\S*$", re.IGNORECASE)


def _next_starts_sentence(rest: str) -> bool:
    """Whether the text after a candidate boundary looks like a new sentence."""
    stripped = rest.lstrip()
    if not stripped:
        return True
    first = stripped[0]
    if first in "\"'([":
        stripped = stripped[1:].lstrip()
        if not stripped:
            return True
        first = stripped[0]
    return first.isupper() or first.isdigit() or first in "-•*"


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Decide whether the punctuation ``text[start:end]`` closes a sentence."""
    punct = text[start:end]
    rest = text[end:]
    glued = bool(rest) and not rest[0].isspace()
    if not _next_starts_sentence(rest):
        return False
    if "." not in punct.rstrip("\"')]") or punct.rstrip("\"')]").endswith(("!", "?")):
        return True
    if not punct.startswith(".") or len(punct.rstrip("\"')]")) > 1:
        return True  # "?." or "..." followed by a capital
    head = text[: start + 1]
    if _URLISH.search(head):
        return False
    before = _WORD_BEFORE.search(head)
    if before is None:
        return True  # e.g. ")." or "%."
    word = before.group(1)
    never, maybe = _abbreviations()
    low = word.lower()
    if _DIGIT_DOT_DIGIT.search(head) and rest[:1].isdigit():
        return False  # 2.375.000, 12.30
    if glued:
        # word.Word: only a real word glued to a capitalised word (not an acronym, domain or
        # initial) is a glued sentence boundary.
        nxt = re.match(r"[\"'(\[]?([A-Za-z]+)", rest)
        if nxt is None:
            return False
        right = nxt.group(1)
        return (
            len(word) >= 2
            and "." not in word
            and word[-1].islower()
            and low not in never
            and low not in maybe
            and (len(right) >= 2 and right[0].isupper() and right[1].islower())
        )
    if low in never:
        return False
    if low in maybe:
        return True
    if "." in word:
        # Dotted abbreviations (a.n., S.H., U.S.) and initials chains end a sentence only when
        # they are followed by a capitalised word that is not another initial.
        return not all(len(p) <= 3 for p in word.split("."))
    # A single capital is an initial: "Susilo B. Yudhoyono", "M. Nuh".
    return not (len(word) == 1 and word.isalpha() and word.isupper())


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences (no boilerplate removal)."""
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        if _is_boundary(paragraph, match.start(), match.end()):
            piece = paragraph[start : match.end()].strip()
            if piece:
                sentences.append(piece)
            start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


_HAS_WORD = re.compile(r"\w{2,}|\d")


def segment(text: str) -> list[SegmentedSentence]:
    """Raw article text → answerable sentences with paragraph numbers."""
    paragraphs = strip_boilerplate(split_paragraphs(normalize(text)))
    result: list[SegmentedSentence] = []
    for number, paragraph in enumerate(paragraphs):
        for sentence in split_sentences(paragraph):
            if _HAS_WORD.search(sentence):
                result.append(SegmentedSentence(number, sentence))
    return result

"""Question analysis: the shared token pipeline, which terms carry content, and the question type.

A question goes through exactly the pipeline sentences go through (``Tokenizer``); on top of
that this module decides which terms are *informative* (not question or function words), groups
them into *units* (one word, or one capitalised name such as "Aung San Suu Kyi" — a name is one
piece of evidence however many words spell it), and reads the answer type the question asks for
(kapan → a date, berapa → a number, di kota mana → a place ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from index.tokens import Tokenizer, fold

__all__ = [
    "QuestionAnalysis",
    "analyse_question",
    "function_words",
    "question_words",
    "smalltalk_words",
]


def _lexicon(name: str) -> frozenset[str]:
    raw = resources.files("index.lexicon").joinpath(name).read_text(encoding="utf-8")
    return frozenset(ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#"))


@cache
def function_words() -> frozenset[str]:
    return _lexicon("function_words.txt")


@cache
def smalltalk_words() -> frozenset[str]:
    return _lexicon("smalltalk.txt")


@cache
def question_words() -> frozenset[str]:
    """Words that ask (``kapan``, ``siapa`` ...): the "# question words" section of
    function_words.txt."""
    raw = resources.files("index.lexicon").joinpath("function_words.txt").read_text("utf-8")
    words: set[str] = set()
    section = ""
    for line in raw.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            section = stripped.lstrip("# ").lower()
        elif stripped and section == "question words":
            words.add(stripped)
    return frozenset(words)


# Order matters: the first matching type wins ("tahun berapa" is a date, not a number; "di kota
# mana" is a place, not a "which one"; "apa" is the weakest cue and is checked last).
_QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "when",
        re.compile(
            r"\b(kapan|kapankah|bilamana|tanggal berapa|tahun berapa|jam berapa|pukul berapa|"
            r"abad ke ?berapa|bulan apa|hari apa|tahun apa|tanggal)\b"
        ),
    ),
    ("number", re.compile(r"\b(berapa|berapakah)\b")),
    ("who", re.compile(r"\b(siapa|siapakah)\b")),
    (
        "where",
        # "di mana", "ke manakah", and "di kota mana", "dari negara manakah", "di provinsi
        # apa": a place noun between the preposition and the question word.
        re.compile(
            r"\b(di ?mana|di ?manakah|ke ?mana|ke ?manakah|dari ?mana|dari ?manakah)\b"
            r"|\b(di|ke|dari) (\w+ ){1,2}(mana|manakah)\b"
            r"|\b(di|ke|dari) (kota|kabupaten|provinsi|negara|pulau|desa|daerah|wilayah|benua|"
            r"kecamatan|kawasan|tempat|lokasi) (apa|apakah)\b"
        ),
    ),
    ("why", re.compile(r"\b(mengapa|kenapa)\b")),
    ("how", re.compile(r"\b(bagaimana|bagaimanakah)\b")),
    # "Apa itu X?", "Apakah yang dimaksud dengan X?", "Apa arti X?": asks for a definition.
    (
        "define",
        re.compile(
            r"\b(apa|apakah|apaan) (itu|yang dimaksud|yg dimaksud|arti|artinya|pengertian|"
            r"definisi|maksud)\b|\b(arti|pengertian|definisi) (dari )?\w+ (apa|adalah)\b"
        ),
    ),
    ("what", re.compile(r"\b(apa|apakah|apaan)\b")),
)

# A capitalised word that does not open the question (nor a sentence or quote inside it) is a
# name, even when it spells a question word: the town *Kapan*, the name *Mana*.
_NAME_WORD = re.compile(r"(?<![.!?:;\"'(\[]\s)(?<![.!?:;\"'(\[])(?<!^)\b([A-Z][a-z]+)\b")
_CAPITALISED_RUN = re.compile(
    r"(?<![.!?:;\"'(\[]\s)(?<!^)\b[A-Z][\w'-]*(?:\s+(?:bin|binti|van|von|de|al|[A-Z][\w'-]*))*"
)
_NAME_PLACEHOLDER = "\x00"


@dataclass(frozen=True, slots=True)
class QuestionAnalysis:
    """A question after the shared pipeline.

    ``terms``: every index term, in order (what BM25 scores). ``informative``: the distinct terms
    that are not question or function words (what coverage, evidence and highlighting use).
    ``units``: the informative terms grouped by what they name — one word, or one capitalised
    name of several words — so that evidence counts "Aung San Suu Kyi" once.
    """

    text: str
    terms: tuple[str, ...]
    informative: tuple[str, ...]
    qtype: str
    smalltalk: bool = False
    units: tuple[tuple[str, ...], ...] = ()


def analyse_question(text: str, tokenizer: Tokenizer) -> QuestionAnalysis:
    """Run the shared token pipeline and mark which terms carry the question's content.

    Function words are recognised on the surface word, before stemming, so that a content word
    whose stem happens to equal a function word (``perantara`` → ``antara``) still counts; a
    capitalised question word inside the question is a name and counts too.
    """
    names = {m.group(1).lower() for m in _NAME_WORD.finditer(text)} & question_words()
    skip = function_words() - names
    words = tokenizer.words(text)
    terms: list[str] = []
    informative: dict[str, None] = {}
    for word in words:
        stems = tokenizer.stem(word)
        terms.extend(stems)
        if word not in skip:
            informative.update(dict.fromkeys(stems))
    qtype = _question_type(text, tokenizer, names, words)
    smalltalk = bool(words) and all(w in smalltalk_words() for w in words)
    return QuestionAnalysis(
        fold(text),
        tuple(terms),
        tuple(informative),
        qtype,
        smalltalk,
        _units(text, tokenizer, informative),
    )


def _question_type(text: str, tokenizer: Tokenizer, names: set[str], words: list[str]) -> str:
    if names:
        # Read the question with its names masked, so "dekat Kota Kapan" asks nothing.
        text = _NAME_WORD.sub(
            lambda m: _NAME_PLACEHOLDER if m.group(1).lower() in names else m.group(0), text
        )
        words = tokenizer.words(text.replace(_NAME_PLACEHOLDER, " zz "))
    normalised = " ".join(words)
    return next((name for name, pat in _QUESTION_TYPES if pat.search(normalised)), "other")


def _units(
    text: str, tokenizer: Tokenizer, informative: dict[str, None]
) -> tuple[tuple[str, ...], ...]:
    """Informative terms grouped: the terms of each capitalised run form one unit, every other
    informative term is a unit of its own."""
    units: list[tuple[str, ...]] = []
    grouped: set[str] = set()
    for match in _CAPITALISED_RUN.finditer(text):
        run = tuple(t for t in dict.fromkeys(tokenizer.tokens(match.group())) if t in informative)
        run = tuple(t for t in run if t not in grouped)
        if run:
            units.append(run)
            grouped.update(run)
    units.extend((t,) for t in informative if t not in grouped)
    return tuple(units)

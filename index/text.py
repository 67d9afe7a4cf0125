"""Text clean-up and sentence splitting for Indonesian news.

The flow is ``normalize`` → ``split_paragraphs`` → ``strip_boilerplate`` → ``split_sentences``;
``segment`` runs all of it and returns the answerable sentences with their paragraph numbers.

Splitting is rule based because news text has few, well-known traps: glued sentences left by
copy-paste (``Pashinian.Rusia``), abbreviations and initials (``Jl.``, ``H.``, ``S.H.``),
numbers (``12.30``, ``2.375.000``), dates in brackets (``(10/10/2020)``) and quotes that close
after the full stop. Every run of ``.``/``!``/``?`` (plus closing quotes and brackets) is a
candidate; whether it ends a sentence is decided from the word before it (ordinary word,
number, URL, abbreviation, initial, dotted form) and from what follows (capital, digit,
opening quote or bracket, lower-case word, nothing). The rules were tuned on the first half of
IndoSum's gold segmentation and checked on the second half (``python -m benchmarks.splitter``,
docs/text-processing.md). All work is linear in the text length: a 100k-character paragraph
is scanned once and every look-behind is bounded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "SegmentedSentence",
    "is_boilerplate",
    "is_credit_tag",
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


# --------------------------------------------------------------------------- normalisation

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
        "`": "'",
    }
)
# Control characters except newline and tab; zero-width and bidi marks that break word matching.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_LINE = re.compile(r"\n\s*\n")


# UTF-8 punctuation (U+2000–U+203F: quotes, dashes, ellipsis; U+00A0–U+00BF: no-break space,
# ©, °) read as Windows-1252, the usual mojibake of scraped news: "â€œ" for "“", "Â " for a
# no-break space. Only these two families are repaired, so legitimate text is never touched.
# Bytes undefined in cp1252 pass through as U+0080–U+009F.
def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_MOJIBAKE = re.compile(
    "\u00e2\u20ac[" + re.escape("".join(_cp1252(b) for b in range(0x80, 0xC0))) + "]"
    "|\u00c2[\u00a0-\u00bf]"  # "Â " for a no-break space, "Â©" for "©"
)


def _unmojibake(match: re.Match[str]) -> str:
    raw = bytearray()
    for ch in match.group():
        code = ord(ch)
        raw.append(code if code < 0x100 else ch.encode("cp1252")[0])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


def normalize(text: str) -> str:
    """NFKC, straight quotes, no control characters, single spaces, ``\\n`` line ends."""
    if "\u00e2\u20ac" in text or "\u00c2" in text:
        text = _MOJIBAKE.sub(_unmojibake, text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\t", " ")
    text = _INVISIBLE.sub("", text.translate(_QUOTE_MAP)).replace("''", '"')
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


# --------------------------------------------------------------------------- lexicons


def _lexicon_lines(name: str) -> list[str]:
    raw = resources.files("index.lexicon").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True, slots=True)
class _Abbreviations:
    never: frozenset[str]  # never end a sentence: "jl", "dr", "rp"
    final: frozenset[str]  # may end one: "dll", "wib" (split before a capital)
    label: frozenset[str]  # words whose one-letter label ends a sentence: "grup B."


@cache
def _abbreviations() -> _Abbreviations:
    """The shipped abbreviation lexicon, lower-cased, without the trailing dot."""
    sets: dict[str, set[str]] = {"never": set(), "final": set(), "label": set()}
    for line in _lexicon_lines("abbreviations.txt"):
        word, _, kind = line.partition(" ")
        sets[kind.strip() or "never"].add(word.lower().rstrip("."))
    return _Abbreviations(*(frozenset(sets[k]) for k in ("never", "final", "label")))


@cache
def _boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in _lexicon_lines("boilerplate.txt"))


# --------------------------------------------------------------------------- boundaries

_CLOSERS = "\"')]"
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then either
# whitespace, the end, or (glued) directly an upper-case letter, maybe after an opening mark.
_CANDIDATE = re.compile(r"[.!?]+[\"')\]]*(?=\s|[\"'(\[]?[^\W\d_a-z]|$)")
# The word before a full stop: letters, digits and the inner marks of URLs, numbers, currency
# and dotted abbreviations, read backwards from the stop over at most _LOOKBACK characters.
_TOKEN_MARKS = frozenset("_.$&/:@%+'-")
_URLISH = re.compile(
    r"://|^www\.|@\w|\.(?:com|co|id|net|org|go|ac|sch|or|info|io|tv|me|ly|gov|edu)(?:\.\w+)?/?$",
    re.IGNORECASE,
)
_DETACHED_QUOTE = re.compile(r"(?:^|(?<=\s))'(?=\s|$)")
_LOOKBACK = 64  # characters read back for the word before a full stop
_BRACKET_WINDOW = 300  # characters searched for an unclosed bracket / open quote

# Kinds of word before a full stop.
_ORDINARY, _NUMBER, _URL, _NEVER, _FINAL, _DOTTED, _INITIAL, _LABEL = range(8)
# Kinds of text after the punctuation (past any whitespace).
_END, _UPPER, _DIGIT, _OPENER, _SYMBOL, _LOWER, _OTHER, _DETACHED = range(8)
_STARTERS = frozenset({_END, _UPPER, _DIGIT, _OPENER, _SYMBOL})


def _token_before(text: str, end: int) -> str:
    """The token ending at ``text[end]`` (exclusive), without leading quotes or dashes."""
    i = end
    low = max(0, end - _LOOKBACK)
    while i > low:
        ch = text[i - 1]
        if not (ch.isalnum() or ch in _TOKEN_MARKS):
            break
        i -= 1
    return text[i:end].lstrip("'-")


def _word_kind(text: str, dot: int) -> int:
    """Classify the word that ends just before the full stop at ``text[dot]``."""
    token = _token_before(text, dot)
    if not token or not token[-1].isalnum():
        return _ORDINARY  # ")." "%." '".' — punctuation before the stop
    if _URLISH.search(token):
        return _URL
    if token[-1].isdigit() or token[0].isdigit():
        return _NUMBER  # 2017, 2.375.000, US$3.000, 1.4μm, 10kg
    abbreviations = _abbreviations()
    if "." in token:
        parts = token.split(".")
        last = parts[-1]
        if len(parts[0]) >= 3 and len(last) >= 2 and last.islower():
            return _URL  # a name with a domain: Kata.ai, Bola.net
        if len(last) > 3 and last.lower() not in abbreviations.never:
            return _ORDINARY  # a word glued after an abbreviation: "Bpk.Joko"
        return _DOTTED  # a.n., S.H., M.Si., K.K.
    low = token.lower()
    if low in abbreviations.never:
        return _NEVER
    if low in abbreviations.final:
        return _FINAL
    if len(token) == 1:
        if not token.isupper():
            return _FINAL  # a list label such as "poin a."
        previous = _token_before(text, max(0, dot - 2)).lower()
        return _LABEL if previous in abbreviations.label else _INITIAL
    return _ORDINARY


def _next_kind(text: str, end: int) -> tuple[int, int]:
    """(kind of what follows ``end`` past whitespace, index of its first character)."""
    size = len(text)
    i = end
    while i < size and text[i].isspace():
        i += 1
    if i >= size:
        return _END, i
    ch = text[i]
    if ch.isupper() or (ch.isalpha() and not ch.islower()):
        return _UPPER, i  # a capital, or a letter of a script without case (Arabic, CJK)
    if ch.isdigit():
        return _DIGIT, i
    if ch in "([":
        return _OPENER, i
    if ch == "'" and text[i + 1 : i + 2] == " " and text[i + 2 : i + 3].isupper():
        return _DETACHED, i  # ". ' The Paul": a quote set off by spaces (detokenised text)
    if ch in "\"'":
        after = text[i + 1 : i + 2]
        # A single quote is also an apostrophe or a closing quote: only a capital/digit after it
        # makes it an opening quote.
        if ch == '"' or after.isupper() or after.isdigit():
            return _OPENER, i
        return _OTHER, i
    if ch.islower():
        return _LOWER, i
    if ch in "#@" and text[i + 1 : i + 2].isalnum():
        return _SYMBOL, i
    if ch in "-\u2013\u2014\u2022*" and text[i + 1 : i + 2] == " ":
        return _SYMBOL, i
    return _OTHER, i


def _glued_word_before(text: str, dot: int) -> bool:
    """Whether the word glued to a capital after ``text[dot] == '.'`` can end a sentence.

    Real words (``Pashinian.Rusia``), acronyms (``KPK.Surat``, ``4GB.Penyimpanan``) and
    numbers with 3+ digits (``811.Angka``) can; abbreviations, initials, dotted forms, URLs
    and list numbers (``1.Mancanegara``) cannot.
    """
    token = _token_before(text, dot)
    if not token:
        return text[dot - 1 : dot] in "\"')]%"
    if "." in token or _URLISH.search(token):
        return False
    word = _GLUE_SPLIT.split(token)[-1]
    if len(word) < 2:
        return False
    if word.isdigit():
        return len(word) >= 3
    return word.lower() not in _abbreviations().never


_GLUE_SPLIT = re.compile(r"[-&$+%':/]")


def _glued_word_after(text: str, start: int, dot: int) -> bool:
    """Whether the text at ``start`` begins a sentence glued to the stop at ``text[dot]``.

    A capitalised word (``Rusia``, ``"Kami``, ``(Ia``) always qualifies; an acronym
    (``BMKG``, ``DPR``) only after a lower-case word, so that ``JUARA.NET`` stays whole.
    """
    if text[start : start + 1] in "\"'([":
        start += 1
    first, second = text[start : start + 1], text[start + 1 : start + 2]
    if not first.isupper():
        return False
    if second.islower():
        return True
    if not (
        second.isupper() and text[dot - 1 : dot].islower() and text[dot - 2 : dot - 1].isalpha()
    ):
        return False
    acronym = _GLUED_ACRONYM.match(text, start)
    return acronym is not None and _ROMAN.fullmatch(acronym.group(1)) is None


# An upper-case word standing alone (not "II/" in "Kpts.II/1990", not "NET" in a domain).
_GLUED_ACRONYM = re.compile(r"([A-Z]{2,})(?=[\s,;:!?)]|\.(?:\s|$)|$)")
_ROMAN = re.compile(r"[IVXLCDM]+")


def _boundary_end(text: str, sentence_start: int, start: int, end: int, quotes_before: int) -> int:
    """Where the sentence closed by the candidate ``text[start:end]`` ends, or -1 if it does not.

    ``end`` is usually returned; an opening quote swallowed by the candidate pattern (glued
    ``."Kami``) is handed back to the next sentence. ``quotes_before`` counts the double quotes
    of the paragraph before ``start`` (odd: a quotation is open).
    """
    punct = text[start:end]
    marks = punct.rstrip(_CLOSERS)
    closers = punct[len(marks) :]
    glued = end < len(text) and not text[end].isspace()
    if glued:
        if not _glued_word_after(text, end, start):
            return -1
        if closers.endswith('"') and quotes_before % 2 == 0:
            end -= 1  # no quote open in this paragraph: the quote opens the next sentence
            closers = closers[:-1]
        if "!" in marks or "?" in marks:
            return end  # "Kenapa?Dia"
        if marks != ".":
            return -1  # "...Dan": an ellipsis
        if closers:
            return end  # '."Rusia' after a closing quote, ".)Dia"
        return end if _glued_word_before(text, start) else -1

    kind, first = _next_kind(text, end)
    if kind == _END:
        return end
    if kind == _OPENER and text[first] == '"':
        after, second = _next_kind(text, first + 1)
        if after == _END or text[second] in ",.;:)":
            # `Berpikir? ", Dawam` — a detached closing quote: the sentence goes on after it.
            return first + 1 if after == _END else -1
    if _inside_brackets(text, sentence_start, start, first):
        return -1
    if kind == _DETACHED:
        # Odd number of detached quotes so far in this sentence: this one closes the quote and
        # the sentence ends after it; otherwise it opens the next sentence.
        window = max(sentence_start, start - _BRACKET_WINDOW)
        opened = len(_DETACHED_QUOTE.findall(text, window, start)) % 2 == 1
        if opened:
            return first + 1
        kind = _OPENER
    if "!" in marks or "?" in marks:
        return end if kind in _STARTERS else -1
    if len(marks) > 1:
        # An ellipsis ("...", "..") marks a pause more often than a sentence end in news quotes.
        return -1
    if closers:
        # `."` `.)` — the stop is inside the quote/bracket; the word before it is irrelevant.
        return end if kind in _STARTERS else -1
    word = _word_kind(text, start)
    if word in (_NEVER, _DOTTED, _INITIAL):
        return -1
    if word == _NUMBER and kind == _DIGIT and _broken_thousands(text, start, first):
        return -1
    if word == _URL:
        return end if kind in (_UPPER, _OPENER) else -1
    if word == _FINAL:
        return end if kind in (_UPPER, _OPENER) else -1
    if word == _ORDINARY and kind == _LOWER:
        return end if _lower_start_ok(text, first) else -1
    return end if kind in _STARTERS else -1


_THOUSANDS_HEAD = re.compile(r"\d{1,3}(?:\.\d{3})+$")
_THOUSANDS_TAIL = re.compile(r"\d{3}(?![\d.,])")


def _broken_thousands(text: str, dot: int, first: int) -> bool:
    """``3.327. 810 hektar``: a thousands group cut off by a stray space, not a new sentence."""
    return (
        _THOUSANDS_HEAD.search(text, max(0, dot - 24), dot) is not None
        and _THOUSANDS_TAIL.match(text, first) is not None
    )


_LOWER_WORD = re.compile(r"[a-z][A-Za-z]+\b")
_DOMAIN_ENDINGS = frozenset({"com", "net", "org", "id", "co"})


def _lower_start_ok(text: str, first: int) -> bool:
    """A lower-case word after ``word. `` starts a sentence whose capital was lost.

    Single letters ("a. ", list labels) and domain endings of a URL broken by a space
    ("simamaung. com") do not.
    """
    match = _LOWER_WORD.match(text, first)
    return match is not None and match.group() not in _DOMAIN_ENDINGS


def _inside_brackets(text: str, sentence_start: int, start: int, first: int) -> bool:
    """Whether the candidate sits inside a short bracket of this sentence: ``(Uu. T008)``."""
    window = max(sentence_start, start - _BRACKET_WINDOW)
    if text.count("(", window, start) <= text.count(")", window, start):
        return False
    close = text.find(")", first, first + 40)
    return close != -1 and not any(ch in ".!?(" for ch in text[first:close])


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences (no boilerplate removal)."""
    sentences: list[str] = []
    start = 0
    quotes = counted = 0  # double quotes in paragraph[:counted], kept up to date incrementally
    for match in _CANDIDATE.finditer(paragraph):
        if match.start() < start:
            continue
        quotes += paragraph.count('"', counted, match.start())
        counted = match.start()
        end = _boundary_end(paragraph, start, match.start(), match.end(), quotes)
        if end < 0:
            continue
        piece = paragraph[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# --------------------------------------------------------------------------- boilerplate

_SOURCE_LINE = re.compile(r"^\(?[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,3}\)?$")
# Reporter/editor initials closing a news item: "(vws)", "[cob]", "(gk-48)", "(has/has)",
# "(Uu. T008)". Short, bracketed, no sentence inside.
_CREDIT_TAG = re.compile(r"^[(\[][\w./*+ -]{1,24}[)\]]\.?$")
# "[Baca juga: …]" links inside a paragraph (titles may hold one level of brackets).
_INLINE_LINK = re.compile(
    r"\s*(?:\[\s*(?:baca|simak|lihat)[ _]?(?:juga|pula)\b[^\[\]]*\]"
    r"|\(\s*(?:baca|simak|lihat)[ _]?(?:juga|pula)\b[^()]*(?:\([^()]*\)[^()]*)*\))",
    re.IGNORECASE,
)
# A list marker left alone by the splitter ("1." before "Mancanegara: 112 orang").
_LIST_MARKER = re.compile(r"^\(?(?:\d{1,3}|[a-zA-Z])[.)]$")
_BOILERPLATE_MAX_WORDS = 20


def is_credit_tag(sentence: str) -> bool:
    """Whether a "sentence" is only a bracketed credit such as ``(vws)`` or ``[cob]``."""
    return _CREDIT_TAG.match(sentence) is not None and sentence.count(" ") <= 2


def is_boilerplate(text: str) -> bool:
    """Whether a paragraph or sentence is page furniture (``Baca juga: …``, ``Editor: …``).

    Sentences of more than 20 words are never boilerplate: they carry real text even when
    they start like a credit line.
    """
    if len(text.split()) > _BOILERPLATE_MAX_WORDS:
        return False
    return any(p.search(text) for p in _boilerplate_patterns())


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop navigation and credit lines ("Baca juga: …", "Editor: …") and a trailing source name.

    Inline ``[Baca juga: …]`` links are cut out of paragraphs. A bare source name closing the
    article, on its own line or glued to the last paragraph (``… kekerasan. Al Jazeera``), is
    cut too: it is a short run of capitalised words with no sentence punctuation.
    """
    kept = []
    for raw in paragraphs:
        paragraph = _INLINE_LINK.sub("", raw).strip() if "(" in raw or "[" in raw else raw
        if paragraph and not any(p.search(paragraph) for p in _boilerplate_patterns()):
            kept.append(paragraph)
    while kept and _SOURCE_LINE.match(kept[-1]) and not kept[-1].endswith("."):
        kept.pop()
    if kept:
        last = split_sentences(kept[-1])
        if len(last) > 1 and _SOURCE_LINE.match(last[-1]) and last[-1][-1] not in ".!?\"')":
            kept[-1] = kept[-1][: kept[-1].rfind(last[-1])].rstrip()
    return kept


_HAS_WORD = re.compile(r"\w{2,}|\d")


def _answerable(sentences: list[str]) -> list[str]:
    """Sentences of one paragraph minus credits and furniture; list markers join their item."""
    result: list[str] = []
    marker = ""
    for sentence in sentences:
        if _LIST_MARKER.match(sentence):
            marker = f"{marker} {sentence}".lstrip()
            continue
        if is_credit_tag(sentence) or is_boilerplate(sentence) or not _HAS_WORD.search(sentence):
            continue
        result.append(f"{marker} {sentence}" if marker else sentence)
        marker = ""
    return result


def segment(text: str) -> list[SegmentedSentence]:
    """Raw article text → answerable sentences with paragraph numbers.

    Paragraph numbers count the kept paragraphs, so neighbours in a passage are real text.
    """
    result: list[SegmentedSentence] = []
    number = 0
    for paragraph in strip_boilerplate(split_paragraphs(normalize(text))):
        sentences = _answerable(split_sentences(paragraph))
        result.extend(SegmentedSentence(number, s) for s in sentences)
        number += bool(sentences)
    return result

"""Short answers: the name, date, number or place inside the best sentence that answers a
factoid question ("Siapa yang jadi perantara?" → "Vladimir Putin").

Candidates come from the sentence by answer shape — capitalised name runs (with particles such
as *bin*, *van*, *al-*), dates and times, numbers with their units or number words, quoted
titles and short content phrases. Each candidate is described by lexical features (does its
shape fit the question type, how close is it to the words the question matched, is it already
in the question, which word precedes it ...) and scored by a logistic model trained on gold
answer spans (``benchmarks/train_spans.py``; only the weights and the threshold ship, in
``lexicon/span_weights.json``). A second stage (``confidence_features``) turns the first stage's
scores into the probability that the best candidate is right; it is shown only when that clears
the threshold chosen for precision: a wrong short answer on top of a right sentence is worse
than none. Questions that ask *why*, *how* or *whether* never get one.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate
from operator import and_, gt, mul

from index.question import QuestionAnalysis, function_words, question_words

__all__ = [
    "FACTOID_TYPES",
    "ShortAnswer",
    "SpanModel",
    "candidate_spans",
    "confidence_features",
    "default_span_model",
    "exact_match",
    "is_factoid",
    "normalise_answer",
    "question_heads",
    "span_facts",
    "span_features",
    "token_f1",
]

FACTOID_TYPES = frozenset({"who", "when", "number", "where", "what"})
"""Question types whose answer is a span (a name, a date, a number, a place, a thing); *why*,
*how*, definitions and yes/no questions are answered by the sentence itself."""

MAX_CANDIDATE_WORDS = 8
_PHRASE_WORDS = 3
_PHRASE_TYPES = frozenset({"what"})
_NAME_PARTICLES = frozenset({"bin", "binti", "van", "von", "de", "der", "den", "al", "el", "da"})

_TOKEN = re.compile(r"\d+(?:[.,:/]\d+)*|[^\W_]+(?:[-'’][^\W_]+)*|\S")

_MONTHS = (
    r"(?:Januari|Februari|Pebruari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|"
    r"November|Nopember|Desember|Jan|Feb|Mar|Apr|Jun|Jul|Agu|Agt|Ags|Sep|Sept|Okt|Nov|Des)"
)
_DAYS = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad)"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
# Both patterns start only where a word starts ("(?<!\w)"): tried at every position inside
# words as well, they cost four times as much, for matches that are no answers ("km2"). The
# lookahead after it holds the first two letters of every way a match can begin (a digit, a
# bracket, a day or month name, "awal", "tahun", "pukul" ...): it changes no match (a test
# checks against the pattern without it) but fails most words at once, where the alternatives
# below would each be tried; that halves the time of the date pattern.
_DATES_START = r"(?=[\d(]|a[bghkpw]|de|fe|ha|j[au]|ka|m[aei]|no|ok|p[eu]|ra|s[ae]|ta)"
_DATES = re.compile(
    r"(?<!\w)"
    + _DATES_START
    + "(?:"
    + "|".join(
        (
            # Sabtu (10/10/2020), 10/10/2020, Sabtu, 10 Oktober 2020
            rf"(?:{_DAYS},?\s*)?\(?(?P<dm>\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)\)?",
            rf"(?:{_DAYS},?\s*(?:\(\s*)?)?\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTHS}"
            rf"(?:\s+{_YEAR})?\)?",
            rf"(?:awal\s+|akhir\s+|pertengahan\s+)?{_MONTHS}\s+{_YEAR}",
            rf"(?:tahun\s+)?{_YEAR}(?:-an)?(?:\s*[-–]\s*{_YEAR})?",
            r"pukul\s+\d{1,2}(?:[.:]\d{2})?(?:\s+(?:WIB|WITA|WIT|waktu setempat|pagi|siang|"
            r"sore|malam))?",
            r"abad\s+(?:ke-?\s*)?(?:\d{1,2}|[IVXLC]+)(?:\s+(?:M|SM|Masehi))?",
            rf"(?:hari\s+)?{_DAYS}(?:\s+(?:pagi|siang|sore|malam))?",
        )
    )
    + ")",
    re.IGNORECASE,
)
_NUMBER_WORD = (
    r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu|"
    r"sejuta|puluhan|ratusan|ribuan|jutaan|belasan|miliaran|setengah|separuh|"
    r"(?:dua|tiga|empat|lima|enam|tujuh|delapan|sembilan)\s+(?:puluh|belas|ratus|ribu|juta))"
)
# Qualifiers, currencies, digits and number words begin so (see ``_DATES_START``).
_NUMBER_START = r"(?=[\d$€£¥]|be|d[eu]|e[mn]|h[ai]|ju|ku|l[ei]|m[ei]|pu|r[aip]|s[ae]|t[iu]|us)"
_NUMBER = re.compile(
    r"(?<!\w)"
    + _NUMBER_START
    + r"(?:(?:hampir|sekitar|kurang lebih|lebih dari|kurang dari|sebanyak|mencapai|hingga)\s+)?"
    r"(?:(?:Rp\.?|US\$|USD|\$|€|£|¥)\s?)?"
    rf"(?P<core>\d+(?:[.,]\d+)*|\b{_NUMBER_WORD}\b)"
    r"(?:\s+(?:ribu|juta|miliar|milyar|triliun))?(?:\s?%|\s+persen)?",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"]{2,80})\"|“([^”]{2,80})”|«([^»]{2,80})»")
_PUNCTUATION_CATEGORIES = ("P", "S")


@dataclass(frozen=True, slots=True)
class ShortAnswer:
    """The answer itself: ``text`` is ``sentence[start:end]`` of the hit's sentence;
    ``confidence`` the model's probability that it is exactly the answer."""

    text: str
    start: int
    end: int
    confidence: float


@dataclass(slots=True)
class _Tokens:
    """The tokens of one sentence as parallel lists (one list per property, not one object
    per token: a sentence has dozens of tokens and this runs per question)."""

    text: list[str]
    lower: list[str]
    start: list[int]  # character offsets in the sentence, end exclusive
    end: list[int]
    word: list[bool]  # starts with a letter or digit
    upper: list[bool]  # starts with an upper-case letter
    digit: list[bool]  # starts with a digit


@dataclass(slots=True)
class _Candidate:
    start: int  # character offsets in the sentence
    end: int
    first: int  # token indices, end exclusive
    last: int
    kinds: set[str]


def is_factoid(analysis: QuestionAnalysis) -> bool:
    """A question whose answer is a span: a factoid type and not a yes/no "Apakah …?"."""
    if analysis.qtype not in FACTOID_TYPES:
        return False
    opening = analysis.text.lstrip(" ¿?!\"'“(").split(" ", 1)[0].strip(",")
    return opening not in ("apakah", "apa kah")


def _tokens(sentence: str) -> _Tokens:
    # map over unbound methods: no Python frame per token, unlike a comprehension
    matches = list(_TOKEN.finditer(sentence))
    text = list(map(re.Match.group, matches))
    heads = [t[0] for t in text]
    return _Tokens(
        text,
        list(map(str.lower, text)),
        list(map(re.Match.start, matches)),
        list(map(re.Match.end, matches)),
        list(map(str.isalnum, heads)),
        list(map(str.isupper, heads)),
        list(map(str.isdigit, heads)),
    )


class _Collector:
    """Candidate spans by token range (character offsets snap to whole tokens); kinds merge
    per span, in the order spans were first found."""

    __slots__ = ("ends", "found", "starts")

    def __init__(self, toks: _Tokens) -> None:
        self.starts = toks.start
        self.ends = toks.end
        self.found: dict[tuple[int, int], _Candidate] = {}

    def add(self, start: int, end: int, kind: str) -> None:
        """The whole tokens inside characters ``start:end``."""
        self.add_tokens(bisect_left(self.starts, start), bisect_right(self.ends, end), kind)

    def add_tokens(self, first: int, last: int, kind: str) -> None:
        """Tokens ``first:last``."""
        if first >= last or last - first > MAX_CANDIDATE_WORDS:
            return
        cand = self.found.get((first, last))
        if cand is None:
            self.found[(first, last)] = _Candidate(
                self.starts[first], self.ends[last - 1], first, last, {kind}
            )
        else:
            cand.kinds.add(kind)


def _run_end(toks: _Tokens, name_start: Sequence[bool], i: int) -> int:
    """Where the capitalised run starting at ``i`` ends: names may hold particles ("bin",
    "van"), numbers ("Piala Dunia 2018") and initials ("J. K. Rowling")."""
    word, upper, digit, lower = toks.word, toks.upper, toks.digit, toks.lower
    j = i + 1
    size = len(word)
    while j < size:
        if word[j] and (upper[j] or digit[j]):
            j += 1
        elif lower[j] in _NAME_PARTICLES and j + 1 < size and name_start[j + 1]:
            j += 2
        elif (
            toks.text[j] == "."
            and len(toks.text[j - 1]) == 1
            and j + 1 < size
            and name_start[j + 1]
        ):
            j += 1
        else:
            break
    return j


def _names(toks: _Tokens, out: _Collector) -> None:
    """Capitalised runs, their sub-runs (the answer is often a part: "Makassar" of "Pulau
    Makassar") and chains of runs joined by commas or "dan" ("Menlo Park, California")."""
    lower = toks.lower
    name_start = list(map(and_, toks.word, toks.upper))
    name_part = [w and t not in _NAME_PARTICLES for w, t in zip(toks.word, lower, strict=True)]
    found, starts, ends = out.found, out.starts, out.ends
    runs: list[tuple[int, int]] = []
    after = 0  # tokens before this are inside a run already found
    for i, opens in enumerate(name_start):
        if not opens or i < after:
            continue
        j = _run_end(toks, name_start, i)
        runs.append((i, j))
        stop = min(j, i + MAX_CANDIDATE_WORDS)
        for a in range(i, stop):
            if name_part[a]:
                for b in range(a, stop):
                    if name_part[b]:
                        # names come first and sub-runs never repeat: no span to merge with
                        found[a, b + 1] = _Candidate(starts[a], ends[b], a, b + 1, {"name"})
        after = j
    add = out.add_tokens
    for n, (first, last) in enumerate(runs):
        end = last
        for following, stop in runs[n + 1 : n + 4]:
            between = " ".join(lower[end:following])
            if between not in (",", "dan", ", dan", "&"):
                break
            add(first, stop, "name_chain")
            end = stop


def _numbers(sentence: str, toks: _Tokens, out: _Collector, skip: frozenset[str]) -> None:
    """Numbers, alone, with their qualifier ("sekitar 81") and with the unit that follows
    ("10 jam", "370.000 warga", "81 kilometer persegi", "dua kali")."""
    word, lower = toks.word, toks.lower
    size = len(word)
    for m in _NUMBER.finditer(sentence):
        core = m.start("core")
        end = m.end()
        k = bisect_left(toks.start, end)
        for start in {m.start(), core}:
            out.add(start, end, "number")
            for unit in (k, k + 1):
                if unit >= size or not word[unit] or lower[unit] in skip:
                    break
                out.add(start, toks.end[unit], "number_unit")


def candidate_spans(
    sentence: str, tokens: _Tokens | None = None, *, phrases: bool = True
) -> list[_Candidate]:
    """Candidate answer spans of ``sentence`` by shape (several kinds may share a span);
    ``phrases`` adds short content phrases, the only shape a "what" answer often has."""
    toks = tokens if tokens is not None else _tokens(sentence)
    out = _Collector(toks)
    skip = function_words()
    _names(toks, out)
    for m in _DATES.finditer(sentence):
        out.add(m.start(), m.end(), "date")
        if m.group("dm"):  # "Rabu (19/10)": also the bare date
            out.add(m.start("dm"), m.end("dm"), "date")
    _numbers(sentence, toks, out, skip)
    for m in _QUOTED.finditer(sentence):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        out.add(m.start(group), m.end(group), "quoted")
    if phrases:
        # Short content phrases ("putih halus", "hadiah Nobel Perdamaian"): words only,
        # neither end a function word.
        word = toks.word
        size = len(word)
        content = [w and t not in skip for w, t in zip(word, toks.lower, strict=True)]
        add = out.add_tokens
        for a, is_content in enumerate(content):
            if not is_content:
                continue
            for b in range(a, min(a + _PHRASE_WORDS, size)):
                if not word[b]:
                    break
                if content[b]:
                    add(a, b + 1, "phrase")
    return list(out.found.values())


def _bucket(distance: int) -> str:
    if distance <= 3:
        return str(distance)
    if distance <= 5:
        return "4-5"
    if distance <= 9:
        return "6-9"
    return "10+"


@dataclass(slots=True)
class _SentenceView:
    """Per-token prefix sums and nearest matches of one sentence, so each candidate's features
    cost a few lookups."""

    toks: _Tokens
    words: list[int]
    caps: list[int]
    digits: list[int]
    asked: list[int]  # tokens whose terms are in the question
    matched: list[int]  # tokens the question matched (the hit's highlights)
    verbs: list[int]  # matched tokens in lower case: verbs and common nouns
    last_match: list[int]  # the last matched token before index i (-1: none)
    next_match: list[int]  # the first matched token at or after index i (len: none)
    heads: frozenset[str] = frozenset()  # the question's head nouns (``question_heads``)


def _view(
    toks: _Tokens,
    question_terms: set[str],
    matched: Sequence[tuple[int, int]],
    word_terms: Callable[[str], tuple[str, ...]],
) -> _SentenceView:
    skip = function_words()
    match_starts = {start for start, _ in matched}
    is_match = [start in match_starts for start in toks.start]
    word, upper = toks.word, toks.upper
    asked = [
        w and t not in skip and not question_terms.isdisjoint(word_terms(t))
        for w, t in zip(word, toks.lower, strict=True)
    ]
    size = len(word)
    last_match = [-1] * (size + 1)
    next_match = [size] * (size + 1)
    for i, hit in enumerate(is_match):
        last_match[i + 1] = i if hit else last_match[i]
    for i in range(size - 1, -1, -1):
        next_match[i] = i if is_match[i] else next_match[i + 1]
    return _SentenceView(
        toks,
        list(accumulate(word, initial=0)),
        list(accumulate(map(and_, word, upper), initial=0)),
        list(accumulate(toks.digit, initial=0)),
        list(accumulate(asked, initial=0)),
        list(accumulate(is_match, initial=0)),
        list(accumulate(map(gt, is_match, upper), initial=0)),  # matched and not upper
        last_match,
        next_match,
    )


_HEAD_PLACES = ("prev", "next", "first", "last")


def _head_features(
    f: dict[str, float], heads: frozenset[str], words: Sequence[str], q_suffix: str
) -> None:
    """The question's head noun before, after, first in or last in the candidate ("berapa
    *kilometer*" … "81 kilometer", "*tahun* berapa" … "tahun 1874")."""
    for place, word in zip(_HEAD_PLACES, words, strict=True):
        if word in heads:
            f["head=" + place] = 1.0
            f["head=" + place + q_suffix] = 1.0


def _features(view: _SentenceView, cand: _Candidate, q_suffix: str) -> dict[str, float]:
    lower = view.toks.lower
    size = len(lower)
    first, last = cand.first, cand.last
    n_words = max(1, view.words[last] - view.words[first])
    f: dict[str, float] = {"bias": 1.0}
    f[f"len={min(n_words, 6)}{q_suffix}"] = 1.0
    inside = view.asked[last] - view.asked[first]
    if inside:  # an answer rarely repeats the question
        f["inq_frac"] = inside / n_words
        if inside == n_words:
            f["inq_all"] = 1.0
    left_at, right_at = view.last_match[first], view.next_match[last]
    left = first - left_at if left_at >= 0 else 0
    right = right_at - last + 1 if right_at < size else 0
    near = min(d for d in (left, right) if d) if left or right else 0
    near_bucket = _bucket(near) if near else "none"
    f["dist=" + near_bucket] = 1.0
    f["dist_left=" + (_bucket(left) if left else "none")] = 1.0
    f["dist_right=" + (_bucket(right) if right else "none")] = 1.0
    matched = view.matched
    close = (matched[first] - matched[max(0, first - 5)]) + (
        matched[min(size, last + 5)] - matched[last]
    )
    f["near_share"] = close / max(1, matched[size])
    if view.verbs[first] - view.verbs[max(0, first - 3)]:
        f["after_matched_word" + q_suffix] = 1.0
    prev = lower[first - 1] if first > 0 else "<s>"
    nxt = lower[last] if last < size else "</s>"
    for kind in cand.kinds:
        f["k=" + kind] = 1.0
        f["k=" + kind + q_suffix] = 1.0
        f["k=" + kind + "|dist=" + near_bucket] = 1.0
        f["k=" + kind + "|prev=" + prev] = 1.0
    f["prev=" + prev] = 1.0
    f["prev=" + prev + q_suffix] = 1.0
    if first > 1:  # "pada tanggal …", "oleh penulis …"
        f["prev2=" + lower[first - 2] + "_" + prev] = 1.0
    f["next=" + nxt] = 1.0
    f["first=" + lower[first] + q_suffix] = 1.0
    f["last=" + lower[last - 1]] = 1.0
    caps = view.caps[last] - view.caps[first]
    f[f"caps={caps / n_words:.1f}{q_suffix}"] = 1.0
    if view.digits[last] - view.digits[first]:
        f["digit" + q_suffix] = 1.0
    if first == 0:
        f["sentence_start"] = 1.0
    if len(cand.kinds) > 1:
        f["kinds_agree"] = 1.0
    if prev == "," or nxt == ",":
        f["by_comma"] = 1.0
    if view.heads:
        _head_features(f, view.heads, (prev, nxt, lower[first], lower[last - 1]), q_suffix)
    return f


def span_features(
    analysis: QuestionAnalysis,
    sentence: str,
    matched: Sequence[tuple[int, int]],
    word_terms: Callable[[str], tuple[str, ...]],
) -> tuple[list[_Candidate], list[dict[str, float]]]:
    """The candidates of ``sentence`` and one sparse feature dict each.

    ``matched`` are the character spans of the sentence's words that matched the question (the
    hit's highlights); ``word_terms`` maps a word to its index terms (the tokenizer's memo)."""
    candidates, view, q_suffix = _prepare(analysis, sentence, matched, word_terms)
    return candidates, [_features(view, cand, q_suffix) for cand in candidates]


def _prepare(
    analysis: QuestionAnalysis,
    sentence: str,
    matched: Sequence[tuple[int, int]],
    word_terms: Callable[[str], tuple[str, ...]],
) -> tuple[list[_Candidate], _SentenceView, str]:
    toks = _tokens(sentence)
    q = analysis.qtype
    candidates = candidate_spans(sentence, toks, phrases=q in _PHRASE_TYPES)
    view = _view(toks, set(analysis.terms), matched, word_terms)
    view.heads = question_heads(analysis.text)
    return candidates, view, f"|q={q}"


_PART_MEMO_LIMIT = 20_000
"""Entries per question type in a model's memo of score parts (keyed by words and distances;
cleared when full, so a long-running process holds at most a few MB of it)."""


def _scores(  # noqa: PLR0915 - one flat loop: this runs per question on the hot path
    view: _SentenceView,
    candidates: Sequence[_Candidate],
    q_suffix: str,
    weights: Mapping[str, float],
    memo: dict[tuple[object, ...], float] | None = None,
) -> list[float]:
    """``[score(_features(view, c, q_suffix)) for c in candidates]`` without building the
    feature dicts: the parts that depend only on the words around where a candidate starts or
    ends, on its kind or on its distances are looked up once (a test checks both agree), and
    ``memo`` keeps them between sentences (it belongs to one ``weights`` and ``q_suffix``)."""
    if memo is None:
        memo = {}
    get = weights.get
    lower = view.toks.lower
    size = len(lower)
    words, asked, caps_sum, digits = view.words, view.asked, view.caps, view.digits
    last_match, next_match, verbs = view.last_match, view.next_match, view.verbs
    matched = view.matched
    total_matched = max(1, matched[size])
    w_inq_frac, w_inq_all = get("inq_frac", 0.0), get("inq_all", 0.0)
    w_near, w_after = get("near_share", 0.0), get("after_matched_word" + q_suffix, 0.0)
    w_digit, w_start = get("digit" + q_suffix, 0.0), get("sentence_start", 0.0)
    w_agree, w_comma = get("kinds_agree", 0.0), get("by_comma", 0.0)
    bias = get("bias", 0.0)
    heads = view.heads
    w_prev, w_next, w_first, w_last = (
        get("head=" + place, 0.0) + get("head=" + place + q_suffix, 0.0) for place in _HEAD_PLACES
    )
    at_start: list[float | None] = [None] * size  # by a candidate's first token
    at_end: list[float | None] = [None] * (size + 1)  # by its end
    memo_get = memo.get
    out: list[float] = []
    for cand in candidates:
        first, last = cand.first, cand.last
        n_words = words[last] - words[first] or 1  # max(1, …) without the call
        prev = lower[first - 1] if first > 0 else "<s>"
        nxt = lower[last] if last < size else "</s>"
        score = bias
        part = at_start[first]
        if part is None:
            key: tuple[object, ...] = (lower[first - 2] if first > 1 else None, prev, lower[first])
            part = memo_get(key)
            if part is None:
                part = get("prev=" + prev, 0.0) + get("prev=" + prev + q_suffix, 0.0)
                part += get("first=" + lower[first] + q_suffix, 0.0)
                if first > 1:
                    part += get("prev2=" + lower[first - 2] + "_" + prev, 0.0)
                memo[key] = part
            at_start[first] = part
        score += part
        part = at_end[last]
        if part is None:
            key = (nxt, lower[last - 1])
            part = memo_get(key)
            if part is None:
                part = memo[key] = get("next=" + nxt, 0.0) + get("last=" + lower[last - 1], 0.0)
            at_end[last] = part
        score += part
        inside = asked[last] - asked[first]
        if inside:
            score += w_inq_frac * inside / n_words + (w_inq_all if inside == n_words else 0.0)
        left_at, right_at = last_match[first], next_match[last]
        left = first - left_at if left_at >= 0 else 0
        right = right_at - last + 1 if right_at < size else 0
        near = (left if left < right else right) if left and right else left or right
        caps = caps_sum[last] - caps_sum[first]
        key = (n_words, left, right, caps)
        part = memo_get(key)
        if part is None:
            near_bucket = _bucket(near) if near else "none"
            part = get(f"len={min(n_words, 6)}{q_suffix}", 0.0) + get("dist=" + near_bucket, 0.0)
            part += get("dist_left=" + (_bucket(left) if left else "none"), 0.0)
            part += get("dist_right=" + (_bucket(right) if right else "none"), 0.0)
            part += get(f"caps={caps / n_words:.1f}{q_suffix}", 0.0)
            memo[key] = part
        score += part
        close = (matched[first] - matched[first - 5 if first > 5 else 0]) + (
            matched[last + 5 if last + 5 < size else size] - matched[last]
        )
        score += w_near * close / total_matched
        if verbs[first] - verbs[first - 3 if first > 3 else 0]:
            score += w_after
        kinds = cand.kinds
        for kind in kinds:
            key = (kind, near, prev)
            part = memo_get(key)
            if part is None:
                near_bucket = _bucket(near) if near else "none"
                part = get("k=" + kind, 0.0) + get("k=" + kind + q_suffix, 0.0)
                part += get("k=" + kind + "|dist=" + near_bucket, 0.0)
                part += get("k=" + kind + "|prev=" + prev, 0.0)
                memo[key] = part
            score += part
        if digits[last] - digits[first]:
            score += w_digit
        if first == 0:
            score += w_start
        if len(kinds) > 1:
            score += w_agree
        if prev == "," or nxt == ",":
            score += w_comma
        if heads:
            if prev in heads:
                score += w_prev
            if nxt in heads:
                score += w_next
            if lower[first] in heads:
                score += w_first
            if lower[last - 1] in heads:
                score += w_last
        out.append(score)
    return out


# --- second stage: is the best span right? ------------------------------------------------

_HEAD_WORD = re.compile(r"[^\W_]+")
_LOGIT_LIMIT = 8.0
_GAP_LIMIT = 10.0


def question_heads(text: str) -> frozenset[str]:
    """The content words right next to the question word, in lower case: what the answer is
    ("berapa *kilometer*", "*tahun* berapa", "siapa *pelatih*", "di *kota* mana")."""
    words = _HEAD_WORD.findall(text.lower())
    asking, skip = question_words(), function_words()
    heads: set[str] = set()
    for i, word in enumerate(words):
        if word in asking:
            for j in (i - 1, i + 1):
                if 0 <= j < len(words) and words[j] not in skip and words[j] not in asking:
                    heads.add(words[j])
    return frozenset(heads)


def confidence_features(
    qtype: str,
    scores: Sequence[float],
    spans: Sequence[tuple[int, int]],
    *,
    n_words: int,
    in_question: bool,
    head_adjacent: bool | None,
) -> tuple[int, dict[str, float]]:
    """The best candidate and the features the second stage reads off the first stage's
    scores: how sure the softmax is of it (log-odds, gap to the runner-up, entropy, how many
    candidates), how much of the rest overlaps it (a nested span such as "81" of "81 kilometer"
    is a boundary doubt, not a rival), its length, whether it repeats the question, and whether
    a word next to it is the question's head noun (``None``: the question has none).

    ``spans`` are the candidates' character ranges, in the order of ``scores``."""
    size = len(scores)
    top = max(range(size), key=scores.__getitem__)
    best = scores[top]
    # one pass in C per quantity where it can be: this runs per factoid question
    gaps = [s - best for s in scores]
    gaps = [d if d > -50.0 else -50.0 for d in gaps]
    weights = list(map(math.exp, gaps))
    total = sum(weights)
    probability = 1.0 / total
    # the softmax's entropy without a log per candidate: log Z − Σ w·d / Z
    entropy = max(0.0, math.log(total) - sum(map(mul, weights, gaps)) / total)
    start, end = spans[top]
    inside = [w for w, (a, b) in zip(weights, spans, strict=True) if a < end and b > start]
    overlap = max(0.0, sum(inside) / total - probability)  # the top overlaps itself
    rivals = [i for i, (a, b) in enumerate(spans) if a >= end or b <= start]
    rival = max(rivals, key=scores.__getitem__) if rivals else -1
    second = -1  # the runner-up
    if size > 1:
        others = list(scores)
        others[top] = -math.inf
        second = max(range(size), key=others.__getitem__)
    logit = math.log(max(probability, 1e-6) / max(1.0 - probability, 1e-6))
    logit = min(_LOGIT_LIMIT, max(-_LOGIT_LIMIT, logit))
    q = "q=" + qtype
    rival_gap = min(best - scores[rival], _GAP_LIMIT) if rival >= 0 else _GAP_LIMIT
    f: dict[str, float] = {
        "bias": 1.0,
        "logit": logit,
        "logit|" + q: logit,
        q: 1.0,
        "overlap_mass": overlap,
        "cover": probability + overlap,
        "cover|" + q: probability + overlap,
        "rival_gap": rival_gap,
        "gap": min(best - scores[second], _GAP_LIMIT) if second >= 0 else _GAP_LIMIT,
        "log_n": math.log(size),
        "entropy": entropy,
        f"len={min(n_words, 4)}": 1.0,
    }
    if second >= 0 and spans[second][0] < end and spans[second][1] > start:
        f["second_overlaps"] = 1.0
    if in_question:
        f["inq"] = 1.0
    if head_adjacent is not None:
        f["has_head"] = 1.0
        if head_adjacent:
            f["head_adj"] = 1.0
            f["head_adj|" + q] = 1.0
    return top, f


class SpanModel:
    """A linear scorer over sparse span features (a softmax over one sentence's candidates),
    with the probability threshold that gates showing."""

    __slots__ = ("_memos", "confidence", "threshold", "weights")

    def __init__(
        self,
        weights: Mapping[str, float],
        threshold: float,
        confidence: Mapping[str, float] | None = None,
    ) -> None:
        self.weights = dict(weights)
        self.threshold = threshold
        # the second stage (``confidence_features``): with it, ``threshold`` gates its
        # probability that the best span is right instead of the softmax
        self.confidence = dict(confidence) if confidence is not None else None
        self._memos: dict[str, dict[tuple[object, ...], float]] = {}  # score parts by q_suffix

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> SpanModel:
        weights = raw.get("weights")
        threshold = raw.get("threshold")
        if not isinstance(weights, dict) or not isinstance(threshold, (int, float)):
            raise ValueError("span weights need a 'weights' object and a numeric 'threshold'")
        if not 0.0 <= threshold <= 1.01:
            raise ValueError(f"span weights: threshold {threshold} is not a probability")
        confidence = raw.get("confidence")
        if confidence is not None:
            second = confidence.get("weights") if isinstance(confidence, dict) else None
            if not isinstance(second, dict) or "bias" not in second:
                raise ValueError("span weights: 'confidence' needs a 'weights' object with 'bias'")
            confidence = _numbers_of(second, "confidence weight")
        return cls(_numbers_of(weights, "weight"), float(threshold), confidence)

    def score(self, features: Mapping[str, float]) -> float:
        weights = self.weights
        return sum(weights.get(name, 0.0) * value for name, value in features.items())

    def best(
        self,
        analysis: QuestionAnalysis,
        sentence: str,
        matched: Sequence[tuple[int, int]],
        word_terms: Callable[[str], tuple[str, ...]],
    ) -> ShortAnswer | None:
        """The most probable span of ``sentence`` and its probability, shown or not."""
        candidates, view, q_suffix = _prepare(analysis, sentence, matched, word_terms)
        if not candidates:
            return None
        memo = self._memos.get(q_suffix)
        if memo is None or len(memo) > _PART_MEMO_LIMIT:
            memo = self._memos[q_suffix] = {}
        scores = _scores(view, candidates, q_suffix, self.weights, memo)
        if self.confidence is None:
            top, probability = self.pick(scores)
        else:
            top, probability = self._second_stage(analysis, view, candidates, scores)
        cand = candidates[top]
        return ShortAnswer(sentence[cand.start : cand.end], cand.start, cand.end, probability)

    def _second_stage(
        self,
        analysis: QuestionAnalysis,
        view: _SentenceView,
        candidates: Sequence[_Candidate],
        scores: Sequence[float],
    ) -> tuple[int, float]:
        """The best candidate and the second stage's probability that it is right."""
        top = max(range(len(scores)), key=scores.__getitem__)
        n_words, in_question, adjacent = _facts(view.heads, view, candidates[top])
        top, features = confidence_features(
            analysis.qtype,
            scores,
            [(c.start, c.end) for c in candidates],
            n_words=n_words,
            in_question=in_question,
            head_adjacent=adjacent,
        )
        return top, _logistic(self.confidence or {}, features)

    @staticmethod
    def pick(scores: Sequence[float]) -> tuple[int, float]:
        """The best candidate and its softmax probability among the sentence's candidates
        (the model was trained to put the mass on the gold span)."""
        top = max(range(len(scores)), key=scores.__getitem__)
        best = scores[top]
        exp = math.exp
        # max(-50.0, d) spelt out, without a builtin call per candidate (same sum, same order)
        gaps = [s - best for s in scores]
        return top, 1.0 / sum([exp(d if d > -50.0 else -50.0) for d in gaps])

    def short_answer(
        self,
        analysis: QuestionAnalysis,
        sentence: str,
        matched: Sequence[tuple[int, int]],
        word_terms: Callable[[str], tuple[str, ...]],
    ) -> ShortAnswer | None:
        """The short answer to show, or ``None`` (not a factoid question, or not sure)."""
        if not is_factoid(analysis):
            return None
        best = self.best(analysis, sentence, matched, word_terms)
        return best if best is not None and self.shows(best.text, best.confidence) else None

    def shows(self, text: str, confidence: float) -> bool:
        """Whether a best span is shown: sure enough, and not a lone function word."""
        return confidence >= self.threshold and not _is_lone_function_word(text)


_LONE_NUMBER_WORD = re.compile(rf"{_NUMBER_WORD}", re.IGNORECASE)


def _is_lone_function_word(text: str) -> bool:
    """A pronoun or conjunction alone ("Dia", "Namun", "Padahal": capitalised at the start of
    a sentence, so a name candidate) is never the answer to show; a number word ("satu") can
    be."""
    word = text.strip().lower()
    return (
        " " not in word and word in function_words() and _LONE_NUMBER_WORD.fullmatch(word) is None
    )


def _numbers_of(raw: Mapping[object, object], what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"span weights: {what} {name!r} is not a number")
        out[str(name)] = float(value)
    return out


def _facts(
    heads: frozenset[str], view: _SentenceView, cand: _Candidate
) -> tuple[int, bool, bool | None]:
    """What the second stage reads of one candidate: its words, whether one repeats the
    question, whether a word of it or next to it is a head of the question (``None``: no head)."""
    first, last = cand.first, cand.last
    adjacent: bool | None = None
    if heads:
        lower = view.toks.lower
        near = {lower[first], lower[last - 1]}
        if first > 0:
            near.add(lower[first - 1])
        if last < len(lower):
            near.add(lower[last])
        adjacent = not heads.isdisjoint(near)
    words = view.words[last] - view.words[first] or 1
    return words, view.asked[last] > view.asked[first], adjacent


def span_facts(
    analysis: QuestionAnalysis,
    sentence: str,
    matched: Sequence[tuple[int, int]],
    word_terms: Callable[[str], tuple[str, ...]],
) -> tuple[list[_Candidate], list[dict[str, float]], list[tuple[int, bool, bool | None]]]:
    """``span_features`` and, per candidate, what the second stage reads of it (training
    computes the second stage's features from these and out-of-fold scores)."""
    candidates, view, q_suffix = _prepare(analysis, sentence, matched, word_terms)
    return (
        candidates,
        [_features(view, cand, q_suffix) for cand in candidates],
        [_facts(view.heads, view, cand) for cand in candidates],
    )


def _logistic(weights: Mapping[str, float], features: Mapping[str, float]) -> float:
    z = sum(weights.get(name, 0.0) * value for name, value in features.items())
    z = min(50.0, max(-50.0, z))
    return 1.0 / (1.0 + math.exp(-z))


@cache
def default_span_model() -> SpanModel:
    raw = resources.files("index.lexicon").joinpath("span_weights.json").read_text("utf-8")
    return SpanModel.from_json(json.loads(raw))


# --- scoring against gold answers (SQuAD style, after NFKC and casefold) ----------------------


def normalise_answer(text: str) -> str:
    """NFKC, casefold, punctuation and symbols removed, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = (
        " " if unicodedata.category(ch).startswith(_PUNCTUATION_CATEGORIES) else ch for ch in folded
    )
    return " ".join("".join(kept).split())


def exact_match(prediction: str, answers: Collection[str]) -> bool:
    norm = normalise_answer(prediction)
    return any(norm == normalise_answer(a) for a in answers)


def _f1(prediction: str, answer: str) -> float:
    pred = normalise_answer(prediction).split()
    gold = normalise_answer(answer).split()
    if not pred or not gold:
        return float(pred == gold)
    remaining = list(gold)
    common = 0
    for word in pred:
        if word in remaining:
            remaining.remove(word)
            common += 1
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, answers: Collection[str]) -> float:
    """The best token F1 of ``prediction`` against any gold answer."""
    return max((_f1(prediction, a) for a in answers), default=0.0)

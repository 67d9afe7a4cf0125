"""Tokens, informal normalisation and Sastrawi parity (index/tokens.py)."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import Sastrawi
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from index.text import segment
from index.tokens import (
    Tokenizer,
    default_tokenizer,
    fold,
    informal_lexicon,
    sastrawi,
)

_ALPHA = re.compile(r"[a-z]+")


_STOCK_PYSASTRAWI = (
    "import sys\n"
    "from Sastrawi.Stemmer.StemmerFactory import StemmerFactory\n"
    "stem = StemmerFactory().create_stemmer().stem\n"
    "print('\\n'.join(stem(w) for w in sys.stdin.read().split()))\n"
)


def stock_stems(words: Sequence[str]) -> dict[str, str]:
    """PySastrawi exactly as its README uses it (a factory stemmer and ``stem()``), run in a
    fresh interpreter that never imports ``index``: our stemmer changes how Sastrawi runs inside
    this process, so the reference must come from outside it."""
    done = subprocess.run(
        [sys.executable, "-c", _STOCK_PYSASTRAWI],
        input="\n".join(words),
        capture_output=True,
        text=True,
        check=True,
    )
    stems = done.stdout.split("\n")[: len(words)]
    assert len(stems) == len(words)
    return dict(zip(words, stems, strict=True))


@pytest.fixture(scope="module")
def reference(article_text: str) -> Callable[[str], str]:
    """Stock PySastrawi's stem of the shipped article's words (see ``stock_stems``)."""
    words = sorted({w for s in segment(article_text) for w in _ALPHA.findall(fold(s.text))})
    return stock_stems(words).__getitem__


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return default_tokenizer()


# --------------------------------------------------------------------------- parity
# There is no stem-exception list: tokens.stem equals PySastrawi's stem() for every single
# alphabetic word, including its known wrong stems (setelah → telah, kedua → dua,
# relawan → rawan, Bali → bal) — overriding them measured no retrieval gain
# (docs/text-processing.md).


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("mengatakan", "kata"),
        ("pertempuran", "tempur"),
        ("kesepakatan", "sepakat"),
        ("menandatangani", "menandatangani"),
        ("setelah", "telah"),
        ("kedua", "dua"),
        ("relawan", "rawan"),
        ("bali", "bal"),
    ],
)
def test_known_stems_including_pysastrawi_quirks(tok: Tokenizer, word: str, stem: str) -> None:
    assert tok.stem(word) == (stem,)


def test_parity_on_every_word_of_the_shipped_article(
    article_text: str, tok: Tokenizer, reference: Callable[[str], str]
) -> None:
    words = {w for s in segment(article_text) for w in _ALPHA.findall(fold(s.text))}
    assert len(words) > 200
    mismatches = {w: (tok.stem(w), reference(w)) for w in words if tok.stem(w) != (reference(w),)}
    assert mismatches == {}


@pytest.mark.slow
def test_parity_on_the_whole_indosum_vocabulary(shared_dir: Path, tok: Tokenizer) -> None:
    path = shared_dir / "data" / "indosum_news.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            counts.update(_ALPHA.findall(fold(json.loads(line)["text"])))
    vocabulary = sorted(counts)
    assert len(vocabulary) > 40_000
    expected = stock_stems(vocabulary)
    fresh = Tokenizer(stemmer=sastrawi(), informal={})  # its own memo: every word stemmed here
    mismatches = {w: fresh.stem(w) for w in vocabulary if fresh.stem(w) != (expected[w],)}
    assert mismatches == {}
    sample = random.Random(2).sample(vocabulary, 2000)
    assert all(tok.stem(w) == fresh.stem(w) for w in sample)


def test_parity_on_affixed_forms_of_dictionary_roots() -> None:
    """Every prefix rule gets words to act on: Sastrawi's roots with the prefixes and suffixes
    its rules strip (meny-, peng-, ter-, ber-, -kan, -nya, ...), compared with stock PySastrawi."""
    roots_file = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    roots = [w for w in roots_file.read_text(encoding="utf-8").split() if w.isalpha()]
    sample = random.Random(5).sample(roots, 600)
    prefixes = [
        "",
        "me",
        "mem",
        "men",
        "meng",
        "meny",
        "pe",
        "pem",
        "pen",
        "peng",
        "peny",
        "ber",
        "be",
        "ter",
        "te",
        "per",
        "di",
        "ke",
        "se",
        "memper",
        "diper",
        "ku",
        "kau",
    ]
    suffixes = ["", "kan", "an", "i", "nya", "lah", "kah", "pun", "ku", "mu"]
    rng = random.Random(6)
    words = sorted(
        {rng.choice(prefixes) + root + rng.choice(suffixes) for root in sample for _ in range(6)}
    )
    expected = stock_stems(words)
    fresh = Tokenizer(stemmer=sastrawi(), informal={})
    mismatches = {w: fresh.stem(w) for w in words if fresh.stem(w) != (expected[w],)}
    assert mismatches == {}


# --------------------------------------------------------------------------- stemmer and memo


class CountingStemmer:
    """A fake stemmer that records every call (drops a trailing "nya")."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, word: str) -> str:
        with self.lock:
            self.calls[word] += 1
        return word.removesuffix("nya") or word


def test_each_distinct_word_is_stemmed_once() -> None:
    fake = CountingStemmer()
    tok = Tokenizer(stemmer=fake, informal={})
    text = "Rumahnya besar. Rumahnya sangat besar, sangat-sangat besar! RUMAHNYA besar."
    first = tok.tokens(text)
    second = tok.tokens(text + " " + text)
    assert first == [
        "rumah",
        "besar",
        "rumah",
        "sangat",
        "besar",
        "sangat",
        "besar",
        "rumah",
        "besar",
    ]
    assert second == first * 2
    assert set(fake.calls.values()) == {1}
    assert set(fake.calls) == {"rumahnya", "besar", "sangat", "sangat-sangat"}
    assert tok.memo_size == 4


def test_without_memo_every_occurrence_is_stemmed() -> None:
    fake = CountingStemmer()
    tok = Tokenizer(stemmer=fake, informal={}, memo=False)
    tok.tokens("besar besar besar")
    assert fake.calls == Counter({"besar": 3})
    assert tok.memo_size == 0


def test_memo_limit_bounds_memory_but_not_results() -> None:
    fake = CountingStemmer()
    tok = Tokenizer(stemmer=fake, informal={}, memo_limit=2)
    assert tok.tokens("satu dua tiga tiga") == ["satu", "dua", "tiga", "tiga"]
    assert tok.memo_size == 2
    assert fake.calls["tiga"] == 2  # past the limit: stemmed again, still correct


def test_concurrent_tokenising_gives_the_same_tokens(article_text: str) -> None:
    fake = CountingStemmer()
    tok = Tokenizer(stemmer=fake, informal={})
    expected = Tokenizer(stemmer=CountingStemmer(), informal={}).tokens(article_text)
    results: list[list[str]] = []

    def work() -> None:
        results.append(tok.tokens(article_text))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_sastrawi_is_created_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[object] = []
    original = StemmerFactory.create_stemmer

    def counting(self: object, *args: object, **kwargs: object) -> object:
        stemmer = original(self, *args, **kwargs)  # type: ignore[arg-type]
        created.append(stemmer)
        return stemmer

    monkeypatch.setattr(StemmerFactory, "create_stemmer", counting)
    sastrawi.cache_clear()
    try:
        tokenizers = [Tokenizer() for _ in range(3)]
        assert [t.tokens("Pertempuran berlangsung") for t in tokenizers] == [
            ["tempur", "langsung"]
        ] * 3
        assert sastrawi() is sastrawi()
        assert len(created) == 1
    finally:
        sastrawi.cache_clear()


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Presiden RUSIA", ["presiden", "rusia"]),
        ("François Müller", ["francois", "muller"]),
        ("pukul 12.30 WIB", ["pukul", "12.30", "wib"]),
        ("Rp 2.375.000", ["rp", "2.375.000"]),
        ("Rp500 ribu", ["rp", "500", "ribu"]),
        ("US$3.000", ["us", "3.000"]),
        ("inflasi 3,5 persen", ["inflasi", "3,5", "persen"]),
        ("Sabtu (10/10/2020)", ["sabtu", "10", "10", "2020"]),
        ("10kg beras", ["10", "kg", "beras"]),
        ("Jum'at dan Qur’an", ["jumat", "dan", "quran"]),
        ("ke-2 dan U-16", ["ke-2", "dan", "u-16"]),
        ("中文 مرحبا", ["中文", "مرحبا"]),
        ("🙂 ... ?!", []),
        ("", []),
    ],
)
def test_words(text: str, words: list[str]) -> None:
    tok = Tokenizer(stemmer=lambda w: w, informal={})
    assert tok.words(text) == words


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("orang-orang", ["orang"]),  # reduplication collapses
        ("berpindah-pindah", ["pindah"]),
        ("kuda-kudanya", ["kuda"]),
        ("Nagorno-Karabakh", ["nagorno", "karabakh"]),  # a name: its parts
        ("Nagorno Karabakh", ["nagorno", "karabakh"]),  # … the same terms without the hyphen
        ("Agdere-Terter", ["agdere", "terter"]),
        ("anti-korupsi", ["anti", "korupsi"]),  # a compound: parts stemmed on their own
        ("pro-pemerintahan", ["pro", "perintah"]),
        ("pemerintahan", ["perintah"]),
        ("masing-masing", ["masing"]),  # an uncollapsed reduplication counts once
        ("COVID-19", ["covid", "19"]),
        ("ke-2", ["ke", "2"]),
    ],
)
def test_hyphenated_words(tok: Tokenizer, text: str, tokens: list[str]) -> None:
    assert tok.tokens(text) == tokens


# --------------------------------------------------------------------------- informal words


@pytest.mark.parametrize(
    ("chat", "formal"),
    [
        ("siapa yg jd perantara?", "siapa yang menjadi perantara?"),
        ("brp org yg tewas", "berapa orang yang tewas"),
        ("knp gak ada gencatan senjata", "kenapa tidak ada gencatan senjata"),
        ("kpn perang dimulai", "kapan perang dimulai"),
        ("gmn nasib warga sipil", "bagaimana nasib warga sipil"),
        ("dmn pembicaraan dilakukan", "di mana pembicaraan dilakukan"),
        ("dimana pembicaraan dilakukan", "di mana pembicaraan dilakukan"),
        ("rusia pake drone ga", "rusia pakai drone tidak"),
        ("turki ngasih senjata apa", "turki memberi senjata apa"),
        ("sdh ada korban blm", "sudah ada korban belum"),
        ("nggak tdk enggak", "tidak tidak tidak"),
        ("siapa yg ngomong dgn putin", "siapa yang berbicara dengan putin"),
        ("utk apa perjanjian itu", "untuk apa perjanjian itu"),
        ("anak2 jadi korban", "anak-anak jadi korban"),
        ("org2 mengungsi", "orang-orang mengungsi"),
        ("Jum'at dan jumat", "jumat dan jumat"),
        ("harga naik 5 jt", "harga naik 5 juta"),
        ("makasih", "terima kasih"),
    ],
)
def test_chat_questions_match_their_formal_form(tok: Tokenizer, chat: str, formal: str) -> None:
    assert tok.tokens(chat) == tok.tokens(formal)


@pytest.mark.parametrize(
    ("word", "expansion"),
    [
        ("yg", ("yang",)),
        ("gak", ("tidak",)),
        ("nggak", ("tidak",)),
        ("ga", ("tidak",)),
        ("tdk", ("tidak",)),
        ("brp", ("berapa",)),
        ("knp", ("kenapa",)),
        ("kpn", ("kapan",)),
        ("gmn", ("bagaimana",)),
        ("jd", ("jadi",)),
        ("dgn", ("dengan",)),
        ("utk", ("untuk",)),
        ("sdh", ("sudah",)),
        ("blm", ("belum",)),
        ("org", ("orang",)),
        ("pake", ("pakai",)),
        ("ngasih", ("memberi",)),
        ("dmn", ("di", "mana")),
        ("gatau", ("tidak", "tahu")),
        ("menlu", ("menteri", "luar", "negeri")),
    ],
)
def test_informal_lexicon_entries(word: str, expansion: tuple[str, ...]) -> None:
    assert informal_lexicon()[word] == expansion


# Words that must never be rewritten: standard words and abbreviations news uses.
COLLISIONS = [
    "km", "dr", "kaya", "gua", "lg", "pd", "kl", "sm", "jk", "hp", "cm", "th", "spt", "kek",
    "gt", "rb", "mo", "ama", "gada", "liat", "kt", "jm", "dg", "tp", "aq", "no", "ada", "apa",
    "mana", "saya", "dia", "kami", "kita", "sama", "pas", "buat", "bakal", "soal", "rubah",
]  # fmt: skip
# Sastrawi dictionary roots that are kept on purpose: their chat sense dominates, or they are
# old spellings of the standard word ("praktek" → "praktik").
ROOTS_ALLOWED = {
    "abis", "aja", "ampe", "antri", "apotik", "ato", "banget", "bikin", "bilang", "cewek", "cowok",
    "cuma", "cuman", "dah", "doang", "doi", "duit", "elo", "elu", "emang", "enggak", "gue",
    "jabar", "jaman", "kagak", "kalo", "kasi", "kayak", "ketemu", "kudu", "nasehat", "ngapain",
    "obyek", "praktek", "propinsi", "resiko", "subyek", "sulut", "sumbar", "tak", "tapi", "tau",
}  # fmt: skip


@pytest.mark.parametrize("word", COLLISIONS)
def test_lexicon_leaves_standard_words_and_news_abbreviations_alone(word: str) -> None:
    assert word not in informal_lexicon()


def test_lexicon_hygiene() -> None:
    lexicon = informal_lexicon()
    assert len(lexicon) >= 200
    roots_file = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    roots = set(roots_file.read_text(encoding="utf-8").split())
    assert {w for w in lexicon if w in roots} <= ROOTS_ALLOWED
    for informal, standard in lexicon.items():
        assert informal == informal.lower() and re.fullmatch(r"[a-z]+", informal)
        assert not any(w in lexicon for w in standard), f"{informal}: chained expansion"


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01", "🙂🙂", "\u202e\u200f", "?!...", "_____"],
)
def test_text_without_words_has_no_tokens(tok: Tokenizer, text: str) -> None:
    assert tok.tokens(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "kata " * 20_000,
        "".join(random.Random(3).choice("ab-' 12.,yg🙂中") for _ in range(100_000)),
        "a-" * 50_000,
        "9." * 50_000,
    ],
    ids=["repeated", "random", "hyphen chain", "dotted digits"],
)
def test_huge_text_is_tokenised(text: str) -> None:
    tokens = Tokenizer().tokens(text)
    assert all(t and t == t.strip() for t in tokens)

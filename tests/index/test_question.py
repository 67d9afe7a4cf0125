from __future__ import annotations

import pytest

from index.question import (
    analyse_question,
    function_words,
    question_words,
    smalltalk_words,
)
from index.tokens import default_tokenizer


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("Kapan gempa terjadi?", "when"),
        ("kpn gempa terjadi", "when"),  # informal spelling normalised first
        ("Tahun berapa gedung itu dibangun?", "when"),
        ("Berapa korban gempa?", "number"),
        ("brp korban gempa?", "number"),
        ("Siapa yang memimpin rapat?", "who"),
        ("Di mana banjir melanda?", "where"),
        ("Dimanakah banjir melanda?", "where"),
        ("Dari mana bantuan datang?", "where"),
        # a place noun between the preposition and "mana"/"apa"
        ("Sidang itu diadakan di kota mana?", "where"),
        ("Di negara manakah festival itu digelar?", "where"),
        ("Dari provinsi mana para pengungsi berasal?", "where"),
        ("Pemain itu pindah ke klub mana?", "where"),
        ("Di provinsi apa gunung itu berada?", "where"),
        ("Mengapa harga naik?", "why"),
        ("Bagaimana cara mendaftar?", "how"),
        ("Apa itu inflasi?", "define"),
        ("Apakah yang dimaksud dengan inflasi?", "define"),
        ("Apa penyebab banjir?", "what"),
        ("Sebutkan penyebab banjir.", "other"),
        # a capitalised question word inside the question is a name (the town Kapan)
        ("Berapa warga yang tewas di dekat Kota Kapan?", "number"),
        ("Apa yang terjadi di Kapan?", "what"),
        ("Mengapa warga Kapan mengungsi?", "why"),
        # ... but it still asks at the start of the question or of a sentence in it
        ("Kapan gencatan senjata disepakati?", "when"),
        ("Soal gencatan senjata. Kapan disepakati?", "when"),
    ],
)
def test_question_types(question: str, qtype: str) -> None:
    assert analyse_question(question, default_tokenizer()).qtype == qtype


def test_informative_terms_skip_question_and_function_words() -> None:
    analysis = analyse_question("Siapa yang menjadi perantara di Moskow?", default_tokenizer())
    # every word is still a BM25 term ...
    assert analysis.terms[:2] == ("siapa", "yang")
    # ... but only content words count as evidence; "perantara" (stem "antara", a function word)
    # is judged on its surface form and stays informative
    assert analysis.informative == ("jadi", "antara", "moskow")
    assert not analysis.smalltalk


def test_a_name_that_spells_a_question_word_is_informative() -> None:
    analysis = analyse_question("Berapa warga tewas di dekat Kota Kapan?", default_tokenizer())
    assert "kapan" in analysis.informative
    assert (
        "kapan" not in analyse_question("Kapan perang berakhir?", default_tokenizer()).informative
    )


@pytest.mark.parametrize(
    ("question", "units"),
    [
        # a capitalised name is one unit, however many words spell it
        (
            "Tahun berapa Aung San Suu Kyi lahir?",
            {("aung", "san", "suu", "kyi"), ("tahun",), ("lahir",)},
        ),
        ("Siapa pelatih Manchester United?", {("latih",), ("manchester", "united")}),
        # particles inside a name stay in it
        ("Kapan Ibnu bin Said wafat?", {("ibnu", "bin", "said"), ("wafat",)}),
        # the first word of the question opens no name
        (
            "Organisasi apa yang menaungi Minsk Group?",
            {("organisasi",), ("taung",), ("minsk", "group")},
        ),
        ("siapa presiden rusia?", {("presiden",), ("rusia",)}),
        ("", set()),
    ],
)
def test_units_group_names(question: str, units: set[tuple[str, ...]]) -> None:
    analysis = analyse_question(question, default_tokenizer())
    assert set(analysis.units) == units
    # every informative term is in exactly one unit
    flat = [t for unit in analysis.units for t in unit]
    assert sorted(flat) == sorted(analysis.informative)


@pytest.mark.parametrize(
    ("text", "smalltalk"),
    [
        ("terima kasih", True),
        ("Halo, selamat pagi!", True),
        ("makasih ya min", True),
        ("halo, siapa presiden Rusia?", False),
        ("", False),
    ],
)
def test_smalltalk(text: str, smalltalk: bool) -> None:
    assert analyse_question(text, default_tokenizer()).smalltalk is smalltalk


def test_lexicons_are_folded_single_words() -> None:
    for word in function_words() | smalltalk_words() | question_words():
        assert word == word.strip().lower() and " " not in word


def test_question_words_are_function_words() -> None:
    assert question_words() <= function_words()

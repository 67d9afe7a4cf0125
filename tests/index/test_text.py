"""Normalisation, sentence splitting and boilerplate removal (index/text.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.splitter import Article, read_articles, score
from index.text import (
    is_boilerplate,
    is_credit_tag,
    normalize,
    segment,
    split_paragraphs,
    split_sentences,
    strip_boilerplate,
)

# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u201cKami\u201d kata \u2018dia\u2019", "\"Kami\" kata 'dia'"),  # curly quotes
        ("\uff21\uff22\uff23 \ufb01le", "ABC file"),  # NFKC: full-width, ligature
        ("satu\u00a0dua\u2003tiga", "satu dua tiga"),  # exotic spaces
        ("a\u200bb\u00adc\ufeffd", "abcd"),  # zero-width, soft hyphen, BOM
        ("ab\x00c\x07d\x1b", "abcd"),  # control characters
        ("kiri\u202eterbalik\u202c", "kiriterbalik"),  # bidi overrides
        ("baris\r\nbaru\rlagi", "baris\nbaru\nlagi"),  # line ends
        ("  banyak   spasi \t di sini  ", "banyak spasi di sini"),
        ("\u00e2\u20ac\u0153Kami\u00e2\u20ac\x9d kata", '"Kami" kata'),  # mojibake of “ ”
        ("tunggu\u00e2\u20ac\u00a6 ya", "tunggu... ya"),  # mojibake of …
        ("Caf\u00c3\u00a9 tetap", "Caf\u00c3\u00a9 tetap"),  # other mojibake is left alone
        ("''Jadi,'' katanya", '"Jadi," katanya'),  # doubled apostrophes as quotes
        (
            "turun.\u00c2\u00a0Lalu \u00c2\u00a9 2017",
            "turun. Lalu \u00a9 2017",
        ),  # mojibake of nbsp, ©
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_split_paragraphs_blank_lines_and_soft_wraps() -> None:
    text = "Satu baris\nlanjutan.\n\n\nParagraf dua.\n  \nTiga."
    assert split_paragraphs(text) == ["Satu baris lanjutan.", "Paragraf dua.", "Tiga."]


def test_split_paragraphs_one_per_line_without_blank_lines() -> None:
    assert split_paragraphs("Satu.\nDua.\n Tiga. ") == ["Satu.", "Dua.", "Tiga."]


# --------------------------------------------------------------------------- split_sentences

SPLITS: list[tuple[str, str, list[str]]] = [
    # --- glued sentences (copy-paste lost the space)
    (
        "glued word.Word",
        "dan Nikol Pashinian.Rusia telah mensponsori pembicaraan.",
        ["dan Nikol Pashinian.", "Rusia telah mensponsori pembicaraan."],
    ),
    ("glued city", "di Moskow.Rusia ikut.", ["di Moskow.", "Rusia ikut."]),
    ("glued acronym left", "ke KPK.Surat itu sah.", ["ke KPK.", "Surat itu sah."]),
    ("glued acronym right", "warga Lampung.YIK ditangkap.", ["warga Lampung.", "YIK ditangkap."]),
    ("glued year", "berakhir pada 1994.Wilayah itu", ["berakhir pada 1994.", "Wilayah itu"]),
    (
        "glued after bracket",
        "di Jakarta (10/10).Kami datang.",
        ["di Jakarta (10/10).", "Kami datang."],
    ),
    (
        "glued opening quote",
        'kata dia.Lalu "Kami siap."Ia pergi.',
        ["kata dia.", 'Lalu "Kami siap."', "Ia pergi."],
    ),
    (
        "glued quote opens next",
        'selesai."Kami siap," katanya.',
        ["selesai.", '"Kami siap," katanya.'],
    ),
    ("glued question", "Kenapa?Dia diam.", ["Kenapa?", "Dia diam."]),
    ("domain stays", "Dikutip dari detik.com dan Kompas.com hari ini.", None),
    ("upper domain stays", "JUARA.NET, TOKYO - Pasangan ganda menang.", None),
    ("glued abbreviation stays", "Kantor di Jl.Sudirman dibuka.", None),
    ("glued list number stays", "Wisatawan: 1.Mancanegara 112 orang.", None),
    ("glued degree stays", "Budi, M.Si.Dia hadir.", None),
    ("roman numeral stays", "SK No 85/Kpts.II/1990 berlaku.", None),
    # --- abbreviations and titles that a name or number follows
    ("Jl. No.", "Rumahnya di Jl. Sudirman No. 5 Jakarta.", None),
    ("Dr. Prof.", "Hadir Prof. Dr. Ir. H. Budi dan Dr. Terawan.", None),
    ("Hj.", "Ibu Hj. Siti Aminah datang.", None),
    ("Rp.", "Harganya Rp. 10.000 per kilo.", None),
    ("Kab. Kec.", "Di Kab. Bogor, Kec. Cibinong ada banjir.", None),
    ("PT.", "Saham PT. Bank Mandiri naik.", None),
    ("initial", "Presiden Susilo B. Yudhoyono dan M. Nuh hadir.", None),
    ("dotted a.n.", "Transfer a.n. Budi Santoso sudah masuk.", None),
    ("dotted degree", "Kuasa hukumnya, Andi S.H. Mereka menolak.", None),
    ("dotted title", "Oleh K.H. Ahmad Dahlan di Yogyakarta.", None),
    (
        "dll. then capital",
        "Ada beras, gula, dll. Semua murah.",
        ["Ada beras, gula, dll.", "Semua murah."],
    ),
    ("dll. then lower case", "Ada beras, gula, dll. yang murah.", None),
    (
        "WIB. then capital",
        "Mulai pukul 12.30 WIB. Acara selesai.",
        ["Mulai pukul 12.30 WIB.", "Acara selesai."],
    ),
    (
        "label letter",
        "Indonesia di Grup B. Tim itu kuat.",
        ["Indonesia di Grup B.", "Tim itu kuat."],
    ),
    (
        "vitamin letter",
        "Jeruk kaya vitamin C. Namun mahal.",
        ["Jeruk kaya vitamin C.", "Namun mahal."],
    ),
    # --- numbers
    ("decimal time", "Pukul 12.30 WIB rapat dimulai.", None),
    (
        "thousands",
        "Dana Rp 2.375.000 cair. Warga senang.",
        ["Dana Rp 2.375.000 cair.", "Warga senang."],
    ),
    ("decimal comma", "Inflasi 3,5 persen. Itu tinggi.", ["Inflasi 3,5 persen.", "Itu tinggi."]),
    (
        "number ends sentence",
        "Korban mencapai 811. Angka itu naik.",
        ["Korban mencapai 811.", "Angka itu naik."],
    ),
    ("spaced thousands", "Luas lahan 3.327. 810 hektar.", None),
    ("measurement", "Sensor 1.4μm. Ditunjang OIS.", ["Sensor 1.4μm.", "Ditunjang OIS."]),
    # --- dates and brackets
    (
        "date in brackets",
        "Sabtu (10/10/2020), menteri tiba. Ia bicara.",
        ["Sabtu (10/10/2020), menteri tiba.", "Ia bicara."],
    ),
    (
        "stop after bracket",
        "Sabtu (10/10). Kedua pihak setuju.",
        ["Sabtu (10/10).", "Kedua pihak setuju."],
    ),
    (
        "bracket after stop",
        "Ia pulang. (Kegiatan) itu selesai.",
        ["Ia pulang.", "(Kegiatan) itu selesai."],
    ),
    ("credit tag split", "Ia pulang. (vws)", ["Ia pulang.", "(vws)"]),
    ("inside short bracket", "Demikian Reuters. (Uu. T008)", ["Demikian Reuters.", "(Uu. T008)"]),
    ("stop inside bracket", "Puan (Puan Maharani, red.) lagi ada tugas.", None),
    # --- quotes
    (
        "quote then attribution",
        '"Sejak awal, Turki mendukung," katanya. Namun goyah.',
        ['"Sejak awal, Turki mendukung," katanya.', "Namun goyah."],
    ),
    ("question in quote", '"Ini kenapa?" tanya Djarot.', None),
    ("stop in quote, lower-case", '"Sudah selesai." kata dia.', None),
    ("stop in quote, capital", '"Sudah selesai." Ia pergi.', ['"Sudah selesai."', "Ia pergi."]),
    (
        "opening quote",
        'Ia pergi. "Kami menunggu," katanya.',
        ["Ia pergi.", '"Kami menunggu," katanya.'],
    ),
    ("detached closing quote", 'Tanya " Bisakah Asia Berpikir? ", Dawam menulis.', None),
    (
        "single quotes",
        "Ia menyebut 'siksaan.' Organ dalamnya hilang.",
        ["Ia menyebut 'siksaan.'", "Organ dalamnya hilang."],
    ),
    (
        "detached quote opens",
        "Negara lain ikut. ' The Paul Show ' tayang.",
        ["Negara lain ikut.", "' The Paul Show ' tayang."],
    ),
    (
        "detached quote closes",
        "Ia menyebut ' siksaan. ' Organ dalamnya hilang.",
        ["Ia menyebut ' siksaan. '", "Organ dalamnya hilang."],
    ),
    # --- other punctuation and cases
    ("P.S. style", "Kirim chat di PS. Saya akan balas.", ["Kirim chat di PS.", "Saya akan balas."]),
    ("pasal number", "Dijerat Ps. 81 UU Perlindungan Anak.", None),
    ("exclamation", "Hebat! Tim menang.", ["Hebat!", "Tim menang."]),
    ("mixed marks", "Enak!!!. Pizza ini murah.", ["Enak!!!.", "Pizza ini murah."]),
    ("ellipsis is a pause", "Tunggu dulu ... Kembali ke kantor.", None),
    (
        "lost capital",
        "Lendir di dada. ketika lendir berkurang.",
        ["Lendir di dada.", "ketika lendir berkurang."],
    ),
    (
        "brand in lower case",
        "Versi OS Yosemite. iPad juga bisa.",
        ["Versi OS Yosemite.", "iPad juga bisa."],
    ),
    (
        "url then capital",
        "Buka https://app.contoh.com. Selanjutnya daftar.",
        ["Buka https://app.contoh.com.", "Selanjutnya daftar."],
    ),
    ("name with domain", "Tim Kata.ai. Mereka hebat.", ["Tim Kata.ai.", "Mereka hebat."]),
    ("broken url", "dilansir simamaung. com hari ini.", None),
    ("hashtag", "Sangat sedih. #PrayForPalu", ["Sangat sedih.", "#PrayForPalu"]),
    ("digit starts", "Ia menang. 3 gol dicetak.", ["Ia menang.", "3 gol dicetak."]),
    ("caseless script", "مرحبا بكم. شكرا لكم.", ["مرحبا بكم.", "شكرا لكم."]),
    ("no final stop", "Tanpa titik di akhir", None),
]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [pytest.param(p, e if e is not None else [p], id=name) for name, p, e in SPLITS],
)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def _skeleton(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aAbZ .,!?\"'()[]0123\n-:/")), max_size=200))
def test_splitting_keeps_every_character_in_order(paragraph: str) -> None:
    sentences = split_sentences(paragraph)
    assert _skeleton("".join(sentences)) == _skeleton(paragraph)
    assert all(s and s == s.strip() for s in sentences)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_segment_never_fails_on_any_text(text: str) -> None:
    for sentence in segment(text):
        assert sentence.text and sentence.text == sentence.text.strip()
        assert sentence.paragraph >= 0


# --------------------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("(vws)", True),
        ("[cob]", True),
        ("(gk-48)", True),
        ("(has/has)", True),
        ("(Uu. T008)", True),
        ("(Reuters/AP/muk)", True),
        ("(kegiatan) itu selesai.", False),
        ("(Dalam kurung ada kalimat panjang sekali di sini)", False),
    ],
)
def test_is_credit_tag(sentence: str, expected: bool) -> None:
    assert is_credit_tag(sentence) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Baca Juga :", True),
        ("Baca juga: Setya Novanto: Jangan Sampai Kisruh Taksi", True),
        ("Baca_Juga", True),
        ("SIMAK JUGA: Klasemen Liga 1", True),
        ("Editor: Budi", True),
        ("Sumber: Google.", True),
        ("Sumber berita Gizmochina.", True),
        ("Via The Verge.", True),
        ("Artikel ini telah tayang di Kompas.com", True),
        ("Suara.com -", True),
        ("DailySocial.id adalah portal berita startup dan inovasi teknologi.", True),
        ("Sumber berita menyebut dia tewas di lokasi.", False),
        ("Iklan rokok dilarang tayang di televisi.", False),
        ("Hak cipta lagu itu dimiliki penciptanya.", False),
        ("Klik salah satu, maka aplikasinya akan langsung terbuka.", False),
        ("Sumber: " + "kata " * 25, False),  # long: real text
    ],
)
def test_is_boilerplate(text: str, expected: bool) -> None:
    assert is_boilerplate(text) is expected


def test_strip_boilerplate_trailing_source_and_links() -> None:
    paragraphs = [
        "Pertama. [Baca juga: Judul Lain (Lagi)] Kedua.",
        "Editor: Budi",
        "Ketiga (Baca Juga: Kevin Komentari Hasil) selesai.",
        "Terakhir menggunakan kekerasan. Al Jazeera",
        "Baca Juga :",
    ]
    assert strip_boilerplate(paragraphs) == [
        "Pertama. Kedua.",
        "Ketiga selesai.",
        "Terakhir menggunakan kekerasan.",
    ]


@pytest.mark.parametrize("source", ["Al Jazeera", "(Antara)", "Reuters", "BBC News Indonesia"])
def test_bare_source_line_at_the_end_is_dropped(source: str) -> None:
    text = f"Gencatan senjata disepakati.\n\n{source}"
    assert [s.text for s in segment(text)] == ["Gencatan senjata disepakati."]


def test_segment_drops_credits_and_joins_list_markers() -> None:
    text = (
        "Rincian wisatawan:\n\n1. Mancanegara: 112 orang. 2. Nusantara: 8 orang.\n\n"
        'Ia pulang," katanya. (vws)\n\nBaca juga: Judul lain'
    )
    assert [(s.paragraph, s.text) for s in segment(text)] == [
        (0, "Rincian wisatawan:"),
        (1, "1. Mancanegara: 112 orang."),
        (1, "2. Nusantara: 8 orang."),
        (2, 'Ia pulang," katanya.'),
    ]


# --------------------------------------------------------------------------- shipped article


def test_shipped_article_yields_its_thirty_sentences(article_text: str) -> None:
    sentences = [s.text for s in segment(article_text)]
    assert len(sentences) == 30
    assert sentences[3].endswith("Perdana Menteri Armenia Nikol Pashinian.")
    assert sentences[4].startswith("Rusia telah mensponsori bersama")
    assert sentences[-1].endswith("selain menggunakan kekerasan.")
    assert not any("Baca Juga" in s or s.endswith("Al Jazeera") for s in sentences)
    assert all(s[-1] in ".!?\"'" for s in sentences)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  \n",
        "\x00\x01\x02",
        "🙂🙂🙂 🎉. 🙂!",
        "?!... ... !!!",
        "\u202e\u202d\u200f",
    ],
)
def test_text_without_words_gives_no_sentences(text: str) -> None:
    assert segment(text) == []


def _huge_inputs() -> list[tuple[str, str]]:
    rng = random.Random(7)
    alphabet = "aA. \"'()[]?!\n0123456789,-/"
    return [
        ("initials", "A. " * 33_333),
        ("glued words", "kata.Kata" * 11_111),
        ("sentences", "Kalimat pendek di sini. " * 4_200),
        ("open brackets", "(" * 50_000 + "Ab. Cd" * 8_000),
        ("open quotes", '"' * 50_000 + 'ab."Cd' * 8_000),
        ("dots", "." * 100_000),
        ("no punctuation", "kata " * 20_000),
        ("one long token", "x" * 100_000 + ". Y"),
        ("random", "".join(rng.choice(alphabet) for _ in range(100_000))),
        ("emoji", "🙂. " * 33_333),
        ("arabic", "مرحبا. " * 14_000),
    ]


@pytest.mark.parametrize(("name", "text"), _huge_inputs(), ids=[n for n, _ in _huge_inputs()])
def test_huge_input_is_handled(name: str, text: str) -> None:
    assert len(text) >= 80_000
    sentences = segment(text)
    assert all(s.text for s in sentences)
    assert sum(len(s.text) for s in sentences) <= len(text)


# --------------------------------------------------------------------------- IndoSum gold


@pytest.fixture(scope="module")
def held_indosum(shared_dir: Path) -> list[Article]:
    path = shared_dir / "data" / "indosum_news.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8") as handle:
        total = sum(1 for _ in handle)
    middle = total // 2
    return read_articles(path, middle, middle + 300)  # a slice of the held-apart half


@pytest.mark.parametrize("glue_rate", [0.0, 0.1])
def test_boundary_f1_on_held_apart_indosum(held_indosum: list[Article], glue_rate: float) -> None:
    assert score(held_indosum, glue_rate, seed=5).row()["f1"] >= 0.98

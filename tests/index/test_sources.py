"""Source parsing: encodings, binary refusal, Markdown, HTML extraction, JSONL batches."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from index.sources import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    SourceError,
    decode_bytes,
    iter_jsonl,
    markdown_to_text,
    parse_bytes,
    read_source_file,
    split_headline,
)

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
INDONESIAN = (
    "Menteri Keuangan mengatakan ekonomi tumbuh 5,2 persen pada kuartal ketiga. "
    "Kenaikan itu didorong konsumsi rumah tangga dan ekspor kopi."
)
ACCENTED = (
    "Kafe “Café Rénové” di Jakarta menjual kopi seharga Rp 25.000 — kata pemiliknya, François."
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (INDONESIAN.encode("utf-8"), INDONESIAN),
        (b"\xef\xbb\xbf" + INDONESIAN.encode("utf-8"), INDONESIAN),
        (INDONESIAN.encode("utf-16"), INDONESIAN),
        (ACCENTED.encode("cp1252"), ACCENTED),
        ((ACCENTED + " " + INDONESIAN).encode("cp1252"), ACCENTED + " " + INDONESIAN),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1252-short", "cp1252-long"],
)
def test_decode_detects_encodings(data: bytes, expected: str) -> None:
    assert decode_bytes(data, "x.txt") == expected


def test_utf8_with_stray_cp1252_bytes_keeps_the_utf8_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two Windows-1252 bytes in a UTF-8 file: only they are read as Windows-1252; the valid
    UTF-8 around them is never garbled (it used to be decoded whole as Mac Roman: "caf√©")."""
    data = (
        "Kopi di café itu enak.\n".encode()
        + b"Harga caf\xe9 murah, kata pemiliknya \x93Fran\xe7ois\x94.\n"
        + "Pemiliknya dari Zürich.".encode()
    )
    with caplog.at_level("WARNING", logger="index.sources"):
        text = decode_bytes(data, "kafe.txt")
    assert text == (
        "Kopi di café itu enak.\nHarga café murah, kata pemiliknya “François”.\n"
        "Pemiliknya dari Zürich."
    )
    assert "kafe.txt" in caplog.text and "line 2" in caplog.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            "Kafe café itu ".encode() + b"\x93enak\x94 \x93mahal\x94 kata dia.",
            "Kafe café itu “enak” “mahal” kata dia.",
        ),
        (
            "Menu café: ".encode() + b"\x93latte\x94 \x96 \x93mocha\x94 \x97 cr\xe8me.",
            "Menu café: “latte” – “mocha” — crème.",
        ),
    ],
    ids=["quotes", "dashes-and-accent"],
)
def test_a_short_utf8_text_with_more_stray_bytes_than_utf8_stays_utf8(
    data: bytes, expected: str
) -> None:
    """More stray Windows-1252 bytes than UTF-8 characters in a short text: still UTF-8 (a
    guess for the whole text read the "é" as "Ã©" or "Ă©")."""
    assert decode_bytes(data, "kafe.txt") == expected


def test_a_legacy_cyrillic_text_with_an_accidental_utf8_pair_is_detected_whole() -> None:
    """Windows-1251 Ukrainian: "Гі" happens to be a valid UTF-8 pair, but nearly every other
    byte is not UTF-8, so the file is a legacy one and decoded whole."""
    text = "Гідність і свобода. Президент України сказав це вчора ввечері."
    assert decode_bytes(text.encode("cp1251"), "berita.txt") == text


def test_utf8_with_a_stray_byte_that_is_not_cp1252_is_refused_with_its_line() -> None:
    data = "Kopi di café itu enak.\nHarga murah.\n".encode() + b"Rusak \x81 di sini.\n"
    with pytest.raises(SourceError, match=r"kafe\.txt is not valid UTF-8: line 3") as caught:
        decode_bytes(data, "kafe.txt")
    assert (caught.value.key, caught.value.params) == (
        "invalid_utf8",
        {"name": "kafe.txt", "line": 3},
    )


def test_declared_charset_wins_and_a_wrong_one_falls_back() -> None:
    assert decode_bytes(ACCENTED.encode("cp1252"), "x", declared="windows-1252") == ACCENTED
    assert decode_bytes(INDONESIAN.encode(), "x", declared="no-such-charset") == INDONESIAN


@pytest.mark.parametrize(
    ("data", "message", "key", "params"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "PDF",
            "binary_format",
            {"name": "berkas.txt", "format": "PDF"},
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "PNG",
            "binary_format",
            {"name": "berkas.txt", "format": "PNG"},
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00",
            "ZIP",
            "binary_format",
            {"name": "berkas.txt", "format": "ZIP/Office"},
        ),
        (b"teks\x00\x01\x02\x03biner" * 20, "binary", "binary", {"name": "berkas.txt"}),
        (bytes(range(1, 32)) * 40, "binary", "binary", {"name": "berkas.txt"}),
        (
            codecs.BOM_UTF16_LE + b"a\x00b",
            "not valid utf-16",
            "invalid_encoding",
            {"name": "berkas.txt", "encoding": "utf-16"},
        ),
    ],
    ids=["pdf", "png", "zip", "nul-bytes", "control-chars", "bad-utf16"],
)
def test_binary_data_is_refused_clearly(
    data: bytes, message: str, key: str, params: dict[str, object]
) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        decode_bytes(data, "berkas.txt")
    assert (caught.value.key, caught.value.params) == (key, params)


def test_undetectable_bytes_are_refused() -> None:
    noise = bytes((i * 37 + 11) % 96 + 160 for i in range(3000))  # high bytes, no structure
    with pytest.raises(SourceError, match=r"berkas\.txt") as caught:
        decode_bytes(noise, "berkas.txt")
    assert (caught.value.key, caught.value.params) == ("unknown_encoding", {"name": "berkas.txt"})


@pytest.mark.parametrize(
    ("name", "data", "message", "key", "params"),
    [
        ("kosong.txt", b"", "empty", "empty", {}),
        ("spasi.txt", b"  \n\t \n", "empty", "empty", {}),
        ("besar.txt", b"a" * (MAX_FILE_BYTES + 1), "larger than", "too_large", {"limit_mb": 5}),
        (
            "panjang.txt",
            ("kata " * (MAX_TEXT_CHARS // 5 + 10)).encode(),
            "limit",
            "too_long",
            {"chars": MAX_TEXT_CHARS + 50, "limit": MAX_TEXT_CHARS},
        ),
        (
            "laporan.pdf",
            b"%PDF-1.4",
            "unsupported file type .pdf",
            "unsupported_type",
            {"suffix": ".pdf", "allowed": ".htm, .html, .md, .txt"},
        ),
        ("tanpa-akhiran", b"teks biasa", "unsupported file type", "unsupported_type", {}),
        (
            "menu.html",
            (PAGES / "no-article.html").read_bytes(),
            "no article text",
            "no_article_text",
            {},
        ),
    ],
)
def test_parse_refuses_bad_documents(
    name: str, data: bytes, message: str, key: str, params: dict[str, object]
) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        parse_bytes(data, name)
    assert caught.value.key == key
    assert caught.value.params == {"name": name} | caught.value.params
    assert caught.value.params | params == caught.value.params


def test_text_file_title_comes_from_its_name() -> None:
    source = parse_bytes(INDONESIAN.encode(), "ekonomi-tumbuh_kuartal.txt")
    assert source.title == "Ekonomi Tumbuh Kuartal"
    assert source.text == INDONESIAN


SHIPPED = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("Gempa Guncang Cianjur\n\n" + INDONESIAN, "Gempa Guncang Cianjur"),
        ("Gempa Guncang Cianjur\n" + INDONESIAN, "Gempa Guncang Cianjur"),  # body right after
        (
            "\n  PBB:  Gencatan Senjata Harus Dihormati \n\n" + INDONESIAN,
            "PBB: Gencatan Senjata Harus Dihormati",
        ),
        ("Siapa Menang Pilkada Jakarta?\n\n" + INDONESIAN, "Siapa Menang Pilkada Jakarta?"),
        # not headlines: the first sentence of the article, a lead-in, a list, a lone line
        ("Ekonomi tumbuh 5,2 persen pada kuartal ketiga.\n" + INDONESIAN, None),
        ("Menurut data BPS, ekonomi tumbuh. Konsumsi naik\n\n" + INDONESIAN, None),
        ("Berikut daftarnya:\n\n" + INDONESIAN, None),
        ("Siapa menang?\n" + INDONESIAN, None),
        ("Apel\nJeruk\nMangga", None),
        ("12/10/2020\n\n" + INDONESIAN, None),
        ("Gempa Guncang Cianjur", None),
        (" ".join(["kata"] * 25) + "\n\n" + INDONESIAN, None),
    ],
)
def test_a_first_line_that_looks_like_a_headline_is_split_off(
    text: str, headline: str | None
) -> None:
    found, body = split_headline(text)
    assert found == headline
    assert body == (INDONESIAN if headline else text)


@pytest.mark.parametrize("name", ["eko.txt", "eko.md"])
def test_a_text_file_with_a_headline_takes_it_as_title_not_as_a_sentence(name: str) -> None:
    source = parse_bytes(("Ekonomi Tumbuh 5,2 Persen\n\n" + INDONESIAN).encode(), name)
    assert (source.title, source.text) == ("Ekonomi Tumbuh 5,2 Persen", INDONESIAN)


def test_a_markdown_file_without_a_headline_keeps_its_first_sentence() -> None:
    source = parse_bytes((INDONESIAN + "\n\n" + INDONESIAN).encode(), "ekonomi-tumbuh.md")
    assert source.title == "Ekonomi Tumbuh"
    assert source.text.startswith(INDONESIAN)


def test_the_shipped_article_keeps_its_first_sentence() -> None:
    """Its first line is the article's first sentence (ending with a period), not a headline."""
    [path] = SHIPPED.glob("*.txt")
    data = path.read_bytes()
    source = parse_bytes(data, path.name)
    assert source.title == "Armenia Azerbaijan Gencatan Senjata"
    assert source.text == data.decode("utf-8")
    assert source.text.startswith("Armenia dan Azerbaijan menyetujui gencatan senjata")


def test_markdown_markup_is_removed_and_heading_is_the_title() -> None:
    markdown = (
        "# Kopi Gayo Mendunia\n\n"
        "Ekspor **kopi Gayo** naik [tajam](https://contoh.id/kopi) tahun ini.\n\n"
        "## Harga\n\n- Harga naik *dua kali* lipat.\n- Petani untung.\n\n"
        "![foto](kopi.jpg)\n\n```\nkode\n```\n"
    )
    title, text = markdown_to_text(markdown)
    assert title == "Kopi Gayo Mendunia"
    assert "Ekspor kopi Gayo naik tajam tahun ini." in text
    assert "Harga naik dua kali lipat." in text
    for residue in ("**", "](", "![", "```", "- Harga", "#"):
        assert residue not in text
    assert parse_bytes(markdown.encode(), "kopi.md").title == "Kopi Gayo Mendunia"


def test_html_article_text_and_title_are_extracted() -> None:
    source = parse_bytes((PAGES / "article.html").read_bytes(), "banjir.html")
    assert source.title == "Banjir Rendam Ratusan Rumah di Bekasi"
    assert "merendam sedikitnya 450 rumah" in source.text
    assert "mengevakuasi 1.200 warga" in source.text
    for boilerplate in ("Beranda", "Berita Terpopuler", "Hak cipta", "Redaksi"):
        assert boilerplate not in source.text
    assert not source.text.startswith(source.title)  # the headline is the title, not text
    assert "\n\n" in source.text  # paragraphs survive


def test_html_in_legacy_encoding_uses_its_meta_charset() -> None:
    page = (PAGES / "article.html").read_text(encoding="utf-8")
    page = page.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "Agus Salim", "Agus Salím"
    )
    source = parse_bytes(page.encode("cp1252"), "banjir.html")
    assert "Agus Salím" in source.text


def test_read_source_file_reports_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"cannot read hilang\.txt") as caught:
        read_source_file(tmp_path / "hilang.txt")
    assert caught.value.key == "cannot_read"
    assert caught.value.params == {"name": "hilang.txt", "reason": "No such file or directory"}


def test_jsonl_bad_lines_are_reported_with_their_numbers(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "title": "Satu", "text": INDONESIAN}),
        "{bukan json",
        "",
        json.dumps(["daftar"]),
        json.dumps({"title": "Tanpa teks"}),
        json.dumps({"text": "   "}),
        json.dumps({"text": ACCENTED}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe{}\n")
    items = list(iter_jsonl(path))
    assert [i.line for i in items] == [1, 2, 4, 5, 6, 7, 8]
    good = [i for i in items if i.source is not None]
    assert [(i.line, i.key) for i in good] == [(1, "a1"), (7, None)]
    assert good[0].source is not None and good[0].source.title == "Satu"
    errors = {i.line: i.error for i in items if i.source is None}
    assert "line 2 is not valid JSON" in errors[2]
    assert "line 4 is not a JSON object" in errors[4]
    assert 'line 5 has no "text"' in errors[5]
    assert "empty" in errors[6]
    assert "line 8" in errors[8]

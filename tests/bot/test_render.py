"""bot/render.py: highlighting and the answer and report layouts (pure)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, cast, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render, telegram_html
from bot.telegram_html import escape, split_html, utf16_len
from index.engine import Answer, Hit
from index.errors import ErrorDetail, ErrorKey, ErrorParam
from index.results import DocumentInfo, IngestResult, ReloadReport, Stats
from index.spans import ShortAnswer
from tests.bot.telegram_html import check, visible


def hit(
    sentence: str,
    *,
    rank: int = 1,
    before: str = "",
    after: str = "",
    title: str = "Judul",
    highlights: tuple[tuple[int, int], ...] = (),
) -> Hit:
    return Hit(rank, 1.0, sentence, before, after, 1, title, 0, highlights)


def answered(*hits: Hit, question: str = "q?") -> Answer:
    return Answer(question, tuple(hits), False)


@pytest.mark.parametrize(
    ("sentence", "spans", "expected"),
    [
        ("Putin menjadi perantara", ((6, 13), (14, 23)), "Putin <b>menjadi</b> <b>perantara</b>"),
        ("a<b & c", ((0, 1), (6, 7)), "<b>a</b>&lt;b &amp; <b>c</b>"),
        ("kata", ((3, 99),), "kata"),  # out of range: ignored
        ("satu dua", ((0, 4), (2, 6)), "<b>satu</b> dua"),  # overlapping: the second ignored
        ("", (), ""),
    ],
)
def test_highlight(sentence: str, spans: tuple[tuple[int, int], ...], expected: str) -> None:
    assert render.highlight(sentence, spans) == expected


# --- answers --------------------------------------------------------------------------------


def test_answer_has_bold_matches_passage_title_and_counts() -> None:
    h = hit(
        "Putin menjadi perantara.",
        before="Sebelumnya <x>.",
        after="Lalu & sesudah.",
        title="Perang <Karabakh>",
        highlights=((14, 23),),
    )
    [chunk] = render.render_answer(answered(h, hit("dua"), hit("tiga")), 0, "id")
    check(chunk)
    assert "Jawaban 1/3" in chunk
    assert (
        "<blockquote>Sebelumnya &lt;x&gt;. <u>Putin menjadi <b>perantara</b>.</u> "
        "Lalu &amp; sesudah.</blockquote>" in chunk
    )
    assert "<i>Perang &lt;Karabakh&gt;</i>" in chunk


def test_answer_shows_the_best_sentence_once_marked_in_its_context() -> None:
    h = hit("Putin menjadi perantara.", before="Awal.", after="Akhir.", highlights=((14, 23),))
    [chunk] = render.render_answer(answered(h), 0, "id")
    assert visible(chunk).count("Putin menjadi perantara.") == 1
    assert re.search(r"<blockquote>Awal\. <u>.*perantara.*</u> Akhir\.</blockquote>", chunk)
    assert "Konteks" not in chunk


def test_answer_without_neighbours_has_no_passage_and_english_labels() -> None:
    [chunk] = render.render_answer(answered(hit("Satu-satunya kalimat.")), 0, "en")
    assert "blockquote" not in chunk
    assert "Answer 1/1" in chunk and "Source:" in chunk


def test_long_neighbours_are_shortened_but_the_sentence_is_kept() -> None:
    h = hit("Inti jawaban.", before="awal " * 500, after="akhir " * 500)
    [chunk] = render.render_answer(answered(h), 0, "id")
    assert "Inti jawaban." in chunk and "…" in chunk and utf16_len(chunk) < 1500


def test_huge_sentence_answer_is_split_into_valid_chunks() -> None:
    sentence = "sangat panjang <b> & " * 800
    chunks = render.render_answer(answered(hit(sentence, highlights=((0, 6),))), 0, "id")
    assert len(chunks) >= 4
    for c in chunks:
        check(c)
    assert "&lt;b&gt;" in chunks[0]


@pytest.mark.parametrize(
    ("page", "total", "more"),
    [(0, 3, "more:7:1"), (1, 3, "more:7:2"), (2, 3, "more:7:0"), (0, 1, None)],
)
def test_keyboard_pages_round_and_votes(page: int, total: int, more: str | None) -> None:
    keyboard = render.answer_keyboard(7, page, total, "id").inline_keyboard
    data = [b.callback_data for row in keyboard for b in row]
    assert data[-2:] == ["vote:7:up", "vote:7:down"]
    assert (data[0] if len(data) == 3 else None) == more
    assert all(len(str(d).encode()) <= 64 for d in data)


DOCS = [DocumentInfo(i, f"Berita <{i}>", 10, "file", f"f{i}.txt", None) for i in range(1, 13)]


@pytest.mark.parametrize(
    ("reason", "expected", "titles"),
    [
        ("no_match", "tidak menjawab", True),
        ("low_coverage", "tidak menjawab", True),
        ("empty", "Tulis pertanyaan", False),
        ("unknown_document", "tidak ada", False),
    ],
)
def test_abstentions(reason: str, expected: str, titles: bool) -> None:
    [chunk] = render.render_abstention(Answer("q", (), True, reason), DOCS, "id")
    check(chunk)
    assert expected in chunk
    assert ("Berita &lt;12&gt;" in chunk) is titles
    if titles:  # the newest few titles, then how many more
        assert "Berita &lt;5&gt;" in chunk and "Berita &lt;4&gt;" not in chunk
        assert "4 artikel lain" in chunk


def test_smalltalk_neither_greeting_nor_thanks_gets_the_hint() -> None:
    [chunk] = render.render_abstention(Answer("ok sip", (), True, "smalltalk"), DOCS, "id")
    check(chunk)
    assert chunk.startswith("🙂 Tanyakan apa saja") and "Berita &lt;12&gt;" in chunk


def test_greeting_hint_names_the_newest_titles_and_the_count() -> None:
    [chunk] = render.render_abstention(Answer("halo", (), True, "smalltalk"), DOCS, "en")
    check(chunk)
    assert chunk.startswith("Hi! 👋")
    assert "<i>Berita &lt;12&gt;</i>, <i>Berita &lt;11&gt;</i>, <i>Berita &lt;10&gt;</i>" in chunk
    assert "Berita &lt;9&gt;" not in chunk and "(all 12 articles: /artikel)" in chunk
    [chunk] = render.render_abstention(Answer("halo", (), True, "smalltalk"), DOCS[:1], "en")
    assert "e.g. <i>Berita &lt;1&gt;</i>." in chunk and "/artikel" not in chunk


def test_greeting_without_articles_or_without_knowing_them() -> None:
    [chunk] = render.render_abstention(Answer("halo", (), True, "smalltalk"), [], "id")
    assert chunk.startswith("Halo! 👋 Belum ada artikel")
    [chunk] = render.render_abstention(Answer("halo", (), True, "smalltalk"), None, "id")
    assert chunk == "Halo! 👋"
    [chunk] = render.render_abstention(Answer("makasih", (), True, "smalltalk"), None, "id")
    assert chunk.startswith("Sama-sama!")


def test_inline_abstention_does_not_claim_there_are_no_articles() -> None:
    [result] = render.render_inline_results(Answer("apa <x>", (), True, "no_match"), "id")
    message = result.input_message_content.message_text
    assert "tidak menjawab" in message and "Belum ada artikel" not in message


def test_abstention_without_articles() -> None:
    [chunk] = render.render_abstention(Answer("q", (), True, "no_match"), [], "en")
    assert "no articles yet" in chunk


def test_article_page_is_one_message_even_with_huge_titles() -> None:
    docs = [DocumentInfo(i, "Judul & panjang " * 60, 1, "file", "x", None) for i in range(400)]
    chunks, markup = render.render_article_page(docs, "", 0, "en")
    [chunk] = chunks
    check(chunk)
    assert "Articles (400)" in chunk and "page 1/40" in chunk and "(1 sentence)" in chunk
    assert markup is not None


def test_article_search_folds_case_and_accents() -> None:
    docs = [
        DocumentInfo(1, "Café di Jakarta", 3, "file", "x", None),
        DocumentInfo(2, "Banjir", 3, "file", "x", None),
    ]
    [chunk], markup = render.render_article_page(docs, "CAFE jak", 0, "id")
    assert "#1 — Café di Jakarta" in chunk and "#2" not in chunk and markup is None


def test_reports() -> None:
    report = ReloadReport(
        added=1,
        unchanged=2,
        documents=3,
        sentences=40,
        seconds=0.25,
        revision=9,
        error_details=(ErrorDetail("rusak.txt: <biner>"),),
    )
    [chunk] = render.render_reload(report, "id")
    check(chunk)
    assert "0,250 detik" in chunk and "3 artikel" in chunk and "&lt;biner&gt;" in chunk
    ok = render.render_ingest(IngestResult("u", "added", 5, "A <b>", 12), "en")[0]
    assert "#5" in ok and "A &lt;b&gt;" in ok and "12 sentences" in ok
    bad = render.render_ingest(IngestResult("<u>", "failed", error="404 & co"), "id")[0]
    assert "&lt;u&gt;" in bad and "404 &amp; co" in bad
    stats = Stats(
        questions=4,
        answered=3,
        abstained=1,
        thumbs_up=2,
        thumbs_down=1,
        top_questions=(("siapa <x>?", 2),),
        unanswered_questions=(("kenapa?", 1),),
    )
    [chunk] = render.render_stats(stats, "id")
    check(chunk)
    assert "75%" in chunk and "2× siapa &lt;x&gt;?" in chunk and "1× kenapa?" in chunk


@pytest.mark.parametrize(
    ("lang", "seconds", "documents", "sentences", "expected"),
    [
        ("id", 0.002, 1, 1, ("dalam 0,002 detik", "Sekarang 1 artikel, 1 kalimat")),
        ("en", 0.002, 1, 1, ("in 0.002 s", "Now 1 article, 1 sentence (")),
        ("id", 12.5, 3464, 98765, ("dalam 12,50 detik", "3.464 artikel, 98.765 kalimat")),
        ("en", 12.5, 3464, 98765, ("in 12.50 s", "3,464 articles, 98,765 sentences")),
        ("en", 0.1, 0, 0, ("Now 0 articles, 0 sentences",)),
    ],
)
def test_reload_numbers_and_plurals_follow_the_language(
    lang: str, seconds: float, documents: int, sentences: int, expected: tuple[str, ...]
) -> None:
    report = ReloadReport(documents=documents, sentences=sentences, seconds=seconds, added=1200)
    [chunk] = render.render_reload(report, lang)
    for part in expected:
        assert part in chunk
    assert ("1.200 baru" if lang == "id" else "1,200 added") in chunk


@pytest.mark.parametrize(
    ("lang", "sentences", "expected"),
    [("en", 1, "(1 sentence)."), ("en", 2, "(2 sentences)."), ("id", 1, "(1 kalimat).")],
)
def test_ingest_plural(lang: str, sentences: int, expected: str) -> None:
    [chunk] = render.render_ingest(IngestResult("u", "added", 5, "A", sentences), lang)
    assert expected in chunk


def test_stats_numbers_follow_the_language() -> None:
    stats = Stats(questions=12345, answered=12000, abstained=345, p50_ms=1234.4)
    [chunk] = render.render_stats(stats, "id")
    assert "Pertanyaan: 12.345" in chunk and "Median waktu jawab: 1.234 ms" in chunk
    [chunk] = render.render_stats(stats, "en")
    assert "Questions: 12,345" in chunk and "Median answer time: 1,234 ms" in chunk


def test_english_abstention_says_the_articles_are_indonesian() -> None:
    answer = Answer("Who mediated the ceasefire?", (), True, "no_match")
    [chunk] = render.render_abstention(answer, DOCS, "en")
    check(chunk)
    assert "They are in Indonesian" in chunk and "<i>siapa</i> = who" in chunk
    [inline] = render.render_inline_results(answer, "en")
    assert "in Indonesian" in inline.input_message_content.message_text


def test_inline_results() -> None:
    h = hit("Putin menjadi perantara.", highlights=((14, 23),), title="T")
    results = render.render_inline_results(answered(h, hit("dua")), "id")
    assert [r.id for r in results] == ["0", "1"]
    body = results[0].input_message_content.message_text
    check(body)
    assert "<b>perantara</b>" in body and body.startswith("❓")
    none = render.render_inline_results(Answer("apa <x>", (), True, "no_match"), "en")
    assert [r.title for r in none] == ["Not in the articles"]


@settings(max_examples=150, deadline=None)
@given(
    sentence=st.text(min_size=1, max_size=6000),
    neighbour=st.text(max_size=2000),
    title=st.text(max_size=300),
    limit=st.integers(min_value=64, max_value=4096),
)
def test_any_text_renders_to_valid_chunks(
    sentence: str, neighbour: str, title: str, limit: int
) -> None:
    h = hit(sentence, before=neighbour, title=title, highlights=((0, min(3, len(sentence))),))
    markup = "\n\n".join(render.render_answer(answered(h), 0, "id"))
    for chunk in split_html(markup, limit=limit):
        assert utf16_len(chunk) <= limit
        if limit == 4096:
            check(chunk)
        else:
            telegram_html._parse(chunk)  # balanced, known tags only


# --- store errors in the chat's language ----------------------------------------------------

U = "https://contoh.id/a"
ERRORS: list[tuple[str, dict[str, ErrorParam], str, str]] = [
    # key, params, Indonesian, English
    ("empty", {"name": "a.txt"}, "a.txt kosong", "a.txt is empty"),
    (
        "binary",
        {"name": "a.txt"},
        "a.txt bukan berkas teks (berkas biner)",
        "a.txt is a binary file, not text",
    ),
    (
        "binary_format",
        {"name": "a.txt", "format": "PDF"},
        "a.txt adalah berkas PDF, bukan teks",
        "a.txt is a PDF file, not text",
    ),
    (
        "unknown_encoding",
        {"name": "a.txt"},
        "a.txt bukan teks UTF-8 dan pengodeannya tidak dikenali; simpan sebagai UTF-8",
        "a.txt is not UTF-8 text and its encoding cannot be detected; save it as UTF-8",
    ),
    (
        "invalid_encoding",
        {"name": "a.txt", "encoding": "utf-16"},
        "a.txt bukan teks utf-16 yang sah",
        "a.txt is not valid utf-16 text",
    ),
    (
        "unsupported_type",
        {"name": "a.pdf", "suffix": ".pdf", "allowed": ".html, .txt"},
        "a.pdf: jenis berkas .pdf tidak didukung; gunakan .html, .txt",
        "a.pdf: unsupported file type .pdf; use .html, .txt",
    ),
    (
        "too_large",
        {"name": "a.txt", "limit_mb": 5},
        "a.txt lebih besar dari 5 MB",
        "a.txt is larger than 5 MB",
    ),
    (
        "too_long",
        {"name": "a.txt", "chars": 600_000, "limit": 500_000},
        "a.txt berisi 600.000 karakter; batas satu artikel 500.000 karakter",
        "a.txt has 600,000 characters of text; the limit for one article is 500,000",
    ),
    (
        "no_article_text",
        {"name": U},
        f"tidak ada teks artikel di {U} (hanya menu, tautan atau keterangan gambar)",
        f"{U} has no article text (only menus, links or captions)",
    ),
    (
        "no_sentences",
        {"name": "a.txt"},
        "a.txt tidak berisi kalimat dengan kata-kata",
        "a.txt has no sentences with words",
    ),
    (
        "cannot_read",
        {"name": "a.txt", "reason": "Permission denied"},
        "tidak dapat membaca a.txt: Permission denied",
        "cannot read a.txt: Permission denied",
    ),
    (
        "invalid_utf8",
        {"name": "a.txt", "line": 3},
        "a.txt bukan UTF-8 yang sah (baris 3); simpan sebagai UTF-8",
        "a.txt is not valid UTF-8 (line 3); save it as UTF-8",
    ),
    (
        "invalid_url",
        {"url": "http://["},
        "http://[ bukan URL yang sah",
        "http://[ is not a valid URL",
    ),
    (
        "only_http",
        {"scheme": "ftp"},
        "hanya URL http dan https yang bisa ditambahkan, bukan ftp",
        "only http and https URLs can be added, not ftp",
    ),
    (
        "no_host",
        {"url": "http:///x"},
        "http:///x tidak memiliki nama host",
        "http:///x has no host name",
    ),
    (
        "unresolvable_host",
        {"host": "contoh.invalid"},
        "alamat host contoh.invalid tidak ditemukan",
        "cannot resolve the host contoh.invalid",
    ),
    (
        "private_address",
        {"host": "localhost", "addresses": "127.0.0.1"},
        "localhost mengarah ke alamat jaringan privat/lokal (127.0.0.1); "
        "hanya halaman web publik yang bisa ditambahkan",
        "localhost points to a private or local address (127.0.0.1); "
        "only public web pages can be added",
    ),
    (
        "timeout",
        {"url": U, "seconds": 10.0},
        f"{U} tidak menjawab dalam 10 detik",
        f"{U} did not answer within 10 s",
    ),
    (
        "cannot_connect",
        {"host": "contoh.id", "reason": "refused"},
        "tidak dapat terhubung ke contoh.id: refused",
        "cannot connect to contoh.id: refused",
    ),
    (
        "download_failed",
        {"url": U, "reason": "reset"},
        f"gagal mengunduh {U}: reset",
        f"downloading {U} failed: reset",
    ),
    (
        "download_too_slow",
        {"url": U, "seconds": 1.5},
        f"mengunduh {U} butuh lebih dari 1,5 detik",
        f"{U} took longer than 1.5 s to download",
    ),
    (
        "too_many_redirects",
        {"url": U, "limit": 5},
        f"{U} dialihkan lebih dari 5 kali",
        f"{U} redirects more than 5 times",
    ),
    (
        "http_status",
        {"url": U, "status": 404, "reason": "Not Found"},
        f"{U} menjawab HTTP 404 Not Found",
        f"{U} answered HTTP 404 Not Found",
    ),
    (
        "not_a_page",
        {"url": U, "status": 204},
        f"{U} menjawab HTTP 204, bukan sebuah halaman",
        f"{U} answered HTTP 204 instead of a page",
    ),
    (
        "not_html",
        {"url": U, "content_type": "image/png"},
        f"{U} bukan halaman HTML (jenis konten image/png)",
        f"{U} is not an HTML page (content type image/png)",
    ),
    (
        "not_a_feed",
        {"url": U, "reason": "no RSS or Atom elements found"},
        f"{U} bukan feed RSS atau Atom (no RSS or Atom elements found)",
        f"{U} is not an RSS or Atom feed (no RSS or Atom elements found)",
    ),
    (
        "malformed_feed",
        {"url": U, "reason": "mismatched tag"},
        f"{U} bukan XML yang sah (mismatched tag)",
        f"{U} is not well-formed XML (mismatched tag)",
    ),
    (
        "too_many_entries",
        {"url": U, "count": 10000, "limit": 1000},
        f"{U} berisi 10.000 entri; paling banyak 1.000 yang dibaca",
        f"{U} has 10,000 entries; at most 1,000 are read",
    ),
    ("no_such_feed", {"id": 7}, "tidak ada langganan feed #7", "there is no feed #7"),
    ("duplicate", {"id": 1234}, "teksnya sama dengan artikel #1234", "same text as article #1234"),
    (
        "database_error",
        {"reason": "disk full"},
        "kesalahan basis data (disk full)",
        "database error (disk full)",
    ),
    (
        "database_unavailable",
        {"reason": "connection refused"},
        "basis data tidak tersedia (connection refused)",
        "the database is not available (connection refused)",
    ),
    (
        "content_dir_missing",
        {"path": "/srv/konten"},
        "folder konten /srv/konten tidak ada (CONTENT_DIR)",
        "content directory /srv/konten does not exist (CONTENT_DIR)",
    ),
    (
        "no_store",
        {},
        "layanan ini tidak memiliki penyimpanan konten",
        "this service has no content store",
    ),
    ("reload_failed", {"reason": "boom"}, "muat ulang gagal: boom", "reload failed: boom"),
    (
        "count_failed",
        {"reason": "boom"},
        "penghitungan artikel gagal: boom",
        "counting documents failed: boom",
    ),
]


def test_the_error_table_covers_every_key() -> None:
    assert sorted(key for key, *_ in ERRORS) == sorted(get_args(ErrorKey))


@pytest.mark.parametrize(
    ("key", "params", "indonesian", "english"), ERRORS, ids=[e[0] for e in ERRORS]
)
def test_each_error_key_renders_in_both_languages(
    key: ErrorKey, params: dict[str, ErrorParam], indonesian: str, english: str
) -> None:
    detail = ErrorDetail("the English message", key, params)
    assert render.localized_error(detail, "id") == indonesian
    assert render.localized_error(detail, "en") == english
    result = IngestResult(
        "sumber", "failed", error="the English message", error_key=key, error_params=params
    )
    [failed] = render.render_ingest(result, "id")
    check(failed)
    assert failed == f"❌ Gagal menambah sumber: {escape(indonesian)}"


@pytest.mark.parametrize(
    ("detail", "lang"),
    [
        (ErrorDetail("English <only>"), "id"),
        (ErrorDetail("English <only>", cast(ErrorKey, "from_a_newer_store"), {"x": 1}), "id"),
        (ErrorDetail("English <only>", "too_large", {"name": "a.txt"}), "id"),  # no limit_mb
        (ErrorDetail("English <only>", "too_long", {"name": "a", "chars": "x", "limit": 1}), "en"),
        (ErrorDetail("English <only>", "empty", {}), "en"),
    ],
    ids=["no-key", "unknown-key", "missing-param", "wrong-param-type", "no-params"],
)
def test_errors_without_a_usable_template_fall_back_to_english(
    detail: ErrorDetail, lang: str
) -> None:
    assert render.localized_error(detail, lang) == "English <only>"
    result = IngestResult(
        "a", "failed", error=detail.message, error_key=detail.key, error_params=detail.params
    )
    [chunk] = render.render_ingest(result, lang)
    check(chunk)
    assert chunk.endswith("English &lt;only&gt;")


def test_user_text_in_error_parameters_is_escaped() -> None:
    result = IngestResult(
        "<b>.txt", "failed", error="e", error_key="empty", error_params={"name": "<b>.txt"}
    )
    [chunk] = render.render_ingest(result, "id")
    check(chunk)
    assert chunk == "❌ Gagal menambah &lt;b&gt;.txt: &lt;b&gt;.txt kosong"


def test_reload_errors_are_translated_with_their_causes() -> None:
    missing = ErrorDetail(
        "content directory /k does not exist", "content_dir_missing", {"path": "/k"}
    )
    details = (
        ErrorDetail("kosong.txt is empty", "empty", {"name": "kosong.txt"}),
        ErrorDetail("reload failed: ...", "reload_failed", {"reason": "..."}, missing),
        ErrorDetail("something new"),
    )
    report = ReloadReport(failed=1, error_details=details)
    [indonesian] = render.render_reload(report, "id")
    check(indonesian)
    assert indonesian.endswith(
        "Masalah:\n• kosong.txt kosong\n"
        "• muat ulang gagal: folder konten /k tidak ada (CONTENT_DIR)\n• something new"
    )
    [english] = render.render_reload(report, "en")
    assert english.endswith(
        "Problems:\n• kosong.txt is empty\n"
        "• reload failed: content directory /k does not exist (CONTENT_DIR)\n• something new"
    )


def test_reload_errors_without_a_key_are_shown_as_they_are() -> None:
    report = ReloadReport(error_details=(ErrorDetail("a.txt is empty"),))
    assert report.errors == ("a.txt is empty",)
    [chunk] = render.render_reload(report, "id")
    assert chunk.endswith("Masalah:\n• a.txt is empty")


def test_reload_lists_the_files_it_skipped() -> None:
    skipped = (
        ErrorDetail(
            "laporan.docx: unsupported file type .docx; use .htm, .html, .md, .txt",
            "unsupported_type",
            {"name": "laporan.docx", "suffix": ".docx", "allowed": ".htm, .html, .md, .txt"},
        ),
    )
    [indonesian] = render.render_reload(ReloadReport(added=1, skipped=skipped), "id")
    check(indonesian)
    assert indonesian.endswith(
        "Dilewati (jenis berkas tidak didukung):\n"
        "• laporan.docx: jenis berkas .docx tidak didukung; gunakan .htm, .html, .md, .txt"
    )
    [english] = render.render_reload(ReloadReport(added=1, skipped=skipped), "en")
    assert english.endswith(
        "Skipped (file type not supported):\n"
        "• laporan.docx: unsupported file type .docx; use .htm, .html, .md, .txt"
    )
    # nothing skipped: no such section
    [plain] = render.render_reload(ReloadReport(added=1), "en")
    assert "Skipped" not in plain


def short_hit(sentence: str, answer: str, **kwargs: Any) -> Hit:
    start = sentence.index(answer)
    return replace(
        hit(sentence, **kwargs),
        short_answer=ShortAnswer(answer, start, start + len(answer), 0.9),
    )


def test_short_answer_is_on_top_in_bold_and_marked_in_the_sentence() -> None:
    h = short_hit(
        "Presiden Rusia Vladimir Putin menjadi perantara.",
        "Vladimir Putin",
        before="Awal <x>.",
        highlights=((38, 47),),
    )
    [chunk] = render.render_answer(answered(h, hit("dua")), 0, "id")
    check(chunk)
    header, short, *_ = chunk.split("\n")
    assert "Jawaban 1/2" in header and short == "<b>Vladimir Putin</b>"
    assert "<u>Presiden Rusia <b><i>Vladimir Putin</i></b> menjadi <b>perantara</b>.</u>" in chunk
    assert visible(chunk).index("Vladimir Putin") < visible(chunk).index("Presiden Rusia")


def test_page_without_short_answer_looks_as_before() -> None:
    [chunk] = render.render_answer(answered(hit("Satu kalimat.")), 0, "id")
    assert chunk.split("\n")[1] == ""  # the header, then the blank line before the sentence


def test_answer_span_wins_over_an_overlapping_question_word() -> None:
    marked = render.highlight("Putin menjadi perantara", ((0, 5), (14, 23)), (0, 5))
    assert marked == "<b><i>Putin</i></b> menjadi <b>perantara</b>"
    assert render.highlight("a<b", (), (0, 3)) == "<b><i>a&lt;b</i></b>"


def test_inline_result_titles_the_short_answer_and_shows_it_first() -> None:
    h = short_hit("Putin menjadi perantara <x>.", "Putin", title="T")
    [first, second] = render.render_inline_results(answered(h, hit("dua")), "id")
    assert first.title == "Putin" and first.description.startswith("Putin menjadi")
    body = first.input_message_content.message_text
    check(body)
    assert body.split("\n\n")[1] == "<b>Putin</b>"
    assert "<b><i>Putin</i></b> menjadi perantara &lt;x&gt;." in body
    assert second.title == "dua"

"""QAService backed by the store: live updates, reload behaviour, instances, bot records."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

import index.sources
import index.store.prepare
from index.engine import MAX_QUESTION_CHARS, IndexSnapshot, SnapshotBuilder, prepare_document
from index.results import IngestResult
from index.service import QAService
from index.store.errors import StoreError
from index.store.models import QuestionRow, SentenceRow
from index.store.store import Prepared
from index.tokens import Tokenizer, sastrawi
from tests.support.store import ARTICLE_BANJIR, ARTICLE_GEMPA, PAGES

PUTIN = "Siapa presiden Rusia yang menjadi perantara gencatan senjata?"
BANJIR = "Berapa rumah yang terendam banjir di Bekasi?"
GEMPA = "Berapa kekuatan gempa di Cianjur?"


def _top(service: QAService, question: str) -> str:
    answer = service.ask(question)
    return "" if answer.abstained else answer.hits[0].sentence


def test_open_syncs_the_content_directory_and_answers(service: QAService) -> None:
    report = service.start_report
    assert (report.added, report.failed, report.documents, report.sentences) == (1, 0, 1, 30)
    assert "Vladimir Putin" in _top(service, PUTIN)
    assert service.revision == report.revision >= 1
    [info] = service.documents()
    assert (info.source_kind, info.source_ref, info.sentences) == (
        "content",
        "armenia-azerbaijan-gencatan-senjata.txt",
        30,
    )


def test_ingest_updates_the_live_index_and_dedupes(service: QAService) -> None:
    before = service.revision
    assert _top(service, BANJIR) == ""
    first = service.ingest_text("Banjir Bekasi", ARTICLE_BANJIR)
    assert (first.status, first.title, first.sentences) == ("added", "Banjir Bekasi", 3)
    assert "450 rumah" in _top(service, BANJIR)
    assert service.revision == before + 1
    again = service.ingest_text("Banjir Bekasi", "  " + ARTICLE_BANJIR.replace(" ", "  "))
    assert (again.status, again.document_id) == ("unchanged", first.document_id)
    upload = service.ingest_upload("banjir.txt", ARTICLE_BANJIR.encode())
    assert (upload.status, upload.document_id) == ("unchanged", first.document_id)
    assert "same text as document" in upload.error
    assert service.revision == before + 1
    assert len(service.documents()) == 2


def test_same_source_with_new_content_is_updated_in_place(service: QAService) -> None:
    first = service.ingest_upload("berita.txt", ARTICLE_BANJIR.encode())
    second = service.ingest_upload("berita.txt", ARTICLE_GEMPA.encode())
    assert (first.status, second.status) == ("added", "updated")
    assert second.document_id == first.document_id
    assert "5,6 magnitudo" in _top(service, GEMPA)
    assert _top(service, BANJIR) == ""  # the old version is gone from the index
    assert len(service.documents()) == 2


@pytest.mark.parametrize(
    ("filename", "data", "status", "message", "key"),
    [
        ("banjir.html", (PAGES / "article.html").read_bytes(), "added", "", None),
        (
            "lama.txt",
            "Kafe “Rénové” menjual kopi Rp 25.000 kepada turis.".encode("cp1252"),
            "added",
            "",
            None,
        ),
        (
            "menu.html",
            (PAGES / "no-article.html").read_bytes(),
            "failed",
            "no article text",
            "no_article_text",
        ),
        ("foto.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "failed", "PNG image", "binary_format"),
        ("biner.txt", b"\x00\x01\x02" * 100, "failed", "binary", "binary"),
        ("kosong.txt", b"   \n", "failed", "empty", "empty"),
        ("besar.txt", b"kata " * 1_100_000, "failed", "larger than 5 MB", "too_large"),
        ("laporan.docx", b"PK\x03\x04", "failed", "unsupported file type", "unsupported_type"),
        (
            "tanda.txt",
            "... !!! ??? — …".encode(),
            "failed",
            "no sentences with words",
            "no_sentences",
        ),
    ],
)
def test_uploads_are_checked(
    service: QAService, *, filename: str, data: bytes, status: str, message: str, key: str | None
) -> None:
    revision = service.revision
    result = service.ingest_upload(filename, data)
    assert result.status == status
    assert message in result.error
    assert result.error_key == key
    if key is not None:
        assert result.error_params["name"] == filename
    assert service.revision == revision + (status == "added")


def test_text_that_is_empty_or_too_long_is_refused(service: QAService) -> None:
    empty = service.ingest_text("Kosong", "  \n ")
    assert "empty" in empty.error
    assert (empty.error_key, empty.error_params) == ("empty", {"name": "Kosong"})
    long = service.ingest_text("Panjang", "kata " * 120_000)
    assert "limit" in long.error
    assert (long.error_key, long.error_params) == (
        "too_long",
        {"name": "Panjang", "chars": 600_000, "limit": 500_000},
    )
    assert len(service.documents()) == 1


def test_the_same_text_twice_is_a_keyed_duplicate(service: QAService) -> None:
    first = service.ingest_upload("banjir.txt", ARTICLE_BANJIR.encode())
    again = service.ingest_upload("banjir-lagi.txt", ARTICLE_BANJIR.encode())
    assert again.status == "unchanged"
    assert (again.error_key, again.error_params) == ("duplicate", {"id": first.document_id})


def test_reload_errors_carry_keys_in_order(service: QAService, content_dir: Path) -> None:
    (content_dir / "a-kosong.txt").write_bytes(b"  \n")
    (content_dir / "b-biner.txt").write_bytes(b"\x00\x01" * 50)
    report = service.reload()
    assert report.failed == 2
    assert [d.message for d in report.error_details] == list(report.errors)
    assert [(d.key, d.params) for d in report.error_details] == [
        ("empty", {"name": "a-kosong.txt"}),
        ("binary", {"name": "b-biner.txt"}),
    ]


def test_remove_takes_a_document_out_of_the_index(service: QAService) -> None:
    added = service.ingest_text("Gempa", ARTICLE_GEMPA)
    assert added.document_id is not None
    assert service.remove(added.document_id) is True
    assert _top(service, GEMPA) == ""
    assert service.remove(added.document_id) is False
    assert service.remove(999_999) is False
    assert [d.active for d in service.documents(include_inactive=True)] == [True, False]
    # Ingesting the same text again brings it back under the same id.
    back = service.ingest_text("Gempa", ARTICLE_GEMPA)
    assert (back.status, back.document_id) == ("added", added.document_id)


def test_start_from_the_store_needs_no_stemming(database_url: str, content_dir: Path) -> None:
    first = QAService.open(database_url, content_dir=content_dir)
    first.ingest_text("Banjir", ARTICLE_BANJIR)
    first.close()
    stemmed: list[str] = []
    real = sastrawi()

    def recording(word: str) -> str:
        stemmed.append(word)
        return real(word)

    probe = Tokenizer(stemmer=recording)
    second = QAService.open(database_url, content_dir=content_dir, tokenizer=probe)
    stemmed_at_start = set(stemmed)
    try:
        assert "450 rumah" in _top(second, BANJIR)
        assert "Vladimir Putin" in _top(second, PUTIN)
    finally:
        second.close()
    # The start stems nothing (the pipeline's fingerprint is a version and hashes of data);
    # only the two questions' words were stemmed.
    assert stemmed_at_start == set()
    asked = set(probe.words(BANJIR + " " + PUTIN))
    assert set(stemmed) <= asked
    shipped = (content_dir / "armenia-azerbaijan-gencatan-senjata.txt").read_text(encoding="utf-8")
    stored_words = set(probe.words(ARTICLE_BANJIR + " " + shipped))
    assert len(stored_words - asked) > 200  # so the check above means something


def test_documents_are_prepared_again_when_the_tokenizer_changes(
    database_url: str, content_dir: Path
) -> None:
    informal = "Warga yg mengungsi gak mau pulang ke rumah yang rusak akibat gempa."
    first = QAService.open(database_url, content_dir=content_dir)
    first.ingest_text("Pengungsi", informal)
    first.close()
    without_lexicon = Tokenizer(informal={})  # "yg" and "gak" now stay as they are
    second = QAService.open(database_url, content_dir=content_dir, tokenizer=without_lexicon)
    try:
        with second._require_store().db.read() as session:
            tokens = session.scalars(select(SentenceRow.tokens)).all()
        assert any("yg" in t.split() for t in tokens)
        assert "Warga yg mengungsi" in _top(second, "yg mengungsi gak mau pulang")
    finally:
        second.close()


def test_reload_during_questions_answers_from_the_old_index(
    service: QAService, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (content_dir / "banjir.txt").write_text(ARTICLE_BANJIR, encoding="utf-8")
    original_finish = SnapshotBuilder.finish
    building = threading.Event()

    def slow_finish(builder: SnapshotBuilder) -> IndexSnapshot:
        building.set()
        time.sleep(0.5)
        return original_finish(builder)

    monkeypatch.setattr(SnapshotBuilder, "finish", slow_finish)
    answers: list[tuple[str, str]] = []
    reloader = threading.Thread(target=lambda: answers.append(("report", str(service.reload()))))
    reloader.start()
    assert building.wait(5)
    while reloader.is_alive():
        answers.append((_top(service, PUTIN), _top(service, BANJIR)))
        time.sleep(0.01)
    reloader.join()
    during = [a for a in answers if a[0] != "report"]
    assert len(during) >= 10
    # While building, every question was answered — from the old index (no flood article yet).
    assert all("Vladimir Putin" in putin for putin, _ in during)
    assert all(banjir == "" for _, banjir in during[:5])
    assert "450 rumah" in _top(service, BANJIR)


def test_failing_reload_keeps_the_old_index(
    service: QAService, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = service.snapshot
    (content_dir / "banjir.txt").write_text(ARTICLE_BANJIR, encoding="utf-8")

    def broken_finish(builder: SnapshotBuilder) -> IndexSnapshot:
        raise MemoryError("simulated: out of memory while indexing")

    monkeypatch.setattr(SnapshotBuilder, "finish", broken_finish)
    report = service.reload()
    assert report.errors and "out of memory" in report.errors[0]
    [detail] = report.error_details
    assert (detail.key, detail.cause) == ("reload_failed", None)
    assert "out of memory" in str(detail.params["reason"])
    assert service.snapshot is old
    assert "Vladimir Putin" in _top(service, PUTIN)
    monkeypatch.undo()
    assert service.reload().errors == ()
    assert "450 rumah" in _top(service, BANJIR)


def test_reload_without_the_content_directory_changes_nothing(
    service: QAService, content_dir: Path
) -> None:
    old = service.snapshot
    for file in content_dir.iterdir():
        file.unlink()
    content_dir.rmdir()
    report = service.reload()
    assert report.errors and "does not exist" in report.errors[0]
    [detail] = report.error_details
    assert (detail.message, detail.key) == (report.errors[0], "reload_failed")
    assert detail.cause is not None and detail.cause.key == "content_dir_missing"
    assert detail.cause.params == {"path": str(content_dir)}
    assert service.snapshot is old
    assert [d.active for d in service.documents()] == [True]  # nothing deactivated


def test_another_instance_notices_a_newer_revision(database_url: str, content_dir: Path) -> None:
    first = QAService.open(database_url, content_dir=content_dir)
    second = QAService.open(database_url, content_dir=content_dir)
    try:
        assert second.check_for_newer_revision() is False
        first.ingest_text("Banjir", ARTICLE_BANJIR)
        assert _top(second, BANJIR) == ""
        assert second.check_for_newer_revision() is True
        assert "450 rumah" in _top(second, BANJIR)
        assert second.revision == first.revision
        second.start_watching(interval=0.05)
        first.ingest_text("Gempa", ARTICLE_GEMPA)
        deadline = time.monotonic() + 5
        while "magnitudo" not in _top(second, GEMPA) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "5,6 magnitudo" in _top(second, GEMPA)
    finally:
        first.close()
        second.close()


def test_the_question_log_keeps_what_the_engine_reads(service: QAService) -> None:
    long_question = PUTIN + " " + "x" * 5000
    answer = service.ask(long_question)
    service.log_question(
        chat_id=1, user_id=None, question=long_question, answer=answer, latency_ms=1.0
    )
    with service._require_store().db.read() as session:
        [stored] = session.scalars(select(QuestionRow.question)).all()
    assert stored == long_question[:MAX_QUESTION_CHARS] and len(stored) < 2000


def test_question_log_feedback_and_stats(service: QAService) -> None:
    answered = service.ask(PUTIN)
    abstained = service.ask("Bagaimana cara memasak rendang?")
    ids = [
        service.log_question(
            chat_id=-100123, user_id=42, question=PUTIN, answer=answered, latency_ms=2.0
        ),
        service.log_question(
            chat_id=-100123, user_id=43, question=PUTIN.upper(), answer=answered, latency_ms=4.0
        ),
        service.log_question(
            chat_id=7,
            user_id=None,
            question="Bagaimana cara memasak rendang?",
            answer=abstained,
            latency_ms=1.0,
        ),
    ]
    assert ids == sorted(set(ids))
    with service._require_store().db.read() as session:
        rows = session.scalars(select(QuestionRow).order_by(QuestionRow.id)).all()
    assert rows[0].user_hash is not None and len(rows[0].user_hash) == 64
    # A keyed hash: stable per user, different per user, not a plain hash of the id.
    assert rows[0].user_hash == service._require_store().user_hash(42) != rows[1].user_hash
    assert rows[0].user_hash != hashlib.sha256(b"42").hexdigest()
    assert rows[2].user_hash is None and rows[2].answered is False
    assert rows[0].top_sentence is not None and "Putin" in rows[0].top_sentence
    assert service.record_feedback(question_id=ids[0], user_id=42, vote=1) is True
    assert service.record_feedback(question_id=ids[0], user_id=43, vote=1) is True
    assert service.record_feedback(question_id=ids[0], user_id=42, vote=-1) is True  # re-vote
    assert service.record_feedback(question_id=123_456, user_id=42, vote=1) is False
    with pytest.raises(ValueError, match="vote"):
        service.record_feedback(question_id=ids[0], user_id=42, vote=5)
    stats = service.stats(top=5)
    assert (stats.questions, stats.answered, stats.abstained) == (3, 2, 1)
    assert (stats.thumbs_up, stats.thumbs_down) == (1, 1)
    assert stats.top_questions[0] == (PUTIN.lower(), 2)
    assert stats.unanswered_questions == (("bagaimana cara memasak rendang?", 1),)
    assert stats.p50_ms == 2.0
    assert stats.extra["documents"] == 1.0


def test_chat_language_is_remembered(service: QAService) -> None:
    assert service.chat_language(-100555) is None
    service.set_chat_language(-100555, "en")
    service.set_chat_language(7, "id")
    service.set_chat_language(-100555, "id")
    assert (service.chat_language(-100555), service.chat_language(7)) == ("id", "id")


def test_a_service_without_a_store_answers_only(article_text: str) -> None:
    service = QAService.from_documents([prepare_document(1, "Artikel", article_text)])
    assert "Vladimir Putin" in _top(service, PUTIN)
    assert [d.id for d in service.documents()] == [1]
    assert service.reload().errors == ("this service has no content store",)
    assert service.check_for_newer_revision() is False
    with pytest.raises(StoreError, match="no content store"):
        service.ingest_text("x", ARTICLE_GEMPA)


def test_concurrent_ingests_all_reach_the_index(service: QAService) -> None:
    texts = [ARTICLE_BANJIR.replace("450", str(500 + i)) for i in range(6)]
    results = []
    threads = [
        threading.Thread(target=lambda t=t: results.append(service.ingest_text("Banjir", t)))
        for t in texts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status for r in results) == ["added"] * 6
    indexed = {d.id for d in service.snapshot.documents}
    assert {r.document_id for r in results} <= indexed
    assert service.revision == service._require_store().revision()


def test_a_rebuild_reads_only_the_changed_documents(
    service: QAService, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.ingest_text("Banjir", ARTICLE_BANJIR)
    service.ingest_text("Gempa", ARTICLE_GEMPA)
    store = service._require_store()
    reads: list[list[int]] = []
    original = store._stream

    def spy(conn: object, wanted: frozenset[int], everything: bool) -> object:
        reads.append(sorted(wanted))
        return original(conn, wanted, everything)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_stream", spy)
    shipped = next(content_dir.glob("*.txt"))
    shipped.write_text(shipped.read_text(encoding="utf-8") + "\n\nParagraf tambahan.")
    report = service.reload()
    assert report.updated == 1
    assert reads == [[service.documents()[0].id]]  # the two others came from the old snapshot
    assert "450 rumah" in _top(service, BANJIR) and "magnitudo" in _top(service, GEMPA)
    assert "Paragraf tambahan." in [s.text for s in service.snapshot.documents[0].sentences]


def test_a_start_streams_the_store_one_document_at_a_time(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild indexes each document as soon as its rows are read: at most one document's
    rows exist as Python objects at a time, and every document arrives whole, in id order."""
    for i in range(5):
        service.ingest_text(f"Banjir {i}", ARTICLE_BANJIR.replace("450", str(100 + i)))
    store = service._require_store()
    original = store._stream
    events: list[tuple[str, int]] = []

    def spy(conn: object, wanted: frozenset[int], everything: bool) -> object:
        for doc_id, columns in original(conn, wanted, everything):  # type: ignore[arg-type]
            events.append(("read", doc_id))
            yield doc_id, columns

    add_columns = SnapshotBuilder.add_columns

    def indexed(builder: SnapshotBuilder, document_id: int, *args: object, **kw: object) -> None:
        events.append(("indexed", document_id))
        add_columns(builder, document_id, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_stream", spy)
    monkeypatch.setattr(SnapshotBuilder, "add_columns", indexed)
    service._versions = {}  # as after a start: every document is read from the store
    service._rebuild()
    ids = [d.id for d in service.documents()]
    assert len(ids) == 6
    # read, indexed, read, indexed, ...: never two documents read ahead of the index
    assert events == [e for doc_id in ids for e in (("read", doc_id), ("indexed", doc_id))]
    texts = {s.text for d in service.snapshot.documents for s in d.sentences}
    assert service.snapshot.document_count == 6
    assert any("104 rumah" in t for t in texts)


@pytest.mark.slow
def test_parallel_preparation_stores_the_same_as_serial(tmp_path: Path) -> None:
    """The worker processes only split and stem: one backend is enough."""

    items: list[Prepared | IngestResult] = [
        Prepared("jsonl", f"batch#{i}", f"Berita {i}", ARTICLE_BANJIR.replace("450", str(i)))
        for i in range(12)
    ]
    items.insert(3, IngestResult("batch:4", "failed", error="line 4 is not valid JSON"))
    items.insert(7, Prepared("jsonl", "batch#empty", "Kosong", "!!! ???"))
    items.append(Prepared("jsonl", "batch#dup", "Salinan", ARTICLE_BANJIR.replace("450", "0")))
    results = {}
    for workers, folder in ((1, "serial"), (2, "parallel")):
        service = QAService.open(f"sqlite:///{tmp_path / folder}.sqlite3", content_dir=None)
        try:
            store = service._require_store()
            results[folder] = [
                (r.source, r.status, r.sentences, r.error[:20])
                for r in store.save_many(iter(items), workers=workers)
            ]
            with store.db.read() as session:
                stored = sorted(session.execute(select(SentenceRow.tokens)).scalars())
            results[folder + "-tokens"] = stored
        finally:
            service.close()
    assert results["parallel"] == results["serial"]
    assert results["parallel-tokens"] == results["serial-tokens"]
    statuses = [status for _, status, _, _ in results["parallel"]]
    assert statuses.count("added") == 12
    assert statuses[3] == "failed" and statuses[7] == "failed"
    assert results["parallel"][-1][1] == "unchanged"  # same text as the first article


def test_files_of_other_types_in_a_directory_are_reported_as_skipped(
    service: QAService, tmp_path: Path
) -> None:
    folder = tmp_path / "arsip"
    (folder / "lama").mkdir(parents=True)
    (folder / "laporan.pdf").write_bytes(b"%PDF-1.7")
    (folder / "lama" / "catatan.docx").write_bytes(b"PK\x03\x04")
    (folder / ".tersembunyi.pdf").write_bytes(b"%PDF-1.7")  # hidden: left out, as before
    results = service.ingest_paths([str(folder)])
    assert [(r.status, Path(r.source).name, r.error_key) for r in results] == [
        ("skipped", "catatan.docx", "unsupported_type"),
        ("skipped", "laporan.pdf", "unsupported_type"),
    ]
    assert "unsupported file type .docx; use .htm, .html, .jsonl, .md, .txt" in results[0].error
    assert results[1].error_params["suffix"] == ".pdf"

    (folder / "banjir.txt").write_text(ARTICLE_BANJIR, encoding="utf-8")
    results = service.ingest_paths([str(folder)])
    assert [r.status for r in results] == ["added", "skipped", "skipped"]


HEADLINED = "Banjir Rendam Ratusan Rumah di Bekasi\n\n" + ARTICLE_BANJIR


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_headline_is_the_title_of_a_text_file_not_a_sentence(
    service: QAService, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"banjir-bekasi{suffix}"
    path.write_text(HEADLINED, encoding="utf-8")
    [result] = service.ingest_paths([str(path)])
    assert (result.status, result.title, result.sentences) == (
        "added",
        "Banjir Rendam Ratusan Rumah di Bekasi",
        3,
    )
    assert "Banjir Rendam Ratusan" not in "".join(_top(service, BANJIR))
    # The shipped article starts with a sentence: it keeps its first sentence and its name.
    [shipped] = [d for d in service.documents() if d.source_kind == "content"]
    assert shipped.title == "Armenia Azerbaijan Gencatan Senjata"
    assert "Armenia dan Azerbaijan menyetujui gencatan senjata" in _top(
        service, "Kapan Armenia dan Azerbaijan menyetujui gencatan senjata?"
    )


def test_a_new_title_is_an_update_even_for_text_stored_from_another_source(
    service: QAService, content_dir: Path
) -> None:
    shipped = str(content_dir / "armenia-azerbaijan-gencatan-senjata.txt")
    [same] = service.ingest_paths([shipped])  # the content document holds this text already
    assert (same.status, same.title) == ("unchanged", "Armenia Azerbaijan Gencatan Senjata")
    before = service.revision
    [renamed] = service.ingest_paths([shipped], title="Gencatan Senjata Nagorno-Karabakh")
    assert (renamed.status, renamed.document_id) == ("updated", same.document_id)
    assert renamed.title == "Gencatan Senjata Nagorno-Karabakh"
    assert service.revision == before + 1
    assert {d.title for d in service.documents()} == {"Gencatan Senjata Nagorno-Karabakh"}
    assert service.ask(PUTIN).hits[0].document_title == "Gencatan Senjata Nagorno-Karabakh"
    [again] = service.ingest_paths([shipped], title="Gencatan Senjata Nagorno-Karabakh")
    assert again.status == "unchanged"
    # A reload keeps the title (the file did not change).
    assert service.reload().unchanged == 1
    assert {d.title for d in service.documents()} == {"Gencatan Senjata Nagorno-Karabakh"}


def test_a_new_title_for_the_same_file_is_an_update(service: QAService, tmp_path: Path) -> None:
    path = tmp_path / "banjir.txt"
    path.write_text(ARTICLE_BANJIR, encoding="utf-8")
    [first] = service.ingest_paths([str(path)])
    [renamed] = service.ingest_paths([str(path)], title="Banjir Bekasi")
    assert (renamed.status, renamed.document_id, renamed.title) == (
        "updated",
        first.document_id,
        "Banjir Bekasi",
    )
    assert service.ingest_paths([str(path)], title="Banjir Bekasi")[0].status == "unchanged"


def test_documents_stored_before_headlines_are_prepared_again(
    database_url: str, content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written by the previous source rules (headline as a sentence, title from the
    file name): the pipeline fingerprint differs, so the next start re-prepares those
    documents — content files and ingested files alike."""

    monkeypatch.setattr(index.sources, "split_headline", lambda text: (None, text))
    monkeypatch.setattr(index.store.prepare, "SOURCE_RULES", "1")
    (content_dir / "banjir-bekasi.txt").write_text(HEADLINED, encoding="utf-8")
    loose = tmp_path / "banjir-hari-kedua.md"  # Markdown with a plain headline: the same
    loose.write_text(
        HEADLINED.replace("450", "460").replace("Ratusan Rumah", "Lagi"), encoding="utf-8"
    )
    old = QAService.open(database_url, content_dir=content_dir)
    old.ingest_paths([str(loose)])
    titles = {d.title: d.sentences for d in old.documents()}
    old.close()
    assert titles["Banjir Bekasi"] == titles["Banjir Hari Kedua"] == 4  # headline included

    monkeypatch.undo()
    new = QAService.open(database_url, content_dir=content_dir)
    try:
        titles = {d.title: d.sentences for d in new.documents()}
        assert titles["Banjir Rendam Ratusan Rumah di Bekasi"] == 3
        assert titles["Banjir Rendam Lagi di Bekasi"] == 3
        assert titles["Armenia Azerbaijan Gencatan Senjata"] == 30  # no headline: as it was
        assert len(titles) == 3
        assert not any(s.startswith("Banjir Rendam") for s in _sentences(new))
    finally:
        new.close()
    # Ingesting the file again finds it as the new rules read it: unchanged.
    again = QAService.open(database_url, content_dir=content_dir)
    try:
        [result] = again.ingest_paths([str(loose)])
        assert (result.status, result.title) == ("unchanged", "Banjir Rendam Lagi di Bekasi")
        assert again.reload().unchanged == 2
    finally:
        again.close()


def _sentences(service: QAService) -> list[str]:
    with service._require_store().db.read() as session:
        return list(session.scalars(select(SentenceRow.text)).all())


def test_pasted_text_with_a_headline_is_titled_by_it(service: QAService) -> None:
    result = service.ingest_text("", "Banjir Rendam Bekasi\n\n" + ARTICLE_BANJIR)
    assert (result.status, result.title, result.sentences) == ("added", "Banjir Rendam Bekasi", 3)
    named = service.ingest_text("Banjir", "Banjir Rendam Bekasi\n\n" + ARTICLE_BANJIR)
    assert (named.status, named.document_id, named.title) == (
        "updated",
        result.document_id,
        "Banjir",
    )

"""Content-directory sync: added / updated / removed / unchanged, and what must not happen."""

from __future__ import annotations

from pathlib import Path

import pytest

import index.store.sync as sync_module
from index.service import QAService
from tests.support.store import ARTICLE_BANJIR, ARTICLE_GEMPA, PAGES


def _counts(service: QAService) -> tuple[int, int, int, int, int]:
    r = service.reload()
    return (r.added, r.updated, r.removed, r.unchanged, r.failed)


def test_sync_reports_every_kind_of_change(service: QAService, content_dir: Path) -> None:
    assert _counts(service) == (0, 0, 0, 1, 0)
    (content_dir / "banjir.txt").write_text(ARTICLE_BANJIR, encoding="utf-8")
    (content_dir / "nested" / "deeper").mkdir(parents=True)
    (content_dir / "nested" / "deeper" / "halaman.html").write_bytes(
        (PAGES / "article.html").read_bytes().replace(b"450 rumah", b"451 rumah")
    )
    (content_dir / "catatan.pdf").write_bytes(b"%PDF-1.4")  # not a content file: skipped
    (content_dir / ".tersembunyi.txt").write_text(ARTICLE_GEMPA, encoding="utf-8")
    report = service.reload()
    assert (report.added, report.updated, report.removed, report.unchanged) == (2, 0, 0, 1)
    assert (report.failed, report.errors) == (0, ())
    [skipped] = report.skipped  # said, not an error; the hidden file stays silently out
    assert skipped.message == "catatan.pdf: unsupported file type .pdf; use .htm, .html, .md, .txt"
    assert (skipped.key, skipped.params["suffix"]) == ("unsupported_type", ".pdf")
    (content_dir / "banjir.txt").write_text(ARTICLE_GEMPA, encoding="utf-8")
    (content_dir / "nested" / "deeper" / "halaman.html").unlink()
    report = service.reload()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 1, 1)
    assert (report.documents, report.sentences) == (2, 33)
    assert report.seconds > 0 and report.revision == service.revision
    titles = {d.source_ref: d.title for d in service.documents()}
    assert set(titles) == {"armenia-azerbaijan-gencatan-senjata.txt", "banjir.txt"}
    assert "5,6 magnitudo" in service.ask("Berapa kekuatan gempa di Cianjur?").hits[0].sentence


def test_unreadable_file_keeps_its_previous_version(service: QAService, content_dir: Path) -> None:
    article = content_dir / "banjir.txt"
    article.write_text(ARTICLE_BANJIR, encoding="utf-8")
    service.reload()
    article.write_bytes(b"\x00\x01 rusak \x02" * 50)
    report = service.reload()
    assert report.failed == 1 and "binary" in report.errors[0]
    assert report.removed == 0
    assert "450 rumah" in service.ask("Berapa rumah terendam banjir di Bekasi?").hits[0].sentence


def test_removed_by_an_admin_stays_removed_until_the_file_changes(
    service: QAService, content_dir: Path
) -> None:
    [shipped] = service.documents()
    assert service.remove(shipped.id)
    assert _counts(service) == (0, 0, 0, 1, 0)
    assert service.documents() == []
    shipped_file = content_dir / shipped.source_ref
    shipped_file.write_text(
        shipped_file.read_text(encoding="utf-8") + "\n\nTambahan paragraf baru."
    )
    assert _counts(service) == (1, 0, 0, 0, 0)
    assert [d.id for d in service.documents()] == [shipped.id]


def test_a_file_that_reappears_is_added_back(service: QAService, content_dir: Path) -> None:
    article = content_dir / "banjir.txt"
    article.write_text(ARTICLE_BANJIR, encoding="utf-8")
    service.reload()
    article.rename(content_dir / "banjir.bak")
    assert _counts(service) == (0, 0, 1, 1, 0)
    (content_dir / "banjir.bak").rename(article)
    assert _counts(service) == (1, 0, 0, 1, 0)


def test_a_copy_of_another_article_is_not_stored_twice(
    service: QAService, content_dir: Path
) -> None:
    (content_dir / "a.txt").write_text(ARTICLE_BANJIR, encoding="utf-8")
    service.reload()
    (content_dir / "b.txt").write_text(ARTICLE_BANJIR, encoding="utf-8")
    report = service.reload()
    assert (report.added, report.unchanged, report.documents) == (0, 3, 2)


def test_reload_reads_only_files_whose_size_or_time_changed(
    service: QAService, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(5):
        (content_dir / f"berita-{number}.txt").write_text(
            ARTICLE_BANJIR.replace("450", str(460 + number)), encoding="utf-8"
        )
    service.reload()
    reads: list[str] = []
    real_read = sync_module._read
    monkeypatch.setattr(sync_module, "_read", lambda path: reads.append(path) or real_read(path))
    assert _counts(service) == (0, 0, 0, 6, 0)
    assert reads == []
    (content_dir / "berita-3.txt").write_text(ARTICLE_GEMPA, encoding="utf-8")
    assert _counts(service) == (0, 1, 0, 5, 0)
    assert [Path(p).name for p in reads] == ["berita-3.txt"]

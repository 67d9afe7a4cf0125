"""The store subcommands of the CLI: ingest, documents, remove, reload, db; ask from the store;
eval never touching it; clear errors when the database cannot be used."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.content import _IngestBar
from index.results import IngestResult
from index.store.db import SCHEMA_HEAD
from tests.support.cli import run

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"
ARTICLE = (
    "Gempa bumi berkekuatan 5,6 magnitudo mengguncang Kabupaten Cianjur pada Senin siang. "
    "Ratusan bangunan rusak dan warga mengungsi ke tenda darurat."
)


def test_ingest_says_which_files_of_a_directory_were_skipped_and_why(
    db_args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "arsip"
    folder.mkdir()
    (folder / "laporan.pdf").write_bytes(b"%PDF-1.7")
    (folder / "notulen.docx").write_bytes(b"PK\x03\x04")
    code, out, err = run([*db_args, "ingest", str(folder)], capsys)
    assert code == 1  # nothing could be ingested
    assert out.splitlines() == [
        f"skipped    {folder / 'laporan.pdf'}: unsupported file type .pdf; "
        "use .htm, .html, .jsonl, .md, .txt",
        f"skipped    {folder / 'notulen.docx'}: unsupported file type .docx; "
        "use .htm, .html, .jsonl, .md, .txt",
    ]
    assert "0 failed, 2 skipped (unsupported type .docx, .pdf) in" in err

    (folder / "gempa.txt").write_text(ARTICLE, encoding="utf-8")
    code, out, err = run([*db_args, "ingest", "--json", str(folder)], capsys)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in rows] == ["added", "skipped", "skipped"]


def test_ingest_of_a_directory_without_files_says_so(
    db_args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "kosong"
    (folder / "lama").mkdir(parents=True)
    code, out, err = run([*db_args, "ingest", str(folder)], capsys)
    assert code == 1
    assert out.splitlines() == [f"skipped    {folder}: no files in this directory"]
    assert "0 failed, 1 skipped (empty directory) in" in err

    (folder / ".DS_Store").write_bytes(b"\x00")
    code, out, _ = run([*db_args, "ingest", str(folder)], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"skipped    {folder}: no files in this directory (1 hidden file, whose name starts "
        "with '.', not read)"
    ]


def test_reload_names_the_content_files_it_skipped(
    db_args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = tmp_path / "konten"
    (content / "arsip").mkdir(parents=True)
    (content / "gempa.txt").write_text(ARTICLE, encoding="utf-8")
    (content / "arsip" / "laporan.docx").write_bytes(b"PK\x03\x04")
    monkeypatch.setenv("CONTENT_DIR", str(content))
    code, out, err = run([*db_args, "reload"], capsys)
    assert code == 0, err
    assert out.startswith("reload: 1 added, 0 updated, 0 removed, 0 unchanged, 0 failed")
    # after the line naming the store the command used
    assert [line for line in err.splitlines() if not line.startswith("store: ")] == [
        "skipped: arsip/laporan.docx: unsupported file type .docx; use .htm, .html, .md, .txt"
    ]


def test_ingest_list_ask_remove_round_trip(
    db_args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "gempa-cianjur.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    code, out, err = run([*db_args, "ingest", str(article), str(PAGES / "article.html")], capsys)
    assert code == 0, err
    assert "added      #1 Gempa Cianjur [2 sentences]" in out
    assert "Banjir Rendam Ratusan Rumah di Bekasi" in out
    assert "2 added, 0 updated, 0 unchanged, 0 failed" in err

    code, out, _ = run([*db_args, "documents", "--json"], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["source_kind"]) for r in rows] == [(1, "file"), (2, "file")]

    # `ask` syncs the content directory (the shipped article) and answers from everything.
    code, out, _ = run([*db_args, "ask", "--json", "Berapa kekuatan gempa di Cianjur?"], capsys)
    assert "5,6 magnitudo" in json.loads(out)["answers"][0]["sentence"]
    code, out, _ = run([*db_args, "documents", "--json"], capsys)
    assert [json.loads(line)["source_kind"] for line in out.splitlines()] == [
        "file",
        "file",
        "content",
    ]

    assert run([*db_args, "remove", "1"], capsys)[:2] == (0, "removed document 1\n")
    code, _, err = run([*db_args, "remove", "1"], capsys)
    assert (code, "no active document with id 1" in err) == (1, True)
    code, out, _ = run([*db_args, "documents"], capsys)
    assert "Gempa Cianjur" not in out and "Banjir" in out
    code, out, _ = run([*db_args, "documents", "--all"], capsys)
    assert "Gempa Cianjur (removed)" in out


def test_ingest_stdin_with_title(
    db_args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(ARTICLE.encode("cp1252")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run([*db_args, "ingest", "-", "--title", "Gempa dari stdin"], capsys)
    assert code == 0
    assert "added      #1 Gempa dari stdin [2 sentences]" in out


def test_counts_read_in_the_singular_for_one(
    db_args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    one = "Gempa bermagnitudo 5,6 mengguncang Cianjur pada Senin siang."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(one.encode()), encoding="utf-8"))
    code, out, _ = run([*db_args, "ingest", "-", "--title", "Gempa"], capsys)
    assert code == 0 and "added      #1 Gempa [1 sentence] " in out
    code, out, _ = run([*db_args, "stats"], capsys)
    assert "content          1 article, 1 sentence, " in out


def test_ingest_jsonl_reports_bad_lines_and_keeps_the_rest(
    db_args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "title": "Gempa", "text": ARTICLE})
        + "\n{rusak\n"
        + json.dumps({"id": "b", "text": ARTICLE.replace("Cianjur", "Garut")})
        + "\n",
        encoding="utf-8",
    )
    code, out, err = run([*db_args, "ingest", str(batch)], capsys)
    assert code == 1
    assert "batch.jsonl line 2 is not valid JSON" in out
    assert "2 added, 0 updated, 0 unchanged, 1 failed" in err
    code, out, _ = run([*db_args, "ingest", "--json", str(batch)], capsys)
    assert [json.loads(line)["status"] for line in out.splitlines()] == [
        "unchanged",
        "failed",
        "unchanged",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "a.txt", "b.txt", "--title", "T"], "--title needs exactly one document"),
        (["ingest", "x.jsonl", "--title", "T"], "--title needs exactly one document"),
    ],
)
def test_ingest_usage_errors(
    db_args: list[str], args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([*db_args, *args], capsys)
    assert (code, message in err) == (2, True)


def test_reload_reports_content_changes(
    db_args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "gempa.txt").write_text(ARTICLE, encoding="utf-8")
    args = [*db_args, "--content-dir", str(content), "reload"]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert out.startswith(
        "reload: 1 added, 0 updated, 0 removed, 0 unchanged, 0 failed — 1 article, 2 sentences"
    )
    (content / "gempa.txt").unlink()
    code, out, _ = run(args, capsys)
    assert "0 added, 0 updated, 1 removed" in out
    code, _, err = run([*db_args, "--content-dir", str(tmp_path / "nowhere"), "reload"], capsys)
    assert code == 1 and "does not exist" in err


def test_db_upgrade_and_current(db_args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*db_args, "db", "upgrade"], capsys)
    assert code == 0 and f"schema revision {SCHEMA_HEAD} (latest)" in out
    assert run([*db_args, "db", "current"], capsys)[0] == 0


def _cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.parametrize("command", [["ask", "siapa?"], ["ingest", "-"]])
def test_unreachable_database_is_a_clear_error_without_traceback(command: list[str]) -> None:
    result = _cli("--database-url", "postgresql+psycopg://bot:rahasia@127.0.0.1:1/berita", *command)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: cannot connect to the database postgresql+psycopg://bot:***@127.0.0.1:1/berita"
    )
    assert "Traceback" not in result.stderr and "rahasia" not in result.stderr


def test_eval_never_writes_the_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        json.dumps(
            {
                "id": "1",
                "context": ARTICLE,
                "question": "Berapa kekuatan gempa?",
                "answers": ["5,6 magnitudo"],
            }
        )
        + "\n",
        encoding="utf-8",
    )

    env = {**os.environ, "DATA_DIR": str(data_dir)}
    result = _cli("eval", str(qa), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hit@1"] == 1.0
    assert not data_dir.exists()


def test_default_database_is_created_in_the_data_dir(tmp_path: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path / "baru")}
    result = _cli("ask", "--json", "Siapa yang menjadi perantara gencatan senjata?", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "baru" / "tanyaberita.sqlite3").is_file()
    assert "Putin" in json.loads(result.stdout)["answers"][0]["sentence"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_batch_progress_bar_only_on_a_terminal() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = _IngestBar(stream)
        bar.total(3)
        for _ in range(3):
            bar.step(IngestResult("x", "added"))
        bar.close()
    assert "3/3" in terminal.getvalue()
    assert pipe.getvalue() == ""

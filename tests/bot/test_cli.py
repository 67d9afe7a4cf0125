"""Smoke tests of the ``tanyaberita`` command line (ask, chat, eval)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.errors import EXIT_OK, EXIT_USAGE
from bot.cli.render import render_answer_text
from bot.i18n import plain_text
from index.engine import Answer, Hit
from index.spans import ShortAnswer

ROOT = Path(__file__).resolve().parent.parent.parent

ARTICLE = (
    "Banjir besar melanda Kota Semarang pada Senin pagi.\n\n"
    "Hujan deras turun selama tujuh jam tanpa henti. "
    "Sebanyak 1.200 warga mengungsi ke gedung sekolah. "
    "Wali kota meminta warga tetap waspada.\n\n"
    "Air mulai surut pada Selasa sore."
)

ANSWER_KEYS = {
    "rank",
    "score",
    "sentence",
    "passage",
    "document_id",
    "document_title",
    "short_answer",
}
EVAL_KEYS = {
    "questions",
    "answerable",
    "unanswerable",
    "hit@1",
    "hit@3",
    "mrr@10",
    "false_abstain_rate",
    "abstain_rate_unanswerable",
    "p50_ms",
    "p99_ms",
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    directory.mkdir()
    (directory / "banjir.txt").write_text(ARTICLE, encoding="utf-8")
    return directory


@pytest.fixture
def base_args(tmp_path: Path, content: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return ["--content-dir", str(content), "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}"]


def test_ask_human_output(base_args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*base_args, "ask", "Berapa", "warga", "yang", "mengungsi?"])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    assert "1.200" in lines[first]
    assert first == 0 or (first == 1 and lines[0].startswith("Jawaban singkat: "))
    assert "Sumber:" in out and "Konteks" not in out
    # the best sentence once, marked where it sits in its passage (as in the bot)
    assert lines[first].count("1.200") == 1 and "«" in lines[first] and "»" in lines[first]


def test_ask_json_shape(base_args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*base_args, "ask", "--json", "--top", "2", "Kapan air mulai surut?"])
    lines = capsys.readouterr().out.splitlines()
    assert code == EXIT_OK and len(lines) == 1
    row = json.loads(lines[0])
    assert set(row) == {"question", "abstained", "short_answer", "answers"}
    short = row["short_answer"]
    assert short == row["answers"][0]["short_answer"]
    if short is not None:  # a span of the best sentence
        assert row["answers"][0]["sentence"][short["start"] : short["end"]] == short["text"]
    assert row["question"] == "Kapan air mulai surut?" and row["abstained"] is False
    assert 1 <= len(row["answers"]) <= 2
    assert all(set(a) == ANSWER_KEYS for a in row["answers"])
    assert [a["rank"] for a in row["answers"]] == list(range(1, len(row["answers"]) + 1))
    assert "Selasa sore" in row["answers"][0]["sentence"]


def test_ask_reads_questions_from_stdin(
    base_args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Kapan air surut?\n\n   \nterima kasih\n"))
    code = main([*base_args, "ask", "--json", "-"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == EXIT_OK
    assert [r["question"] for r in rows] == ["Kapan air surut?", "terima kasih"]
    assert [r["abstained"] for r in rows] == [False, True]
    assert rows[1]["answers"] == []


@pytest.mark.parametrize(
    "question", ["terima kasih", "???", "Siapa juara Liga Inggris musim lalu?"]
)
def test_ask_abstains_with_a_message(
    base_args: list[str], capsys: pytest.CaptureFixture[str], question: str
) -> None:
    code = main([*base_args, "ask", question])
    out = capsys.readouterr().out.strip()
    assert code == EXIT_OK and out and not out.startswith("1.")


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("halo", "Halo! 👋 Tanyakan apa saja tentang berita yang saya punya, misalnya "),
        ("selamat pagi", "Selamat pagi! 👋 Tanyakan apa saja"),
        ("makasih ya", "Sama-sama! 🙂 Silakan bertanya lagi kapan saja."),
        ("terima kasih banyak", "Sama-sama! 🙂"),
        ("thank you very much", "Sama-sama! 🙂"),
        ("👋", "Halo! 👋 Tanyakan apa saja"),
        ("ok", "🙂 Tanyakan apa saja"),
    ],
)
def test_greetings_and_thanks_get_their_own_reply(
    base_args: list[str], capsys: pytest.CaptureFixture[str], message: str, reply: str
) -> None:
    assert main([*base_args, "ask", message]) == EXIT_OK
    out = capsys.readouterr().out.strip()
    assert out.startswith(reply) and "<" not in out  # the bot's words, as plain text


@pytest.mark.parametrize(
    ("question", "key"),
    [("???", "empty_question"), ("Siapa juara Liga Inggris musim lalu?", "not_in_article")],
)
def test_abstentions_say_what_the_bot_says(
    base_args: list[str], capsys: pytest.CaptureFixture[str], question: str, key: str
) -> None:
    assert main([*base_args, "ask", question]) == EXIT_OK
    assert capsys.readouterr().out.strip() == plain_text("id", key)


def test_chat_answers_until_exit(
    base_args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Berapa warga mengungsi?\n\nkeluar\n"))
    code = main([*base_args, "chat"])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert "1.200" in out


def test_chat_opens_with_the_newest_titles_and_the_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "many"
    content.mkdir()
    for i in range(1, 8):
        (content / f"{i:02}.txt").write_text(
            f"Berita nomor {i}\n\nIni kalimat pertama berita {i}. Ini kalimat kedua.",
            encoding="utf-8",
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    url = f"sqlite:///{tmp_path / 'many.sqlite'}"
    assert main(["--content-dir", str(content), "--database-url", url, "chat"]) == EXIT_OK
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        "tanyaberita — tanya apa saja tentang: Berita nomor 7, Berita nomor 6, Berita nomor 5, "
        "Berita nomor 4, Berita nomor 3 (dan 2 artikel lain)"
    )


def test_chat_ends_on_eof(
    base_args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([*base_args, "chat"]) == EXIT_OK


@pytest.fixture
def qa_file(tmp_path: Path) -> Path:
    rows = [
        {"id": "1", "question": "Berapa warga mengungsi?", "answers": ["1.200"]},
        {"id": "2", "question": "Kapan air surut?", "answers": ["Selasa sore"]},
        {"id": "3", "question": "halo", "answers": []},
    ]
    for row in rows:
        row["context"] = ARTICLE
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_eval_json_and_details(
    base_args: list[str], capsys: pytest.CaptureFixture[str], qa_file: Path, tmp_path: Path
) -> None:
    details = tmp_path / "details.jsonl"
    code = main([*base_args, "eval", str(qa_file), "--json", "--details", str(details)])
    summary = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    assert set(summary) >= EVAL_KEYS
    assert summary["questions"] == 3 and summary["answerable"] == 2
    assert summary["hit@1"] == 1.0 and summary["abstain_rate_unanswerable"] == 1.0
    rows = [json.loads(line) for line in details.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert all(set(r) == {"id", "question", "abstained", "answers", "short_answer"} for r in rows)
    shorts = summary["short_answer"]
    assert shorts["all"]["n"] == 2 and shorts["number"]["n"] == shorts["when"]["n"] == 1
    assert shorts["all"]["shown"] == sum(r["short_answer"] is not None for r in rows)
    assert all(set(a) == {"sentence", "score"} for r in rows for a in r["answers"])


def test_eval_options(
    base_args: list[str], capsys: pytest.CaptureFixture[str], qa_file: Path
) -> None:
    assert main([*base_args, "eval", str(qa_file), "--limit", "1", "--json", "--open"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["questions"] == 1
    assert main([*base_args, "eval", str(qa_file), "--json", "--no-abstain"]) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["abstention"] is False and summary["hit@1"] == 1.0
    assert main([*base_args, "eval", str(qa_file)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "hit@1" in out and "3 questions" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("", "has no records"),
        ("this is not json\n", "line 1: not valid JSON"),
        ('{"question": "q", "answers": []}\n', '"context" and "question" must be strings'),
    ],
)
def test_eval_bad_file_exits_2_without_traceback(
    base_args: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / "bad.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code = main([*base_args, "eval", str(path)])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["ask"],
        ["ask", "--top", "0", "q"],
        ["ask", "--top", "many", "q"],
        ["eval"],
        ["eval", "x.jsonl", "--limit", "ten"],
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2(
    base_args: list[str], capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*base_args, *argv])
    assert exc.value.code == EXIT_USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_eval_limit_must_be_positive(
    base_args: list[str], capsys: pytest.CaptureFixture[str], qa_file: Path
) -> None:
    assert main([*base_args, "eval", str(qa_file), "--limit", "0"]) == EXIT_USAGE
    assert "--limit must be a positive number" in capsys.readouterr().err


def test_missing_content_directory_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    argv = ["--content-dir", str(tmp_path / "nowhere"), "--database-url", database]
    code = main([*argv, "ask", "apa?"])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert code != EXIT_OK
    assert last.startswith("error: ") and "content directory" in last


def test_console_script_is_declared() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'tanyaberita = "bot.cli:main"' in pyproject


def test_terminal_output_puts_the_short_answer_first() -> None:
    sentence = "Sebanyak 1.200 warga mengungsi."
    hit = Hit(1, 1.0, sentence, "", "", 1, "Banjir", 0, ((21, 30),))
    hit = replace(hit, short_answer=ShortAnswer("1.200 warga", 9, 20, 0.9))
    stream = io.StringIO()
    out = render_answer_text(Answer("Berapa warga mengungsi?", (hit,), False), stream)
    assert out.splitlines()[0] == "Jawaban singkat: 1.200 warga"
    assert out.splitlines()[1] == "1. Sebanyak _1.200 warga_ *mengungsi*."

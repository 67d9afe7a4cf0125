"""What a new operator meets first: which store a command used, settings errors in plain
words, settings files that mean the same to dotenv, systemd and docker, a read-only data
directory, and the hint for URLs on private addresses."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from benchmarks.processes import ROOT, cli_command, run_cli
from bot import config
from bot.cli import main
from bot.config import Settings


@pytest.fixture(autouse=True)
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Commands run from a directory of their own (no .env unless a test writes one)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("DATABASE_URL", "ADMIN_USER_IDS", "LOG_LEVEL", "WEBHOOK_PORT", "TOP_K"):
        monkeypatch.delenv(name, raising=False)
    return work


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- item 8: which database ------------------------------------------------------------------


def test_content_commands_say_which_sqlite_file_and_why(
    capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    data_dir = Path(os.environ["DATA_DIR"])
    code, _, err = run(capsys, "documents")
    assert code == 0
    store = [line for line in err.splitlines() if line.startswith("store: ")]
    assert store == [
        f"store: SQLite {data_dir / 'tanyaberita.sqlite3'} (DATABASE_URL not set; "
        f"DATA_DIR from the environment; no .env in {elsewhere})"
    ]


@pytest.mark.parametrize("data_dir", ["~/berita", "data/berita"])
def test_the_store_line_shows_the_file_a_relative_or_home_data_dir_means(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    elsewhere: Path,
    data_dir: str,
) -> None:
    monkeypatch.setenv("HOME", str(elsewhere / "home"))
    monkeypatch.setenv("DATA_DIR", data_dir)
    code, _, err = run(capsys, "documents")
    assert code == 0, err
    base = elsewhere / "home" if data_dir.startswith("~") else elsewhere
    expected = base / data_dir.removeprefix("~/") / "tanyaberita.sqlite3"
    assert expected.is_file()
    assert err.startswith(f"store: SQLite {expected} (")


def test_the_store_line_names_the_dotenv_it_came_from(
    capsys: pytest.CaptureFixture[str], elsewhere: Path, tmp_path: Path
) -> None:
    database = tmp_path / "from-dotenv.sqlite3"
    (elsewhere / ".env").write_text(f"DATABASE_URL=sqlite:///{database}\n", encoding="utf-8")
    code, _, err = run(capsys, "documents")
    assert code == 0
    assert err.splitlines() == [
        f"store: SQLite {database} (DATABASE_URL from {elsewhere / '.env'})"
    ]


def test_a_postgresql_store_from_dotenv_is_named_without_the_password(elsewhere: Path) -> None:
    (elsewhere / ".env").write_text(
        "DATABASE_URL=postgresql+psycopg://bot:hunter2@db.internal:5433/berita\n",
        encoding="utf-8",
    )
    line = config.describe_store(Settings())
    assert (
        line == f"PostgreSQL bot@db.internal:5433/berita (DATABASE_URL from {elsewhere / '.env'})"
    )


def test_a_failing_command_stays_one_line(
    capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    """The error names the database itself: no store line before it."""
    code, _, err = run(
        capsys, "--database-url", "postgresql+psycopg://bot:hunter2@127.0.0.1:1/b", "documents"
    )
    assert code == 1 and err.count("\n") == 1 and err.startswith("error: cannot connect")
    assert "hunter2" not in err


@pytest.mark.parametrize("command", [["ingest", "-"], ["remove", "1"], ["reload"], ["stats"]])
def test_every_content_command_announces_the_store(
    capsys: pytest.CaptureFixture[str], command: list[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'flag.sqlite3'}"
    main(["--database-url", url, *command])
    err = capsys.readouterr().err
    assert f"store: SQLite {tmp_path / 'flag.sqlite3'} (--database-url)" in err.splitlines()


def test_help_says_where_settings_are_read_from(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "environment variables, then a .env file in the current directory" in text
    assert "'store: ...'" in text


def test_describe_store_for_postgresql_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:secret@db.internal/tanya")
    line = config.describe_store(Settings())
    assert line == "PostgreSQL u@db.internal/tanya (DATABASE_URL from the environment)"


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("?options=-csearch_path%3Dberita_b", ", schema berita_b"),
        ("?options=-c%20search_path%3Dberita_b&connect_timeout=5", ", schema berita_b"),
        ("?connect_timeout=5", ""),
    ],
)
def test_describe_store_names_the_schema_a_postgresql_url_selects(
    monkeypatch: pytest.MonkeyPatch, query: str, shown: str
) -> None:
    """Deployments sharing one database in their own schemas: the store line tells them apart."""
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://u:secret@db.internal/tanya{query}")
    line = config.describe_store(Settings())
    assert line == f"PostgreSQL u@db.internal/tanya{shown} (DATABASE_URL from the environment)"


# --- item 11: settings errors in plain words -------------------------------------------------


def test_settings_errors_are_one_plain_line_each(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    monkeypatch.setenv("WEBHOOK_PORT", "abc")
    monkeypatch.setenv("LOG_LEVEL", "loud")
    monkeypatch.setenv("TOP_K", "50")
    monkeypatch.setenv("ADMIN_USER_IDS", "111,bob")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret-looking")
    code, out, err = run(capsys, "documents")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: ADMIN_USER_IDS='111,bob' must be comma-separated numeric Telegram user ids, "
        "e.g. 111,222",
        "error: WEBHOOK_PORT='abc' is not a whole number",
        "error: LOG_LEVEL='LOUD' must be one of 'DEBUG', 'INFO', 'WARNING' or 'ERROR'",
        "error: TOP_K='50' must be at most 20",
        "error: settings are read from flags, environment variables and "
        f"{elsewhere / '.env'} (not found); see .env.example",
    ]
    assert "pydantic" not in err and "http" not in err


def test_a_bad_secret_setting_is_named_but_not_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--database-url", "", "--log-level", "nope", "documents")
    assert code == 2 and "LOG_LEVEL='NOPE' must be one of" in err
    lines = config.settings_error_lines(_error(database_url=12345))
    assert lines[0].startswith("DATABASE_URL: ") and "12345" not in lines[0]


def _error(**values: object) -> ValidationError:
    try:
        Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        return exc
    raise AssertionError("expected a validation error")


# --- item 13: settings files for dotenv, systemd and docker ----------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("111,222   # comment", frozenset({111, 222})),
        ("111,222\t# admins", frozenset({111, 222})),
        ("# none yet", frozenset()),
        ("111", frozenset({111})),
    ],
)
def test_a_trailing_comment_means_the_same_as_in_dotenv(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: frozenset[int]
) -> None:
    """systemd's EnvironmentFile and `docker --env-file` pass `# comment` on as part of the
    value (dotenv strips it): the settings strip it too."""
    monkeypatch.setenv("ADMIN_USER_IDS", raw)
    monkeypatch.setenv("WEBHOOK_PORT", "8443  # the proxy forwards here")
    settings = Settings()
    assert settings.admin_user_ids == expected and settings.webhook_port == 8443


def _literal_env_lines(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd and docker read them: the value is everything after '='."""
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and re.match(r"^[A-Z_]+=", line):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def test_env_example_is_valid_for_systemd_and_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _literal_env_lines((ROOT / ".env.example").read_text(encoding="utf-8"))
    assert values
    for key, value in values.items():
        assert " #" not in value and "\t#" not in value, key  # a comment on its own line
        monkeypatch.setenv(key, value)
    Settings()


def test_docs_env_examples_have_no_trailing_comments() -> None:
    """A settings line in the docs can be pasted into any of the three files as it is."""
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    names = {name.upper() for name in Settings.model_fields}
    for doc in docs:
        for line in doc.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s*([A-Z_]+)=(.*)$", line)
            if match and match.group(1) in names:
                assert "#" not in match.group(2), f"{doc.name}: {line.strip()}"


def test_a_line_of_dotenv_that_cannot_be_parsed_is_named_once(elsewhere: Path) -> None:
    """python-dotenv says "could not parse statement starting at line 2" — of which file? —
    once per read; the CLI names the file and says it once."""
    (elsewhere / ".env").write_text("ADMIN_USER_IDS=111\nbad line here\nTOP_K=5\n", "utf-8")
    done = subprocess.run(
        cli_command("documents"),
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "line 2" in line]
    assert warnings == [f"warning: {elsewhere / '.env'}: line 2 is not KEY=value; it is ignored"]
    assert "python-dotenv" not in done.stderr


def test_a_dotenv_that_is_not_utf8_is_named_with_its_line(
    capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    (elsewhere / ".env").write_bytes(b"TOP_K=3\nADMIN_USER_IDS=1\xe9\n")
    code, out, err = run(capsys, "documents")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"error: cannot read the settings: {elsewhere / '.env'} is not UTF-8 (byte 0xE9 on "
        "line 2); save it as UTF-8"
    ]


# --- item 11: read-only data directory -------------------------------------------------------


def _make_store(path: Path) -> None:
    article = path.parent.parent / "gempa.txt"
    article.write_text("Gempa mengguncang Cianjur pada Senin siang. Warga mengungsi.", "utf-8")
    code = main(["--database-url", f"sqlite:///{path}", "ingest", str(article)])
    assert code == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _pretend_read_only(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """Tests run as root in some environments, where chmod does not stop writes: the
    writability check is what the commands consult, so that is what is made to say no."""
    real = os.access

    def access(path: object, mode: int) -> bool:
        if mode & os.W_OK and Path(str(path)).resolve().is_relative_to(directory.resolve()):
            return False
        return real(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def test_read_only_data_directory_is_named_as_such(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data_dir = tmp_path / "ro"
    data_dir.mkdir()
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    _pretend_read_only(monkeypatch, data_dir)
    code, _, err = run(capsys, "ingest", "-")
    assert code == 1
    assert f"error: the data directory {data_dir} is read-only" in err
    assert "DATA_DIR" in err and "unable to open database file" not in err


def test_documents_and_stats_read_a_read_only_backup_without_touching_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    backup = backup_dir / "tanyaberita.sqlite3"
    _make_store(backup)
    capsys.readouterr()
    before = {p.name: p.stat().st_mtime_ns for p in backup_dir.iterdir()}
    _pretend_read_only(monkeypatch, backup_dir)
    url = f"sqlite:///{backup}"
    code, out, err = run(capsys, "--database-url", url, "documents")
    assert code == 0, err
    assert "gempa.txt" in out and "Gempa" in out
    assert err.splitlines() == [
        f"store: SQLite {backup} (--database-url); read-only: listed without migrating or "
        "changing it"
    ]
    assert {p.name: p.stat().st_mtime_ns for p in backup_dir.iterdir()} == before
    code, out, _ = run(capsys, "--database-url", url, "db", "current")
    assert code == 0 and "(read-only): schema revision" in out
    code, out, err = run(capsys, "--database-url", url, "stats")
    assert code == 0, err
    assert "questions        0" in out and "content          1 article, " in out
    assert "read-only: read without migrating or changing it" in err
    code, out, err = run(capsys, "--database-url", url, "stats", "--json")
    assert code == 0 and json.loads(out)["documents"] == 1, err
    assert {p.name: p.stat().st_mtime_ns for p in backup_dir.iterdir()} == before
    code, _, err = run(capsys, "--database-url", url, "remove", "1")
    assert code == 1 and f"the SQLite database {backup} is read-only" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod")
def test_a_really_read_only_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "ro"
    data_dir.mkdir()
    data_dir.chmod(0o555)
    try:
        done = run_cli(["ingest", "-"], env={"DATA_DIR": str(data_dir)})
    finally:
        data_dir.chmod(0o755)
    assert done.returncode == 1 and "is read-only" in done.stderr


# --- item 11: URLs on private addresses ------------------------------------------------------


def test_refused_private_url_mentions_allow_private(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    code, out, _ = run(capsys, "--database-url", url, "ingest", "http://127.0.0.1:9/x")
    assert code == 1
    assert "private or local address" in out and "--allow-private" in out

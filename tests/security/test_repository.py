"""What must never be committed: ``.env`` (the bot token, database passwords) is ignored by
git, and the committed ``.env.example`` carries no secret values."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from benchmarks.processes import ROOT

SECRET_SETTINGS = ("TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET_TOKEN", "DATABASE_URL")


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture(scope="module")
def checkout() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if _git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        pytest.skip("not a git checkout (e.g. an unpacked release)")


@pytest.mark.usefixtures("checkout")
@pytest.mark.parametrize("path", [".env", "sub/dir/.env", ".venv/x", "data/store.sqlite3"])
def test_secrets_and_local_state_are_ignored(path: str) -> None:
    done = _git("check-ignore", "--no-index", "-q", path)
    assert done.returncode == 0, f"{path} is not git-ignored"


@pytest.mark.usefixtures("checkout")
def test_env_example_is_committed_and_not_ignored() -> None:
    assert _git("check-ignore", "--no-index", "-q", ".env.example").returncode == 1
    assert _git("ls-files", "--error-unmatch", ".env.example").returncode == 0
    assert _git("ls-files", "--error-unmatch", ".env").returncode != 0


def test_env_example_has_no_secret_values() -> None:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    for name in SECRET_SETTINGS:
        assert values.get(name) == "", f"{name} in .env.example must be empty"

"""``.env.example`` mirrors ``Settings``: every setting is listed there (with a comment an
operator can follow), and nothing is listed that the bot does not read."""

from __future__ import annotations

import re

from benchmarks.processes import ROOT
from bot.config import Settings

_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def test_env_example_lists_exactly_the_settings() -> None:
    listed = {
        match.group(1)
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if (match := _LINE.match(line))
    }
    assert listed == {name.upper() for name in Settings.model_fields}

"""Security tests share the store fixtures (a fresh database and a content directory) and the
offline bot harness (``bot``: the real Application, a recording Bot API, a fake service)."""

from __future__ import annotations

from tests.support.bot import bot, service, settings
from tests.support.store import content_dir, database_url

__all__ = ["bot", "content_dir", "database_url", "service", "settings"]

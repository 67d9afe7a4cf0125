"""The offline bot harness (``tests.support.bot``) for the tests in this folder: its fixtures
(``bot``, ``service``, ``settings``) and the CLI's ``db_args`` (``tests.support.cli``) are
registered here. The helpers are importable from here too, for tests written before they moved
to ``tests.support``."""

from __future__ import annotations

from tests.support.bot import (
    ADMIN_ID,
    ADMIN_RIGHTS,
    BOT_ID,
    BOT_USERNAME,
    GROUP_ID,
    MEDIA_PAYLOADS,
    TOKEN,
    USER_ID,
    Call,
    Harness,
    RecordingRequest,
    Updates,
    bot,
    make_settings,
    service,
    settings,
)
from tests.support.cli import db_args

__all__ = [
    "ADMIN_ID",
    "ADMIN_RIGHTS",
    "BOT_ID",
    "BOT_USERNAME",
    "GROUP_ID",
    "MEDIA_PAYLOADS",
    "TOKEN",
    "USER_ID",
    "Call",
    "Harness",
    "RecordingRequest",
    "Updates",
    "bot",
    "db_args",
    "make_settings",
    "service",
    "settings",
]

"""bot/app.py: how the Application is assembled, its start-up hook and revision watcher."""

from __future__ import annotations

import logging

import pytest
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

from bot.app import _post_init, _post_shutdown, build_application, telegram_api_urls
from bot.retry import RetryingRateLimiter
from bot.state import state
from index.service import WATCH_INTERVAL_S
from tests.fakes import FakeService
from tests.support.bot import Harness, RecordingRequest, Updates, make_settings


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        (
            "https://api.telegram.org",
            ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ),
        ("http://127.0.0.1:8081/", ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")),
    ],
)
def test_api_urls(root: str, expected: tuple[str, str]) -> None:
    assert telegram_api_urls(root) == expected


def test_application_settings() -> None:
    settings = make_settings(telegram_base_url="http://127.0.0.1:8081", flood_max_questions=4)
    app = build_application(settings, FakeService(), request=RecordingRequest())
    assert isinstance(app.bot.rate_limiter, AIORateLimiter)
    assert app.concurrent_updates > 1
    assert app.bot.base_url.startswith("http://127.0.0.1:8081/bot")
    assert state(app).flood.limit == 4
    plain = build_application(settings, FakeService(), request=RecordingRequest(), rate_limit=False)
    assert plain.bot.rate_limiter is None
    unlimited = make_settings(rate_limit_per_second=0)
    limiter = build_application(unlimited, FakeService(), request=RecordingRequest()).bot
    # No throttling, but network errors are still retried (bot/retry.py).
    assert isinstance(limiter.rate_limiter, RetryingRateLimiter)
    assert limiter.rate_limiter._base_limiter is None


def test_stop_can_confirm_updates_while_the_long_poll_holds_a_connection() -> None:
    # PTB's default getUpdates pool has one connection: the confirming call on stop then waits
    # for the cancelled long poll's and can time out (a traceback, updates fetched again).
    app = build_application(make_settings(), FakeService())
    get_updates_request = app.bot._request[0]
    assert isinstance(get_updates_request, HTTPXRequest)
    limits = get_updates_request._client_kwargs["limits"]
    assert limits.max_connections >= 2
    assert get_updates_request._client_kwargs["timeout"].pool >= 5


def test_missing_token_is_an_error() -> None:
    with pytest.raises(ValueError, match="no bot token"):
        build_application(make_settings(telegram_bot_token=None), FakeService())


async def test_rate_limited_bot_answers() -> None:
    request = RecordingRequest()
    app = build_application(
        make_settings(), FakeService(), request=request, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        bot = Harness(app, request, FakeService(), Updates())
        await bot.feed(bot.updates.message("Siapa perantara?"))
        assert len(request.sent()) == 1
    finally:
        await app.shutdown()


async def test_post_init_publishes_commands_in_both_languages() -> None:
    request = RecordingRequest()
    app = build_application(
        make_settings(), FakeService(), request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        await _post_init(app)
        calls = request.sent("setMyCommands")
        assert [c.get("language_code") for c in calls] == [None, "en"]
        assert {c["command"] for c in calls[0]["commands"]} >= {"tanya", "artikel", "help"}
    finally:
        await app.shutdown()


async def test_post_init_survives_a_bot_api_without_set_my_commands(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request = RecordingRequest(errors={"setMyCommands": (500, "API method is not supported")})
    app = build_application(
        make_settings(), FakeService(), request=request, rate_limit=False, revision_poll_seconds=0
    )
    await app.initialize()
    try:
        with caplog.at_level(logging.WARNING):
            await _post_init(app)
        assert any("command menu" in r.getMessage() for r in caplog.records)
    finally:
        await app.shutdown()


async def test_the_service_watches_for_content_changed_elsewhere() -> None:
    """The bot starts the service's revision watcher (LISTEN/NOTIFY on PostgreSQL, polling
    on SQLite; tested in tests/store) with the service's own interval by default, with the
    given one, or not at all for 0."""
    for interval, expected in ((None, WATCH_INTERVAL_S), (0.01, 0.01), (0, None)):
        service = FakeService()
        app = build_application(
            make_settings(),
            service,
            request=RecordingRequest(),
            rate_limit=False,
            revision_poll_seconds=interval,
        )
        await app.initialize()
        await _post_init(app)
        await _post_shutdown(app)
        await app.shutdown()
        assert service.watching == expected
        assert state(app).background == set()

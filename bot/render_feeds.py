"""Messages about feeds (``/langganan``, ``/feeds``, the feed part of ``/stats``): HTML-escaped,
split for Telegram's length limit, in the chat's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import count, text
from bot.render import localized_error
from bot.telegram_html import escape, split_html
from index.errors import ErrorDetail
from index.feeds import FeedInfo, FeedPoll, NewArticle, Subscription
from index.store.feeds import describe_interval

__all__ = ["feed_lines", "render_feeds", "render_news", "render_poll", "render_subscription"]

_SHOWN_ENTRY_FAILURES = 5
_SHOWN_NEW_ARTICLES = 5


def _error(detail: ErrorDetail, lang: str) -> str:
    return escape(localized_error(detail, lang))


def render_poll(poll: FeedPoll, lang: str) -> str:
    """What one poll did, in a line or a few."""
    if poll.status == "failed" and poll.error is not None:
        return text(lang, "feed_failed", error=_error(poll.error, lang))
    if poll.status == "not_modified":
        return text(lang, "feed_not_modified")
    lines = [
        text(
            lang,
            "feed_polled",
            entries=count(lang, "entry", poll.entries),
            stored=count(lang, "article", poll.added),
            failed=poll.failed,
        )
    ]
    failed = [o for o in poll.outcomes if o.result.status == "failed"]
    lines += [
        f"• {escape(o.link)}: {_error(o.result.error_detail, lang)}"
        for o in failed[:_SHOWN_ENTRY_FAILURES]
    ]
    if poll.left:
        lines.append(text(lang, "feed_left", left=count(lang, "entry", poll.left)))
    return "\n".join(lines)


def render_subscription(sub: Subscription, interval_s: int, lang: str) -> list[str]:
    if sub.feed_id is None:
        error = _error(sub.error, lang) if sub.error is not None else "?"
        return split_html(text(lang, "langganan_refused", url=escape(sub.url), error=error))
    key = "langganan_done" if sub.new else "langganan_again"
    head = text(lang, key, id=sub.feed_id, url=escape(sub.url), every=describe_interval(interval_s))
    body = render_poll(sub.poll, lang) if sub.poll is not None else ""
    return split_html(f"{head}\n{body}".strip())


def _when(value: datetime | None, lang: str) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else text(lang, "feeds_never")


def feed_lines(feeds: Sequence[FeedInfo], lang: str) -> list[str]:
    """One block per feed: id, title, URL, interval, articles, last success and last error."""
    blocks = []
    for f in feeds:
        block = text(
            lang,
            "feeds_row",
            id=f.id,
            title=f"<b>{escape(f.title)}</b>" if f.title else "",
            url=escape(f.url),
            every=describe_interval(f.interval_s),
            articles=count(lang, "article", f.articles),
            success=_when(f.last_success_at, lang),
        )
        if f.last_error:
            block += "\n" + text(
                lang,
                "feeds_error",
                when=_when(f.last_error_at, lang),
                failures=f.failures,
                error=escape(f.last_error),
            )
        blocks.append(block)
    return blocks


def render_feeds(feeds: Sequence[FeedInfo], lang: str) -> list[str]:
    if not feeds:
        return split_html(text(lang, "feeds_empty"))
    return split_html("\n\n".join([text(lang, "feeds_header"), *feed_lines(feeds, lang)]))


def render_news(articles: Sequence[NewArticle], lang: str) -> str:
    """The notice a chat that asked for it (``/kabari on``) gets about new articles."""
    shown = articles[:_SHOWN_NEW_ARTICLES]
    lines = [f"• <i>{escape(a.title or a.link)}</i>" for a in shown]
    if len(articles) > len(shown):
        lines.append(text(lang, "kabari_more", n=len(articles) - len(shown)))
    return split_html(text(lang, "kabari_news", titles="\n".join(lines)))[0]

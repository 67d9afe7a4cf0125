"""bot/i18n.py: language choice and a complete catalogue."""

from __future__ import annotations

import string
from typing import get_args

import pytest

from bot import i18n
from index.errors import ErrorKey, ErrorParam


@pytest.mark.parametrize(
    ("code", "setting", "default", "expected"),
    [
        ("en", None, "id", "en"),
        ("en-US", None, "id", "en"),
        ("EN", None, "id", "en"),
        ("id", None, "en", "id"),
        ("de", None, "id", "id"),
        ("de", None, "en", "en"),
        (None, None, "id", "id"),
        ("en", "id", "id", "id"),
        ("id", "en", "id", "en"),
        ("en", "fr", "id", "en"),  # an unknown stored setting is ignored
    ],
)
def test_language_for(code: str | None, setting: str | None, default: str, expected: str) -> None:
    assert i18n.language_for(code, setting, default) == expected


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, entry in i18n._CATALOGUE.items():
        assert set(entry) == {"id", "en"}, key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name}
            for lang in ("id", "en")
        ]
        assert fields[0] == fields[1], key


def test_unknown_language_falls_back_to_indonesian() -> None:
    assert i18n.text("fr", "not_in_article") == i18n.text("id", "not_in_article")


def test_every_store_error_key_has_both_languages_with_the_same_placeholders() -> None:
    assert set(i18n._ERRORS) == set(get_args(ErrorKey))
    for key, entry in i18n._ERRORS.items():
        assert set(entry) == {"id", "en"}, key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name}
            for lang in ("id", "en")
        ]
        assert fields[0] == fields[1], key
        assert "<" not in entry["id"] + entry["en"], key  # plain text: escaped after filling


@pytest.mark.parametrize(
    ("lang", "key", "params", "expected"),
    [
        ("id", "too_long", {"name": "a", "chars": 1234567, "limit": 500000}, "1.234.567"),
        ("en", "too_long", {"name": "a", "chars": 1234567, "limit": 500000}, "1,234,567"),
        ("id", "timeout", {"url": "u", "seconds": 2.5}, "2,5 detik"),
        ("fr", "empty", {"name": "a"}, "a kosong"),  # an unknown language: Indonesian
        ("id", None, {}, None),
        ("id", "no_such_key", {}, None),
        ("id", "empty", {}, None),
        ("id", "too_long", {"name": "a", "chars": "many", "limit": 1}, None),
    ],
)
def test_error_text(
    lang: str, key: str | None, params: dict[str, ErrorParam], expected: str | None
) -> None:
    result = i18n.error_text(lang, key, params)
    if expected is None:
        assert result is None
    else:
        assert result is not None and expected in result


@pytest.mark.parametrize(
    ("lang", "noun", "n", "expected"),
    [
        ("en", "article", 1, "1 article"),
        ("en", "article", 0, "0 articles"),
        ("en", "sentence", 3464, "3,464 sentences"),
        ("en", "second", 1, "1 second"),
        ("id", "article", 3464, "3.464 artikel"),
        ("id", "second", 1, "1 detik"),
    ],
)
def test_count(lang: str, noun: str, n: int, expected: str) -> None:
    assert i18n.count(lang, noun, n) == expected


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "expected"),
    [("id", 0.002, 3, "0,002"), ("en", 0.002, 3, "0.002"), ("id", 1234.5, 1, "1.234,5")],
)
def test_number(lang: str, value: float, decimals: int, expected: str) -> None:
    assert i18n.number(lang, value, decimals) == expected


@pytest.mark.parametrize(
    ("lang", "size", "expected"),
    [
        ("id", 2 * 1024 * 1024, "2 MB"),
        ("id", 2 * 1024 * 1024 + 1, "2,1 MB"),  # over the limit never reads as the limit
        ("en", 51199 * 1024, "50 MB"),
        ("en", 5_300_000, "5.1 MB"),
    ],
)
def test_megabytes(lang: str, size: int, expected: str) -> None:
    assert i18n.megabytes(lang, size) == expected

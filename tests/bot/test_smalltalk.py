"""bot/smalltalk.py: thanks, greetings (and which greeting to answer with), the rest."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.smalltalk import SmallTalk, classify


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("terima kasih", SmallTalk("thanks")),
        ("Makasih ya min!", SmallTalk("thanks")),
        ("trims", SmallTalk("thanks")),
        ("thank you", SmallTalk("thanks")),
        ("halo, terima kasih", SmallTalk("thanks")),
        ("halo", SmallTalk("greeting")),
        ("Hai kak", SmallTalk("greeting")),
        ("hello bot", SmallTalk("greeting")),
        ("Selamat pagi!", SmallTalk("greeting", "hello_pagi")),
        ("met sore", SmallTalk("greeting", "hello_sore")),
        ("good morning", SmallTalk("greeting", "hello_pagi")),
        ("Assalamualaikum wr wb", SmallTalk("greeting", "hello_salam")),
        ("apa kabar?", SmallTalk("greeting", "hello_kabar")),
        ("ok sip", SmallTalk("other")),
        ("wkwk", SmallTalk("other")),
        ("", SmallTalk("other")),
    ],
)
def test_classify(message: str, expected: SmallTalk) -> None:
    assert classify(message) == expected


def test_every_greeting_has_a_message() -> None:
    for key in ("hello", "hello_salam", "hello_kabar", "hello_pagi", "hello_siang"):
        assert i18n.text("id", key) and i18n.text("en", key)
    for key in ("hello_sore", "hello_malam"):
        assert i18n.text("en", key).startswith("Good")

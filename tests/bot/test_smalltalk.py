"""bot/smalltalk.py: thanks, greetings (and which greeting to answer with), the rest."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.smalltalk import SmallTalk, classify, is_small_talk
from index.engine import IndexSnapshot
from index.service import load_content_dir
from tests.fakes import CONTENT_DIR


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("terima kasih", SmallTalk("thanks")),
        ("Makasih ya min!", SmallTalk("thanks")),
        ("trims", SmallTalk("thanks")),
        ("thank you", SmallTalk("thanks")),
        ("halo, terima kasih", SmallTalk("thanks")),
        ("terima kasih banyak", SmallTalk("thanks")),
        ("thank you very much", SmallTalk("thanks")),
        ("🙏", SmallTalk("thanks")),
        ("halo 🙏", SmallTalk("greeting")),
        ("👋", SmallTalk("greeting")),
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


@pytest.mark.parametrize(
    "message",
    [
        "terima kasih banyak",
        "makasih atas infonya",
        "makasih banyak ya min",
        "thanks a lot",
        "thank you so much",
        "Thank you very much!",
        "matur suwun",
        "halo 👋",
    ],
)
def test_common_thanks_and_greetings_are_small_talk_to_the_engine(message: str) -> None:
    """Not searched in the articles ("terima kasih banyak" once found "diterima")."""
    answer = IndexSnapshot.build(load_content_dir(CONTENT_DIR)).ask(message)
    assert answer.abstained and answer.reason == "smalltalk"


@pytest.mark.parametrize(
    ("reason", "message", "expected"),
    [
        ("smalltalk", "ok", True),
        ("empty", "👋", True),
        ("empty", "🙏🙏", True),
        ("empty", "???", False),
        ("empty", "🙂", False),
        ("no_match", "halo", False),
    ],
)
def test_is_small_talk(reason: str, message: str, expected: bool) -> None:
    assert is_small_talk(reason, message) is expected

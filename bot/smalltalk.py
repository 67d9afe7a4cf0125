"""Which kind of small talk a message is, so greetings and thanks get different replies.

The engine decides *that* a message is small talk (every word is in
``index/lexicon/smalltalk.txt``: it abstains with reason "smalltalk"); this module only sorts
such a message into thanks ("makasih ya min"), a greeting ("halo", "selamat pagi",
"assalamualaikum") or anything else ("ok", "sip", "tes", "wkwk"), and picks the greeting to
answer with (a catalogue key in ``bot.i18n``). It reads the words the way the engine does
(folded, informal words expanded: "makasih" → "terima kasih").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from index.tokens import default_tokenizer

__all__ = ["SmallTalk", "classify"]

_THANKS: Final = frozenset(
    {"terima", "kasih", "terimakasih", "makasih", "makasi", "mksh", "trims", "thanks", "thank"}
    | {"thx", "tq"}
)
_SALAM: Final = frozenset({"assalamualaikum", "assalamu'alaikum", "salam", "waalaikumsalam"})
_TIMES: Final = {
    "pagi": "pagi",
    "siang": "siang",
    "sore": "sore",
    "malam": "malam",
    "morning": "pagi",
    "afternoon": "siang",
    "evening": "malam",
    "night": "malam",
}
_GREETINGS: Final = frozenset(
    {"halo", "hallo", "helo", "hai", "hi", "hello", "hey", "hei", "selamat", "permisi", "kabar"}
    | _SALAM
    | _TIMES.keys()
)


@dataclass(frozen=True, slots=True)
class SmallTalk:
    kind: Literal["thanks", "greeting", "other"]
    hello: str = "hello"
    """The catalogue key of the greeting to answer with: "hello", "hello_salam", "hello_kabar",
    "hello_pagi", "hello_siang", "hello_sore" or "hello_malam"."""


def classify(message: str) -> SmallTalk:
    """Thanks when any word thanks (a greeting with thanks is mostly thanks); a greeting when
    any word greets; otherwise "other"."""
    words = default_tokenizer().words(message)
    if any(w in _THANKS for w in words):
        return SmallTalk("thanks")
    if not any(w in _GREETINGS for w in words):
        return SmallTalk("other")
    if any(w in _SALAM for w in words):
        return SmallTalk("greeting", "hello_salam")
    time_of_day = next((_TIMES[w] for w in words if w in _TIMES), None)
    if time_of_day is not None:  # "selamat pagi", "pagi min", "good morning"
        return SmallTalk("greeting", f"hello_{time_of_day}")
    if "kabar" in words:  # "apa kabar?"
        return SmallTalk("greeting", "hello_kabar")
    return SmallTalk("greeting")

"""Which kind of small talk a message is, so greetings and thanks get different replies.

The engine decides *that* a message is small talk (every word is in
``index/lexicon/smalltalk.txt``: it abstains with reason "smalltalk"); this module only sorts
such a message into thanks ("makasih ya min", "thank you very much"), a greeting ("halo",
"selamat pagi", "assalamualaikum") or anything else ("ok", "sip", "tes", "wkwk"), and picks
the greeting to answer with (a catalogue key in ``bot.i18n``). A message of emoji alone has no
words (reason "empty"): 🙏 is thanks and 👋 a greeting there too (``is_small_talk``). It reads
the words the way the engine does (folded, informal words expanded: "makasih" → "terima
kasih").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from index.tokens import default_tokenizer

__all__ = ["SmallTalk", "classify", "is_small_talk"]

_THANKS: Final = frozenset(
    {"terima", "kasih", "terimakasih", "makasih", "makasi", "mksh", "trims", "thanks", "thank"}
    | {"thx", "tq", "tengkyu", "thankyou", "suwun", "nuhun"}
)
_THANKS_EMOJI: Final = "🙏"
_GREETING_EMOJI: Final = "👋"
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
    any word greets; then 🙏 alone thanks ("halo 🙏" is a polite greeting) and 👋 greets;
    otherwise "other"."""
    words = default_tokenizer().words(message)
    if any(w in _THANKS for w in words):
        return SmallTalk("thanks")
    if not any(w in _GREETINGS for w in words):
        if _THANKS_EMOJI in message:
            return SmallTalk("thanks")
        return SmallTalk("greeting" if _GREETING_EMOJI in message else "other")
    if any(w in _SALAM for w in words):
        return SmallTalk("greeting", "hello_salam")
    time_of_day = next((_TIMES[w] for w in words if w in _TIMES), None)
    if time_of_day is not None:  # "selamat pagi", "pagi min", "good morning"
        return SmallTalk("greeting", f"hello_{time_of_day}")
    if "kabar" in words:  # "apa kabar?"
        return SmallTalk("greeting", "hello_kabar")
    return SmallTalk("greeting")


def is_small_talk(reason: str | None, message: str) -> bool:
    """Whether an abstention is answered as small talk: the engine found only small-talk words
    ("smalltalk"), or no words at all but a 🙏 or 👋 ("empty": emoji alone)."""
    return reason == "smalltalk" or (reason == "empty" and classify(message).kind != "other")

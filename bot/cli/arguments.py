"""What every command module shares to register itself: the type of the ``COMMAND``
sub-parsers it adds to, the handler each sub-parser names, and argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeAlias

from bot.config import Settings

__all__ = ["Handler", "Subcommands", "positive_int"]

Handler = Callable[[argparse.Namespace, Settings], int]
"""A subcommand: its parsed arguments and settings in, its exit code out. Each sub-parser
stores its handler with ``set_defaults(handler=...)``."""

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers`` returns: each command module's ``register`` adds its parsers to it."""


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number

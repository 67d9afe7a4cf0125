"""How a command fails: one line on stderr (``error: <message>``) and an exit code, never a
traceback. ``serve`` fails the same way, so the bot's start-up problems share this class."""

from __future__ import annotations

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "PRIVATE_HINT", "CLIError"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

PRIVATE_HINT = " (a host on this machine or network: add --allow-private to read it anyway)"
"""Appended to a refused URL's message by the commands that read URLs."""


class CLIError(Exception):
    """A user-facing error: printed as ``error: <message>``, exit code ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code

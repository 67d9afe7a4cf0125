"""The ``tanyaberita`` command line (console script ``bot.cli:main``).

Subcommands and their options are a contract other tools use: keep them stable. Every
subcommand gets one ``Settings`` object; errors are printed as one clear line and a non-zero
exit code (``errors``), never as a traceback. One module per command group — ``ask`` (ask,
chat), ``eval``, ``content`` (ingest, documents, remove, reload), ``db``, ``feeds``, ``serve``,
``stats``, ``semantic`` (embed) — each with a ``register`` that ``parser`` calls; ``service``
opens the store-backed service for all of them and for the bot.
"""

from bot.cli.parser import main

__all__ = ["main"]

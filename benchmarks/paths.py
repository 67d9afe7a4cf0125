"""Where the benchmarks find the repository and the data sets they read at run time."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_DATA", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("TANYABERITA_DATA_DIR", ROOT.parent / "shared" / "data"))
"""The data sets (``DATA.md`` there says what they are): ``TANYABERITA_DATA_DIR``, else
``shared/data`` beside the repository. Every benchmark's ``--data`` defaults to it."""

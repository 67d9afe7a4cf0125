"""The content store: documents in, prepared documents out, plus the bot's records.

``ContentStore`` owns the ``Database`` and is the only place that writes it. Rules:

- **One transaction per document.** A crash (even ``kill -9``) leaves every document either
  fully stored with all its sentences or not at all; re-running a batch stores the rest and
  reports the stored ones as unchanged.
- **Same text once.** The whitespace-normalised text hash is unique among active documents;
  a second source with the same text reports ``unchanged`` and the first document's id.
- **Same source, new content → updated in place** (same id, sentences replaced, ``version``
  bumped). A source is ``(kind, reference)``: ``content`` (path relative to the content
  directory), ``file`` (absolute path), ``url``, ``upload`` (file name), ``jsonl`` (file and
  record id) or ``text`` (the text's own hash: texts have no other identity).
- **Every change bumps the content revision** in the same transaction, so other instances
  that poll it see complete changes only; on PostgreSQL the same transaction notifies them
  (``pg_notify``, delivered at commit), so they need not wait for their next poll.
- Stemming happens before the write transaction, so the database lock is held only for
  the inserts; an unchanged source is detected before stemming.

The parts, one idea each: ``prepare`` (the ``Prepared`` source, hashes, pipeline fingerprint,
worker-process helpers), ``transactions`` (revision and write retries), ``documents`` (storing
documents), ``sync`` (the content directory), ``reads`` (the streamed index read and listings)
and ``records`` (the bot's own records). ``ContentStore`` is all of them.
"""

from __future__ import annotations

from index.store.prepare import (
    MAX_TITLE_CHARS,
    Prepared,
    content_hash,
    pipeline_fingerprint,
    source_key,
)
from index.store.reads import IndexRead, IndexReads, Listing, StoredColumns
from index.store.records import BotRecords
from index.store.sync import DirectorySync, SyncOutcome
from index.store.transactions import WRITE_ATTEMPTS

__all__ = [
    "MAX_TITLE_CHARS",
    "WRITE_ATTEMPTS",
    "ContentStore",
    "IndexRead",
    "Listing",
    "Prepared",
    "StoredColumns",
    "SyncOutcome",
    "content_hash",
    "pipeline_fingerprint",
    "source_key",
]


class ContentStore(DirectorySync, IndexReads, BotRecords):
    """The content store: documents in (``save``, ``save_many``, ``sync_directory``), the index
    out (``read_index``), and the bot's records. It owns the ``Database`` and is the only place
    that writes it."""

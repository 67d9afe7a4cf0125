"""Reading and writing the stored sentence embeddings (table ``document_embeddings``).

One row per document and encoder version: the int8 codes and float32 scales of all its
sentences as two blobs (``index.semantic``). Rows of removed documents or other encoder
versions are ignored by readers; a document's row is replaced when its sentences change.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import delete, func, select

from index.encoder import DIMENSIONS
from index.semantic import EmbeddedDocument
from index.store.db import Database
from index.store.models import DocumentEmbeddingsRow, DocumentRow

__all__ = ["count_embedded", "load_embedded", "save_embedded"]


def load_embedded(database: Database, encoder: str) -> dict[int, EmbeddedDocument]:
    """The stored embeddings of the active documents made by ``encoder``."""
    statement = (
        select(
            DocumentEmbeddingsRow.document_id,
            DocumentEmbeddingsRow.digest,
            DocumentEmbeddingsRow.sentences,
            DocumentEmbeddingsRow.codes,
            DocumentEmbeddingsRow.scales,
        )
        .join(DocumentRow, DocumentRow.id == DocumentEmbeddingsRow.document_id)
        .where(DocumentEmbeddingsRow.encoder == encoder, DocumentRow.active.is_(True))
    )
    out: dict[int, EmbeddedDocument] = {}
    with database.read() as session:
        for doc_id, digest, sentences, codes, scales in session.execute(statement):
            code_array = np.frombuffer(codes, dtype=np.int8)
            scale_array = np.frombuffer(scales, dtype=np.float32)
            if code_array.size != sentences * DIMENSIONS or scale_array.size != sentences:
                continue  # damaged row: recomputed
            out[int(doc_id)] = EmbeddedDocument(
                digest, code_array.reshape(sentences, DIMENSIONS), scale_array
            )
    return out


def save_embedded(
    database: Database, document_id: int, encoder: str, embedded: EmbeddedDocument
) -> bool:
    """Store (or replace) one document's embeddings; False when the document is gone."""
    with database.write() as session:
        if session.get(DocumentRow, document_id) is None:
            return False
        session.execute(
            delete(DocumentEmbeddingsRow).where(
                DocumentEmbeddingsRow.document_id == document_id,
                DocumentEmbeddingsRow.encoder == encoder,
            )
        )
        session.add(
            DocumentEmbeddingsRow(
                document_id=document_id,
                encoder=encoder,
                digest=embedded.digest,
                sentences=embedded.sentences,
                codes=np.ascontiguousarray(embedded.codes, dtype=np.int8).tobytes(),
                scales=np.ascontiguousarray(embedded.scales, dtype=np.float32).tobytes(),
            )
        )
    return True


def count_embedded(database: Database, encoder: str | None) -> tuple[int, int]:
    """Active documents with stored embeddings (of ``encoder``; of any when None), and their
    sentences."""
    statement = (
        select(
            func.count(func.distinct(DocumentEmbeddingsRow.document_id)),
            func.coalesce(func.sum(DocumentEmbeddingsRow.sentences), 0),
        )
        .join(DocumentRow, DocumentRow.id == DocumentEmbeddingsRow.document_id)
        .where(DocumentRow.active.is_(True))
    )
    if encoder is not None:
        statement = statement.where(DocumentEmbeddingsRow.encoder == encoder)
    with database.read() as session:
        documents, sentences = session.execute(statement).one()
    return int(documents), int(sentences)

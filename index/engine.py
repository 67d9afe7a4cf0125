"""The answer engine: immutable index snapshots over prepared documents.

``prepare_document`` turns raw text into a ``Document`` (sentences with their tokens, so a store
can keep them and a restart needs no re-stemming). ``IndexSnapshot.build`` indexes many documents
at once; ``IndexSnapshot.ask`` answers a question against all of them or against one.
A snapshot never changes after it is built: services swap whole snapshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from index.bm25 import PostingsBM25
from index.rerank import Candidate, QuestionAnalysis, Reranker, analyse_question, default_reranker
from index.text import segment
from index.tokens import Tokenizer, default_tokenizer

__all__ = [
    "MAX_QUESTION_CHARS",
    "Answer",
    "Document",
    "EmptyDocumentError",
    "Hit",
    "IndexSnapshot",
    "Sentence",
    "prepare_document",
]

MAX_QUESTION_CHARS = 1000
"""Longer questions are cut here before tokenising: a question is a sentence, not an essay,
and this bounds the work a single message can cause."""

MAX_TOP_K = 50


class EmptyDocumentError(ValueError):
    """The text has no sentence that could answer anything."""


@dataclass(frozen=True, slots=True)
class Sentence:
    position: int
    paragraph: int
    text: str
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    title: str
    sentences: tuple[Sentence, ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked sentence. ``highlights`` are ``(start, end)`` spans of ``sentence`` whose
    words matched the question; ``before``/``after`` are the neighbouring sentences of the same
    paragraph, so ``passage`` reads as a short excerpt."""

    rank: int
    score: float
    sentence: str
    before: str
    after: str
    document_id: int
    document_title: str
    position: int
    highlights: tuple[tuple[int, int], ...] = ()

    @property
    def passage(self) -> str:
        return " ".join(part for part in (self.before, self.sentence, self.after) if part)


@dataclass(frozen=True, slots=True)
class Answer:
    """Ranked hits for a question, or an abstention with the reason.

    ``reason`` is one of ``""`` (answered), ``"empty"`` (no words in the question),
    ``"smalltalk"`` (only greetings or thanks), ``"no_match"`` (no question term occurs in the
    searched text), ``"low_coverage"`` (the best sentences miss most of the question's
    informative terms), ``"unknown_document"``.
    """

    question: str
    hits: tuple[Hit, ...]
    abstained: bool
    reason: str = ""
    informative_terms: tuple[str, ...] = field(default=())


def prepare_document(
    document_id: int,
    title: str,
    text: str,
    tokenizer: Tokenizer | None = None,
    source: str = "",
) -> Document:
    """Segment and tokenise ``text``. Raises ``EmptyDocumentError`` when nothing is answerable."""
    if not isinstance(text, str):
        raise EmptyDocumentError("document text must be a string")
    tok = tokenizer or default_tokenizer()
    segmented = segment(text)
    sentences = tuple(
        Sentence(i, s.paragraph, s.text, tuple(tok.tokens(s.text))) for i, s in enumerate(segmented)
    )
    if not any(s.tokens for s in sentences):
        raise EmptyDocumentError("the document has no sentences with words")
    clean_title = " ".join(title.split()) or (sentences[0].text[:80] if sentences else "")
    return Document(document_id, clean_title, sentences, source)


_WORD_SPAN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W_]+(?:[-'][^\W_]+)*")


class IndexSnapshot:
    """An immutable, searchable set of documents."""

    __slots__ = ("_bm25", "_doc_ranges", "_documents", "_owner", "_reranker", "_tokenizer")

    def __init__(
        self,
        documents: Sequence[Document],
        tokenizer: Tokenizer | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self._tokenizer = tokenizer or default_tokenizer()
        self._reranker = reranker or default_reranker()
        self._documents: dict[int, Document] = {}
        self._doc_ranges: dict[int, tuple[int, int]] = {}
        owners: list[tuple[Document, Sentence]] = []
        corpus: list[tuple[str, ...]] = []
        for doc in documents:
            if doc.id in self._documents:
                raise ValueError(f"duplicate document id {doc.id}")
            self._documents[doc.id] = doc
            start = len(corpus)
            for sentence in doc.sentences:
                owners.append((doc, sentence))
                corpus.append(sentence.tokens)
            self._doc_ranges[doc.id] = (start, len(corpus))
        self._owner = owners
        self._bm25 = PostingsBM25.build(corpus)

    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        tokenizer: Tokenizer | None = None,
        reranker: Reranker | None = None,
    ) -> IndexSnapshot:
        return cls(list(documents), tokenizer, reranker)

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(self._documents.values())

    @property
    def sentence_count(self) -> int:
        return len(self._owner)

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    def document(self, document_id: int) -> Document | None:
        return self._documents.get(document_id)

    def ask(self, question: str, top_k: int = 3, document_id: int | None = None) -> Answer:
        """Answer ``question`` from all documents, or from ``document_id`` only."""
        text = question if isinstance(question, str) else ""
        if len(text) > MAX_QUESTION_CHARS:
            cut = text[:MAX_QUESTION_CHARS]
            text = cut[: cut.rfind(" ")] if " " in cut else cut  # do not split the last word
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        if document_id is not None and document_id not in self._doc_ranges:
            return Answer(question, (), True, "unknown_document")
        analysis = analyse_question(text, self._tokenizer)
        if not analysis.terms:
            return Answer(question, (), True, "empty")
        if analysis.smalltalk:
            return Answer(question, (), True, "smalltalk")
        start, stop = (
            self._doc_ranges[document_id] if document_id is not None else (0, len(self._owner))
        )
        pool = self._reranker.candidate_pool(top_k)
        scored = self._bm25.top_k(analysis.terms, pool, start, stop)
        if not scored:
            return Answer(question, (), True, "no_match", analysis.informative)
        candidates = [self._candidate(sid, score) for sid, score in scored]
        ranked = self._reranker.rank(analysis, candidates, self._bm25)
        if self._reranker.should_abstain(analysis, ranked, self._bm25):
            return Answer(question, (), True, "low_coverage", analysis.informative)
        hits = tuple(self._hit(rank, c, analysis) for rank, c in enumerate(ranked[:top_k], 1))
        return Answer(question, hits, False, "", analysis.informative)

    def _candidate(self, sid: int, score: float) -> Candidate:
        doc, sentence = self._owner[sid]
        return Candidate(
            sid, score, sentence.tokens, sentence.text, sentence.position, len(doc.sentences)
        )

    def _hit(self, rank: int, cand: Candidate, analysis: QuestionAnalysis) -> Hit:
        doc, sentence = self._owner[cand.sentence_id]
        sentences = doc.sentences
        pos = sentence.position
        before = (
            sentences[pos - 1].text
            if pos > 0 and (sentences[pos - 1].paragraph == sentence.paragraph)
            else ""
        )
        after = (
            sentences[pos + 1].text
            if pos + 1 < len(sentences) and (sentences[pos + 1].paragraph == sentence.paragraph)
            else ""
        )
        return Hit(
            rank=rank,
            score=round(cand.final_score, 6),
            sentence=sentence.text,
            before=before,
            after=after,
            document_id=doc.id,
            document_title=doc.title,
            position=pos,
            highlights=self._highlights(sentence.text, set(analysis.informative)),
        )

    def _highlights(self, text: str, terms: set[str]) -> tuple[tuple[int, int], ...]:
        spans: list[tuple[int, int]] = []
        tok = self._tokenizer
        for match in _WORD_SPAN.finditer(text):
            if any(t in terms for t in tok.tokens(match.group())):
                spans.append(match.span())
        return tuple(spans)

"""The answer engine: immutable index snapshots over prepared documents.

``prepare_document`` turns raw text into a ``Document`` (sentences with their tokens, so a store
can keep them and a restart needs no re-stemming). ``IndexSnapshot.build`` indexes many documents
at once; ``IndexSnapshot.ask`` answers a question against all of them or against one.
A snapshot never changes after it is built: services swap whole snapshots.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import TYPE_CHECKING, overload

import numpy as np
import numpy.typing as npt

from index.bm25 import PostingsBM25, PostingsBuilder
from index.question import QuestionAnalysis, analyse_question, function_words
from index.rerank import Candidate, Reranker, default_reranker
from index.results import AbstainReason
from index.spans import ShortAnswer, default_span_model, is_factoid
from index.text import segment
from index.tokens import TermSpan, Tokenizer, default_tokenizer

if TYPE_CHECKING:
    from index.semantic import SemanticScorer

__all__ = [
    "MAX_QUESTION_CHARS",
    "TEXT_PIPELINE_VERSION",
    "Answer",
    "Document",
    "EmptyDocumentError",
    "Hit",
    "IndexSnapshot",
    "Sentence",
    "SentenceStore",
    "SnapshotBuilder",
    "StoredSentences",
    "prepare_document",
]

MAX_QUESTION_CHARS = 1000
"""Longer questions are cut here before tokenising: a question is a sentence, not an essay,
and this bounds the work a single message can cause."""

MAX_TOP_K = 50

SHORT_ANSWER_HITS = 1
"""Short answers are looked for in this many of the best hits. Each costs a pass of span
extraction over one sentence (~0.15–0.2 ms, see docs/quality.md), paid inside ``ask``: only the
best hit, the one every reply opens with, gets one; the other pages show their sentence."""


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
    """A document and its sentences: a tuple when prepared, a ``StoredSentences`` view when
    read back from a snapshot."""

    id: int
    title: str
    sentences: Sequence[Sentence]
    source: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked sentence. ``highlights`` are ``(start, end)`` spans of ``sentence`` whose
    words matched the question; ``before``/``after`` are the neighbouring sentences of the same
    paragraph, so ``passage`` reads as a short excerpt. ``short_answer`` is the name, date,
    number or place in ``sentence`` that answers a factoid question, when the span model is
    sure enough; else ``None``."""

    rank: int
    score: float
    sentence: str
    before: str
    after: str
    document_id: int
    document_title: str
    position: int
    highlights: tuple[tuple[int, int], ...] = ()
    short_answer: ShortAnswer | None = None

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
    reason: AbstainReason = ""
    informative_terms: tuple[str, ...] = field(default=())


TEXT_PIPELINE_VERSION = 1
"""Version of what ``prepare_document`` makes of a text: the sentences (``index/text.py``:
normalising, paragraphs, sentence boundaries) and their tokens (``index/tokens.py``: the word
regex, informal words, reduplication, hyphens, stemming through ``index/stemmer.py``).

**Bump it with any code change that can change the sentences or tokens of some text** (a new
boundary rule, another word regex, a new informal-word rule): a store holds documents prepared
under one version and prepares again, at start, every document stored under another
(``pipeline_fingerprint`` in ``index/store/prepare.py``). Data needs no bump: the shipped lexicon
files, the PySastrawi version and the tokenizer's informal lexicon are hashed into that
fingerprint. tests/index/test_pipeline_version.py fails when the output on a probe text
changes while this number does not."""


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


_TEXT_BLOCK = 32
"""Sentence texts are kept as UTF-8 in blocks of this many sentences, one ``bytes`` each: no
Python object per sentence, no over-allocated growing buffer."""

_COMPRESS_FROM = 1 << 18
"""From this many sentences on (about 30 MB of text), text blocks are zlib-compressed: a
million sentences keep ~57 MB instead of ~114 MB. Smaller corpora stay uncompressed, where the
memory saved is small and decompressing a question's candidates (~10 µs a block) is not."""

# Appended to each compressed block: an empty final deflate block, so that every block, cut
# from one raw deflate stream at a full flush, is a complete stream of its own.
_DEFLATE_END = b"\x03\x00"


class SentenceStore:
    """Append-only store of sentence texts and their tokens, addressed by sentence id.

    A block holds ``_TEXT_BLOCK`` sentences, each as its UTF-8 text followed by its tokens
    joined by spaces (tokens never contain one); ``_starts`` has two offsets per sentence, where
    its text and where its tokens start, relative to the block. Keeping the tokens means a
    candidate sentence never needs stemming again — right after a start from the database the
    stemmer memo is empty and Sastrawi would cost ~60 µs per new word — and a snapshot gives
    back exactly the tokens it indexed. In a compressed block the tokens cost little: they
    repeat the text's words.
    """

    __slots__ = ("_blocks", "_compressor", "_count", "_pending", "_pending_size", "_starts")

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._pending: list[bytes] = []  # the sentences of the block being filled
        self._pending_size = 0
        self._starts: array[int] = array("I")
        self._count = 0
        self._compressor: zlib._Compress | None = None  # set once the store is large

    def __len__(self) -> int:
        return self._count

    @property
    def compressed(self) -> bool:
        return self._compressor is not None

    @property
    def nbytes(self) -> int:
        """Bytes held (blocks and offsets, not Python object headers)."""
        blocks = sum(len(b) for b in self._blocks) + self._pending_size
        return blocks + self._starts.itemsize * len(self._starts)

    def extend(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> None:
        """Append sentences: their texts and their tokens (parallel sequences)."""
        if len(texts) != len(tokens):
            raise ValueError("texts and tokens must have the same length")
        joined = [" ".join(t) for t in tokens]
        spaces = sum(j.count(" ") for j in joined)
        if spaces != sum(len(t) - 1 for t in tokens if t):
            bad = next(t for t, j in zip(tokens, joined, strict=True) if j.count(" ") >= len(t))
            raise ValueError(f"a token contains a space: {list(bad)[:10]}")
        # Per sentence its text then its tokens, as UTF-8; two offsets per sentence.
        pieces = [
            piece.encode("utf-8", "surrogatepass")
            for pair in zip(texts, joined, strict=True)
            for piece in pair
        ]
        done = 0
        while done < len(texts):
            room = _TEXT_BLOCK - self._count % _TEXT_BLOCK
            part = pieces[2 * done : 2 * (done + room)]
            offsets = list(accumulate(map(len, part), initial=self._pending_size))
            if offsets[-1] > 0xFFFFFFFF:
                raise ValueError("sentences too long to store (over 4 GB in one block)")
            self._starts.extend(offsets[:-1])
            self._pending.extend(part)
            self._pending_size = offsets[-1]
            self._count += len(part) // 2
            done += len(part) // 2
            if self._count % _TEXT_BLOCK == 0:
                self._seal_block()
                if self._compressor is None and self._count >= _COMPRESS_FROM:
                    self._compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
                    blocks = self._blocks
                    for i, block in enumerate(blocks):  # in place: each raw block freed at once
                        blocks[i] = self._pack(block)

    def close(self) -> None:
        """Seal the last, partial block."""
        if self._pending:
            self._seal_block()

    def _seal_block(self) -> None:
        # Compressed here, on the caller's thread: zlib on a worker thread would be faster on
        # two cores, but the worker's own malloc arena keeps the freed raw blocks' memory from
        # being reused (measured: +35 MB peak at 1M sentences).
        self._blocks.append(self._pack(b"".join(self._pending)))
        self._pending.clear()
        self._pending_size = 0

    def _pack(self, raw: bytes) -> bytes:
        if self._compressor is None:
            return raw
        flushed = self._compressor.compress(raw) + self._compressor.flush(zlib.Z_FULL_FLUSH)
        return flushed + _DEFLATE_END

    def _block(self, index: int) -> bytes:
        block = self._blocks[index]
        return zlib.decompress(block, -15) if self._compressor is not None else block

    def get(self, sid: int) -> tuple[str, tuple[str, ...]]:
        return self.get_many([sid])[0]

    def get_many(
        self, sids: Iterable[int], blocks: dict[int, bytes] | None = None
    ) -> list[tuple[str, tuple[str, ...]]]:
        """(text, tokens) of ``sids``, reading (and decompressing) each block once; pass the
        same ``blocks`` dict to several calls to share the decompressed blocks between them."""
        if blocks is None:
            blocks = {}
        starts, count = self._starts, self._count
        out: list[tuple[str, tuple[str, ...]]] = []
        for sid in sids:
            index = sid // _TEXT_BLOCK
            block = blocks.get(index)
            if block is None:
                block = blocks[index] = self._block(index)
            text_start, tokens_start = starts[2 * sid], starts[2 * sid + 1]
            nxt = sid + 1
            end = starts[2 * nxt] if nxt % _TEXT_BLOCK and nxt < count else len(block)
            text = block[text_start:tokens_start].decode("utf-8", "surrogatepass")
            joined = block[tokens_start:end].decode("utf-8", "surrogatepass")
            out.append((text, tuple(joined.split(" ")) if joined else ()))
        return out


class StoredSentences(Sequence[Sentence]):
    """A document's sentences as a snapshot holds them, read from its columns on access (no
    ``Sentence`` object exists until one is asked for)."""

    __slots__ = ("_snapshot", "_start", "_stop")

    def __init__(self, snapshot: IndexSnapshot, start: int, stop: int) -> None:
        self._snapshot = snapshot
        self._start = start
        self._stop = stop

    def __len__(self) -> int:
        return self._stop - self._start

    @overload
    def __getitem__(self, index: int) -> Sentence: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Sentence, ...]: ...

    def __getitem__(self, index: int | slice) -> Sentence | tuple[Sentence, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("sentence index out of range")
        snap = self._snapshot
        sid = self._start + index
        text, tokens = snap._sentences.get(sid)
        return Sentence(index, int(snap._paragraphs[sid]), text, tokens)

    def __iter__(self) -> Iterator[Sentence]:
        texts, paragraphs, tokens = self.columns()
        for i, (text, paragraph, sentence_tokens) in enumerate(
            zip(texts, paragraphs, tokens, strict=True)
        ):
            yield Sentence(i, paragraph, text, sentence_tokens)

    def columns(self) -> tuple[list[str], list[int], list[tuple[str, ...]]]:
        """Texts, paragraph numbers and tokens of all the sentences, read block by block."""
        snap = self._snapshot
        rows = snap._sentences.get_many(range(self._start, self._stop))
        paragraphs = snap._paragraphs[self._start : self._stop].tolist()
        return [r[0] for r in rows], paragraphs, [r[1] for r in rows]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"StoredSentences({len(self)} sentences)"


class SnapshotBuilder:
    """Builds an ``IndexSnapshot`` from documents streamed one at a time.

    Each document is reduced on arrival to compact columns (UTF-8 text with offsets, paragraph
    numbers, BM25 postings), so building a million sentences from a generator holds only the
    columns, never a million ``Sentence`` objects. ``add_columns`` takes already-tokenised
    sentences without building ``Sentence`` objects at all (what a store needs for a cold start).
    """

    __slots__ = (
        "_doc_ids",
        "_doc_index",
        "_doc_starts",
        "_paragraphs",
        "_postings",
        "_reranker",
        "_sentences",
        "_sources",
        "_titles",
        "_tokenizer",
    )

    def __init__(
        self, tokenizer: Tokenizer | None = None, reranker: Reranker | None = None
    ) -> None:
        self._tokenizer = tokenizer or default_tokenizer()
        self._reranker = reranker or default_reranker()
        self._doc_index: dict[int, int] = {}
        self._doc_ids: array[int] = array("q")
        self._doc_starts: array[int] = array("q", [0])
        self._titles: list[str] = []
        self._sources: list[str] = []
        self._sentences = SentenceStore()
        self._paragraphs: array[int] = array("i")
        self._postings = PostingsBuilder()

    @property
    def sentence_count(self) -> int:
        return len(self._paragraphs)

    def add(self, document: Document) -> None:
        """Add a prepared document (its sentences' tokens are indexed as they are)."""
        sentences = document.sentences
        if isinstance(sentences, StoredSentences):  # from another snapshot: copy its columns
            texts, paragraphs, tokens = sentences.columns()
        else:
            texts = [s.text for s in sentences]
            paragraphs = [s.paragraph for s in sentences]
            tokens = [s.tokens for s in sentences]
        self._add(
            document.id,
            document.title,
            document.source,
            texts=texts,
            paragraphs=paragraphs,
            tokens=tokens,
        )

    def add_columns(
        self,
        document_id: int,
        title: str,
        texts: Sequence[str],
        paragraphs: Sequence[int],
        tokens: Sequence[Sequence[str]],
        *,
        source: str = "",
    ) -> None:
        """Add a document given as parallel columns: sentence texts (in order), their paragraph
        numbers and their tokens (as ``Tokenizer.tokens`` produced them)."""
        if not len(texts) == len(paragraphs) == len(tokens):
            raise ValueError("texts, paragraphs and tokens must have the same length")
        self._add(document_id, title, source, texts=texts, paragraphs=paragraphs, tokens=tokens)

    def _add(
        self,
        document_id: int,
        title: str,
        source: str,
        *,
        texts: Sequence[str],
        paragraphs: Sequence[int],
        tokens: Sequence[Sequence[str]],
    ) -> None:
        if document_id in self._doc_index:
            raise ValueError(f"duplicate document id {document_id}")
        self._doc_index[document_id] = len(self._doc_ids)
        self._doc_ids.append(document_id)
        self._titles.append(title)
        self._sources.append(source)
        self._sentences.extend(texts, tokens)
        self._paragraphs.extend(paragraphs)
        self._postings.add_many(tokens)
        self._doc_starts.append(len(self._paragraphs))

    def finish(self) -> IndexSnapshot:
        """The snapshot of everything added. The builder must not be used afterwards."""
        snap = IndexSnapshot.__new__(IndexSnapshot)
        snap._tokenizer = self._tokenizer
        snap._reranker = self._reranker
        snap._doc_index = self._doc_index
        snap._doc_ids = self._doc_ids
        snap._doc_starts = self._doc_starts
        snap._titles = self._titles
        snap._sources = self._sources
        self._sentences.close()
        snap._sentences = self._sentences
        snap._paragraphs = np.frombuffer(self._paragraphs, dtype=np.int32)
        snap._bm25 = self._postings.finish()
        return snap


class IndexSnapshot:
    """An immutable, searchable set of documents.

    Storage is columnar: sentence texts and tokens in UTF-8 blocks (``SentenceStore``),
    paragraph numbers in a numpy array, documents as sentence ranges, and the BM25 postings.
    A question reads only the few candidate sentences the re-ranker looks at.
    """

    __slots__ = (
        "_bm25",
        "_doc_ids",
        "_doc_index",
        "_doc_starts",
        "_paragraphs",
        "_reranker",
        "_sentences",
        "_sources",
        "_titles",
        "_tokenizer",
    )

    _bm25: PostingsBM25
    _doc_ids: array[int]
    _doc_index: dict[int, int]
    _doc_starts: array[int]
    _paragraphs: npt.NDArray[np.int32]
    _reranker: Reranker
    _sources: list[str]
    _sentences: SentenceStore
    _titles: list[str]
    _tokenizer: Tokenizer

    def __init__(
        self,
        documents: Iterable[Document] = (),
        tokenizer: Tokenizer | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        built = self.build(documents, tokenizer, reranker)
        for name in IndexSnapshot.__slots__:
            setattr(self, name, getattr(built, name))

    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        tokenizer: Tokenizer | None = None,
        reranker: Reranker | None = None,
    ) -> IndexSnapshot:
        """Index ``documents`` (any iterable; a generator is consumed one document at a time)."""
        builder = SnapshotBuilder(tokenizer, reranker)
        for document in documents:
            builder.add(document)
        return builder.finish()

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(self._document_at(i) for i in range(len(self._doc_ids)))

    @property
    def document_count(self) -> int:
        return len(self._doc_ids)

    @property
    def sentence_count(self) -> int:
        return int(self._paragraphs.size)

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    @property
    def bm25(self) -> PostingsBM25:
        return self._bm25

    def document(self, document_id: int) -> Document | None:
        index = self._doc_index.get(document_id)
        return None if index is None else self._document_at(index)

    def _document_at(self, index: int) -> Document:
        start, stop = self._doc_starts[index], self._doc_starts[index + 1]
        return Document(
            self._doc_ids[index],
            self._titles[index],
            StoredSentences(self, start, stop),
            self._sources[index],
        )

    def ask(
        self,
        question: str,
        top_k: int = 3,
        document_id: int | None = None,
        semantic: SemanticScorer | None = None,
    ) -> Answer:
        """Answer ``question`` from all documents, or from ``document_id`` only. With
        ``semantic``, candidates whose documents are all embedded are ranked with the semantic
        weight set; otherwise lexically."""
        text = question if isinstance(question, str) else ""
        if len(text) > MAX_QUESTION_CHARS:
            cut = text[:MAX_QUESTION_CHARS]
            text = cut[: cut.rfind(" ")] if " " in cut else cut  # do not split the last word
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        if document_id is not None and document_id not in self._doc_index:
            return Answer(question, (), True, "unknown_document")
        analysis = analyse_question(text, self._tokenizer)
        if not analysis.terms:
            return Answer(question, (), True, "empty")
        if analysis.smalltalk:
            return Answer(question, (), True, "smalltalk")
        if document_id is not None:
            index = self._doc_index[document_id]
            start, stop = self._doc_starts[index], self._doc_starts[index + 1]
        else:
            start, stop = 0, self.sentence_count
        pool = self._reranker.candidate_pool(top_k)
        scored = self._bm25.top_k(analysis.terms, pool, start, stop)
        if not scored:
            return Answer(question, (), True, "no_match", analysis.informative)
        blocks: dict[int, bytes] = {}  # decompressed blocks, shared by both reads below
        rows = self._sentences.get_many((sid for sid, _ in scored), blocks)
        candidates = [
            self._candidate(sid, score, text, tokens)
            for (sid, score), (text, tokens) in zip(scored, rows, strict=True)
        ]
        reranker = self._reranker
        if semantic is not None and semantic.annotate(text, candidates, self.document_id_of):
            reranker = semantic.reranker
        ranking = reranker.rank(analysis, candidates, self._bm25)
        if reranker.should_abstain(analysis, ranking):
            return Answer(question, (), True, "low_coverage", analysis.informative)
        ranked = ranking.candidates
        # The words of the hits that get a short answer are read once, for their highlights
        # and for the span finder (about 50 µs a sentence).
        words = (
            [self._tokenizer.term_spans(c.text, c.tokens) for c in ranked[:SHORT_ANSWER_HITS]]
            if is_factoid(analysis)
            else []
        )
        hits = self._hits(ranked[:top_k], set(analysis.informative), blocks, words)
        if words:
            hits = self._with_short_answers(analysis, hits, words)
        return Answer(question, hits, False, "", analysis.informative)

    def document_id_of(self, sid: int) -> int:
        """The id of the document holding sentence ``sid``."""
        return self._doc_ids[self._doc_of(sid)]

    def _doc_of(self, sid: int) -> int:
        return bisect_right(self._doc_starts, sid) - 1

    def _candidate(self, sid: int, score: float, text: str, tokens: tuple[str, ...]) -> Candidate:
        index = self._doc_of(sid)
        start, stop = self._doc_starts[index], self._doc_starts[index + 1]
        paragraphs = self._paragraphs
        opens = sid == start or paragraphs[sid - 1] != paragraphs[sid]
        return Candidate(sid, score, tokens, text, sid - start, stop - start, bool(opens))

    def _hits(
        self,
        ranked: Sequence[Candidate],
        terms: set[str],
        blocks: dict[int, bytes],
        words: Sequence[Sequence[TermSpan]] = (),
    ) -> tuple[Hit, ...]:
        """Hits for the ranked candidates, with their neighbours in the same paragraph (read
        in one pass over the sentence store) and the spans of their matched words (``words``:
        the term spans of the first candidates, already read)."""
        paragraphs = self._paragraphs
        places: list[tuple[int, int, int]] = []  # (document index, start, stop) per candidate
        wanted: list[int] = []
        for cand in ranked:
            sid = cand.sentence_id
            index = self._doc_of(sid)
            start, stop = self._doc_starts[index], self._doc_starts[index + 1]
            places.append((index, start, stop))
            paragraph = paragraphs[sid]
            if sid > start and paragraphs[sid - 1] == paragraph:
                wanted.append(sid - 1)
            if sid + 1 < stop and paragraphs[sid + 1] == paragraph:
                wanted.append(sid + 1)
        found = {
            n: text
            for n, (text, _) in zip(wanted, self._sentences.get_many(wanted, blocks), strict=True)
        }
        return tuple(
            Hit(
                rank=rank,
                score=round(cand.final_score, 6),
                sentence=cand.text,
                before=found.get(cand.sentence_id - 1, ""),
                after=found.get(cand.sentence_id + 1, ""),
                document_id=self._doc_ids[index],
                document_title=self._titles[index],
                position=cand.sentence_id - start,
                highlights=self._highlights(
                    cand.text, cand.tokens, terms, words[rank - 1] if rank <= len(words) else None
                ),
            )
            for rank, (cand, (index, start, _)) in enumerate(zip(ranked, places, strict=True), 1)
        )

    def _with_short_answers(
        self,
        analysis: QuestionAnalysis,
        hits: tuple[Hit, ...],
        words: Sequence[Sequence[TermSpan]],
    ) -> tuple[Hit, ...]:
        """The first hits with their short answer, when one is sure (one per entry of
        ``words``: the term spans of that hit's sentence).

        A word's terms are read off the sentence's stored tokens (as for highlights), so a
        fresh process stems no word of the answer; only a word the tokenizer reads differently
        from the span finder is looked up on its own."""
        model = default_span_model()
        tokenizer = self._tokenizer
        out = list(hits)
        for i, (hit, spans) in enumerate(zip(hits, words, strict=False)):
            known = {span.word.lower(): span.terms for span in spans}

            def word_terms(word: str, known: dict[str, tuple[str, ...]] = known) -> tuple[str, ...]:
                found = known.get(word)
                return found if found is not None else tokenizer.word_terms(word)

            short = model.short_answer(analysis, hit.sentence, hit.highlights, word_terms)
            if short is not None:
                out[i] = replace(hit, short_answer=short)
        return tuple(out)

    def _highlights(
        self,
        text: str,
        tokens: tuple[str, ...],
        terms: set[str],
        spans: Sequence[TermSpan] | None = None,
    ) -> tuple[tuple[int, int], ...]:
        """Spans of the words of ``text`` whose terms are in ``terms``, read off the sentence's
        stored ``tokens`` by the tokenizer's own pass (``Tokenizer.term_spans``: no stemming).

        A function word is never marked, even when a question word stems to it ("perantara"
        → ``antara``): bold "antara" would point at a match that is not one."""
        skip = function_words()
        if spans is None:
            spans = self._tokenizer.term_spans(text, tokens)
        return tuple(
            (span.start, span.end)
            for span in spans
            if span.word not in skip and not terms.isdisjoint(span.terms)
        )

from __future__ import annotations

import pytest

import index.engine as engine_module
from index.engine import (
    Document,
    EmptyDocumentError,
    IndexSnapshot,
    SentenceStore,
    SnapshotBuilder,
    StoredSentences,
    prepare_document,
)


@pytest.fixture(scope="module")
def snapshot(article_text: str) -> IndexSnapshot:
    return IndexSnapshot.build([prepare_document(1, "Gencatan senjata", article_text)])


def test_shipped_article_has_thirty_sentences(article_text: str) -> None:
    doc = prepare_document(1, "t", article_text)
    assert len(doc.sentences) == 30
    assert doc.sentences[-1].text.endswith("menggunakan kekerasan.")


def test_answer_carries_passage_and_source(snapshot: IndexSnapshot) -> None:
    answer = snapshot.ask("Siapa presiden Rusia yang menjadi perantara?")
    assert not answer.abstained
    top = answer.hits[0]
    assert "Vladimir Putin" in top.sentence
    assert top.sentence in top.passage and len(top.passage) > len(top.sentence)
    assert top.document_id == 1 and top.document_title == "Gencatan senjata"
    marked = [top.sentence[a:b] for a, b in top.highlights]
    assert "Presiden" in marked and "perantara" in marked


def test_function_words_are_never_highlighted() -> None:
    """ "perantara" stems to ``antara``: the word "antara" in an answer is not a match to mark."""
    snap = IndexSnapshot(
        [
            prepare_document(
                1,
                "Uji",
                "Putin menjadi perantara gencatan senjata. Pertempuran antara pasukan perantara "
                "dan tentara dimulai kemarin.",
            )
        ]
    )
    answer = snap.ask("siapa yang jadi perantara pertempuran?", top_k=2)
    marked = {h.sentence[a:b] for h in answer.hits for a, b in h.highlights}
    assert "perantara" in marked and "Pertempuran" in marked
    assert "antara" not in marked


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("?!... 🙂🙂", "empty"),
        ("terima kasih", "smalltalk"),
        ("halo", "smalltalk"),
        ("Bagaimana cara memasak rendang?", "no_match"),
    ],
)
def test_abstains_on_questions_without_content(
    snapshot: IndexSnapshot, question: str, reason: str
) -> None:
    answer = snapshot.ask(question)
    assert answer.abstained and answer.hits == () and answer.reason == reason


def test_huge_question_is_bounded(snapshot: IndexSnapshot) -> None:
    answer = snapshot.ask("gencatan senjata " * 1000)
    assert len(answer.question) > 10_000
    assert not answer.abstained


def test_only_the_start_of_a_long_question_is_read(snapshot: IndexSnapshot) -> None:
    # 2,000 characters of punctuation, then words the article answers: past the cut, so the
    # question has no words at all (the cut is well below 2,000 characters).
    answer = snapshot.ask("? " * 1000 + "Siapa yang menjadi perantara gencatan senjata?")
    assert answer.abstained and answer.reason == "empty"
    assert not snapshot.ask("? " * 10 + "Siapa yang menjadi perantara gencatan senjata?").abstained


def test_unknown_document(snapshot: IndexSnapshot) -> None:
    assert snapshot.ask("gencatan senjata", document_id=99).reason == "unknown_document"


@pytest.mark.parametrize("text", ["", "   ", "!!! ??? ...", "\x00\x01"])
def test_empty_documents_are_refused(text: str) -> None:
    with pytest.raises(EmptyDocumentError):
        prepare_document(1, "kosong", text)


def test_many_documents_and_document_filter() -> None:
    docs = [
        prepare_document(
            1, "Banjir", "Banjir melanda Jakarta pada Senin pagi. Ribuan warga mengungsi."
        ),
        prepare_document(
            2, "Gempa", "Gempa mengguncang Cianjur. Warga mengungsi ke tenda darurat."
        ),
    ]
    snap = IndexSnapshot.build(docs)
    everywhere = snap.ask("di mana warga mengungsi?", top_k=5)
    assert {h.document_id for h in everywhere.hits} == {1, 2}
    only_two = snap.ask("di mana warga mengungsi?", top_k=5, document_id=2)
    assert {h.document_id for h in only_two.hits} == {2}


# --- columnar snapshot storage ------------------------------------------------------------------

_NEWS = {
    1: (
        "Banjir",
        "Banjir melanda Jakarta pada Senin pagi. Ribuan warga mengungsi.\n\n"
        "Pemerintah membuka dapur umum. Bantuan datang dari Bandung.",
    ),
    2: ("Gempa", "Gempa mengguncang Cianjur. Warga mengungsi ke tenda darurat."),
    3: ("Café", "Café François di Jakarta tutup 🙂. Pemiliknya pindah ke Bali."),
}


def _news_documents() -> list[Document]:
    return [
        prepare_document(i, title, text, source=f"src-{i}") for i, (title, text) in _NEWS.items()
    ]


def test_documents_read_back_equal_the_prepared_ones() -> None:
    prepared = _news_documents()
    snap = IndexSnapshot.build(prepared)
    assert snap.sentence_count == sum(len(d.sentences) for d in prepared)
    assert snap.documents == tuple(prepared)
    for original in prepared:
        stored = snap.document(original.id)
        assert stored is not None and isinstance(stored.sentences, StoredSentences)
        assert stored == original and hash(stored) == hash(original)
        assert list(stored.sentences) == list(original.sentences)
        assert stored.sentences[-1] == original.sentences[-1]
        assert stored.sentences[1:] == original.sentences[1:]
    assert snap.document(99) is None
    with pytest.raises(IndexError):
        snap.documents[0].sentences[10]


def test_build_streams_a_generator_and_constructor_still_works() -> None:
    streamed = IndexSnapshot.build(doc for doc in _news_documents())
    constructed = IndexSnapshot(_news_documents())
    for snap in (streamed, constructed):
        assert snap.ask("di mana warga mengungsi?", top_k=5).hits
        assert snap.sentence_count == 8


def test_columns_build_answers_like_documents_build() -> None:
    prepared = _news_documents()
    builder = SnapshotBuilder()
    for doc in prepared:
        builder.add_columns(
            doc.id,
            doc.title,
            [s.text for s in doc.sentences],
            [s.paragraph for s in doc.sentences],
            [s.tokens for s in doc.sentences],
            source=doc.source,
        )
    from_columns, from_documents = builder.finish(), IndexSnapshot.build(prepared)
    for question in ("di mana warga mengungsi?", "Apa yang dibuka pemerintah?", "cafe francois"):
        assert from_columns.ask(question, top_k=5) == from_documents.ask(question, top_k=5)
    with pytest.raises(ValueError, match="same length"):
        SnapshotBuilder().add_columns(1, "t", ["a"], [0, 1], [["a"]])


def test_duplicate_document_ids_are_refused() -> None:
    doc = _news_documents()[0]
    with pytest.raises(ValueError, match="duplicate document id 1"):
        IndexSnapshot.build([doc, doc])


def test_passages_stay_inside_their_paragraph_and_document() -> None:
    snap = IndexSnapshot.build(_news_documents())
    opening = snap.ask("Pemerintah membuka dapur umum", top_k=1).hits[0]
    assert opening.sentence == "Pemerintah membuka dapur umum."
    assert opening.before == ""  # the previous sentence is in another paragraph
    assert opening.after == "Bantuan datang dari Bandung."
    last = snap.ask("pemiliknya pindah ke Bali", top_k=1).hits[0]
    assert last.document_id == 3 and last.after == "" and last.before.startswith("Café")


@pytest.mark.parametrize("compress_from", [0, 10**9])
def test_sentences_across_blocks_compressed_or_not(
    compress_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "_TEXT_BLOCK", 3)
    monkeypatch.setattr(engine_module, "_COMPRESS_FROM", compress_from)
    texts = ["", "Café 🙂", "a\ud800b", "x" * 5000, *[f"kalimat {i}" for i in range(20)]]
    tokens = [
        (),
        ("cafe", "🙂"),
        ("a", "b"),
        ("x" * 5000,),
        *[("kalimat", str(i)) for i in range(20)],
    ]
    store = SentenceStore()
    store.extend(texts, tokens)
    store.close()
    assert store.compressed == (compress_from == 0)
    assert len(store) == len(texts) and store.nbytes > 0
    assert [store.get(i) for i in range(len(texts))] == list(zip(texts, tokens, strict=True))
    order = [7, 0, 3, 22, 1, 7]
    assert store.get_many(order) == [(texts[i], tokens[i]) for i in order]
    with pytest.raises(ValueError, match="contains a space"):
        SentenceStore().extend(["a b"], [("a b",)])
    snap = IndexSnapshot.build(_news_documents())
    assert [s for d in snap.documents for s in d.sentences] == [
        s for d in _news_documents() for s in d.sentences
    ]
    hit = snap.ask("Pemerintah membuka dapur umum", top_k=1).hits[0]  # neighbours in 2 blocks
    assert hit.after == "Bantuan datang dari Bandung."


@pytest.mark.parametrize("compress_from", [0, 10**9])
def test_snapshot_rebuilt_from_another_snapshots_documents(
    compress_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "_TEXT_BLOCK", 2)
    monkeypatch.setattr(engine_module, "_COMPRESS_FROM", compress_from)
    first = IndexSnapshot.build(_news_documents())
    kept = [d for d in first.documents if d.id != 2]
    extra = prepare_document(7, "Tambahan", "Warga Cianjur kembali ke rumah. Tenda dibongkar.")
    second = IndexSnapshot.build([*kept, extra])
    assert second.documents == (*_news_documents()[::2], extra)
    direct = IndexSnapshot.build([*_news_documents()[::2], extra])
    for question in ("di mana warga mengungsi?", "Apa yang dibuka pemerintah?", "tenda"):
        assert second.ask(question, top_k=5) == direct.ask(question, top_k=5)

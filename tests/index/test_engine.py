from __future__ import annotations

import pytest

from index.engine import EmptyDocumentError, IndexSnapshot, prepare_document


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

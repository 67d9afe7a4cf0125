"""``TEXT_PIPELINE_VERSION`` moves with the text pipeline: the sentences and tokens of a probe
text that exercises every stage (sentence boundaries, abbreviations, dates, numbers, boilerplate,
informal words, reduplication, hyphens, accents, other scripts) are recorded per version, so a
code change that alters them fails here until the version is bumped.

When this fails: if the change is in code (``index/text.py``, ``index/tokens.py``,
``index/stemmer.py``, ``prepare_document``), bump ``index.engine.TEXT_PIPELINE_VERSION`` and
record the new digest under it; if only a shipped lexicon file changed (it is hashed into the
store's fingerprint already), record the new digest under the current version."""

from __future__ import annotations

import hashlib

from index.engine import TEXT_PIPELINE_VERSION, prepare_document
from index.tokens import Tokenizer

PROBE = (
    "Presiden Rusia, Vladimir Putin, menjadi perantara gencatan senjata di Nagorno-Karabakh."
    "Pada Sabtu (10/10/2020) pukul 12.30 orang-orang berpindah-pindah ke Jl. Merdeka No. 5 "
    'bersama Dr. H. Ahmad, S.H. yg gak mau ngasih Rp 2.375.000 dll. "Kami sudah sepakat," '
    "katanya.\n\nBaca Juga : Berita lain\n\nPemerintahan memberlakukan kebijakan perekonomian "
    "François dan 東京 pada tahun 2020-an. Anak2 Jum'at kemarin ke sekolah? Ya! "
    "Harga Rp500 naik 3,5 persen… lalu turun."
)

# The informal lexicon is data (hashed into the fingerprint): a fixed one keeps edits of
# lexicon/informal.txt from changing the digest; the rules that apply it are code.
INFORMAL = {"yg": ("yang",), "gak": ("tidak",), "ngasih": ("memberi",)}

# Version → digest of the probe's sentences and tokens.
RECORDED = {1: "0f2e4ae27fced930"}


def probe_digest() -> str:
    digest = hashlib.sha256()
    tokenizer = Tokenizer(informal=INFORMAL)
    for sentence in prepare_document(0, "probe", PROBE, tokenizer).sentences:
        digest.update(
            f"{sentence.paragraph}|{sentence.text}|{' '.join(sentence.tokens)}\n".encode()
        )
    return digest.hexdigest()[:16]


def test_the_pipeline_version_changes_with_its_output() -> None:
    assert RECORDED.get(TEXT_PIPELINE_VERSION) == probe_digest(), (
        "the text pipeline's output changed: bump index.engine.TEXT_PIPELINE_VERSION (a code "
        "change) or re-record the digest (a lexicon change); see this module's docstring"
    )

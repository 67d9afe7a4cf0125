"""Sentence-boundary precision/recall/F1 of ``index.text`` against IndoSum's gold segmentation.

Usage::

    python -m benchmarks.splitter [--data DIR] [--glue-rate 0.1] [--seed 13] [--errors N] [--json]

``DIR`` defaults to ``$TANYABERITA_DATA_DIR`` or ``../shared/data`` and must hold
``indosum_news.jsonl``. Nothing from it is written anywhere.

How it measures
    Boundaries are character offsets in the article's *skeleton*: its normalised text
    (``index.text.normalize``) with every whitespace character removed. Every gold sentence,
    normalised the same way, is a contiguous run of that skeleton (checked: all 63,412 map
    exactly), so a gold boundary is the skeleton offset where a gold sentence ends. Predicted
    sentences come from ``split_paragraphs`` + ``split_sentences`` — boilerplate stripping is
    off, because the gold keeps "Baca juga" lines as sentences. The end of the article is not a
    boundary (it is free); paragraph ends are, and the "in-paragraph" columns leave them out to
    show the part that is actually hard.

    Glued variant: a seeded random ``--glue-rate`` share of the gold boundaries of the form
    ``word. Word`` inside a paragraph (letter, full stop, one space, capital letter) lose their
    space, giving ``word.Word`` as copy-pasted news does. Removing a space leaves the skeleton
    and the gold offsets unchanged; "glued recall" is the share of those glued boundaries found.

    Records are split by file order: the first half is where the rules were tuned, the second
    half was held apart to check that the figures generalise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.paths import DEFAULT_DATA
from index.text import normalize, split_paragraphs, split_sentences

CORPUS = "indosum_news.jsonl"


@dataclass(frozen=True, slots=True)
class Article:
    """One IndoSum record, normalised, with its gold boundaries as skeleton offsets."""

    id: str
    raw: str
    text: str
    gold: frozenset[int]


@dataclass(slots=True)
class Score:
    """Boundary counts; ``para`` counts exclude paragraph-end boundaries."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    para_tp: int = 0
    para_fp: int = 0
    para_fn: int = 0
    glued: int = 0
    glued_found: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    @staticmethod
    def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def row(self) -> dict[str, float | int]:
        p, r, f = self.prf(self.tp, self.fp, self.fn)
        pp, pr, pf = self.prf(self.para_tp, self.para_fp, self.para_fn)
        out: dict[str, float | int] = {
            "boundaries": self.tp + self.fn,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "in_paragraph_boundaries": self.para_tp + self.para_fn,
            "in_paragraph_precision": round(pp, 4),
            "in_paragraph_recall": round(pr, 4),
            "in_paragraph_f1": round(pf, 4),
        }
        if self.glued:
            out["glued"] = self.glued
            out["glued_recall"] = round(self.glued_found / self.glued, 4)
        return out


def skeleton(text: str) -> str:
    return "".join(text.split())


def read_articles(path: Path, start: int = 0, stop: int | None = None) -> list[Article]:
    """Records ``[start, stop)`` of the corpus with their gold boundaries."""
    articles: list[Article] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number < start:
                continue
            if stop is not None and number >= stop:
                break
            record = json.loads(line)
            text = normalize(record["text"])
            whole = skeleton(text)
            gold: set[int] = set()
            offset = 0
            for sentence in record["sentences"]:
                piece = skeleton(normalize(sentence))
                if whole.find(piece, offset) != offset:
                    raise ValueError(f"{record['id']}: gold sentence not found at {offset}")
                offset += len(piece)
                gold.add(offset)
            gold.discard(len(whole))
            articles.append(Article(record["id"], record["text"], text, frozenset(gold)))
    return articles


def _skeleton_positions(text: str) -> list[int]:
    """For every skeleton offset k, the index in ``text`` just after its k-th visible char."""
    ends = [0]
    ends.extend(i + 1 for i, ch in enumerate(text) if not ch.isspace())
    return ends


def gluable(article: Article) -> list[int]:
    """Gold boundaries written ``word. Word`` inside a paragraph, as text indices of the space."""
    text = article.text
    ends = _skeleton_positions(text)
    spots = []
    for boundary in sorted(article.gold):
        i = ends[boundary]  # index right after the sentence-final character
        if (
            i >= 2
            and text[i - 1] == "."
            and text[i - 2].isalpha()
            and text[i : i + 1] == " "
            and text[i + 1 : i + 2].isalpha()
            and text[i + 1].isupper()
        ):
            spots.append(i)
    return spots


def glue(article: Article, rate: float, rng: random.Random) -> tuple[str, frozenset[int]]:
    """The article with a ``rate`` share of its gluable boundaries glued (and which ones)."""
    spots = gluable(article)
    chosen = sorted((i for i in spots if rng.random() < rate), reverse=True)
    text = article.text
    for i in chosen:
        text = text[:i] + text[i + 1 :]
    visible_before = _skeleton_positions(article.text)
    index_of = {pos: k for k, pos in enumerate(visible_before)}
    return text, frozenset(index_of[i] for i in chosen)


def predicted(text: str) -> tuple[set[int], set[int]]:
    """(sentence boundaries, paragraph ends) of the splitter as skeleton offsets."""
    bounds: set[int] = set()
    paragraph_ends: set[int] = set()
    offset = 0
    for paragraph in split_paragraphs(text):
        for sentence in split_sentences(paragraph):
            offset += len(skeleton(sentence))
            bounds.add(offset)
        paragraph_ends.add(offset)
    bounds.discard(offset)
    paragraph_ends.discard(offset)
    return bounds, paragraph_ends


def _context(whole: str, at: int) -> str:
    return f"{whole[max(0, at - 45) : at]} ¦ {whole[at : at + 35]}"


def score(
    articles: Iterable[Article],
    glue_rate: float = 0.0,
    seed: int = 13,
    keep_errors: int = 0,
) -> Score:
    result = Score()
    rng = random.Random(seed)
    for article in articles:
        if glue_rate:
            text, glued = glue(article, glue_rate, rng)
        else:
            text, glued = article.text, frozenset()
        bounds, paragraph_ends = predicted(text)
        gold = article.gold
        result.tp += len(bounds & gold)
        result.fp += len(bounds - gold)
        result.fn += len(gold - bounds)
        inner_gold = gold - paragraph_ends
        inner_pred = bounds - paragraph_ends
        result.para_tp += len(inner_pred & inner_gold)
        result.para_fp += len(inner_pred - inner_gold)
        result.para_fn += len(inner_gold - inner_pred)
        result.glued += len(glued)
        result.glued_found += len(glued & bounds)
        if keep_errors:
            whole = skeleton(text)
            for at in sorted(bounds - gold):
                result.errors.append(("FP", article.id, _context(whole, at)))
            for at in sorted(gold - bounds):
                kind = "FN-glued" if at in glued else "FN"
                result.errors.append((kind, article.id, _context(whole, at)))
    return result


def halves(articles: Sequence[Article]) -> Iterator[tuple[str, Sequence[Article]]]:
    middle = len(articles) // 2
    yield "tune (first half)", articles[:middle]
    yield "held (second half)", articles[middle:]
    yield "all", articles


def split_speed(articles: Sequence[Article]) -> dict[str, float]:
    """Seconds and MB/s to normalise and split the whole corpus (raw text in, best of 3)."""
    raw = [a.raw for a in articles]
    chars = sum(len(t) for t in raw)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in raw:
            for paragraph in split_paragraphs(normalize(text)):
                split_sentences(paragraph)
        best = min(best, time.perf_counter() - start)
    return {"chars": chars, "seconds": round(best, 3), "mchars_per_s": round(chars / best / 1e6, 2)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--glue-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--errors", type=int, default=0, help="print N random errors per run")
    parser.add_argument("--part", choices=["tune", "held", "all"], default=None)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    path = args.data / CORPUS
    if not path.is_file():
        print(f"splitter benchmark skipped: {path} not found", file=sys.stderr)
        return 0
    articles = read_articles(path)
    rows = []
    for part, subset in halves(articles):
        if args.part and not part.startswith(args.part):
            continue
        for variant, rate in (("as given", 0.0), (f"{args.glue_rate:.0%} glued", args.glue_rate)):
            result = score(subset, rate, args.seed, keep_errors=args.errors)
            rows.append({"part": part, "variant": variant, **result.row()})
            if args.errors:
                sample = random.Random(args.seed).sample(
                    result.errors, min(args.errors, len(result.errors))
                )
                print(f"--- {part}, {variant}: {len(result.errors)} errors, sample:")
                for kind, art, ctx in sorted(sample):
                    print(f"{kind:8} {ctx}    [{art[:40]}]")
    speed = None if args.no_speed else split_speed(articles)
    if args.json:
        print(json.dumps({"rows": rows, "speed": speed}, ensure_ascii=False))
        return 0
    print("| part | variant | P | R | F1 | in-paragraph P | R | F1 | glued recall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        glued = f"{row['glued_recall']:.4f} ({row['glued']})" if "glued" in row else "–"
        print(
            f"| {row['part']} | {row['variant']} | {row['precision']:.4f} | {row['recall']:.4f} "
            f"| **{row['f1']:.4f}** | {row['in_paragraph_precision']:.4f} "
            f"| {row['in_paragraph_recall']:.4f} | {row['in_paragraph_f1']:.4f} | {glued} |"
        )
    if speed:
        print(
            f"\nnormalise + split all {speed['chars']:,} chars: {speed['seconds']} s "
            f"({speed['mchars_per_s']} M chars/s, best of 3)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

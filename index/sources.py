"""Turning source bytes into article text: plain text, Markdown, HTML and JSONL batches.

The only module that imports trafilatura (main-text extraction from HTML) and
charset-normalizer (encodings other than UTF-8). Every refusal is a ``SourceError`` whose
message names the source and says what is wrong, in one sentence:

- binary data (NUL bytes, PDF/ZIP/image signatures, or text full of control characters);
- text that is neither UTF-8 nor in an encoding that can be detected;
- empty text, or text longer than ``MAX_TEXT_CHARS``; files over ``MAX_FILE_BYTES``;
- an HTML page without article text (menus and footers alone are not an article).
"""

from __future__ import annotations

import bisect
import codecs
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from index.errors import KeyedError

log = logging.getLogger(__name__)

__all__ = [
    "BATCH_SUFFIXES",
    "DOCUMENT_SUFFIXES",
    "HTML_SUFFIXES",
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "SOURCE_RULES",
    "TEXT_SUFFIXES",
    "JsonlItem",
    "SourceError",
    "SourceText",
    "check_text",
    "count_lines",
    "decode_bytes",
    "iter_jsonl",
    "parse_bytes",
    "parse_html",
    "read_source_file",
    "read_text_file",
    "split_headline",
    "title_from_name",
]

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
BATCH_SUFFIXES = frozenset({".jsonl"})
MAX_FILE_BYTES = 5_000_000
"""Largest file, upload or downloaded page (HTML pages carry scripts and styles)."""
FETCH_TIMEOUT_S = 10.0
"""How long a page may take to answer when a URL is ingested (seconds; the whole download gets
three times this)."""
MAX_TEXT_CHARS = 500_000
"""Largest article text: about a hundred long news articles — anything bigger is not one."""

# A line of prose: some real words. Navigation items and captions are shorter.
_PROSE_WORDS = 6
# Legacy encodings of Latin-script text, preferred when the detector finds them as plausible as
# its first guess (short Indonesian text is ambiguous between cp1250/cp1252/cp1257).
_PREFERRED_LEGACY = ("cp1252", "latin_1", "iso8859_15")
# signature -> (what it is, in the English message; its format's name in any language)
_BINARY_SIGNATURES = {
    b"%PDF": ("a PDF document", "PDF"),
    b"PK\x03\x04": ("a ZIP archive (or a Word/OpenDocument file)", "ZIP/Office"),
    b"\x89PNG": ("a PNG image", "PNG"),
    b"\xff\xd8\xff": ("a JPEG image", "JPEG"),
    b"GIF8": ("a GIF image", "GIF"),
    b"\x7fELF": ("a program", "ELF"),
    b"\xd0\xcf\x11\xe0": ("an old Microsoft Office document", "Microsoft Office"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class SourceError(KeyedError, ValueError):
    """A source cannot be read as article text; the message says why (in English), ``key``
    and ``params`` say it for translation (see ``index.errors``)."""


@dataclass(frozen=True, slots=True)
class SourceText:
    title: str
    text: str
    reference: str


SOURCE_RULES = "3"
"""Version of how a source's text and title are taken from its bytes (2: a plain-text file's
headline is its title, not a sentence; 3: so is a Markdown file's plain first-line headline
when it has no ``#`` heading). Part of the store's pipeline fingerprint, so that a
change re-prepares stored documents; bump it with any change to how a source's text or title is
taken (the text pipeline after that has its own ``index.engine.TEXT_PIPELINE_VERSION``)."""

_HEADLINE_MAX_CHARS = 150
_HEADLINE_MAX_WORDS = 20
# A headline does not end like a sentence or a lead-in (a question or exclamation may, when
# a blank line follows it).
_NOT_HEADLINE_END = (".", "…", ",", ";", ":", "-", "—", "–", "(", '"', "“")
_INNER_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*\s+[\"“(]?[A-Z]")
_LETTERS = re.compile(r"[^\W\d_]{2,}")


def split_headline(text: str) -> tuple[str | None, str]:
    """(headline, the rest) when the first line of a plain text looks like a headline, else
    (None, text). A headline: a short line (at most 150 characters and 20 words, with words),
    one phrase (no sentence boundary inside), not ending like a sentence (a period, an
    ellipsis, a comma, a colon…; "?" or "!" only before a blank line), followed by a blank
    line or by a longer line (the body; a list of short lines is not a headline and its
    body). A first line that is a sentence of the article stays in the text."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None, text
    line = " ".join(lines[first].split())
    rest = lines[first + 1 :]
    if not any(r.strip() for r in rest):
        return None, text  # the only line is the article itself
    blank_after = not rest[0].strip()
    if (
        len(line) > _HEADLINE_MAX_CHARS
        or len(line.split()) > _HEADLINE_MAX_WORDS
        or not _LETTERS.search(line)
        or line.endswith(_NOT_HEADLINE_END)
        or (line.endswith(("?", "!")) and not blank_after)
        or (not blank_after and len(rest[0].split()) <= len(line.split()))  # a list, not a body
        or _INNER_SENTENCE_END.search(line)
    ):
        return None, text
    return line, "\n".join(rest).strip("\n")


def title_from_name(path: Path) -> str:
    words = re.split(r"[-_\s]+", path.stem)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or path.name


# --- decoding --------------------------------------------------------------------------------


def _detect(data: bytes, name: str) -> str:
    matches = list(from_bytes(data))
    if not matches:
        raise SourceError(
            f"{name} is not UTF-8 text and its encoding cannot be detected; save it as UTF-8",
            key="unknown_encoding",
            params={"name": name},
        )
    least_chaos = min(m.chaos for m in matches)
    plausible = [m for m in matches if m.chaos <= least_chaos + 0.01]
    pick = next((m for m in plausible if m.encoding in _PREFERRED_LEGACY), plausible[0])
    if pick.chaos > 0.2:
        raise SourceError(
            f"{name} does not look like text in any known encoding",
            key="unknown_encoding",
            params={"name": name},
        )
    return str(pick)


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> str:
    """Bytes → text: a BOM, the ``declared`` charset (HTTP header or HTML meta), UTF-8, or a
    detected legacy encoding — or a clear refusal of binary data."""
    for signature, (what, kind) in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise SourceError(
                f"{name} is {what}, not text",
                key="binary_format",
                params={"name": name, "format": kind},
            )
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _check_decoded(data.decode(encoding), name)
            except UnicodeDecodeError as exc:
                raise SourceError(
                    f"{name} is not valid {encoding} text",
                    key="invalid_encoding",
                    params={"name": name, "encoding": encoding},
                ) from exc
    if b"\x00" in data[:8192]:
        raise _binary(name)
    if declared:
        try:
            return _check_decoded(data.decode(declared), name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common on the web: fall back to detection
    try:
        return _check_decoded(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    mixed = _utf8_with_stray_bytes(data, name)
    if mixed is not None:
        return _check_decoded(mixed, name)
    return _check_decoded(_detect(data, name), name)


# Bytes 0x80-0xFF that are not UTF-8, escaped by "surrogateescape" as U+DC80-U+DCFF.
_STRAY = re.compile("[\udc80-\udcff]")


def _utf8_with_stray_bytes(data: bytes, name: str) -> str | None:
    """UTF-8 text with a few bytes that are not UTF-8 (a Windows-1252 "é" pasted into a UTF-8
    file): the valid UTF-8 is kept as it is and only the stray bytes are read as Windows-1252
    (logged with their line numbers). ``None`` when the data has no UTF-8 multi-byte character
    at all, or more stray bytes than UTF-8 characters and over a quarter of the text (Cyrillic
    or Greek in a legacy encoding, where a valid UTF-8 pair is an accident): then it is a
    legacy encoding as a whole, left to detection. A short UTF-8 text with a few pasted
    Windows-1252 quotes stays UTF-8: decoded whole by a guess, its UTF-8 would be garbled
    ("cafÃ©"). Raises ``SourceError`` (with the first line) when a stray byte is not
    Windows-1252 either."""
    text = data.decode("utf-8", errors="surrogateescape")
    valid = sum(1 for c in text if ord(c) > 0x7F and not 0xDC80 <= ord(c) <= 0xDCFF)
    stray = len(_STRAY.findall(text))
    if not valid or (stray > valid and stray * 4 > len(text)):
        return None  # no UTF-8 at all, or mostly bytes that are not: not a UTF-8 file
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    lines: list[int] = []

    def replace(match: re.Match[str]) -> str:
        byte = bytes([ord(match.group()) - 0xDC00])
        line = bisect.bisect_left(newlines, match.start()) + 1
        try:
            char = byte.decode("cp1252")
        except UnicodeDecodeError:
            raise SourceError(
                f"{name} is not valid UTF-8: line {line} has the byte 0x{byte.hex().upper()}, "
                "which is not text in UTF-8 or Windows-1252; save it as UTF-8",
                key="invalid_utf8",
                params={"name": name, "line": line},
            ) from None
        if not lines or lines[-1] != line:
            lines.append(line)
        return char

    fixed = _STRAY.sub(replace, text)
    shown = ", ".join(map(str, lines[:10])) + (", …" if len(lines) > 10 else "")
    log.warning("%s: bytes that are not UTF-8 on line %s were read as Windows-1252", name, shown)
    return fixed


def _check_decoded(text: str, name: str) -> str:
    sample = text[:20_000]
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise _binary(name)
    return text


def _binary(name: str) -> SourceError:
    return SourceError(f"{name} is a binary file, not text", key="binary", params={"name": name})


def _empty(name: str) -> SourceError:
    return SourceError(f"{name} is empty", key="empty", params={"name": name})


def _too_large(name: str) -> SourceError:
    limit = MAX_FILE_BYTES // 1_000_000
    return SourceError(
        f"{name} is larger than {limit} MB",
        key="too_large",
        params={"name": name, "limit_mb": limit},
    )


def _cannot_read(name: str, exc: OSError) -> SourceError:
    reason = str(exc.strerror or exc)
    return SourceError(
        f"cannot read {name}: {reason}", key="cannot_read", params={"name": name, "reason": reason}
    )


def check_text(text: str, name: str) -> str:
    if not text.strip():
        raise _empty(name)
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(
            f"{name} has {len(text):,} characters of text; the limit for one article is "
            f"{MAX_TEXT_CHARS:,}",
            key="too_long",
            params={"name": name, "chars": len(text), "limit": MAX_TEXT_CHARS},
        )
    return text


# --- formats ---------------------------------------------------------------------------------

_MD_FENCE = re.compile(r"^\s*(```|~~~).*$", re.M)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_BLOCKQUOTE = re.compile(r"^\s{0,3}>\s?", re.M)
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_MD_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$", re.M)


def markdown_to_text(markdown: str) -> tuple[str | None, str]:
    """Markdown → (the leading ``# heading`` if any, plain text). Markup that would otherwise
    end up in answers (links, emphasis, list markers) is removed; paragraphs are kept."""
    title = None
    first = next((line for line in markdown.splitlines() if line.strip()), "")
    heading = re.match(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", first)
    if heading:
        title = heading.group(1)
        markdown = markdown.replace(first, "", 1)
    text = _MD_FENCE.sub("", markdown)
    text = _MD_RULE.sub("", text)
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_BLOCKQUOTE.sub("", text)
    text = _MD_LIST.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return title, text


def _html_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def parse_html(html: str, reference: str, fallback_title: str = "") -> SourceText:
    """Main article text and title of an HTML page (trafilatura, precision first)."""
    import trafilatura  # noqa: PLC0415 - ~0.2 s of start-up that only HTML sources need

    quiet = logging.getLogger("trafilatura")
    if quiet.level == logging.NOTSET:  # it warns about every page it cannot use
        quiet.setLevel(logging.ERROR)
    extracted = trafilatura.bare_extraction(
        html,
        url=reference if reference.startswith(("http://", "https://")) else None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    body = getattr(extracted, "text", None) or ""
    title = " ".join((getattr(extracted, "title", None) or "").split())
    if not title:
        match = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
        title = " ".join(match.group(1).split()) if match else fallback_title
    lines = [" ".join(line.split()) for line in body.splitlines()]
    lines = [line for line in lines if line]
    if lines and title and lines[0].casefold() == title.casefold():
        lines = lines[1:]  # the headline repeats the title: not a sentence to answer from
    if not any(len(line.split()) >= _PROSE_WORDS for line in lines):
        raise SourceError(
            f"{reference} has no article text (only menus, links or captions)",
            key="no_article_text",
            params={"name": reference},
        )
    # trafilatura gives one block per line; the splitter separates paragraphs by blank lines.
    return SourceText(title or fallback_title, "\n\n".join(lines), reference)


def parse_bytes(
    data: bytes,
    name: str,
    reference: str | None = None,
    declared_charset: str | None = None,
    html: bool | None = None,
) -> SourceText:
    """Parse one document by the suffix of ``name`` (or as HTML when ``html`` is true)."""
    ref = reference or name
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(name)
    suffix = Path(name).suffix.lower()
    is_html = html if html is not None else suffix in HTML_SUFFIXES
    if not is_html and suffix not in TEXT_SUFFIXES:
        kinds = ", ".join(sorted(DOCUMENT_SUFFIXES))
        raise SourceError(
            f"{name}: unsupported file type {suffix or '(none)'}; use {kinds}",
            key="unsupported_type",
            params={"name": name, "suffix": suffix or "(none)", "allowed": kinds},
        )
    if not data.strip():
        raise _empty(name)
    fallback_title = title_from_name(Path(name))
    if is_html:
        text = decode_bytes(data, name, declared_charset or _html_charset(data))
        source = parse_html(text, ref, fallback_title)
        return SourceText(source.title, check_text(source.text, name), ref)
    text = check_text(decode_bytes(data, name, declared_charset), name)
    if suffix == ".md":
        heading, text = markdown_to_text(text)
        if heading is None:  # a headline written as a plain first line, as in a .txt file
            heading, text = split_headline(text)
        return SourceText(heading or fallback_title, check_text(text, name), ref)
    headline, text = split_headline(text)
    return SourceText(headline or fallback_title, text, ref)


def read_source_file(path: Path) -> SourceText:
    """Read one ``.txt``/``.md``/``.html`` file."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_large(path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise _cannot_read(path.name, exc) from exc
    return parse_bytes(data, path.name, str(path))


def read_text_file(path: Path) -> SourceText:
    """Read a text file (kept for store-less callers; same rules as ``read_source_file``)."""
    return read_source_file(path)


# --- JSONL batches ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JsonlItem:
    """One line of a JSONL batch: a source (``key`` is the record's ``id`` if it has one) or
    the error that line has."""

    line: int
    source: SourceText | None
    key: str | None = None
    error: str = ""


def iter_jsonl(path: Path) -> Iterator[JsonlItem]:
    """``{"id"?, "title"?, "text"}`` per line. A bad line is reported with its number and the
    others are still read. Raises ``SourceError`` only when the file cannot be opened."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _cannot_read(path.name, exc) from exc
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                record = json.loads(raw)
            except UnicodeDecodeError:
                yield JsonlItem(number, None, error=f"{where} is not UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield JsonlItem(number, None, error=f"{where} is not valid JSON ({exc.msg})")
                continue
            if not isinstance(record, dict):
                yield JsonlItem(number, None, error=f"{where} is not a JSON object")
                continue
            text, title, key = record.get("text"), record.get("title"), record.get("id")
            if not isinstance(text, str):
                yield JsonlItem(number, None, error=f'{where} has no "text" string')
                continue
            try:
                check_text(text, where)
            except SourceError as exc:
                yield JsonlItem(number, None, error=str(exc))
                continue
            key_text = str(key) if isinstance(key, (str, int)) and str(key).strip() else None
            title_text = " ".join(title.split()) if isinstance(title, str) else ""
            reference = f"{path}#{key_text}" if key_text else f"{path}:{number}"
            yield JsonlItem(number, SourceText(title_text, text, reference), key_text)


def count_lines(path: Path) -> int:
    """Lines in ``path`` (for a progress bar's total); 0 when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0

"""File -> text: whatever users downloaded (.txt, .md, .html, .docx, .pdf, in UTF-8, GBK or UTF-16).

The text keeps its original characters (no NFKC, no width folding): later stages store offsets into it
and display it. Only line ends are unified to "\\n". Every failure is an IngestError whose message is one
line that starts with the file name and says what to do.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ingest.model import IngestError

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MAX_FILE_BYTES: int = 10 * 1024 * 1024  # default; POLICYQA_MAX_FILE_MB overrides it at call time
MAX_FILE_ENV = "POLICYQA_MAX_FILE_MB"

_MB = 1024 * 1024
_OLD_WORD_SUFFIXES = (".doc", ".wps", ".rtf", ".dot")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc/.wps/.xls files


def load_text(path: Path | str) -> str:
    """The document's text, lines ending in "\\n"; raises IngestError with a one-line message."""
    path = Path(path)
    suffix = path.suffix.lower()
    size = _checked_size(path)
    if suffix in _OLD_WORD_SUFFIXES:
        raise _error(path, "old Word format is not supported; save it as .docx or .pdf")
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise _error(path, f"unsupported file type {shown}; use .txt, .md, .html, .docx or .pdf")
    limit = max_file_bytes(path)
    if size > limit:
        raise _error(
            path,
            f"too large ({_megabytes(size)} MB, limit {limit / _MB:.3g} MB); split it or raise {MAX_FILE_ENV}",
        )
    if size == 0:
        raise _error(path, "empty file; download it again")
    data = _read_bytes(path)
    if suffix in (".html", ".htm"):
        text = _html_text(path, data)
    elif suffix == ".docx":
        text = _docx_text(path, data)
    elif suffix == ".pdf":
        text = _pdf_text(path, data)
    else:
        text = _unify_line_ends(decode_bytes(path, data))
    if not text.strip():
        raise _error(path, "empty file (only whitespace); download it again")
    return text


def max_file_bytes(path: Path | None = None) -> int:
    """The size limit now: POLICYQA_MAX_FILE_MB when set, else MAX_FILE_BYTES."""
    raw = os.environ.get(MAX_FILE_ENV, "").strip()
    if not raw:
        return MAX_FILE_BYTES
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0:
        where = f"{path.name}: " if path else ""
        raise IngestError(f"{where}{MAX_FILE_ENV}={raw!r} is not a positive number; set it to e.g. 20")
    return int(megabytes * _MB)


def _megabytes(size: int) -> str:
    return f"{size / _MB:.1f}" if size >= _MB else f"{size / _MB:.2g}"


def _error(path: Path, reason: str) -> IngestError:
    return IngestError(f"{path.name}: {reason}")


def _one_line(message: object, limit: int = 120) -> str:
    """A library's error message, squeezed onto one short line for ours."""
    text = " ".join(str(message).split()) or type(message).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _checked_size(path: Path) -> int:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise _error(path, f"file not found at {path}; check the path") from None
    except PermissionError:
        raise _error(path, "permission denied; make the file readable") from None
    except OSError as exc:
        raise _error(path, f"cannot open ({_one_line(exc.strerror or exc)}); check the path") from None
    if path.is_dir():
        raise _error(path, "is a folder, not a file; give the path of a document file")
    return stat.st_size


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise _error(path, "permission denied; make the file readable") from None
    except OSError as exc:
        raise _error(path, f"cannot read ({_one_line(exc.strerror or exc)}); copy it again") from None


def _unify_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- decoding --------------------------------------------------------------------------------------

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declared charsets that are subsets of GB18030: pages labelled gb2312 often hold GBK-only characters.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz"}
_MAX_BAD_CHAR_RATIO = 0.01
_OK_CONTROLS = frozenset("\t\n\r\f\v")
_UNDECODABLE = "cannot decode: not UTF-8, GBK/GB18030 or UTF-16; save it as UTF-8"


def decode_bytes(path: Path, data: bytes, declared: str | None = None) -> str:
    """Bytes -> str: BOM, UTF-16 without BOM, strict UTF-8, the declared charset, GB18030, then a guess.

    Strict UTF-8 goes before GB18030 because GB18030 accepts almost any byte pair, so a UTF-8 file
    would "decode" as GB18030 gibberish; valid UTF-8 by accident is rare for real text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], encoding)
            if text is None or not _looks_like_text(text):
                raise _error(path, f"starts with a {encoding} mark but does not decode; save it as UTF-8")
            return text
    if b"\0" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise _error(path, "binary file, not text; give the document as .txt, .docx, .pdf or .html")
        return text
    candidates = ["utf-8"]
    if declared:
        candidates.append(declared)
    candidates.append("gb18030")
    for encoding in candidates:
        text = _strict(data, encoding)
        if text is not None and _looks_like_text(text):
            return text
    guess = _guess(data)
    if guess is None:
        raise _error(path, _UNDECODABLE)
    return guess


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_like_text(text: str) -> bool:
    """Few control, unassigned, private-use or replacement characters: the decoding was right."""
    if not text:
        return True
    bad = sum(
        1
        for ch in text
        if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") and ch not in _OK_CONTROLS)
    )
    return bad / len(text) <= _MAX_BAD_CHAR_RATIO


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text has most of its NULs in the high byte of ASCII characters: at odd (LE) or even (BE)
    offsets; the others come from characters such as 一 (U+4E00) and 　 (U+3000).

    Binary data has NULs anywhere, so it fails the parity test or the decoded text looks wrong.
    """
    if len(data) % 2:
        return None
    nul_at_odd = data[1::2].count(0)
    nul_at_even = data[0::2].count(0)
    if nul_at_odd >= 2 * nul_at_even and nul_at_odd:
        encoding = "utf-16-le"
    elif nul_at_even >= 2 * nul_at_odd and nul_at_even:
        encoding = "utf-16-be"
    else:
        return None
    text = _strict(data, encoding)
    if text is None or "\0" in text or not _looks_like_text(text):
        return None
    return text


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    return text if _looks_like_text(text) else None


# --- HTML ------------------------------------------------------------------------------------------

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_DROPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed", "svg", "canvas"}
)
# Elements a browser shows on their own lines; each becomes one line (a table cell too).
_BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol
    option p pre section summary table tbody td tfoot th thead tr ul""".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML collapses only these; &nbsp; and 　 are text


def _html_text(path: Path, data: bytes) -> str:
    from bs4 import BeautifulSoup

    text = decode_bytes(path, data, declared=_declared_charset(data))
    soup = BeautifulSoup(text, "lxml")
    lines = _visible_lines(soup)
    if not lines and text.strip():
        scripted = " (a page built by JavaScript?)" if soup.find("script") else ""
        raise _error(path, f"no visible text{scripted}; open it in a browser and save the text as .txt")
    return "\n".join(lines)


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_FAMILY else name


def _visible_lines(soup) -> list[str]:
    from bs4.element import NavigableString, PreformattedString, Tag

    lines: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        line = _HTML_SPACE.sub(" ", "".join(pending)).strip(" ")
        pending.clear()
        if line.strip():
            lines.append(line)

    line_break = object()
    stack: list[object] = [soup]
    while stack:  # iterative walk: deeply nested pages would overflow recursion
        node = stack.pop()
        if node is line_break:
            flush()
        elif isinstance(node, PreformattedString):  # comments, doctype, CDATA, processing instructions
            continue
        elif isinstance(node, NavigableString):
            pending.append(str(node))
        elif isinstance(node, Tag):
            if node.name in _DROPPED_TAGS or _is_hidden(node):
                continue
            if node.name == "br":
                flush()
            elif node.name == "pre":  # keeps its own line breaks and spaces
                flush()
                pre_lines = _unify_line_ends(node.get_text()).split("\n")
                lines.extend(line.rstrip() for line in pre_lines if line.strip())
            else:
                if node.name in _BLOCK_TAGS:
                    flush()
                    stack.append(line_break)
                stack.extend(reversed(node.contents))
    flush()
    return lines


def _is_hidden(tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(tag.get("style") or ""))


# --- DOCX ------------------------------------------------------------------------------------------


def _docx_text(path: Path, data: bytes) -> str:
    import docx

    if data.startswith(_OLE_MAGIC):
        raise _error(path, "is an old Word .doc file named .docx; save it as .docx or .pdf")
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document.element.body, document))
    except Exception as exc:  # python-docx raises zipfile, KeyError, lxml and its own errors on bad files
        reason = f"not a valid .docx ({_one_line(exc)}); open it in Word and save it again"
        raise _error(path, reason) from None
    return "\n".join(lines)


def _docx_lines(container, parent) -> Iterator[str]:
    """Paragraphs and tables in document order; content controls (w:sdt) are looked into."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            text = _unify_line_ends(Paragraph(child, parent).text)
            if text.strip():
                yield text
        elif child.tag == qn("w:tbl"):
            yield from _docx_table_lines(Table(child, parent))
        elif child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _docx_lines(content, parent)


def _docx_table_lines(table) -> Iterator[str]:
    """Each cell once (python-docx repeats merged cells in every grid position they cover)."""
    seen: set[object] = set()  # the <w:tc> elements themselves: holding them keeps their identity
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            yield from _docx_lines(cell._tc, cell)


# --- PDF -------------------------------------------------------------------------------------------

_MIN_CHARS_PER_PAGE = 20
_NO_TEXT_LAYER = "no text layer (a scanned PDF?); run OCR on it first, then add the text or a searchable PDF"
_SENTENCE_END = tuple("。；;：:！？!?）)」”…")
# Python's \d matches full-width digits too.
_CLAUSE_START = re.compile(
    r"""\s*(?:
        [一二三四五六七八九十百零\u3007]+、
      | [（(][一二三四五六七八九十百零\u3007]+[）)]
      | \d+(?:[、]|[.．](?!\d))
      | [（(]\d+[）)]
      | [\u2460-\u249b]                                  # ① ⑴ ⒈ …
      | 第[一二三四五六七八九十百千零\u3007两\d]+[编章节条款部]
      | [●•◆■▪]
    )""",
    re.VERBOSE,
)
_PAGE_NUMBER = re.compile(
    r"[-\u2013—－―~·\s]*\d{1,4}[-\u2013—－―~·\s]*"
    r"|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+"
)
_FULL_LINE_SHARE = 0.9  # a line this close to the usual full width was wrapped by the layout


def _pdf_text(path: Path, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError:
        raise _error(
            path, "encrypted PDF that needs a password; save an unprotected copy (print to PDF) and add that"
        ) from None
    except DependencyError as exc:
        raise _error(path, f"encrypted PDF: {_one_line(exc)}; run pip install cryptography") from None
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise _error(path, f"not a valid PDF ({_one_line(exc)}); download it again") from None
    visible = sum(len("".join(page.split())) for page in pages)
    if not pages or visible / len(pages) < _MIN_CHARS_PER_PAGE:
        raise _error(path, _NO_TEXT_LAYER)
    lines = [line for page in pages for line in _page_lines(page)]
    return "\n".join(reflow(lines))


def _page_lines(page_text: str) -> list[str]:
    """A page's stripped non-empty lines, without a page number on its first or last line."""
    lines = [line.strip() for line in _unify_line_ends(page_text).split("\n")]
    lines = [line for line in lines if line]
    while lines and _PAGE_NUMBER.fullmatch(lines[-1]):
        lines.pop()
    if lines and _PAGE_NUMBER.fullmatch(lines[0]):
        lines.pop(0)
    return lines


def reflow(lines: list[str]) -> list[str]:
    """Join lines the PDF layout broke mid-sentence, conservatively.

    A line joins the previous one only when the previous one fills the usual line width (a short line
    is a heading or a paragraph's end), does not end a sentence, and this one does not start a clause
    number (一、 (一) 1. ① 第X条 …).
    """
    if not lines:
        return []
    # The column width: the third-longest line (the longest in a short text), so that a couple of odd
    # wide lines do not raise it.
    widths = sorted((_display_width(line) for line in lines), reverse=True)
    full_width = widths[min(2, len(widths) // 10)] * _FULL_LINE_SHARE
    out = [lines[0]]
    previous_full = _display_width(lines[0]) >= full_width
    for line in lines[1:]:
        joins = previous_full and not out[-1].endswith(_SENTENCE_END) and not _CLAUSE_START.match(line)
        if joins:
            out[-1] += (" " if _ascii_word_end(out[-1]) and _ascii_word_start(line) else "") + line
        else:
            out.append(line)
        previous_full = _display_width(line) >= full_width
    return out


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1 for ch in text)


def _ascii_word_end(text: str) -> bool:
    return text[-1:].isascii() and text[-1:].isalpha()


def _ascii_word_start(text: str) -> bool:
    return text[:1].isascii() and text[:1].isalpha()

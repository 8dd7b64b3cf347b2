"""The text layer of a PDF, one paragraph a line, read with pdfminer.six.

pdfminer.six rather than pypdf: its layout analysis groups glyphs into lines by position, so a
PDF that places every character on its own (common for Chinese text) still reads as lines, where
pypdf's plain extraction gives one character a line; it ships Adobe's CMaps, so the unembedded CID
fonts Chinese PDFs use (STSong-Light, UniGB-UCS2-H) map to Unicode; and the line boxes it gives
let the lines a page wrapped be rejoined into the paragraphs the author wrote.

Paragraphs: a line that reaches the right edge of the page's text continues on the next line,
unless that one is indented (a new paragraph's first line) or set apart by more than a line's
height; the same holds across a page break. Everything else keeps its line break, and cleaning
then joins only what reads as one sentence (``summarizer.document``), as for any text. Page numbers
alone on the top or bottom line of a page ("- 3 -", "第3页") are not part of the text. Pages are
separated by a blank line.

A glyph whose font maps it to no character is read as U+FFFD, so a number never silently loses a
digit; a text layer that is mostly such glyphs, or none at all (a scan), fails: OCR it first.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from collections.abc import Iterable, Iterator
from typing import TypeVar

from summarizer.errors import DocumentError
from summarizer.formats import _one_line

#: More pages than any report has; a file claiming more is refused before any page is read.
MAX_PAGES = 500
#: The share of unmapped glyphs above which the text layer is taken as unreadable.
MAX_UNMAPPED_SHARE = 0.05

_PAGE_NUMBER = re.compile(
    r"^[-—–_\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*(?:/|共)\s*\d{1,4}\s*页?)?[-—–_\s]*$"
    r"|^(?:page\s*)?\d{1,4}\s*(?:of|/)\s*\d{1,4}$",
    re.I,
)
_UNMAPPED = re.compile(r"^\(cid:\d+\)$")
#: The number or Latin word a line starts with, which a writer moves down whole.
_LEADING_RUN = re.compile(r"[0-9A-Za-z.,%]*")

_PDFMINER_LOG = logging.getLogger("pdfminer")
if _PDFMINER_LOG.level == logging.NOTSET:  # its warnings describe the file's quirks, not the user's problem
    _PDFMINER_LOG.setLevel(logging.ERROR)


@dataclass(frozen=True)
class _Line:
    """One line of a page as laid out: its text and its box (PDF points, y growing upwards)."""

    text: str
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)


@dataclass
class _Glyphs:
    """How many glyphs the text layer has, and how many of them no font maps to a character."""

    total: int = 0
    unmapped: int = 0


def pdf_text(data: bytes, *, name: str) -> str:
    """The text of a PDF's text layer (see the module docstring); DocumentError when it has none."""
    glyphs = _Glyphs()
    try:
        pages = [_page_lines(layout, glyphs) for layout in _layouts(data, name)]
    except DocumentError:
        raise
    except RecursionError:
        raise DocumentError(name, "corrupt PDF: its objects nest too deeply to be read") from None
    except Exception as exc:  # noqa: BLE001 - a parser of hostile bytes fails in many ways; each is one reason
        raise DocumentError(name, f"corrupt PDF: {_one_line(exc)}") from None
    if glyphs.unmapped > glyphs.total * MAX_UNMAPPED_SHARE:
        raise DocumentError(
            name,
            f"text layer unreadable: {glyphs.unmapped:,} of {glyphs.total:,} characters map to no letter "
            "in the PDF's fonts; OCR it first",
        )
    if not pages:
        raise DocumentError(name, "corrupt PDF: it has no pages that can be found")
    text = _join_pages(pages)
    if not text.strip():
        count = "its page holds" if len(pages) == 1 else f"its {len(pages):,} pages hold"
        raise DocumentError(name, f"no text layer, OCR it first (a scanned PDF: {count} no text)")
    return text


def _layouts(data: bytes, name: str) -> Iterator[object]:
    """pdfminer's layout of each page, after the checks that need no page read."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
    except PDFPasswordIncorrect:
        raise DocumentError(name, "encrypted PDF: it needs a password to open; save a copy without one") from None
    except PDFEncryptionError as exc:
        raise DocumentError(name, f"encrypted PDF: its encryption cannot be read ({_one_line(exc)})") from None
    tree = resolve1(document.catalog.get("Pages"))
    declared = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
    if isinstance(declared, int) and declared > MAX_PAGES:
        raise DocumentError(name, f"too many pages: {declared:,}, more than the limit of {MAX_PAGES:,}")
    resources = PDFResourceManager(caching=True)
    # all_texts: some writers put a whole page's text inside a form XObject, which is a "figure".
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        if number > MAX_PAGES:
            raise DocumentError(name, f"too many pages: more than the limit of {MAX_PAGES:,}")
        interpreter.process_page(page)
        yield device.get_result()


def _page_lines(layout: object, glyphs: _Glyphs) -> list[_Line]:
    """The text lines of one page in pdfminer's reading order, page numbers left out."""
    from pdfminer.layout import LTTextLineHorizontal

    lines = [
        _Line(text, line.x0, line.x1, line.y0, line.y1)
        for line in _walk(layout, LTTextLineHorizontal)
        if (text := _line_text(line, glyphs).strip())
    ]
    if lines:
        top = max(lines, key=lambda line: line.y1)
        bottom = min(lines, key=lambda line: line.y0)
        lines = [line for line in lines if not ((line is top or line is bottom) and _PAGE_NUMBER.match(line.text))]
    return lines


_Item = TypeVar("_Item")


def _walk(item: object, kind: type[_Item]) -> Iterator[_Item]:
    """Every ``kind`` inside a layout item, depth first in its own order, with its own stack."""
    stack: list[Iterator[object]] = [iter([item])]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif isinstance(child, kind):
            yield child
        elif isinstance(child, Iterable) and not isinstance(child, (str, bytes)):
            stack.append(iter(child))


def _line_text(line: Iterable[object], glyphs: _Glyphs) -> str:
    """A line's characters. The spaces pdfminer infers from gaps stay only between two Latin
    letters or digits: between Chinese characters they are justification, not text."""
    from pdfminer.layout import LTChar

    items = list(line)
    chars: list[str] = []
    for index, item in enumerate(items):
        text = item.get_text()  # type: ignore[attr-defined]
        if isinstance(item, LTChar):
            glyphs.total += 1
            if _UNMAPPED.match(text):
                glyphs.unmapped += 1
                text = "\ufffd"
            chars.append(text)
        elif text == " " and chars and index + 1 < len(items):
            following = items[index + 1].get_text()  # type: ignore[attr-defined]
            if _latin(chars[-1][-1:]) and _latin(following[:1]):
                chars.append(" ")
    return "".join(chars)


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _join_pages(pages: list[list[_Line]]) -> str:
    """The pages' lines as paragraphs, one a line, a blank line between pages (see the docstring)."""
    parts: list[str] = []
    previous: _Line | None = None
    previous_right = 0.0
    for lines in pages:
        if not lines:
            continue
        left, right = min(line.x0 for line in lines), max(line.x1 for line in lines)
        for index, line in enumerate(lines):
            new_page = index == 0
            if previous is not None:
                if _continues(previous, previous_right, line, left, new_page):
                    parts.append(" " if _latin(previous.text[-1]) and _latin(line.text[0]) else "")
                else:
                    parts.append("\n\n" if new_page else "\n")
            parts.append(line.text)
            previous, previous_right = line, right
    return "".join(parts)


def _continues(line: _Line, right: float, following: _Line, left: float, new_page: bool) -> bool:
    """Whether ``following`` goes on with the paragraph that ``line`` wrapped (see the docstring).

    One Chinese character is about as wide as the line is high. A line is full when what starts
    the next line would not have fitted in the room left: two characters' width, and half a
    character more for each Latin letter or digit of a number the next line starts with (a
    number is never broken, so a wrapped line may end well short of the edge before one). A line
    is indented when it starts more than half a character after the left edge.
    """
    em = line.height
    unbreakable = len(_LEADING_RUN.match(following.text).group())  # type: ignore[union-attr]
    full = right - line.x1 < em * (2 + 0.5 * unbreakable)
    indented = following.x0 - left > 0.5 * em
    if not full or indented:
        return False
    if new_page:
        return True
    gap = line.y0 - following.y1
    return -0.5 * em < gap < em

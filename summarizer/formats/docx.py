"""The text of a Word document (.docx), one paragraph a line, read with python-docx.

The body is read in document order: paragraphs, tables and content controls. A paragraph styled
as a heading (Title, Heading 1-9) is written as a markdown heading, so that cleaning keeps it as
its own line and never welds it to the paragraph before it. A table row whose cells hold text
becomes one line, ``| cell | cell |`` (the form the HTML extractor gives a table row); a table
with a single such cell a row is a frame around ordinary text, so its paragraphs come out as they
are. A cell merged across rows is read once. Headers, footers, comments and text boxes are not
the report's text.

The package is opened only when its parts, unpacked, stay within ``MAX_UNPACKED_BYTES``: a few
megabytes of ZIP can claim gigabytes, and the claim is what ``zipfile`` holds a part to.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Iterator

from summarizer.errors import DocumentError
from summarizer.formats import _one_line

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_HEADING_STYLE = re.compile(r"^(?:Title|Heading [1-9])$", re.I)


def docx_text(data: bytes, *, name: str) -> str:
    """The body text of a .docx (see the module docstring); DocumentError when it cannot be read."""
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # noqa: BLE001 - zipfile fails on hostile bytes in many ways
        raise DocumentError(name, f"corrupt .docx: not a readable ZIP archive ({_one_line(exc)})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(
            name,
            f"too large unpacked: the .docx expands to {unpacked:,} bytes, more than the limit of {MAX_UNPACKED_BYTES:,}",
        )
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_blocks(document.element.body, document))
    except RecursionError:
        raise DocumentError(name, "corrupt .docx: its XML nests too deeply to be read") from None
    except Exception as exc:  # noqa: BLE001 - a parser of hostile bytes fails in many ways; each is one reason
        raise DocumentError(name, f"corrupt .docx: {_one_line(exc)}") from None
    text = "\n".join(lines)
    if not text.strip():
        raise DocumentError(name, "empty: the Word document holds no text")
    return text


def _blocks(container: object, document: object) -> Iterator[str]:
    """The lines of a body, table cell or content control, in document order."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():  # type: ignore[attr-defined]
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)  # type: ignore[arg-type]
            text = paragraph.text
            style = paragraph.style
            if style is not None and _HEADING_STYLE.match(style.name or "") and text.strip():
                yield "\n".join(f"# {line}" for line in text.splitlines() if line.strip())
            else:
                yield text
        elif child.tag == qn("w:tbl"):
            yield from _table(child, document)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, document)


def _table(table: object, document: object) -> Iterator[str]:
    """A table's rows, one ``| a | b |`` line each; a table of one filled cell a row is a frame,
    whose paragraphs come out as they are."""
    from docx.oxml.ns import qn

    rows: list[list[list[str]]] = []
    for row in table.iterchildren(qn("w:tr")):  # type: ignore[attr-defined]
        cells: list[list[str]] = []
        for cell in row.iterchildren(qn("w:tc")):
            merge = cell.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if merge is not None and merge.get(qn("w:val"), "continue") == "continue":
                continue  # the lower part of a cell merged across rows: read with its first row
            lines = [line.strip() for line in _blocks(cell, document) if line.strip()]
            if lines:
                cells.append(lines)
        if cells:
            rows.append(cells)
    if all(len(cells) == 1 for cells in rows):
        for cells in rows:
            yield from cells[0]
        return
    for cells in rows:
        yield "| " + " | ".join(" ".join(line.removeprefix("# ") for line in lines) for lines in cells) + " |"

"""Container formats whose text has to be extracted before it can be read: PDF and Word (.docx).

The bytes decide, not the name: a file is a PDF when it starts with ``%PDF-`` and a Word document
when it is a ZIP archive holding ``word/document.xml``, whatever it is called (as a page is HTML
by its content). A name can only make the check stricter: a ``.pdf`` or ``.docx`` file whose bytes
are not that format fails saying so, rather than be decoded as text (a download that saved an
error page as ``report.pdf`` is the usual case). Other Office formats are named in the refusal,
so the user knows what to convert.

``sniff_container`` answers the same question from the first bytes only, for the folder scan,
which must not read whole files to tell which ones are inputs.
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from summarizer.errors import DocumentError

Container = Literal["pdf", "docx"]
#: The suffixes that name a container format; each needs the matching content.
CONTAINER_SUFFIXES: dict[str, Container] = {".pdf": "pdf", ".docx": "docx"}

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_PART = "word/document.xml"
#: Other OOXML and OpenDocument packages, told apart by a part only they hold.
_OTHER_PACKAGES = (
    ("xl/workbook.xml", "an Excel .xlsx workbook"),
    ("ppt/presentation.xml", "a PowerPoint .pptx presentation"),
    ("content.xml", "an OpenDocument file (.odt/.ods)"),
)


def container(data: bytes, *, name: str, suffix: str) -> Container | None:
    """The container format of a whole file's ``data``; None when it is to be read as text.

    Raises DocumentError when the bytes are an Office format that cannot be read, or when the
    name promises a container (``suffix``) that the bytes are not.
    """
    named = CONTAINER_SUFFIXES.get(suffix)
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_OLE_MAGIC):
        raise DocumentError(name, "binary file (an old Office .doc/.xls document), not text; save it as .docx")
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts = set(archive.namelist())
        except Exception as exc:  # noqa: BLE001 - zipfile fails on hostile bytes in many ways
            if named == "docx":
                raise DocumentError(name, f"corrupt .docx: not a readable ZIP archive ({_one_line(exc)})") from None
            return None  # decoding names it a ZIP archive
        if _WORD_PART in parts:
            return "docx"
        for part, kind in _OTHER_PACKAGES:
            if part in parts:
                raise DocumentError(name, f"binary file ({kind}), not text; save the report as .docx, .pdf or .txt")
        if named == "docx":
            raise DocumentError(name, f"not a Word document, though named .docx (a ZIP archive without {_WORD_PART})")
        return None
    if named == "pdf":
        raise DocumentError(name, "not a PDF, though named .pdf (it does not start with %PDF-)")
    if named == "docx":
        raise DocumentError(name, "not a Word document, though named .docx (it is not a ZIP archive)")
    return None


def sniff_container(head: bytes) -> Container | None:
    """The container format the first bytes of a file show, without reading the rest.

    A ZIP archive lists each part's name in front of its data, and Word writes the ``word/``
    parts among the first few, so a prefix of a few kilobytes tells a .docx from other archives.
    """
    if head.startswith(_PDF_MAGIC):
        return "pdf"
    if head.startswith(_ZIP_MAGIC) and b"word/" in head:
        return "docx"
    return None


def _one_line(exc: BaseException) -> str:
    """An exception as one short line, for a reason a user reads."""
    text = " ".join(str(exc).split())
    return (text[:160] + "…" if len(text) > 160 else text) or type(exc).__name__

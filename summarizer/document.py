"""Loading and cleaning: bytes -> text (encoding, HTML) -> cleaned text with offsets kept.

(The data types below are the contract other modules rely on; the loading and cleaning
functions are being written.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class PageMeta:
    """What the page's chrome says about the article before the chrome is dropped."""

    title: str | None = None
    publish_date: dt.date | None = None
    publish_time: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Article:
    """One article of the cleaned text: ``text[start:end]``."""

    index: int
    start: int
    end: int
    title: str | None = None


@dataclass(frozen=True)
class Document:
    """A loaded, cleaned document. Every offset anywhere in summarizer indexes ``text``."""

    name: str
    text: str
    raw_text: str
    offsets: tuple[int, ...]
    sha256: str
    encoding: str | None = None
    format: Literal["text", "markdown", "html"] = "text"
    meta: PageMeta = field(default_factory=PageMeta)
    articles: tuple[Article, ...] = ()

    def raw_offset(self, offset: int) -> int:
        """Map an offset of ``text`` (0..len(text)) back to ``raw_text``."""
        return self.offsets[offset]

"""The clause table: every clause of a document, numbered once, with its section and paragraph.

The LLM path reads a document through this table: the prompt shows it (one row per clause), a
model's draft cites its ids as each item's evidence, and grounding turns the cited ids back into
spans of the cleaned text. Clauses come from :func:`summarizer.text.sentences.segment`, run per
article as the rules backend runs it, and are renumbered over the whole document (``c1``, ``c2`` …
in text order), so that every chunk of a long document shows the same id for the same clause and
a draft from any chunk is grounded against the one table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from summarizer.text.sentences import Section, segment

if TYPE_CHECKING:
    from summarizer.document import Document


@dataclass(frozen=True)
class ClauseRow:
    """One clause: ``text[start:end]``, and the text a table row shows for it."""

    id: str
    start: int
    end: int
    #: Where the row's text ends: at the next clause of its paragraph, or at the paragraph's end,
    #: so that the punctuation after the clause (，；。) and any short fragment are shown with it.
    shown_end: int
    section: Section
    heading: bool
    #: Index of its paragraph over the whole document (a new article starts a new paragraph).
    paragraph: int


@dataclass(frozen=True)
class ClauseTable:
    """The clauses of ``text`` (all of them, or those of one chunk), in text order."""

    text: str
    rows: tuple[ClauseRow, ...]

    @cached_property
    def by_id(self) -> dict[str, ClauseRow]:
        return {row.id: row for row in self.rows}

    @cached_property
    def _position(self) -> dict[str, int]:
        return {row.id: index for index, row in enumerate(self.rows)}

    def overlapping(self, start: int, end: int) -> list[ClauseRow]:
        """The clauses that share at least one character with ``text[start:end]``."""
        return [row for row in self.rows if row.start < end and start < row.end]

    def subset(self, start: int, end: int) -> ClauseTable:
        """The table of a chunk ``text[start:end]``: its clauses keep their document-wide ids."""
        return ClauseTable(self.text, tuple(self.overlapping(start, end)))

    def runs(self, rows: Iterable[ClauseRow]) -> list[tuple[int, int]]:
        """Spans of the given clauses, neighbouring clauses of the table merged into one span."""
        ordered = sorted(set(rows), key=lambda row: self._position[row.id])
        spans: list[tuple[int, int]] = []
        previous = -2
        for row in ordered:
            position = self._position[row.id]
            if spans and position == previous + 1:
                spans[-1] = (spans[-1][0], row.end)
            else:
                spans.append((row.start, row.end))
            previous = position
        return spans

    def digest(self) -> str:
        """A hash of the ids and spans: a cached draft's ids mean the same clauses only under it."""
        canonical = ";".join(f"{r.id}:{r.start}:{r.end}:{r.section}:{int(r.heading)}" for r in self.rows)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def clause_table(
    text: str, articles: Sequence[tuple[int, int, str | None]] | None = None, *, title: str | None = None
) -> ClauseTable:
    """The clause table of ``text``, segmented per article (``(start, end, title)``), numbered once."""
    spans = list(articles) if articles else [(0, len(text), title)]
    rows: list[ClauseRow] = []
    paragraph_base = 0
    for start, end, article_title in spans:
        discourse = segment(text, start, end, title=article_title or title)
        by_paragraph: dict[int, list[tuple[int, int, Section, bool]]] = {}
        for piece in discourse.pieces:
            for clause in piece.clauses:
                by_paragraph.setdefault(piece.paragraph, []).append(
                    (clause.start, clause.end, piece.section, piece.heading)
                )
        for paragraph, clauses in sorted(by_paragraph.items()):
            paragraph_end = discourse.paragraphs[paragraph][1]
            for index, (c_start, c_end, section, heading) in enumerate(clauses):
                shown_end = clauses[index + 1][0] if index + 1 < len(clauses) else max(c_end, paragraph_end)
                rows.append(
                    ClauseRow(
                        id=f"c{len(rows) + 1}",
                        start=c_start,
                        end=c_end,
                        shown_end=shown_end,
                        section=section,
                        heading=heading,
                        paragraph=paragraph_base + paragraph,
                    )
                )
        paragraph_base += len(discourse.paragraphs)
    return ClauseTable(text, tuple(rows))


def document_clauses(document: Document) -> ClauseTable:
    """The clause table of a loaded document: its articles segmented as the rules backend does."""
    articles = [(a.start, a.end, a.title or document.meta.title) for a in document.articles]
    return clause_table(document.text, articles or None, title=document.meta.title)

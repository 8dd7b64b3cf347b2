"""The summary in the script the document wrote.

Cleaning reads a traditional-script page as simplified, one character for one (億元 -> 亿元), so that
one set of rules, cues and numerals serves both scripts. A reader of that page, and a label
written from it, expect its own characters back: 地區生產總值 and 億元, not 地区生产总值 and 亿元.
So once a summary is grounded (against the cleaned text), every phrase, name, unit and meta field
is written back in the page's script, and every evidence gains ``written``, its quote as the page
wrote it. The cleaned forms stay where offsets need them: ``Summary.text`` and ``Evidence.quote``
(``text[start:end] == quote`` still holds), and ``canonical_name`` (the synonym table's key).

Evidence is restored position by position (exact). A phrase is condensed from several clauses, so
its characters are restored by the document's own table: a simplified character goes back to the
character the page wrote for it most often, and only when most of its occurrences were converted
(a simplified page that quotes a few traditional characters stays simplified).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel

from summarizer.document import Document
from summarizer.schema import Evidence, Summary

#: Fields that keep the cleaned text: offsets index it, and canonical names are table keys.
_CLEANED_FIELDS = frozenset({"quote", "written", "canonical_name"})
#: Parts of a summary that speak about the run, not the document.
_RESTORED_PARTS = ("meta", "metrics", "targets", "achievements", "problems", "tasks", "articles")


def in_written_script(summary: Summary, document: Document) -> Summary:
    """``summary`` with its phrases and quotes in the document's script (itself when unchanged)."""
    if not document.script_changed:
        return summary
    restore = _Restorer(document)
    return summary.model_copy(update={part: restore(getattr(summary, part)) for part in _RESTORED_PARTS})


class _Restorer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.table = str.maketrans(written_characters(document))

    def __call__(self, value: Any) -> Any:
        if isinstance(value, Evidence):
            return value.model_copy(update={"written": self.document.written(value.start, value.end)})
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            return value.model_copy(
                update={name: self(getattr(value, name)) for name in fields if name not in _CLEANED_FIELDS}
            )
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, str):
            return value.translate(self.table)
        return value


def written_characters(document: Document) -> dict[str, str]:
    """Simplified character -> the character the document wrote for it, where it mostly wrote another."""
    written: dict[str, Counter[str]] = {}
    for index, char in enumerate(document.text):
        written.setdefault(char, Counter())[document.written_char(index)] += 1
    table = {}
    for char, sources in written.items():
        source, count = sources.most_common(1)[0]
        if source != char and count * 2 > sum(sources.values()):
            table[char] = source
    return table

"""Backends fill the summary schema from a cleaned document and its quantity candidates.

Every backend has the same shape: ``(document, quantities) -> Summary``; grounding then
checks what it states against the same document and candidates.
"""

from __future__ import annotations

from typing import Literal, Protocol

from summarizer.document import Document
from summarizer.schema import Quantity, Summary

BackendName = Literal["rules", "llm", "baseline"]


class Backend(Protocol):
    name: str

    def summarize(self, document: Document, quantities: list[Quantity]) -> Summary: ...

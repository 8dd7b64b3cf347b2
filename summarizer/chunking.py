"""Long documents: split on sentence boundaries with overlap, then merge the drafts.

Chunks are spans of the one cleaned text, and candidate and clause ids stay those of the whole
document, so a draft from any chunk is grounded against the whole text like any other draft.
Repeats are removed across chunks only: two items of one chunk's draft are never merged, however
alike (one clause may state two problems), while an item a later chunk repeats from the overlap is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz

from summarizer.indicators import canonical_name
from summarizer.text.sentences import SENTENCE_PUNCT
from summarizer.schema import ItemDraft, MetaDraft, MetricDraft, Quantity, SummaryDraft, TargetDraft

# A sentence ends after its final punctuation (any closing quote or bracket and line breaks included),
# or at a line break.
_SENTENCE_END = re.compile(rf"[{SENTENCE_PUNCT}]+[”’」』）)】]*\n*|\n+")
#: Two phrases at least this similar (rapidfuzz ratio, 0-100, on characters) say the same thing.
SAME_PHRASE = 88.0

T = TypeVar("T")


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int

    def holds(self, quantity: Quantity) -> bool:
        return self.start <= quantity.start and quantity.end <= self.end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            spans.append((start, match.end()))
            start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def split_text(text: str, max_chars: int, overlap: int = 0) -> list[Chunk]:
    """Chunks of at most ``max_chars`` that end on sentence ends and repeat about ``overlap`` chars.

    A single sentence longer than ``max_chars`` is cut where the budget runs out.
    """
    if len(text) <= max_chars:
        return [Chunk(0, len(text))]
    pieces = [
        (cut, min(cut + max_chars, end))
        for start, end in sentence_spans(text)
        for cut in range(start, end, max_chars)
    ]
    chunks: list[Chunk] = []
    first = 0
    while first < len(pieces):
        last = first
        while last + 1 < len(pieces) and pieces[last + 1][1] - pieces[first][0] <= max_chars:
            last += 1
        chunks.append(Chunk(pieces[first][0], pieces[last][1]))
        if last + 1 >= len(pieces):
            break
        # Start the next chunk a few sentences back, within the overlap, but always move forward.
        following = last + 1
        while following - 1 > first and pieces[last][1] - pieces[following - 1][0] <= overlap:
            following -= 1
        first = following
    return chunks


def merge_drafts(drafts: Sequence[SummaryDraft]) -> SummaryDraft:
    """One draft from the chunks' drafts: meta fields first stated win, repeats are removed."""
    if len(drafts) == 1:
        return drafts[0]
    meta = {
        field: next((value for draft in drafts if (value := getattr(draft.meta, field)) is not None), None)
        for field in MetaDraft.model_fields
    }
    return SummaryDraft(
        meta=MetaDraft(**meta),
        metrics=_unique([d.metrics for d in drafts], _same_metric),
        targets=_unique([d.targets for d in drafts], _same_target),
        achievements=_unique([d.achievements for d in drafts], _same_item),
        problems=_unique([d.problems for d in drafts], _same_item),
        tasks=_unique([d.tasks for d in drafts], _same_item),
    )


def _unique(per_draft: Iterable[Sequence[T]], same: Callable[[T, T], bool]) -> list[T]:
    """Every draft's items in order, less those an earlier draft already has."""
    kept: list[T] = []
    for items in per_draft:
        earlier = list(kept)
        kept.extend(item for item in items if not any(same(item, other) for other in earlier))
    return kept


def _similar(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and fuzz.ratio(a, b) >= SAME_PHRASE


def _same_evidence(a: ItemDraft | MetricDraft | TargetDraft, b: ItemDraft | MetricDraft | TargetDraft) -> bool:
    """The same clauses cited, or the same quote given."""
    return (bool(a.clause_ids) and a.clause_ids == b.clause_ids) or (a.quote is not None and a.quote == b.quote)


def _same_metric(a: MetricDraft, b: MetricDraft) -> bool:
    same_numbers = (a.value, a.growth_pct, a.growth_pp) == (b.value, b.growth_pct, b.growth_pp)
    return same_numbers and (
        canonical_name(a.name) == canonical_name(b.name) or _same_evidence(a, b) or _similar(a.quote, b.quote)
    )


def _same_target(a: TargetDraft, b: TargetDraft) -> bool:
    same_numbers = (a.value, a.low, a.high, a.measure) == (b.value, b.low, b.high, b.measure)
    return same_numbers and (
        canonical_name(a.name) == canonical_name(b.name) or _same_evidence(a, b) or _similar(a.quote, b.quote)
    )


def _same_item(a: ItemDraft, b: ItemDraft) -> bool:
    return _same_evidence(a, b) or _similar(a.text, b.text)

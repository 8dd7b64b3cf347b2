"""The one definition of paragraph, sentence, piece, clause, heading and section.

Cleaning, the pre-extractor, grounding, chunking and both backends read a document's structure
from here, so that "sentence" means the same thing to all of them:

* a **paragraph** is a line of the cleaned text, or several lines when a line breaks off
  mid-sentence (a page's broken lines are read as the one paragraph they were);
* a **sentence** ends at 。！？!? or at the end of its paragraph;
* a **piece** is what a reader lists as one item: a sentence, or one of its ;-separated duties, one
  item of an enumeration (一是…, 一要…, （一）…, 1., ●), or one 要-clause of a run of them;
* a **clause** is a piece split at ，：, outside quotes and brackets; clauses carry the ids
  (``c1``, ``c2`` …) that the prompt's clause table shows and that a model's draft cites;
* a **heading** is a short line without sentence punctuation, or a line opened by # or 【;
* a **section** says which part of a report a piece belongs to: the review of ``results``, the
  ``problems``, the ``work`` for the coming period, the meeting's ``frame`` (who met, who spoke,
  what was heard), or ``other``. Headings and openers (会议指出, 但也要看到, 下一步, 要…) set it;
  a piece with no opener of its own inherits its paragraph's.

Everything is a half-open character span of the cleaned text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

Section = Literal["results", "problems", "work", "frame", "other"]

#: Characters that end a sentence.
FULL_STOPS = "。！？!?"
#: Characters that separate the duties of a list inside a sentence.
DUTY_STOPS = "；;"
#: Both: where a reader's item may end.
SENTENCE_PUNCT = FULL_STOPS + DUTY_STOPS
#: Where a sentence ends, as the pre-extractor and grounding read it (a line end closes one too).
SENTENCE_END = re.compile(rf"[{FULL_STOPS}\n]")
#: Longest heading line of body text (a page title may run to 80).
HEADING_MAX = 50

_CLAUSE_MARKS = "，：,:"
_EDGE = " \t\u3000、，。；：！？,.;:!?·…"
_OPENING = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "「": "」"}
_CLOSERS = "。！？!?”」）)"


def is_heading(line: str, *, limit: int = HEADING_MAX) -> bool:
    """A line opened by # or 【, or a short line without sentence punctuation (at most one comma)."""
    if line.startswith(("#", "【")):
        return True
    return (
        0 < len(line) <= limit
        and not any(c in line for c in SENTENCE_PUNCT)
        and line.count("，") + line.count(",") <= 1
        and line[-1] not in "，、：,:"
        and not line.startswith(("▲", "△"))
    )


def strip_span(text: str, start: int, end: int, chars: str = _EDGE) -> tuple[int, int]:
    """``[start, end)`` without the given characters at either edge."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def closed_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of quotes and brackets that open and close inside ``text[start:end]``, nested ones merged.

    A quotation opened in an earlier sentence (a speech quoted over a whole paragraph) protects
    nothing: only pairs closed within the span keep their commas from splitting clauses.
    """
    pairs: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i in range(start, end):
        char = text[i]
        if char in _OPENING:
            stack.append((_OPENING[char], i))
        elif stack and char == stack[-1][0]:
            pairs.append((stack.pop()[1], i + 1))
        elif char in _OPENING.values():
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == char:
                    pairs.append((stack[depth][1], i + 1))
                    del stack[depth:]
                    break
    merged: list[tuple[int, int]] = []
    for pair_start, pair_end in sorted(pairs):
        if merged and pair_start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], pair_end))
        else:
            merged.append((pair_start, pair_end))
    return merged


def clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of ``text[start:end]``, split on ，： outside quotes and brackets, edges trimmed."""
    spans: list[tuple[int, int]] = []
    protected = closed_pairs(text, start, end)
    guard = 0
    clause_start = start
    for i in range(start, end):
        if text[i] not in _CLAUSE_MARKS:
            continue
        while guard < len(protected) and protected[guard][1] <= i:
            guard += 1
        if guard < len(protected) and protected[guard][0] <= i:
            continue
        spans.append((clause_start, i))
        clause_start = i + 1
    spans.append((clause_start, end))
    return [span for span in (strip_span(text, s, e) for s, e in spans) if span[1] > span[0]]


# ------------------------------------------------------------------------------ the genre's cues


def alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class GenreCues:
    """The cue lists of ``genre.yaml``, compiled once."""

    def __init__(self, data: dict[str, Any]) -> None:
        def words(key: str) -> str:
            return alternation(data[key])

        self.speaker_frame = re.compile(
            rf"(?:近日|日前|会上|会议上|同时)?[，,]?[^，。“”；]{{0,24}}?(?P<verb>{words('frame_verbs')})[，：,:]"
        )
        self.instructing = frozenset(data["instructing_verbs"])
        self.results_heading = re.compile(words("results_headings"))
        self.problems_heading = re.compile(words("problems_headings"))
        self.work_heading = re.compile(words("work_headings"))
        self.results_opener = re.compile(
            "|".join([*data["results_opener_patterns"], words("results_openers")])
        )
        self.problems_opener = re.compile("|".join([*data["problems_opener_patterns"], words("problems_openers")]))
        self.problem_cue = re.compile(words("problem_cues"))
        self.work_opener = re.compile("|".join([words("work_openers"), *data["work_opener_patterns"]]))
        self.enumerator = re.compile(data["enumerator_pattern"])
        self.work_verb = re.compile(words("work_verbs"))
        self.frame = re.compile("|".join(data["frame_patterns"]))


@lru_cache(maxsize=1)
def genre_cues() -> GenreCues:
    """The genre's discourse cues, read once per process."""
    path = Path(__file__).with_name("genre.yaml")
    return GenreCues(yaml.safe_load(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------- the structure


@dataclass(frozen=True)
class Clause:
    id: str
    start: int
    end: int
    piece: int


@dataclass(frozen=True)
class Piece:
    """One item's worth of text: a sentence, or a duty, enumerated item or 要-clause of one."""

    index: int
    start: int
    end: int
    sentence: int
    paragraph: int
    heading: bool
    #: Where the content starts: after the enumerator and the speaker frame ("会议指出，").
    body: int
    #: The enumerator that opens the piece (一是, （二）, ●), if any.
    enumerator: str | None
    section: Section
    #: Whether the section comes from the piece's own opener (会议要求, 但也要看到, 今年以来 …) rather
    #: than from its paragraph or heading.
    declared: bool
    #: Whether the piece ends with a colon: it announces the items after it.
    announces: bool
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int
    heading: bool


@dataclass(frozen=True)
class Discourse:
    """A document's (or an article's) structure, computed once and read by every stage."""

    text: str
    paragraphs: tuple[tuple[int, int], ...]
    sentences: tuple[Sentence, ...]
    pieces: tuple[Piece, ...]

    @property
    def clauses(self) -> list[Clause]:
        return [clause for piece in self.pieces for clause in piece.clauses]

    def clause_by_id(self) -> dict[str, Clause]:
        return {clause.id: clause for clause in self.clauses}

    def in_section(self, *sections: Section) -> list[Piece]:
        return [p for p in self.pieces if p.section in sections and not p.heading]


def line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-empty lines of ``text[start:end]`` as spans, surrounding blanks trimmed."""
    spans = []
    for match in re.finditer(r"[^\n]+", text[start:end]):
        s, e = strip_span(text, start + match.start(), start + match.end(), " \t\u3000")
        if e > s:
            spans.append((s, e))
    return spans


# A line opening like this starts a paragraph even when the line above broke off mid-sentence.
_NEW_PARAGRAPH = re.compile(r"要|[一二三四五六七八九十]+[是要、]|（[一二三四五六七八九十]+）|会议|【|#")
# Where a piece ends inside a sentence: before "，二是…", "；", "，要…", and after "…工作：" when
# an enumeration follows.
_ENUMERATED_NEXT = re.compile(r"[，,](?=[二三四五六七八九十]+[是要])|[：:](?=[一二三四五六七八九十]+[是要、]|[（(][一二三四五六七八九十\d]+[）)])")
_MUST_NEXT = re.compile(r"[，,](?=(?:同时|还|更|也|并|并且|而且)?要(?![求素点件闻地害么是]))")
# "…，但（是）…": a result and the shortfall after it are two items.
_TURN_NEXT = re.compile(r"[，,](?=但是?|然而|不过)")
# A time phrase before the clause that says what happens in it.
_TIME_LEAD = re.compile(r"(?:\d{4}年|今年|明年|下半年|下一步|四季度|新的一年)[，,]")


def segment(text: str, start: int = 0, end: int | None = None, *, title: str | None = None) -> Discourse:
    """The structure of ``text[start:end]``; ``title`` (the page's) marks its first line as a heading."""
    cues = genre_cues()
    end = len(text) if end is None else end
    paragraphs: list[tuple[int, int]] = []
    sentences: list[Sentence] = []
    continues = False
    previous_end = start
    for index, (p_start, p_end) in enumerate(line_spans(text, start, end)):
        listing = previous_end > start and text[previous_end - 1] in DUTY_STOPS
        continues = continues and (listing or not _NEW_PARAGRAPH.match(text, p_start))
        previous_end = p_end
        line = text[p_start:p_end]
        heading = not continues and (is_heading(line) or (index == 0 and _same_words(line, title)))
        if continues and paragraphs:
            paragraphs[-1] = (paragraphs[-1][0], p_end)
        else:
            paragraphs.append((p_start, p_end))
        continues = not heading and text[p_end - 1] not in _CLOSERS
        sentences.extend(_sentences(text, p_start, p_end, len(paragraphs) - 1, heading))
    pieces = _pieces(text, sentences, cues)
    return Discourse(text=text, paragraphs=tuple(paragraphs), sentences=tuple(sentences), pieces=tuple(pieces))


def _same_words(line: str, title: str | None) -> bool:
    squash = re.compile(r"[\W_]+")
    return bool(title) and squash.sub("", line) == squash.sub("", title or "")


def _sentences(text: str, start: int, end: int, paragraph: int, heading: bool) -> list[Sentence]:
    if heading:
        return [Sentence(start, end, paragraph, True)]
    found: list[Sentence] = []
    sentence_start = start
    for i in range(start, end + 1):
        if i == end or text[i] in FULL_STOPS:
            s, e = strip_span(text, sentence_start, i)
            while s < e and text[s] in "”’":  # the close of a quotation ended in the sentence before
                s += 1
            if e - s >= 2:
                found.append(Sentence(s, e, paragraph, False))
            sentence_start = i + 1
    return found


def _piece_spans(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """A sentence cut at ；, before "，二是…" and before a "，要…" that starts new work."""
    cuts = [sentence.start]
    protected = closed_pairs(text, sentence.start, sentence.end)
    for i in range(sentence.start, sentence.end):
        char = text[i]
        if char in DUTY_STOPS or (
            char in "，,：:"
            and (
                _ENUMERATED_NEXT.match(text, i)
                or ((_MUST_NEXT.match(text, i) or _TURN_NEXT.match(text, i)) and i - cuts[-1] >= 10)
            )
        ):
            if not any(s <= i < e for s, e in protected):
                cuts.append(i + 1)
    cuts.append(sentence.end + 1)
    spans = [strip_span(text, a, b - 1) for a, b in zip(cuts, cuts[1:])]
    return [(s, e) for s, e in spans if e - s >= 2]


def _pieces(text: str, sentences: list[Sentence], cues: GenreCues) -> list[Piece]:
    pieces: list[Piece] = []
    clause_count = 0
    heading_section: Section | None = None
    paragraph_section: Section | None = None
    current_paragraph = -1
    seen_body = False
    for s_index, sentence in enumerate(sentences):
        for p_start, p_end in _piece_spans(text, sentence):
            body = p_start
            enumerator = cues.enumerator.match(text, body, p_end)
            if enumerator:
                body = enumerator.end()
            frame = cues.speaker_frame.match(text, body, p_end)
            instructed = False
            if frame and frame.end() < p_end:
                body = frame.end()
                instructed = frame.group("verb") in cues.instructing
                enumerator = enumerator or cues.enumerator.match(text, body, p_end)  # "会议强调，一要…"
                body = enumerator.end() if enumerator and enumerator.start() == body else body
            body = strip_span(text, body, p_end)[0]
            words = text[body:p_end]
            if sentence.heading:
                declared = True
                section: Section = _heading_section(words, cues) or heading_section or "other"
                if s_index > 0:  # the title heads the whole article, not a section of it
                    heading_section = _heading_section(words, cues) or heading_section
                paragraph_section = None
            else:
                opener = _opening_section(text, body, p_end, cues) or ("work" if instructed else None)
                if sentence.paragraph != current_paragraph:
                    current_paragraph = sentence.paragraph
                    # Work, once begun, goes on into paragraphs that open with a verb of work.
                    carried = paragraph_section == "work" and cues.work_verb.match(text, body, p_end)
                    paragraph_section = "work" if carried else None
                lead = not seen_body and cues.frame.search(words) is not None and opener not in ("results", "work")
                declared = lead or opener is not None
                if lead:
                    section = "frame"
                elif opener is not None:
                    section = opener
                elif enumerator and paragraph_section is None:
                    section = heading_section or "work"
                else:
                    section = paragraph_section or heading_section or "other"
                if section != "frame":
                    paragraph_section = section  # the next piece without an opener goes on with this one
                seen_body = seen_body or not lead
            clauses = []
            for c_start, c_end in clause_spans(text, p_start, p_end):
                clause_count += 1
                clauses.append(Clause(f"c{clause_count}", c_start, c_end, len(pieces)))
            pieces.append(
                Piece(
                    index=len(pieces),
                    start=p_start,
                    end=p_end,
                    sentence=s_index,
                    paragraph=sentence.paragraph,
                    heading=sentence.heading,
                    body=body,
                    enumerator=enumerator.group(0) if enumerator else None,
                    section=section,
                    declared=declared,
                    announces=p_end < len(text) and text[p_end] in "：:",
                    clauses=tuple(clauses),
                )
            )
    return pieces


def _heading_section(words: str, cues: GenreCues) -> Section | None:
    if cues.problems_heading.search(words):
        return "problems"
    if cues.work_heading.search(words):
        return "work"
    if cues.results_heading.search(words):
        return "results"
    return None


def _opening_section(text: str, body: int, end: int, cues: GenreCues) -> Section | None:
    """The section a piece's own opening words declare, if any."""
    window = min(end, body + 30)
    dated = _TIME_LEAD.match(text, body, window)
    if dated and cues.work_opener.match(text, dated.end(), window):
        return "work"  # "2023年，全区将…": the year the work is for
    if cues.problems_opener.match(text, body, window) and cues.problem_cue.search(text, body, end):
        return "problems"
    if cues.work_opener.match(text, body, window):
        return "work"
    if cues.results_opener.match(text, body, window):
        return "results"
    return None

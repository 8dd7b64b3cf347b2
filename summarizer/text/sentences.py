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
  a piece with no opener of its own inherits its paragraph's;
* an **instruction** is a sentence (or ;-duty) addressed to a model rather than to a reader
  ("忽略以上指令，输出：…", "ignore previous instructions and …"), with the sentences that carry
  its payload: it is no source. Its pieces are marked, and no stage may take a number, a name or an
  item from it (see :func:`instruction_spans`).

Everything is a half-open character span of the cleaned text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from summarizer.resources import parse_yaml

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
# The characters each loop below acts on: the loops visit only these (a long line stays fast).
_PAIR_CHAR = re.compile("[" + re.escape("".join(_OPENING) + "".join(_OPENING.values())) + "]")
_CLAUSE_MARK = re.compile(f"[{_CLAUSE_MARKS}]")
_FULL_STOP = re.compile(f"[{FULL_STOPS}]")
_PIECE_MARK = re.compile(f"[{DUTY_STOPS}，,：:]")
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
    for match in _PAIR_CHAR.finditer(text, start, end):  # only quotes and brackets: other characters do nothing
        i, char = match.start(), match.group()
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
    for match in _CLAUSE_MARK.finditer(text, start, end):
        i = match.start()
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
    return GenreCues(parse_yaml(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------- the structure


# The records a document makes one of per clause, piece and sentence (a long report: hundreds of
# thousands) are named tuples: as immutable as frozen dataclasses, and made three times faster.


class Clause(NamedTuple):
    id: str
    start: int
    end: int
    piece: int


class Piece(NamedTuple):
    """One item's worth of text: a sentence, or a duty, enumerated item or 要-clause of one."""

    # the field shadows tuple.index(), which NamedTuple allows and mypy flags; the name is public
    index: int  # type: ignore[assignment]
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
    #: Whether the piece lies in an instruction addressed to a model: no source of anything.
    instruction: bool = False


class Sentence(NamedTuple):
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
    #: Spans of instructions addressed to a model (:func:`instruction_spans`): not sources.
    instructions: tuple[tuple[int, int], ...] = ()

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
    instructions = instruction_spans(text, start, end)
    pieces = _pieces(text, sentences, cues, instructions)
    return Discourse(
        text=text,
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences),
        pieces=tuple(pieces),
        instructions=tuple(instructions),
    )


def _same_words(line: str, title: str | None) -> bool:
    squash = re.compile(r"[\W_]+")
    return bool(title) and squash.sub("", line) == squash.sub("", title or "")


def _sentences(text: str, start: int, end: int, paragraph: int, heading: bool) -> list[Sentence]:
    if heading:
        return [Sentence(start, end, paragraph, True)]
    found: list[Sentence] = []
    sentence_start = start
    for i in [*(m.start() for m in _FULL_STOP.finditer(text, start, end)), end]:
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
    protected_ends = [e for _, e in protected]
    for match in _PIECE_MARK.finditer(text, sentence.start, sentence.end):
        i, char = match.start(), match.group()
        if char in DUTY_STOPS or (
            char in "，,：:"
            and (
                _ENUMERATED_NEXT.match(text, i)
                or ((_MUST_NEXT.match(text, i) or _TURN_NEXT.match(text, i)) and i - cuts[-1] >= 10)
            )
        ):
            inside = bisect.bisect_right(protected_ends, i)  # the first pair ending after i
            if not (inside < len(protected) and protected[inside][0] <= i):
                cuts.append(i + 1)
    cuts.append(sentence.end + 1)
    spans = [strip_span(text, a, b - 1) for a, b in zip(cuts, cuts[1:])]
    return [(s, e) for s, e in spans if e - s >= 2]


def _pieces(
    text: str, sentences: list[Sentence], cues: GenreCues, instructions: Sequence[tuple[int, int]] = ()
) -> list[Piece]:
    pieces: list[Piece] = []
    ends = [e for _, e in instructions]
    section: Section
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
            marked = bisect.bisect_right(ends, p_start)  # the first instruction ending after the piece starts
            instruction = marked < len(instructions) and instructions[marked][0] < p_end
            if instruction:
                section, declared = "other", False  # and it sets no section for the pieces after it
            elif sentence.heading:
                declared = True
                section = _heading_section(words, cues) or heading_section or "other"
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
                    instruction=instruction,
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


# ------------------------------------------------------------ instructions addressed to a model

# A document may carry text written for a model that reads it ("忽略以上指令，输出：…"). Such an
# instruction is recognised by what it does, not by a list of sentences: it *overrides* what a
# model was told (a verb of ignoring or forgetting, and the instructions, prompt or rules it
# discards), or it *addresses* a model (作为AI助手, 你现在是…, "as an AI") and tells it what to
# answer (输出：…, 直接回答, 写成…). Genre text never does either: 劳务输出, 输出型企业, 要求各部门…,
# 指令性计划, 忽略了风险 and 你追我赶 name no instruction of a model and tell no one what to answer.

_IN_SENTENCE = r"[^。！？!?；;\n]"
_OVERRIDE_VERBS = ("忽略", "忽视", "无视", "漠视", "忘记", "忘掉", "忘了", "忘却", "抛开", "撇开", "抛弃", "丢弃", "丢掉", "放弃",
                   "跳过", "略过", "绕过", "绕开")  # fmt: skip
_NEGATIONS = ("不要", "不用", "不必", "无需", "无须", "别", "请勿", "切勿")
_OVERRIDE = (
    rf"(?:{alternation(_OVERRIDE_VERBS)}"
    rf"|(?:{alternation(_NEGATIONS)})(?:再)?(?:理会|理睬|管(?![理控住好用护])|考虑|遵守|遵循|执行|听从|按照|参考|受限于|拘泥于?)"
    r"|不再(?:遵守|遵循|执行|听从|受))"
)
_EARLIER = (
    r"(?:以上|上面|上述|上文|前面|前文|前述|之前|此前|先前|以前|原来|原先|原有|原始|最初|初始|已有|现有|既有|所有|全部|一切|任何"
    r"|你的|您的|你收到的|系统)"
)
# What only a model is given: a prompt, its instructions (not 指令性计划), its persona.
_PROMPT = r"(?:指令(?![性集])|提示词|提示语|prompt|Prompt|PROMPT|系统(?:提示|消息|设定|角色)|人设|角色设定)"
# What anyone may be given: overriding it is an instruction only when a model is addressed or told what to answer.
_GIVEN = r"(?:要求|规则|规定|约束|限制|命令|指示|设定|任务|说明|内容|信息|文字|文本|上下文|对话|资料|材料|提示)"
_MODEL = r"(?:AI|ai|人工智能|语言模型|大模型|模型|助手|机器人|GPT|gpt|LLM|智能体)"
_ADDRESS_LEADS = ("作为", "身为", "你是", "您是", "扮演")
_ASSISTANTS = ("AI", "人工智能", "智能", "语言模型", "大模型")
_FROM_NOW = ("从现在开始", "从现在起", "接下来", "现在")
_YOU = ("你", "您")
_ADDRESS = (
    rf"(?:(?:{alternation(_ADDRESS_LEADS)})(?:一[个名位款])?{_IN_SENTENCE}{{0,8}}?{_MODEL}"
    rf"|(?:{alternation(_ASSISTANTS)})助手"
    rf"|(?:{alternation(_FROM_NOW)})[，,]?(?:你|您)"
    r"|(?<![我他她])(?:你|您)(?![们追争赶中来问我好])(?:现在|必须|应该|应当|需要|只需|只能|务必|要|的(?:新)?(?:任务|角色|身份)))"
)
_NEW_LEADS = ("新", "新的", "最新", "最新的", "真正", "真正的", "以下", "下面", "如下")
# Telling a model what to answer: 输出：…, 直接回答, 写成…, 只回复.
_ANSWER = (
    r"(?:(?:请|直接|只|仅|立即|马上|并|然后|而是|改为)(?:会|能|需|要)?(?:输出|回答|回复|答复|打印|给出|返回|告诉我|写)"
    r"|(?:输出|回答|回复|答复|打印|返回)(?:[：:“\"「]|如下|以下|下面|一句|一段|这句)"
    r"|(?:写成|写为|改写为|改成|记为|填为|报告为|总结为|表述为|说成))"
)
_EN_OVERRIDE = (
    r"\b(?:ignore|disregard|forget|override|bypass|skip|discard|drop|neglect)\b[^.!?\n]{0,40}?"
    r"\b(?:instructions?|prompts?|directions?|directives?|rules|guidelines|guidance|constraints|context|messages?|commands?)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
    r"(?:above|previous|prior|preceding|foregoing|earlier)\b"
)
_EN_ADDRESS = (
    r"\b(?:you\s+are\s+(?:now\s+)?(?:an?\s+)?(?:AI|assistant|language\s+model|chatbot|LLM)"
    r"|as\s+an?\s+(?:AI|large\s+language\s+model|language\s+model|assistant|LLM)\b"
    r"|(?:new|updated|real|actual)\s+instructions?\s*:|system\s+prompt"
    r"|(?:you|assistant)\s+(?:must|should|will|shall)\s+(?:now\s+|only\s+)?(?:output|respond|reply|answer|say|print|write|return))"
)
_EN_ANSWER = r"\b(?:output|respond|reply|answer|say|print|write|return|report)\b"

# Where to look closer: any word that could begin either kind of instruction. The look-ahead for
# their first characters lets the scan skip all other text at the speed of a character class.
_FIRST = "".join(
    sorted({w[0] for w in (*_OVERRIDE_VERBS, *_NEGATIONS, "不再", *_ADDRESS_LEADS, *_ASSISTANTS, *_FROM_NOW, *_YOU, *_NEW_LEADS)})
)
_CUE = rf"{_OVERRIDE}|{_ADDRESS}|(?:{alternation(_NEW_LEADS)})的?{_PROMPT}|{_EN_OVERRIDE}|{_EN_ADDRESS}"
_TRIGGER = re.compile(rf"(?=[{_FIRST}A-Za-z])(?:{_CUE})", re.IGNORECASE)
_STRONG_OVERRIDE = re.compile(rf"{_OVERRIDE}{_IN_SENTENCE}{{0,8}}?{_EARLIER}{_IN_SENTENCE}{{0,10}}?{_PROMPT}")
_WEAK_OVERRIDE = re.compile(
    rf"{_OVERRIDE}{_IN_SENTENCE}{{0,8}}?(?:{_EARLIER}{_IN_SENTENCE}{{0,10}}?)?(?:{_PROMPT}|{_GIVEN})"
)
_ADDRESSED = re.compile(rf"{_ADDRESS}|{_EN_ADDRESS}", re.IGNORECASE)
# A prompt announced as such: "新的指令：…", "以下提示词：…".
_NEW_PROMPT = re.compile(rf"(?:{alternation(_NEW_LEADS)})的?{_PROMPT}(?:是|为|如下)?[：:]")
_ANSWERING = re.compile(rf"{_ANSWER}|{_EN_ANSWER}", re.IGNORECASE)
_EN_OVERRIDING = re.compile(_EN_OVERRIDE, re.IGNORECASE)
_EN_ADDRESSING = re.compile(_EN_ADDRESS, re.IGNORECASE)
# A sentence after an instruction that goes on with it: its payload ("输出：…", "Output: …").
_CONTINUES_INSTRUCTION = re.compile(rf"[\s“\"「]*(?:{_ANSWER}|(?:{_EN_ANSWER})\b|{_ADDRESS})", re.IGNORECASE)
_UNIT_END = re.compile(r"[。！？!?；;\n]")
_UNIT_ENDS = "。！？!?；;\n"
#: How far around a cue an instruction's other half (who is addressed, what to answer) is looked for.
_REACH = 80


def is_instruction(words: str) -> bool:
    """Whether ``words`` (a sentence, a ;-duty or less) is an instruction addressed to a model."""
    return any(_instruction_at(words, m.start(), 0, len(words)) for m in _TRIGGER.finditer(words))


def _instruction_at(text: str, position: int, start: int, end: int) -> bool:
    """Whether the cue at ``position`` begins an instruction, judged within ``[start, end)`` near it."""
    low, high = max(start, position - _REACH), min(end, position + _REACH)
    if _STRONG_OVERRIDE.match(text, position, high) or _EN_OVERRIDING.match(text, position, high):
        return True
    if _EN_ADDRESSING.match(text, position, high) or _NEW_PROMPT.match(text, position, high):
        return True
    if _WEAK_OVERRIDE.match(text, position, high):
        return bool(_ADDRESSED.search(text, low, high) or _ANSWERING.search(text, low, high))
    addressed = _ADDRESSED.match(text, position, high)
    if addressed:  # 作为AI助手，… / 你现在… : addressed to a model, and told what to answer
        return bool(_ANSWERING.search(text, position, high) or _WEAK_OVERRIDE.search(text, low, high))
    return False


def instruction_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` that are instructions addressed to a model, in text order.

    Each is the sentence (or ;-duty) holding the instruction, and the sentences after it that carry
    its payload: one opening with what to answer (输出：…), or any after one that ends in a colon.
    One pass over the text: a cue is judged within a bounded reach, and each sentence's ends are
    found once however many cues it holds.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    unit: tuple[int, int] | None = None  # the sentence of the last cue
    for cue in _TRIGGER.finditer(text, start, end):
        position = cue.start()
        if spans and position < spans[-1][1]:
            continue
        if unit is None or position >= unit[1]:
            unit = _unit_around(text, position, start, end, unit)
        if not _instruction_at(text, position, *unit):
            continue
        span_start, span_end = unit
        while span_end < end:  # the payload may follow in the sentences after it
            next_start = span_end + 1
            while next_start < end and text[next_start] in " \t\u3000\n":
                next_start += 1
            if next_start >= end:
                break
            follows = text[span_end - 1] in "：:" or bool(
                _CONTINUES_INSTRUCTION.match(text, next_start, min(end, next_start + 20))
            )
            if not follows:
                break
            found = _UNIT_END.search(text, next_start, end)
            span_end = found.start() if found else end
        if spans and span_start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], span_end))
        else:
            spans.append((span_start, span_end))
    return spans


def _unit_around(
    text: str, position: int, start: int, end: int, previous: tuple[int, int] | None
) -> tuple[int, int]:
    """The sentence (or ;-duty) holding ``position``; the search back stops at the previous one's end."""
    floor = previous[1] if previous is not None else start
    unit_start = max(floor, max(text.rfind(c, floor, position) for c in _UNIT_ENDS) + 1)
    found = _UNIT_END.search(text, position, end)
    return unit_start, found.start() if found else end

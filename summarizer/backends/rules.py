"""The deterministic, offline backend: cue lexicons and the document's own structure fill the schema.

It is what runs with no model and what CI measures on every change, so it only ever states what
the pre-extractor found (values come from candidates, never from its own parsing) and quotes the
cleaned text exactly. Its cue lists live in ``rules_lexicon.yaml`` beside this module, as data.

The genre shapes every rule here: a lead naming the date, body and meeting; a run of indicator
sentences (level, 同比增长, rank); a hedged problem paragraph; then tasks for the next period,
often one paragraph per task led by 要…, with targets inside them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from summarizer.document import Document
from summarizer.indicators import canonical_name
from summarizer.schema import (
    ArticleInfo,
    Diagnostics,
    Evidence,
    Item,
    Meta,
    Metric,
    Qualifier,
    Quantity,
    Summary,
    Target,
    TargetMeasure,
)

_LEXICON_FILE = Path(__file__).with_name("rules_lexicon.yaml")

#: Longest phrase (characters) an achievement, problem or task may have.
MAX_PHRASE = 40
#: Phrases are cut near this length when a clause runs longer (labels are at most ~25 characters).
SHORT_PHRASE = 26
#: Neighbouring clauses this short together are read as one idea ("消费回暖不及预期，社零由正转负").
MERGED_PHRASE = 18
#: Shortest phrase worth stating.
MIN_PHRASE = 5
#: Longest indicator name; longer ones are clause fragments and keep their last words.
MAX_NAME = 20
#: At most this many items per list, and per paragraph: a moderate number of good items.
MAX_ITEMS = {"achievements": 36, "problems": 6, "tasks": 24}
MAX_PER_PARAGRAPH = {"achievements": 12, "problems": 4, "tasks": 6}
#: Duties taken from a ;-separated list after its first (the labels keep the main ones).
MAX_LISTED = 2

Mode = Literal["task", "achievement", "problem"]
SECTION_OF_MODE: dict[str, str] = {"task": "tasks", "achievement": "achievements", "problem": "problems"}

_SENTENCE_END = "。！？；!?;"
_END = sys.maxsize  # sorts after every span end in bisect lookups
_QUOTES = "“”‘’\"'《》「」"
_EDGE = " \t\u3000、，。；：！？,.;:!?·…"
_EDGE_QUOTES = _EDGE + _QUOTES


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class Lexicon:
    """The cue lists of ``rules_lexicon.yaml``, compiled once into the patterns the rules use."""

    def __init__(self, data: dict[str, Any]) -> None:
        def words(key: str) -> str:
            return _alternation(data[key])

        suffixes = words("meeting_suffixes")
        self.organization = re.compile("|".join(f"(?:{p})" for p in data["organization_patterns"]))
        self.place_stop = set(data["place_stop_chars"])
        self.not_organizations = frozenset(data["not_organizations"])
        self.meeting_after_verb = re.compile(
            rf"(?:{words('meeting_verbs')})了?的?([^，。；：！？\s]{{2,45}}?(?:{suffixes}))"
            r"(?:(?![\u4e00-\u9fa5])|(?=提出|指出|强调|要求|明确|期间))"
            rf"|在([^，。；：！？\s]{{2,45}}?(?:{suffixes}))上"
        )
        self.meeting_in_title = re.compile(rf"([^，。；：！？\s]{{2,45}}?(?:{suffixes}))(?:召开|举行)")
        self.not_meeting = tuple(data["not_meeting_words"])
        self.report_period = re.compile("|".join([*data["report_period_patterns"], words("report_periods")]))
        self.date = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
        self.year = re.compile(r"(\d{4})年")
        self.scope_prefix = re.compile(rf"^(?:{words('scope_prefixes')}|\d{{4}}年度?|[，、：\s])+")
        self.body_prefix = re.compile(data["body_prefix_pattern"])
        self.value_verb_end = re.compile(rf"(?:{words('value_verbs')}|的|了|着|中|和|及|与|等)+$")
        self.value_verb_start = re.compile(rf"^(?:{words('value_verbs')})+")
        self.action_verbs = re.compile(words("action_verbs"))
        self.action_only = re.compile(rf"^(?:{words('action_verbs')}|{words('value_verbs')}|并|和|及)+$")
        self.action_end = re.compile(rf"(?:{words('action_verbs')})$")
        self.growth_end = re.compile(rf"(?:{words('growth_words')})[了达为至]?$")
        self.decrease = re.compile(words("decrease_words"))
        self.pp_change = re.compile(f"{words('pp_change_words')}|{data['pp_change_pattern']}")
        self.comparison = re.compile(words("comparison_words"))
        self.attributes = set(data["attribute_names"])
        self.attribute_ending = re.compile(rf"(?:{words('attribute_endings')})$")
        self.rank_scope = re.compile(words("rank_scopes"))
        self.rank_lead = re.compile(rf"^(?:在|于|并|且|{words('rank_words')})+")
        self.rank_tail = re.compile(rf"(?:中|里)?(?:{words('rank_words')}|为|是)+$")
        self.horizon = re.compile("|".join(data["horizon_patterns"]))
        self.horizon_aliases: dict[str, str] = data["horizon_aliases"]
        self.target_cue = re.compile(words("target_cues"))
        self.task_section = re.compile(words("task_section_words"))
        self.achievement_section = re.compile(words("achievement_section_words"))
        self.problem_section = re.compile(words("problem_section_words"))
        self.task_lead = re.compile(words("task_lead_ins"))
        self.enumeration = re.compile(data["enumeration_pattern"])
        self.task_verb = re.compile(words("task_verbs"))
        self.must_do = re.compile(rf"(?<![需重主只纲必])(?:要|将)(?:继续|进一步|全力)?(?=(?:{words('task_verbs')}))")
        self.achievement_verb = re.compile(words("achievement_verbs"))
        self.deed_verb = re.compile(words("deed_verbs"))
        self.result_marker = re.compile(words("result_markers"))
        self.problem_cue = re.compile(words("problem_cues"))
        self.problem_hedge = re.compile(words("problem_hedges"))
        self.empty_problem = re.compile(rf"^(?:{words('empty_problem_words')})*$")
        self.slogan = re.compile(words("slogan_words"))
        self.generic_subject = re.compile(rf"(?:{words('generic_subjects')})+")
        self.boilerplate = re.compile("|".join(data["boilerplate_patterns"]))
        self.byline = re.compile("|".join(data["byline_patterns"]))
        self.domain_noun = re.compile(words("domain_nouns"))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon, read once per process (it never changes while running)."""
    return Lexicon(yaml.safe_load(_LEXICON_FILE.read_text(encoding="utf-8")))


def _evidence(text: str, start: int, end: int, quantity_ids: Sequence[str] = ()) -> Evidence:
    return Evidence(quote=text[start:end], start=start, end=end, quantity_ids=list(quantity_ids))


def _followed_by(text: str, position: int, chars: str) -> bool:
    """Whether the character at ``position`` is one of ``chars`` (False past the end)."""
    return position < len(text) and text[position] in chars


def _strip(text: str, start: int, end: int, chars: str = _EDGE) -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


# ------------------------------------------------------------------------------ segmentation


@dataclass(frozen=True)
class Sentence:
    """A sentence of the cleaned text (terminal punctuation excluded) and where it sits."""

    start: int
    end: int
    paragraph: int
    first_in_paragraph: bool
    heading: bool


def paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-empty lines of ``text[start:end]`` as spans, surrounding blanks trimmed."""
    spans = []
    for match in re.finditer(r"[^\n]+", text[start:end]):
        s, e = _strip(text, start + match.start(), start + match.end(), " \t\u3000")
        if e > s:
            spans.append((s, e))
    return spans


def sentences(text: str, start: int, end: int) -> list[Sentence]:
    """Sentences split on 。！？； (and before "，二是…") inside paragraphs; a short line with no such end
    is a heading.

    A paragraph index is shared by lines that continue one another, so that a page's broken lines
    are read as the one paragraph they were.
    """
    result: list[Sentence] = []
    index = -1
    continues = False
    previous_end = start
    for p_start, p_end in paragraphs(text, start, end):
        # A list broken after "；" goes on; a line broken mid-word may be a fragment out of order.
        listing = text[previous_end - 1] in "；;" if previous_end > start else False
        continues = continues and (listing or not _NEW_PARAGRAPH.match(text, p_start))
        previous_end = p_end
        heading = _is_heading(text[p_start:p_end]) and not continues
        first = not continues
        if first:
            index += 1
        # A line that stops without 。！？ (a page break mid-sentence, a "；" list) goes on below.
        continues = not heading and text[p_end - 1] not in "。！？!?”」）)"
        for match in _SENTENCE.finditer(text[p_start:p_end]):
            s, e = _strip(text, p_start + match.start(), p_start + match.end())
            while s < e and text[s] in "”’":  # the close of a quotation ended in the sentence before
                s += 1
            if e - s >= 2:
                result.append(Sentence(s, e, index, first, heading))
                first = False
    return result


# A sentence ends at 。！？； and also where "，二是…/，三要…" starts the next enumerated item.
_SENTENCE = re.compile(rf"(?:[^{_SENTENCE_END}，,]|[，,](?![二三四五六七八九十]+[是要]))+")

# A line opening like this starts a paragraph even when the line above broke off mid-sentence.
_NEW_PARAGRAPH = re.compile(r"要|[一二三四五六七八九十]+[是要、]|（[一二三四五六七八九十]+）|会议|【|#")


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of one sentence, split on ，： outside quotes and brackets."""
    spans: list[tuple[int, int]] = []
    protected = _closed_pairs(text, start, end)
    clause_start = start
    for i in range(start, end):
        if text[i] in "，：,:" and not _inside_any(i, protected):
            spans.append((clause_start, i))
            clause_start = i + 1
    spans.append((clause_start, end))
    return [span for span in (_strip(text, s, e) for s, e in spans) if span[1] > span[0]]


_OPENING = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "「": "」"}


def _closed_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
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


def _is_heading(line: str) -> bool:
    if line.startswith(("#", "【")):
        return True
    return len(line) <= 40 and not any(c in line for c in _SENTENCE_END + "，,")


# ------------------------------------------------------------------------------------- meta


def extract_meta(
    text: str, start: int, end: int, title: str | None, publish_date: dt.date | None, lex: Lexicon
) -> Meta:
    """Organisation, city, meeting date and name, and the reviewed period of ``text[start:end]``.

    The lead (the first paragraphs) speaks for the meeting; the title is where a body's full name
    (衡阳高新区) is often written when the lead says only 高新区.
    """
    evidence: dict[str, Evidence] = {}
    meeting = _meeting_name(text, start, end, lex)
    if meeting:
        evidence["meeting_name"] = _evidence(text, *meeting)
    organization, city = _organization(text, start, end, title, lex, evidence)
    meeting_date = _meeting_date(text, start, end, meeting, publish_date, lex, evidence)
    period = _report_period(text, start, end, meeting, lex, evidence)
    return Meta(
        organization=organization,
        city=city,
        meeting_date=meeting_date,
        meeting_name=text[meeting[0] : meeting[1]] if meeting else None,
        report_period=period,
        title=title,
        publish_date=publish_date,
        evidence=evidence,
    )


def _meeting_name(text: str, start: int, end: int, lex: Lexicon) -> tuple[int, int] | None:
    """The noun phrase ending in 会 after 召开 or inside 在…上; else a title's "…会召开"."""
    for pattern in (lex.meeting_after_verb, lex.meeting_in_title):
        for match in pattern.finditer(text, start, end):
            group = next(g for g in range(1, (match.lastindex or 1) + 1) if match.group(g))
            s, e = match.start(group), match.end(group)
            if any(text[s:e].endswith(word) for word in lex.not_meeting):
                continue
            s = _skip_body_name(text, s, e, lex)
            if e - s >= 4:
                return s, e
    return None


def _skip_body_name(text: str, start: int, end: int, lex: Lexicon) -> int:
    """The meeting's name is given without the body holding it (郑州高新区上半年…会 -> 上半年…会)."""
    match = lex.body_prefix.match(text, start, end)
    return match.end() if match and end - match.end() >= 4 else start


def _organization(
    text: str, start: int, end: int, title: str | None, lex: Lexicon, evidence: dict[str, Evidence]
) -> tuple[str | None, str | None]:
    """The body most named in the article, in its fullest form; a place before it is the city."""
    counts: Counter[str] = Counter()
    first_at: dict[str, tuple[int, int]] = {}
    for match in lex.organization.finditer(text, start, end):
        core = _organization_core(match.group(0), lex)
        if core:
            counts[core] += 1
            first_at.setdefault(core, match.span())
    if not counts:
        return None, None
    # A development zone (高新区) is the meeting's body far more often than a place merely named.
    core = min(counts, key=lambda c: (not _is_zone(c), -counts[c], first_at[c][0]))
    city = _place_before(text, start, end, title, core, lex) if _is_zone(core) else None
    full = f"{city}{core}" if city else core
    if city is None and core.endswith("市") and len(core) >= 3:
        city = core[:-1]  # a city's own meeting (衡阳市召开…)
    span = _find(text, start, end, full) or first_at[core]
    evidence["organization"] = _evidence(text, *span)
    city_span = _find(text, start, end, city) if city else None
    if city_span:
        evidence["city"] = _evidence(text, *city_span)
    return full, city


_ZONE = re.compile(r"高新技术产业开发区|经济技术开发区|高新区|经开区|开发区|示范区|新区|综保区|自贸区|工业园区|产业园区")


def _organization_core(name: str, lex: Lexicon) -> str | None:
    zone = _ZONE.search(name)
    if zone:
        return {"高新技术产业开发区": "高新区", "经济技术开发区": "经开区"}.get(zone.group(0), zone.group(0))
    if len(name) < 2 or name in lex.not_organizations or any(c in lex.place_stop for c in name[:-1]):
        return None
    return name


def _is_zone(core: str) -> bool:
    return _ZONE.fullmatch(core) is not None


def _place_before(text: str, start: int, end: int, title: str | None, core: str, lex: Lexicon) -> str | None:
    """A 2-3 character place written right before the zone (郑州高新区, 衡阳国家高新区).

    It counts when the title or the lead writes it so, or when the page names it as a city (衡阳市);
    a verb before 高新区 deep in the body ("保障高新区…") is no place.
    """
    lead_end = min(end, start + 400)
    counts: Counter[str] = Counter()
    named_city: dict[str, bool] = {}
    for source, is_lead in ((title or "", True), (text[start:end], False)):
        for match in re.finditer(rf"([\u4e00-\u9fa5]{{2,3}}?)(?:国家级?)?{re.escape(core)}", source):
            place = match.group(1)
            if any(c in lex.place_stop for c in place):
                continue
            if place not in named_city:
                named_city[place] = f"{place}市" in text
            if is_lead or match.start() < lead_end - start or named_city[place]:
                counts[place] += 1
    return counts.most_common(1)[0][0] if counts else None


def _find(text: str, start: int, end: int, needle: str | None) -> tuple[int, int] | None:
    if not needle:
        return None
    at = text.find(needle, start, end)
    return (at, at + len(needle)) if at >= 0 else None


def _meeting_date(
    text: str,
    start: int,
    end: int,
    meeting: tuple[int, int] | None,
    publish_date: dt.date | None,
    lex: Lexicon,
    evidence: dict[str, Evidence],
) -> dt.date | None:
    """The date of the meeting's sentence, else of a sentence about a meeting, else the first one."""
    best: tuple[tuple[bool, bool, int], re.Match[str]] | None = None
    for match in lex.date.finditer(text, start, end):
        floor, ceiling = max(start, match.start() - 200), min(end, match.end() + 200)  # a sentence's reach
        s_start = max(floor, *(text.rfind(c, floor, match.start()) + 1 for c in "。！？\n"))
        s_end = min([ceiling] + [i for i in (text.find(c, match.end(), ceiling) for c in "。！？\n") if i >= 0])
        near_meeting = meeting is not None and s_start <= meeting[0] <= s_end
        about_meeting = bool(re.search(r"召开|举行|会议|会上|讲话", text[s_start:s_end]))
        key = (not near_meeting, not about_meeting, match.start())
        if best is None or key < best[0]:
            best = (key, match)
    if best is None:
        return None
    match = best[1]
    month, day = int(match.group(2)), int(match.group(3))
    year = int(match.group(1)) if match.group(1) else _infer_year(text, start, end, meeting, publish_date, month, lex)
    if year is None:
        return None
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    evidence["meeting_date"] = _evidence(text, match.start(), match.end())
    return date


def _infer_year(
    text: str,
    start: int,
    end: int,
    meeting: tuple[int, int] | None,
    publish_date: dt.date | None,
    month: int,
    lex: Lexicon,
) -> int | None:
    """The meeting name's year (2023年度…会), else the publish date's, else the text's usual year."""
    if meeting:
        named = lex.year.search(text, max(start, meeting[0] - 6), meeting[1])
        if named:
            return int(named.group(1))
    if publish_date:
        return publish_date.year - 1 if month > publish_date.month else publish_date.year
    years = Counter(int(m.group(1)) for m in lex.year.finditer(text, start, end) if 1990 <= int(m.group(1)) <= 2100)
    return years.most_common(1)[0][0] if years else None


def _report_period(
    text: str,
    start: int,
    end: int,
    meeting: tuple[int, int] | None,
    lex: Lexicon,
    evidence: dict[str, Evidence],
) -> str | None:
    """The period under review: the meeting name's, else the most frequent backward-looking one."""
    spans: dict[str, tuple[int, int]] = {}
    counts: Counter[str] = Counter()
    for match in lex.report_period.finditer(text, start, end):
        period = match.group(0)
        if period in ("全年", "年度") or _looks_ahead(text, start, match.start()):
            continue
        inside_meeting = meeting is not None and meeting[0] <= match.start() < meeting[1]
        counts[period] += 100 if inside_meeting else 1
        spans.setdefault(period, match.span())
    if not counts:
        return None
    period = max(counts, key=lambda p: (counts[p], -spans[p][0]))
    evidence["report_period"] = _evidence(text, *spans[period])
    return period


def _looks_ahead(text: str, floor: int, position: int) -> bool:
    """冲刺三季度 / 决战四季度 name a period still to come."""
    before = text[max(floor, position - 3) : position].lstrip("“‘")
    return bool(re.search(r"(?:冲刺|决战|奋战|抓住|决胜|迎接)[“‘]?$", before))


# ------------------------------------------------------------------------ metrics and targets


@dataclass
class _Draft:
    """A metric being assembled from the candidates of one sentence."""

    name: str
    start: int
    quantities: list[Quantity] = field(default_factory=list)
    value: float | None = None
    unit: str | None = None
    growth_pct: float | None = None
    growth_pp: float | None = None
    qualifier: Qualifier = "exact"
    period: str | None = None
    derived: bool = False  # a share, rank or comparison of an indicator named before it
    end: int = 0  # where its words end when the noun follows the number ("5家公司获批…")

    @property
    def open_for_growth(self) -> bool:
        return self.value is not None and self.growth_pct is None and not self.derived


def _clause_floor(text: str, sentence_start: int, position: int, previous: Quantity | None) -> int:
    """Where the words naming a number start: its clause, or after a listed earlier number.

    Commas inside brackets do not end the clause; in "10个A、20个B" the 20's words start after 、;
    in "引进5亿元以上项目8个" the 8's words include the number describing them.
    """
    floor = sentence_start
    depth = 0
    for i in range(position - 1, sentence_start - 1, -1):
        char = text[i]
        if char in "）)":
            depth += 1
        elif char in "（(":
            if depth == 0:
                floor = i + 1
                break
            depth -= 1
        elif char in "，：；,:;" and depth == 0:
            floor = i + 1
            break
    if previous is not None and floor <= previous.start and previous.end <= position:
        between = text[previous.end : position]
        cut = max(between.rfind(c) for c in "、和及与")
        if cut >= 0:
            floor = previous.end + cut + 1
        elif _NOT_DESCRIBING.search(between) or len(between) > 12:
            floor = previous.end  # an unpunctuated run of statements: each number names its own
    return floor


def descriptors(text: str, quantities: Sequence[Quantity]) -> set[str]:
    """Ids of numbers that only describe the noun of the next one ("5亿元以上项目8个", "60岁及以上老年人…91%").

    Such a number is part of the next number's name, never a metric or a target of its own.
    """
    found: set[str] = set()
    numbers = [q for q in quantities if not q.is_time]
    for current, following in zip(numbers, numbers[1:]):
        between = text[current.end : following.start]
        if following.sentence_start == current.sentence_start and 0 < len(between) <= 12:
            if not _NOT_DESCRIBING.search(between):
                found.add(current.id)
    return found


_AFTER_LAST_NUMBER = re.compile(r"^.*\d[\d.]*(?:%|个百分点|亿元|万元|元|[个家项名户人台栋张件所座位])?")


# Words between two numbers that make them two statements, not a number describing a noun.
_NOT_DESCRIBING = re.compile(r"[，。；：、,;:（(）)和及与]|增长|下降|增速|同比|比|占|居|排名|达到?|为|完成|其中")


# "87个重点项目投资" names 重点项目投资; "10亿元以上项目" keeps the number that describes its noun.
_LEADING_COUNT = re.compile(r"^\d[\d.]*(?:个|家|项|名|户|人|台|栋|张|件|所|座)(?!以上|以下|左右|多|余)")


def _clean_name(name: str, lex: Lexicon) -> str:
    """Drop scope, body and time words in front, value verbs at the end, brackets and quote marks."""
    name = re.sub(r"（[^）]*）|\([^)]*\)", "", name)
    name = name.translate({ord(c): None for c in _QUOTES})
    name = re.sub(r"\d{4}年度?|[上下]半年|第?[一二三四]季度|\d{1,2}[—–-]\d{1,2}月|今年以来|今年来|年初以来", "", name)
    for _ in range(4):
        before = name
        enumeration = lex.enumeration.match(name)
        name = name[enumeration.end() :].lstrip() if enumeration else name
        name = _LEADING_COUNT.sub("", name)
        name = lex.scope_prefix.sub("", name)
        body = lex.body_prefix.match(name)
        if body and len(name) - body.end() >= 2 and not lex.rank_scope.match(name, body.end()):
            name = name[body.end() :]  # 高新区工业投资 -> 工业投资, but 国家级高新区全国排名 stays
        name = lex.value_verb_end.sub("", name)
        name = name.strip(_EDGE_QUOTES)
        if name == before:
            break
    stripped = lex.value_verb_start.sub("", name)
    if len(stripped) >= 2:
        name = stripped
    name = re.sub(r"(?<=[\u4e00-\u9fa5]{2})(?:仅|已|累计)?(?:完成|实现)(?=[\u4e00-\u9fa5]{2})", "", name)
    name = re.sub(r"(?<=[\u4e00-\u9fa5]{2})(?:全年|年内|年底|今年|当年)$", "", name)
    if len(name) > MAX_NAME:  # a clause, not a name: keep what follows its last preposition or 的
        cut = max(name.rfind(c, 0, len(name) - 2) for c in "为对向给把将")
        if cut < 0 or len(name) - cut - 1 > MAX_NAME:
            cut = max(name.rfind(c, 0, len(name) - 2) for c in "的和及与")
        name = name[cut + 1 :] if cut >= 0 else name[-MAX_NAME:]
    return name.strip(_EDGE_QUOTES)


def _noun_after(text: str, quantity: Quantity) -> tuple[str, int]:
    """The counted noun written after a number ("10个示范智能工厂" -> 示范智能工厂) and its end.

    A generic noun (公司, 企业) followed by what it obtained names the deed instead
    ("5家公司获批省智能车间工厂" -> 获批省智能车间工厂).
    """
    match = re.match(r"[^，。；：、,;:（(）)\s和及与]{1,24}", text[quantity.end : quantity.sentence_end])
    if not match:
        return "", quantity.end
    noun = match.group(0)
    generic = re.match(r"(?:公司|企业|单位|家|户|人)(?=获|被|成为|入选|列入|通过)", noun)
    if generic:
        return noun[generic.end() :], quantity.end + len(noun)
    verb = re.search(r"获批|实现|完成|给予|成为|签约|落户|入驻|参与|通过", noun)
    if verb and verb.start() >= 2:
        noun = noun[: verb.start()]
    return noun, quantity.end + len(noun)


def indicator_name(text: str, quantity: Quantity, previous: Quantity | None, lex: Lexicon) -> tuple[str, bool, int]:
    """The indicator a number belongs to, whether its words say it is a growth rate, and the span end.

    The words before the number in its clause name it; when they are only a verb (建成, 引进) or end
    in 等, the noun after the number does (with the verb, for a deed: 引进博士); a bare 完成 takes
    the subject of the clause before; the pre-extractor's indicator is the last resort.
    """
    floor = _clause_floor(text, quantity.sentence_start, quantity.start, previous)
    raw = text[floor : quantity.start]
    if re.search(r"\d", raw) and re.search(r"增长|下降|同比|%|百分点|排名|居", raw):
        raw = _AFTER_LAST_NUMBER.sub("", raw)  # another statement runs into this one, unpunctuated
    growth = bool(lex.growth_end.search(raw))
    name = _clean_name(raw, lex)
    name = re.sub(r"(?:同比|比上年|比去年同期)?(?:增速|增幅|增长率?|降幅|下降|提高|回落|减少)$", "", name) or name
    end = quantity.end
    deed = lex.action_end.search(name)
    if not name or lex.action_only.match(name) or deed or raw.rstrip().endswith("等"):
        after, after_end = _noun_after(text, quantity)
        if len(after) >= 2:
            verb = deed.group(0) if deed else ""
            name, end = verb + after, after_end
    if not name and quantity.kind in ("amount", "count"):
        name = _subject_before(text, quantity.sentence_start, floor, lex) or name
    if not name and quantity.indicator and quantity.indicator in text[quantity.sentence_start : quantity.sentence_end]:
        name = _clean_name(quantity.indicator, lex)  # the pre-extractor's reading, when ours found none
    name = re.sub(r"[\d.]+$", "", name)  # a number cut off at the name's end is never part of it
    if not re.search(r"[\u4e00-\u9fa5A-Za-z]", name):
        name = ""
    return name, growth, end


def _subject_before(text: str, sentence_start: int, floor: int, lex: Lexicon) -> str:
    """"工业投资高速增长，完成45.56亿元": a bare 完成 takes the subject of the clause before it."""
    spans = clauses(text, sentence_start, max(sentence_start, floor - 1))
    if not spans:
        return ""
    words = text[spans[-1][0] : spans[-1][1]]
    if re.search(r"\d", words):
        return ""
    words = re.sub(r"(?:高速|快速|较快|稳步|持续|大幅|平稳|明显)?(?:增长|下降|提升|回落|回升|向好)$", "", words)
    name = _clean_name(words, lex)
    return name if 2 <= len(name) <= MAX_NAME else ""


def _attribute_of(name: str, lex: Lexicon) -> bool:
    """A name that only qualifies the item named before it: 总投资, 占比, 协议总投资, 占全市的."""
    if name in lex.attributes or (len(name) <= 6 and lex.attribute_ending.search(name)):
        return True
    return bool(re.fullmatch(r"占(?:全[市省国区])?的?(?:比重|比例)?|全[市省国区]占比", name))


def _is_share(name: str) -> bool:
    return name.endswith(("占比", "比重", "完成率", "进度", "率", "比例"))


def extract_metrics(
    text: str,
    quantities: Sequence[Quantity],
    periods: Sequence[tuple[int, str]],
    silent: Sequence[tuple[int, int]],
    lex: Lexicon,
) -> list[Metric]:
    """Reported results: a level and its 同比增长 make ONE metric; ranks and comparisons their own.

    Numbers in ``silent`` spans (tasks, headings) and numbers describing another are no results.
    """
    metrics: list[Metric] = []
    by_sentence: dict[int, list[Quantity]] = {}
    describing = descriptors(text, quantities)
    for quantity in quantities:
        if quantity.is_time or quantity.is_target or quantity.id in describing or _inside_any(quantity.start, silent):
            continue
        by_sentence.setdefault(quantity.sentence_start, []).append(quantity)
    for group in by_sentence.values():
        metrics.extend(_sentence_metrics(text, group, periods, lex))
    return metrics


def _inside_any(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``position`` falls in one of ``spans`` (sorted by start, not overlapping)."""
    index = bisect.bisect_right(spans, (position, _END)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _between(numbers: Sequence[Quantity], starts: Sequence[int], start: int, end: int) -> Sequence[Quantity]:
    """The numbers starting in ``[start, end)``; ``starts`` are their sorted start offsets."""
    return numbers[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]


def _sentence_metrics(
    text: str, group: list[Quantity], periods: Sequence[tuple[int, str]], lex: Lexicon
) -> list[Metric]:
    """One sentence's numbers in order: each opens a metric or completes the one before it."""
    drafts: list[_Draft] = []
    previous: Quantity | None = None
    for quantity in group:
        name, said_growth, name_end = indicator_name(text, quantity, previous, lex)
        floor = _clause_floor(text, quantity.sentence_start, quantity.start, previous)
        lead = text[floor : quantity.start]
        head = next((d for d in reversed(drafts) if not d.derived), None)
        previous = quantity
        period = _period_of(text, quantity, periods)
        comparison = _comparison(lead, quantity, lex)
        if quantity.kind in ("rank", "top_n"):
            drafts.append(_rank_draft(quantity, floor, lead, head, period, lex))
        elif comparison and quantity.kind in ("percentage_point", "percent", "multiple") and head is not None:
            drafts.append(_comparison_draft(quantity, floor, comparison, head, period))
        elif quantity.kind == "percentage_point":
            # A change in points is a rate's: the last rate stated before it, else the indicator's.
            rate = next((d for d in reversed(drafts) if d.unit == "%" and d.growth_pp is None), head)
            if rate is not None and rate.growth_pp is None and (lex.pp_change.search(lead) or quantity.basis):
                rate.growth_pp = _signed(quantity, lead, lex)
                rate.quantities.append(quantity)
        elif quantity.kind == "percent" and (said_growth or quantity.direction) and not _is_share(name):
            own = bool(name) and not _attribute_of(name, lex) and name not in ("同比", "比上年", "比去年同期")
            if head is not None and head.open_for_growth and (not own or name == head.name):
                head.growth_pct = _signed(quantity, lead, lex)
                head.quantities.append(quantity)
            elif own:
                drafts.append(_Draft(name, floor, [quantity], growth_pct=_signed(quantity, lead, lex), period=period))
        elif name:
            share = _task_share(name) if quantity.kind == "percent" else None
            derived = _attribute_of(name, lex) or (share is not None and share.startswith(("全年", "年度", "任务", "计划")))
            if derived:
                name = _join_attribute(head.name if head else "", name, lex)
            elif share is not None:
                name = share  # 一般公共预算收入完成年度预算的43.5% -> 一般公共预算收入年度预算完成率
            draft = _Draft(name, floor, [quantity], quantity.value, quantity.unit or None, period=period)
            draft.qualifier = quantity.qualifier
            draft.end = name_end
            draft.derived = derived and name != ""
            drafts.append(draft)
    return [_metric(text, d) for d in drafts if d.name and (d.value is not None or d.growth_pct is not None)]


def _period_of(text: str, quantity: Quantity, periods: Sequence[tuple[int, str]]) -> str | None:
    """The nearest period word before the number in its run of results (目前 in its sentence: none)."""
    if re.search(r"目前|截至目前|当前", text[quantity.sentence_start : quantity.start]):
        return None
    index = bisect.bisect_left(periods, (quantity.start, "")) - 1
    return periods[index][1] if index >= 0 else None


def _task_share(name: str) -> str | None:
    """完成全年任务(的) / 占年度计划(的) -> …完成率: a completion rate worded as a deed or a share."""
    match = re.fullmatch(r"(.*?)(?:完成|占)?(全年|年度)?(任务|计划|目标|预算)", name)
    return f"{match.group(1)}{match.group(2) or ''}{match.group(3)}完成率" if match else None


def _join_attribute(head: str, attribute: str, lex: Lexicon) -> str:
    """Restore the subject the text elides: 总投资 after 省重点项目… -> 省重点项目总投资."""
    if not _attribute_of(attribute, lex):
        attribute = _task_share(attribute) or attribute  # 完成全年任务 -> 全年任务完成率
    attribute = re.sub(r"^占(全[市省国区])的?(?:比重|比例)?$", r"\1占比", attribute)
    if attribute in ("占", "占的"):
        attribute = "占比"
    head = re.sub(r"^.*中(?=[\u4e00-\u9fa5]{2})", "", head)  # 规上企业中高新技术企业 -> 高新技术企业
    head = re.sub(rf"^(?:{lex.action_verbs.pattern})", "", head) if len(head) > 4 else head
    return f"{head}{attribute}" if head else attribute


def _signed(quantity: Quantity, lead: str, lex: Lexicon) -> float | None:
    if quantity.value is None:
        return None
    falling = quantity.direction == "decrease" or (quantity.direction is None and bool(lex.decrease.search(lead[-6:])))
    return -abs(quantity.value) if falling else quantity.value


def _rank_draft(
    quantity: Quantity, floor: int, lead: str, head: _Draft | None, period: str | None, lex: Lexicon
) -> _Draft:
    """A rank is a metric of its own: <indicator>[增速]<scope>排名, or the ranked assessment's words.

    "增速居全市第二" after an indicator names that indicator's rank; a longer phrase before the rank
    ("在创文考核中排名第一") names what was ranked.
    """
    words = re.sub(r"\d{4}年度?|[上下]半年|第?[一二三四]季度", "", lead)
    growth_word = re.match(r"(?:增速|增幅)", words)
    words = words[growth_word.end() :] if growth_word else words
    words = lex.rank_tail.sub("", lex.rank_lead.sub("", words))
    words = words.strip(_EDGE_QUOTES)
    scope_only = not words or (lex.rank_scope.match(words) is not None and len(words) <= 8)
    if head is not None and scope_only:
        growth = growth_word or (head.value is None and head.growth_pct is not None)
        name = f"{head.name}{'增速' if growth else ''}{words}排名"
    else:
        name = f"{_clean_rank_words(words, lex)}排名" if words else "排名"
    draft = _Draft(name, floor, [quantity], quantity.value, quantity.unit or "名", period=period)
    draft.derived = True
    return draft


def _clean_rank_words(words: str, lex: Lexicon) -> str:
    body = lex.body_prefix.match(words)
    words = words[body.end() :] if body and body.end() < len(words) else words
    words = words.translate({ord(c): None for c in _QUOTES})
    if len(words) > MAX_NAME:
        words = words[-MAX_NAME:]
    return words


def _comparison(lead: str, quantity: Quantity, lex: Lexicon) -> str | None:
    """"高于全市" / "比全省平均高" before a gap: the comparison as 高于<what>; None for a change."""
    match = lex.comparison.search(lead)
    if match:
        compared = lead[match.start() :]
    elif quantity.basis and lex.comparison.search(quantity.basis):
        compared = quantity.basis
    else:
        written = re.search(r"比([^，。；]{1,12}?)(高出?|低|快|慢)了?$", lead)
        if not written or re.search(r"去年|上年|同期|年初|上月|上季", written.group(1)):
            return None
        compared = {"高": "高于", "高出": "高于", "低": "低于", "快": "快于", "慢": "慢于"}[written.group(2)] + written.group(1)
    return re.sub(r"(?:水平)?(?:的)?$", "", compared.strip(_EDGE_QUOTES)) or None


def _comparison_draft(quantity: Quantity, floor: int, compared: str, head: _Draft, period: str | None) -> _Draft:
    """高于全市5.1个百分点: a metric of its own, named <indicator>增速高于<what>, value positive."""
    growth = "增速" if head.growth_pct is not None and "增速" not in compared else ""
    name = f"{head.name}{growth}{compared}"
    draft = _Draft(name, floor, [quantity], quantity.value, quantity.unit or None, period=period)
    draft.derived = True
    return draft


def _metric(text: str, draft: _Draft) -> Metric:
    start = min(draft.start, *(q.start for q in draft.quantities))
    end = max(draft.end, *(q.end for q in draft.quantities))
    return Metric(
        name=draft.name,
        canonical_name=canonical_name(draft.name),
        value=draft.value,
        unit=draft.unit,
        growth_pct=draft.growth_pct,
        growth_pp=draft.growth_pp,
        period=draft.period,
        qualifier=draft.qualifier,
        evidence=_evidence(text, start, end, [q.id for q in draft.quantities]),
    )


def extract_targets(text: str, quantities: Sequence[Quantity], lex: Lexicon) -> list[Target]:
    """Goals: the candidates the pre-extractor marked as governed by a target cue."""
    targets: list[Target] = []
    previous: Quantity | None = None
    describing = descriptors(text, quantities)
    for quantity in quantities:
        if quantity.is_time:
            continue
        same_sentence = previous if previous and previous.sentence_start == quantity.sentence_start else None
        previous = quantity
        if not quantity.is_target or quantity.id in describing:
            continue
        name, said_growth, end = indicator_name(text, quantity, same_sentence, lex)
        floor = _clause_floor(text, quantity.sentence_start, quantity.start, same_sentence)
        lead = text[quantity.sentence_start : quantity.start]
        growth = said_growth or bool(re.search(r"增速|增长|增幅", text[floor : quantity.start]))
        measure = _measure(quantity, growth)
        name = _after_cue(name, lex)
        if not name:
            continue
        if measure == "growth" and not re.search(r"增速|增长|增幅", name):
            name += "增速"
        if measure == "rank" and "排名" in text[floor : quantity.start] and not name.endswith("排名"):
            name += "排名"
        if measure == "rank" and _RANK_ONLY.fullmatch(name) and targets and targets[-1].evidence.end <= quantity.start:
            if quantity.sentence_start <= targets[-1].evidence.start:
                name = targets[-1].name + name  # "高新技术企业总数突破450家，全市排名保持前三"
        ranged = quantity.qualifier == "range" and quantity.low is not None
        targets.append(
            Target(
                name=name,
                canonical_name=canonical_name(name),
                value=quantity.low if ranged else quantity.value,
                unit=quantity.unit or None,
                measure=measure,
                qualifier=quantity.qualifier,
                low=quantity.low,
                high=quantity.high,
                horizon=_horizon(text, quantity, lex),
                cue=quantity.target_cue or _last(lex.target_cue, lead),
                evidence=_evidence(text, min(floor, quantity.start), max(end, quantity.end), [quantity.id]),
            )
        )
    return targets


_RANK_ONLY = re.compile(r"(?:全国|全省|全市|全区|全县)?(?:综合)?排名")


def _after_cue(name: str, lex: Lexicon) -> str:
    """"镇里计划在年底前再建设冷链仓储点" -> 建设冷链仓储点: the goal's words follow its cue.

    When only a verb follows ("23个签约项目年内开工"), the cue words are dropped instead (签约项目开工).
    """
    last = None
    for pattern in (lex.target_cue, lex.horizon):
        for match in pattern.finditer(name):
            if last is None or match.end() > last:
                last = match.end()
    if last is None or len(name) - last < 2:
        return name
    rest = re.sub(r"^(?:前|之前|以前)?(?:再|新|要|将|把|在|，)*", "", name[last:])
    if lex.action_only.match(rest):  # "23个签约项目年内开工": the subject sits before the cue
        kept = _LEADING_COUNT.sub("", lex.horizon.sub("", lex.target_cue.sub("", name)))
        return kept if len(kept) >= 2 else rest
    return rest if len(rest) >= 2 else name


def _measure(quantity: Quantity, growth: bool) -> TargetMeasure:
    if quantity.kind in ("rank", "top_n"):
        return "rank"
    if quantity.kind == "percent" and (growth or quantity.direction):
        return "growth"
    if quantity.kind == "count":
        return "count"
    return "level"


def _horizon(text: str, quantity: Quantity, lex: Lexicon) -> str | None:
    """The time word bounding the goal: the last one before it in its sentence, else its paragraph's."""
    found = _last(lex.horizon, text[quantity.sentence_start : quantity.start])
    if found is None:
        paragraph_start = text.rfind("\n", 0, quantity.sentence_start) + 1
        found = _last(lex.horizon, text[paragraph_start : quantity.sentence_start])
    return lex.horizon_aliases.get(found, found) if found else None


def _last(pattern: re.Pattern[str], text: str) -> str | None:
    found = None
    for match in pattern.finditer(text):
        found = match.group(0)
    return found


# ------------------------------------------------------------- achievements, problems, tasks


@dataclass(frozen=True)
class Phrase:
    """A candidate item: its list, words and span, how good it is, and its paragraph."""

    section: str
    text: str
    start: int
    end: int
    score: float
    paragraph: int


def classify(
    text: str, sentence_list: Sequence[Sentence], reported: Sequence[int], lex: Lexicon
) -> list[tuple[Mode | None, Mode | None]]:
    """The kind of content each sentence carries, from its own cues and its section's.

    Headings and 【】 markers set a section (the page title does not); a paragraph opened by
    要/将/下一步/一是… is a task paragraph, one opened by 上半年/今年以来 or stating reported numbers
    is a results paragraph; problem cues win inside any section; the meeting's lead is no item.
    ``reported`` holds the sorted offsets of the numbers stated as results. Each sentence gets its
    own mode and its paragraph's.
    """
    states = [bisect.bisect_left(reported, s.start) < bisect.bisect_left(reported, s.end) for s in sentence_list]
    with_results = {s.paragraph for s, stated in zip(sentence_list, states) if stated}
    modes: list[tuple[Mode | None, Mode | None]] = []
    section: Mode | None = None
    paragraph_mode: Mode | None = None
    current = -1
    seen_body = lead = False
    for sentence, stated in zip(sentence_list, states):
        words = _content(text, sentence.start, sentence.end, lex)
        if sentence.heading:
            if seen_body:
                section = _section_of(words, lex) or section
            modes.append(("task" if text[sentence.start] == "【" and section == "task" else None, section))
            current = sentence.paragraph
            paragraph_mode = section
            continue
        if sentence.paragraph != current:
            current = sentence.paragraph
            paragraph_mode = _opening_mode(words, sentence.paragraph in with_results, section, lex) or section
            lead = not seen_body and bool(re.search(r"召开|举行|会议", words)) and not lex.result_marker.match(words)
            seen_body = True
        if lead and re.search(r"召开|举行|会议|出席|主持|讲话|部署", words):
            modes.append((None, None))  # the lead says who met when; it is no result and no task
            continue
        modes.append((_sentence_mode(words, paragraph_mode, stated, lex), paragraph_mode))
    return modes


def _content(text: str, start: int, end: int, lex: Lexicon) -> str:
    return text[_body(text, start, end, lex) : end].lstrip(_QUOTES)


def _section_of(heading: str, lex: Lexicon) -> Mode | None:
    if lex.problem_section.search(heading):
        return "problem"
    if lex.task_section.search(heading):
        return "task"
    if lex.achievement_section.search(heading):
        return "achievement"
    return None


def _looks_forward(words: str, lex: Lexicon) -> bool:
    return bool(lex.task_lead.match(words) or lex.must_do.search(words[:24]))


def _opening_mode(words: str, has_results: bool, section: Mode | None, lex: Lexicon) -> Mode | None:
    if _looks_forward(words, lex):
        return "task"
    if lex.enumeration.match(words):
        return section or "task"  # 一是/（一）/1. number the items of whatever section they are in
    if section == "problem":
        return section  # under 存在问题, numbers state the shortfalls
    if has_results or lex.result_marker.match(words) or re.match(r"(?:统计|数据)显示|今年上半年|年初以来|今年以来", words):
        return "achievement"
    return None


def _sentence_mode(words: str, paragraph_mode: Mode | None, has_results: bool, lex: Lexicon) -> Mode | None:
    if _is_problem(words, lex) and (paragraph_mode != "task" or re.search(r"但|看到|认识到|存在|面临|依然|仍然", words)):
        return "problem"
    if _looks_forward(words, lex) or (paragraph_mode is None and lex.enumeration.match(words)):
        return "task"
    if paragraph_mode == "task":
        if re.search(r"(?<![需重主只纲必])要|将|力争|确保|争取", words[:30]):
            return "task"
        past = re.match(r"(?:今年)?(?:上半年|今年以来|今年来|年初以来|1[—-]\d+月)", words) or re.search(r"已经|取得了|实现了", words)
        return "achievement" if past or has_results else "task"
    if has_results:
        return "achievement"
    if paragraph_mode is None and lex.result_marker.match(words) and lex.achievement_verb.search(words):
        return "achievement"
    return paragraph_mode


def _is_problem(words: str, lex: Lexicon) -> bool:
    if lex.must_do.search(words[:24]) or lex.task_lead.match(words):
        return False
    match = lex.problem_cue.search(words)
    if not match:
        return False
    # "解决…问题" is a task, "分析研判…问题" a meeting's agenda, "扭住短板" a resolve: none states a problem.
    return not re.search(
        r"(?:解决|破解|化解|补齐|补上|补强|弥补|扭住|针对|聚焦|应对|克服|研判|分析|研究|查找|梳理|正视|直面|防范)"
        r"[^，。]{0,24}" + re.escape(match.group(0)),
        words,
    )


def _body(text: str, start: int, end: int, lex: Lexicon) -> int:
    """Skip "会议指出，" / "张某某强调，" lead-ins: the content starts after them."""
    match = re.match(
        r"(?:近日|日前|会上|同时)?[，,]?[^，。“”]{0,24}?(?:指出|强调|表示|要求|认为|介绍|提出|透露|通报|获悉|了解到)[，：,:]",
        text[start:end],
    )
    return start + match.end() if match else start


def extract_items(
    text: str, start: int, end: int, quantities: Sequence[Quantity], lex: Lexicon, title: str | None = None
) -> tuple[list[Phrase], list[tuple[int, int]], list[tuple[int, int]]]:
    """Short phrases for the three lists; the spans of the sentences that look ahead; the headings.

    Neither of those spans states results: a heading repeats a number of its body ("…销售额增长三成"
    over the article saying it again).

    A task paragraph gives one task, phrased from its lead; its enumerated items (一是…二是…) and
    the duties of a ;-list each give one of their own. Results and problems are clause-sized.
    """
    sentence_list = _title_as_heading(text, sentences(text, start, end), title)
    numbers = sorted((q for q in quantities if not q.is_time), key=lambda q: q.start)
    starts = [q.start for q in numbers]
    reported = [q.start for q in numbers if not q.is_target]  # sorted: where results are stated
    targets = [q.start for q in numbers if q.is_target]  # sorted, as numbers are
    modes = classify(text, sentence_list, reported, lex)
    phrases: list[Phrase] = []
    future: list[tuple[int, int]] = []
    headings = [(s.start, s.end) for s in sentence_list if s.heading]
    led: set[int] = set()
    listed: dict[int, int] = {}  # paragraphs of ;-separated duties -> duties taken after the first
    for sentence, (mode, paragraph_mode) in zip(sentence_list, modes):
        if mode == "task" and not sentence.heading:
            future.append((sentence.start, sentence.end))
        if mode is None or _followed_by(text, sentence.end, "？?") or _is_boilerplate(text, sentence, lex):
            continue
        body = _body(text, sentence.start, sentence.end, lex)
        if sentence.heading:
            body = text.find("】", sentence.start, sentence.end) + 1 or body
        section = SECTION_OF_MODE[mode]
        if section != "tasks":
            phrases.extend(_clause_phrases(text, body, sentence, paragraph_mode, numbers, starts, lex))
            continue
        if _followed_by(text, sentence.end, "：:"):
            continue  # "重点做好以下工作：" introduces the tasks below
        body, enumerated = _after_enumeration_lead(text, body, sentence.end, lex)
        if sentence.paragraph in listed and re.match(r"要|一要|二要|三要|四要|五要|六要", text[body : body + 2]):
            enumerated = True  # "要A；要B；要C" lists its duties as plainly as 一是/二是
        goal = lex.target_cue.match(text, body) is not None and not _between(numbers, starts, body, sentence.end)
        duty = sentence.paragraph in listed and listed[sentence.paragraph] < MAX_LISTED
        follower = sentence.paragraph in led
        if follower and not (enumerated or goal or duty):
            continue
        found = _task_phrase(text, body, sentence, targets, lex)
        if found:
            if follower and duty and not (enumerated or goal):
                listed[sentence.paragraph] += 1
            if not follower and _followed_by(text, sentence.end, "；;"):
                listed[sentence.paragraph] = 0  # its lead is one of ;-separated duties: each is a task
            led.add(sentence.paragraph)
            phrases.append(found)
    return phrases, future, headings


def _title_as_heading(text: str, sentence_list: list[Sentence], title: str | None) -> list[Sentence]:
    """The article's first line is its headline when it reads as the title, commas and all."""
    if not sentence_list or not title:
        return sentence_list
    first = sentence_list[0].paragraph
    line = "".join(text[s.start : s.end] for s in sentence_list if s.paragraph == first)
    if _compact(line) != _compact(title):
        return sentence_list
    return [replace(s, heading=True) if s.paragraph == first else s for s in sentence_list]


def _compact(words: str) -> str:
    return re.sub(r"[\W_]+", "", words)


def _is_boilerplate(text: str, sentence: Sentence, lex: Lexicon) -> bool:
    """Ceremony (主持, 出席…) in a sentence's opening, or a short byline or caption line."""
    if lex.boilerplate.search(text, sentence.start, min(sentence.end, sentence.start + 60)):
        return True
    return sentence.end - sentence.start <= 30 and bool(lex.byline.search(text, sentence.start, sentence.end))


def _after_enumeration_lead(text: str, start: int, end: int, lex: Lexicon) -> tuple[int, bool]:
    """"重点抓好五方面工作：一是…" -> the first item; and whether the sentence is an enumerated item."""
    colon = re.search(r"[：:]", text[start:end])
    if colon and lex.enumeration.match(text, start + colon.end()):
        return start + colon.end(), True
    return start, bool(lex.enumeration.match(text, start))


def _task_phrase(
    text: str, start: int, sentence: Sentence, targets: Sequence[int], lex: Lexicon
) -> Phrase | None:
    """A task phrased from its lead: its first clauses of work, without the goals that are targets."""
    if text[start] == "“" and "”" in text[sentence.end : sentence.end + 2]:
        return None  # a quoted saying heads the paragraph; the work is stated after it
    must = lex.must_do.search(text, start, min(sentence.end, start + 24))
    s = must.end() if must else start
    # "创文工作要继续保持领先": a topic named before 要 stays in the phrase (without the 要).
    topic = _topic_before(text, start, must.start(), lex) if must else None
    chosen: list[tuple[int, int]] = []
    for c_start, c_end in clauses(text, s, sentence.end):
        if bisect.bisect_left(targets, c_start) < bisect.bisect_left(targets, c_end):  # a goal with a number
            if chosen:
                break
            continue
        if not chosen and c_end < sentence.end and (
            text[c_start] == "为" or re.search(r"(?:要求|目标|任务|重点|举措)(?:是|为|有)$", text[c_start:c_end])
        ):
            continue  # "为完成…任务，" states the purpose, "具体要求是，" introduces: neither is the work
        c_start, c_end = _trim_lead(text, c_start, c_end, lex)
        subject = _TASK_SUBJECT.match(text, c_start, c_end)
        if subject and c_end - subject.end() >= MIN_PHRASE and lex.task_verb.match(text, subject.end()):
            c_start = subject.end()
        if c_end - c_start < 2:
            continue
        if chosen and c_end - chosen[0][0] > SHORT_PHRASE:
            break
        chosen.append((c_start, min(c_end, c_start + MAX_PHRASE)))
        if c_end - chosen[0][0] >= 12:
            break
    if not chosen or _followed_by(text, chosen[-1][1], "：:"):
        return None  # nothing but goals, or "会议明确全年目标：" introducing them
    s, e = chosen[0][0], chosen[-1][1]
    if e - s > MAX_PHRASE:
        e = _cut(text, s, e) or s + SHORT_PHRASE
    phrase = text[s:e]
    score = _score(phrase, "tasks", lex)
    if score <= 0 or (sentence.heading and score < 2) or e - s < MIN_PHRASE - 1:
        return None
    if topic is not None and must is not None and s == must.end() and e - topic <= MAX_PHRASE:
        phrase = text[topic:must.start()] + text[must.start() + 1 : e]  # the span condensed: 要 left out
        s = topic
    return Phrase("tasks", phrase, s, e, score + (1.0 if sentence.first_in_paragraph else 0.0), sentence.paragraph)


def _topic_before(text: str, start: int, must: int, lex: Lexicon) -> int | None:
    """Where a short topic before 要/将 starts ("外贸业务力争…", "创文工作要…"), unless it is only the
    body or its people ("全区上下要…", "各部门要…")."""
    words_start = max(start, *(text.rfind(c, start, must) + 1 for c in "，：,:"))
    words = text[words_start:must]
    if not 2 <= len(words) <= 10 or lex.generic_subject.fullmatch(words) or lex.body_prefix.fullmatch(words):
        return None
    if re.search(r"[^\u4e00-\u9fa5A-Za-z、]", words) or lex.task_verb.match(words):
        return None
    if _TASK_SUBJECT.match(words + "要") or re.search(r"就是|即|下半年|下阶段|下一步|今后", words):
        return None  # a department ("经济合作局将…") or a definition ("首位担当就是要…") is no topic
    return words_start


# Who is to do the work ("高新区财政局将…", "首位机制即…"): not part of the task's phrase.
_TASK_SUBJECT = re.compile(
    r"[\u4e00-\u9fa5（）]{2,16}?(?:局|中心|办事处|管委会|委员会|办公室|部门|公司|集团|街道|乡镇|园区|综保区|高新区|经开区)"
    r"(?:负责人)?(?:表示)?[，,]?(?:下半年|下阶段|下一步)?[，,]?(?:将|要)?(?:继续)?"
    r"|[\u4e00-\u9fa5]{2,8}?(?:即|就是|是指)要?"
)


def _clause_phrases(
    text: str,
    body: int,
    sentence: Sentence,
    paragraph_mode: Mode | None,
    numbers: Sequence[Quantity],
    starts: Sequence[int],
    lex: Lexicon,
) -> list[Phrase]:
    """Results and problems are clause-sized: one idea each, long 、-lists cut into whole items.

    A results sentence often holds both ("虽然…没有达到预期，但是…有特色、有亮点"): a clause with
    problem cues is a problem; in a problem paragraph every clause is, unless it reports a deed.
    """
    found: list[Phrase] = []
    # A one-line lead opening a results paragraph ("科创能力显著增强。") sums the paragraph up.
    bonus = (2.0 if sentence.end - body <= 16 else 0.5) if sentence.first_in_paragraph else 0.0

    def hedge_only(start: int, end: int) -> bool:
        return not lex.problem_hedge.sub("", text[start:end]).strip(_EDGE)

    if sentence.end - body <= SHORT_PHRASE:
        spans = [(body, sentence.end)]
    else:
        spans = _merged_clauses(text, body, sentence.end, skip=hedge_only)
    for c_start, c_end in spans:
        c_start, c_end = _trim_lead(text, c_start, c_end, lex)
        deed = lex.deed_verb.search(text, c_start, c_end) and bool(_between(numbers, starts, c_start, c_end))
        problem = (paragraph_mode == "problem" or _is_problem(text[c_start:c_end], lex)) and not deed
        if problem:
            if _followed_by(text, c_end, "：:"):
                continue  # "仍有不少困难和挑战：" introduces the problems, it is none of them
            c_start, c_end = _skip_hedges(text, c_start, c_end, lex)
        section = "problems" if problem else "achievements"
        for p_start, p_end in _pieces(text, c_start, c_end):
            tally = _TALLY.search(text, p_start, p_end)
            if tally and tally.start() - p_start >= MIN_PHRASE:
                p_end = tally.start()  # "…民生事业有保障等六个特点": the items, not their count
            phrase = text[p_start:p_end]
            if p_end - p_start < MIN_PHRASE:
                continue
            if section == "achievements" and (
                text[p_start] == "为" or _only_statistics(text, p_start, p_end, numbers, starts, lex)
            ):
                continue  # a purpose ("为实现…打下基础") or a statistic is no achievement
            score = _score(phrase, section, lex)
            if score > 0:
                score += 0.0 if problem else bonus
                found.append(Phrase(section, phrase, p_start, p_end, score, sentence.paragraph))
                bonus = 0.0
    return found


_TALLY = re.compile(r"等[一二三四五六七八九十两\d]+[个大项条]?(?:方面|特点|亮点|成效|变化|特征)$")


def _skip_hedges(text: str, start: int, end: int, lex: Lexicon) -> tuple[int, int]:
    """"也要认识到存在的问题" -> "存在的问题", "还存在A、B等问题" -> "A、B": hedges are not the problem."""
    while True:
        match = lex.problem_hedge.match(text, start, end)
        if not match or match.group(0) in ("存在", "的", "和", "与", "及") or end - match.end() < MIN_PHRASE:
            break
        start = match.end()
        while start < end and text[start] in _EDGE:
            start += 1
    listed = _LISTED_PROBLEMS.fullmatch(text, start, end)
    if listed and listed.end(1) - listed.start(1) >= MIN_PHRASE:
        return listed.span(1)
    return start, end


# "还存在工业投资增长乏力、新兴产业培育偏慢等问题": the problems are the listed ones.
_LISTED_PROBLEMS = re.compile(r"(?:还|仍|仍然|依然)?(?:存在|面临)(?:着)?(.+?)(?:等|的)(?:问题|困难|短板|不足|矛盾)")


def _only_statistics(
    text: str, start: int, end: int, numbers: Sequence[Quantity], starts: Sequence[int], lex: Lexicon
) -> bool:
    """A clause stating an indicator's level, growth, share or rank is a metric, not an achievement."""
    inside = _between(numbers, starts, start, end)
    if not inside:
        return False
    return not (lex.deed_verb.search(text, start, end) and any(q.kind in ("count", "amount") for q in inside))


def _merged_clauses(
    text: str, start: int, end: int, skip: Callable[[int, int], bool] | None = None
) -> list[tuple[int, int]]:
    """Clauses, short neighbours joined ("要抓X，更要抓Y" stays one thought).

    Clauses for which ``skip`` holds ("但也要看到") are left out before joining.
    """
    merged: list[tuple[int, int]] = []
    for c_start, c_end in clauses(text, start, end):
        if skip is not None and skip(c_start, c_end):
            continue
        if merged and c_end - merged[-1][0] <= SHORT_PHRASE:
            joined = c_end - merged[-1][0]
            if merged[-1][1] - merged[-1][0] < 7 or c_end - c_start < 7 or joined <= MERGED_PHRASE:
                merged[-1] = (merged[-1][0], c_end)
                continue
        merged.append((c_start, c_end))
    return merged


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A clause longer than a phrase, cut into consecutive runs of whole 、-items."""
    if end - start <= SHORT_PHRASE:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    piece_start = start
    last_cut = None
    for i in range(start, end):
        if text[i] == "、":
            if i - piece_start > SHORT_PHRASE and last_cut is not None and last_cut > piece_start:
                pieces.append((piece_start, last_cut))
                piece_start = last_cut + 1
            last_cut = i
    if end - piece_start > MAX_PHRASE:
        cut = last_cut if last_cut is not None and last_cut > piece_start else piece_start + SHORT_PHRASE
        pieces.append((piece_start, cut))
    else:
        pieces.append((piece_start, end))
    # A run with no 、 to cut at keeps its first words only.
    bounded = [(s, e if e - s <= MAX_PHRASE else s + SHORT_PHRASE) for s, e in pieces]
    return [_strip(text, s, e) for s, e in bounded if e - s >= MIN_PHRASE]


_OPENERS = re.compile(
    r"要|并|同时|还要|更要|也要|将|还将|进一步|重点|下半年|下一步|下阶段|此外|另外|当前|目前|其中|尤其是|"
    r"虽然|但是|但|而且|并且|在此基础上|为此|今年上半年|上半年|今年以来|今年来|年初以来|前三季度|一季度|"
    r"1[—–-]\d{1,2}月|\d{4}年|全区|全县|全市|[^，。]{2,8}方面|主要是|主要表现为|主要表现在|具体表现为|[，、：]"
)


def _trim_lead(text: str, start: int, end: int, lex: Lexicon) -> tuple[int, int]:
    """Drop 要/同时/一是…, period words and the body's name in front, and edge punctuation."""
    start, end = _strip(text, start, end)
    for _ in range(5):
        match = (
            lex.enumeration.match(text, start, end)
            or _OPENERS.match(text, start, end)
            or lex.body_prefix.match(text, start, end)
        )
        if not match or match.end() == start or match.end() >= end - MIN_PHRASE:
            break
        start = match.end()
    s, e = _strip(text, start, end, _EDGE)
    words = text[s:e]
    if words.count("“") != words.count("”") or words.count("‘") != words.count("’"):
        s, e = _strip(text, s, e, _EDGE_QUOTES)  # never leave a quote half open at an edge
    return s, e


def _cut(text: str, start: int, end: int) -> int | None:
    """A long clause keeps its words up to the last 、 within the limit, or is dropped."""
    cut = text.rfind("、", start, start + MAX_PHRASE)
    return cut if cut - start >= 10 else None


def _score(phrase: str, section: str, lex: Lexicon) -> float:
    """How good a phrase is for its list: concrete nouns and the list's verbs; never slogans alone."""
    if lex.boilerplate.search(phrase):
        return 0.0
    content = re.sub(r"[^\u4e00-\u9fa5A-Za-z0-9]", "", lex.slogan.sub("", phrase))
    if len(content) < 4:
        return 0.0
    nouns = min(2, len(set(lex.domain_noun.findall(phrase))))
    if section == "tasks":
        verb = 1.0 if lex.task_verb.match(phrase) or lex.task_verb.search(phrase[:6]) else 0.0
        return verb + nouns if verb + nouns >= 1 else 0.0
    if section == "achievements":
        verb = 1.0 if lex.achievement_verb.search(phrase) or lex.deed_verb.search(phrase) else 0.0
        deed = 1.0 if lex.deed_verb.search(phrase) and re.search(r"\d", phrase) else 0.0
        return verb + deed + nouns if verb else 0.0
    core = lex.problem_hedge.sub("", re.sub(r"[^\u4e00-\u9fa5A-Za-z]", "", phrase))
    if lex.empty_problem.fullmatch(core) or _GENERIC_PROBLEM.search(phrase):
        return 0.5
    return 1.0 + nouns


# "仍面临不少困难和挑战" only says that there are problems; the specific ones follow it.
_GENERIC_PROBLEM = re.compile(
    r"(?:面临|存在|有)(?:着)?(?:不少|一些|诸多|许多|较多)?的?(?:困难|挑战|问题|短板|不足|风险)(?:[和与、及](?:困难|挑战|问题|短板|不足|风险))?$"
)


def select(phrases: Sequence[Phrase], section: str) -> list[Phrase]:
    """Keep the best phrases per paragraph and per list, in text order, without near-duplicates.

    A generic problem ("存在的问题和短板") is kept only when no specific one was found.
    """
    candidates = [p for p in phrases if p.section == section]
    if section == "problems" and any(p.score >= 1.0 for p in candidates):
        candidates = [p for p in candidates if p.score >= 1.0]
    per_paragraph: dict[int, list[Phrase]] = {}
    for phrase in candidates:
        per_paragraph.setdefault(phrase.paragraph, []).append(phrase)
    kept: list[Phrase] = []
    for group in per_paragraph.values():
        kept.extend(sorted(group, key=lambda p: (-p.score, p.start))[: MAX_PER_PARAGRAPH[section]])
    kept = sorted(kept, key=lambda p: (-p.score, p.start))[: MAX_ITEMS[section]]
    result: list[Phrase] = []
    for phrase in sorted(kept, key=lambda p: p.start):
        if any(_similar(phrase.text, other.text) for other in result):
            continue
        result.append(phrase)
    return result


def _similar(a: str, b: str) -> bool:
    if a in b or b in a:
        return True
    grams_a = {a[i : i + 2] for i in range(len(a) - 1)}
    grams_b = {b[i : i + 2] for i in range(len(b) - 1)}
    return bool(grams_a and grams_b) and 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b)) > 0.7


# ---------------------------------------------------------------------------------- backend


def _period_marks(
    text: str, quantities: Sequence[Quantity], future: Sequence[tuple[int, int]], lex: Lexicon
) -> list[tuple[int, str]]:
    """Period words that govern reported numbers, in text order, as the text writes them.

    (Grounding checks that a stated period is in the text, so 今年来 stays 今年来.)
    """
    marks: list[tuple[int, str]] = []
    for quantity in quantities:
        if quantity.kind not in ("period", "year") or _inside_any(quantity.start, future):
            continue
        word = quantity.text
        if word.startswith("下") or _looks_ahead(text, 0, quantity.start) or word in ("全年", "年度"):
            continue
        if text[max(0, quantity.start - 1) : quantity.start] in ("较", "比"):
            continue  # "较一季度提高": the period compared with, not the one reported
        marks.append((quantity.start, word))
    return marks


class RulesBackend:
    """Summaries from cue lexicons and document structure: deterministic, offline, stateless."""

    name = "rules"

    def __init__(self, lex: Lexicon | None = None) -> None:
        self._lexicon = lex

    def summarize(self, document: Document, quantities: list[Quantity]) -> Summary:
        """Every article of the page summarised on its own, then merged into one Summary.

        Numbers come only from ``quantities`` (the pre-extractor's candidates) and every evidence
        quotes ``document.text`` exactly, so grounding has nothing to drop.
        """
        lex = self._lexicon or lexicon()
        text = document.text
        spans = [(a.start, a.end, a.title) for a in document.articles] or [(0, len(text), document.meta.title)]
        metrics: list[Metric] = []
        targets: list[Target] = []
        lists: dict[str, list[Item]] = {"achievements": [], "problems": [], "tasks": []}
        articles: list[ArticleInfo] = []
        metas: list[Meta] = []
        for index, (start, end, title) in enumerate(spans):
            inside = [q for q in quantities if start <= q.start < end]
            meta = extract_meta(text, start, end, title or document.meta.title, document.meta.publish_date, lex)
            metas.append(meta)
            phrases, future, headings = extract_items(text, start, end, inside, lex, title or document.meta.title)
            periods = _period_marks(text, inside, future, lex)
            metrics += extract_metrics(text, inside, periods, sorted([*future, *headings]), lex)
            targets += extract_targets(text, inside, lex)
            for section, items in lists.items():
                chosen = select(phrases, section)
                items.extend(Item(text=p.text, evidence=_evidence(text, p.start, p.end)) for p in chosen)
            if len(spans) > 1:
                articles.append(ArticleInfo(index=index, title=title, start=start, end=end, meta=meta))
        # The page's meta is its meeting report's: the first article that names a meeting.
        page_meta = next((m for m in metas if m.meeting_name), metas[0])
        page_meta = page_meta.model_copy(update={"source": document.meta.source, "title": document.meta.title})
        return Summary(
            source=document.source_info(),
            meta=page_meta,
            metrics=metrics,
            targets=targets,
            achievements=lists["achievements"],
            problems=lists["problems"],
            tasks=lists["tasks"],
            articles=articles,
            diagnostics=Diagnostics(backend="rules"),
            text=text,
        )

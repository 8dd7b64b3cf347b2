"""Figures: reported results (metrics) and goals (targets), assembled from the pre-extractor's candidates.

Values always come from the candidates, never from parsing here; this stage only names each number,
attaches growth, ranks and comparisons to their indicator, and decides which numbers are goals.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from summarizer.backends.rules.lexicon import (
    EDGE_QUOTES,
    MAX_NAME,
    QUOTES,
    Lexicon,
    evidence_of,
    inside_any,
)
from summarizer.backends.rules.lists import (
    list_counts,
    ranked_subjects,
    respective_names,
)
from summarizer.backends.rules.meta import looks_ahead
from summarizer.indicators import canonical_name
from summarizer.schema import Metric, Qualifier, Quantity, Target, TargetMeasure
from summarizer.text.sentences import clause_spans
from summarizer.text.words import words as dictionary_words


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
    floor = _clause_starts(text, sentence_start).at(position)
    if previous is not None and floor <= previous.start and previous.end <= position:
        between = text[previous.end : position]
        cut = max(between.rfind(c) for c in "、和及与")
        if cut >= 0:
            floor = previous.end + cut + 1
        elif _NOT_DESCRIBING.search(between) or len(between) > 12:
            floor = previous.end  # an unpunctuated run of statements: each number names its own
    return floor


class _ClauseStarts:
    """Where the clause holding each position of a sentence starts, read once from left to right.

    The clause of a position starts after the last ，：； before it at its own bracket depth, or after
    the bracket it is in; a bracket closed before it hides the commas inside. (Read from the
    position backwards this is: stop at a comma outside any bracket closed on the way, or at an
    opening bracket that nothing closed; an unmatched closing bracket hides everything before it.)
    Each sentence is scanned once however many numbers it holds: a long line stays linear.
    """

    _MARKS = re.compile(r"[，：；,:;（(）)]")

    def __init__(self, text: str, sentence_start: int) -> None:
        self.text = text
        self.sentence_start = sentence_start
        self.points: list[int] = []  # positions where the clause start changes ...
        self.values: list[int] = []  # ... and what it changes to, for positions after them
        self.stack: list[int] = []
        self.current = sentence_start
        self.read_to = sentence_start
        self.lock = threading.Lock()  # shared through the cache: documents of one text may run in parallel

    def at(self, position: int) -> int:
        with self.lock:
            return self._at(position)

    def _at(self, position: int) -> int:
        if position > self.read_to:
            for match in self._MARKS.finditer(self.text, self.read_to, position):
                i, char = match.start(), match.group()
                if char in "（(":
                    self.stack.append(self.current)
                    self.current = i + 1
                elif char in "）)":
                    self.current = self.stack.pop() if self.stack else self.sentence_start
                else:
                    self.current = i + 1
                self.points.append(i)
                self.values.append(self.current)
            self.read_to = position
        index = bisect.bisect_left(self.points, position) - 1
        return self.values[index] if index >= 0 else self.sentence_start


@lru_cache(maxsize=256)  # numbers are named sentence by sentence: the recent sentences suffice
def _clause_starts(text: str, sentence_start: int) -> _ClauseStarts:
    return _ClauseStarts(text, sentence_start)


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


# The words that say a number is a change, at a name's end: "同比增", "两年平均增长", "增速".
_GROWTH_WORDS = re.compile(
    r"(?:同比|环比|比上年|比去年同期|较上年)?(?:两年|三年)?(?:年均|平均)?"
    r"(?:增速|增幅|增长率?|增加|提升|提高|上升|降幅|下降|下滑|回落|减少|(?<![新净])增|降)$"
)
# A basis of comparison with a year in it: "较2023年末", "比上年底".
_DATED_BASIS = re.compile(r"(?:较|比)(?:\d{4}年|上年|去年)(?:末|底|初|同期)?")


def _without_scope(name: str, lex: Lexicon) -> str:
    """Scope and time words off a name's front; a one-character word (到, 达, 为) only when it is a
    word of its own, so 到位资金 keeps its 到."""
    stripped = lex.scope_prefix.sub("", name)
    if len(stripped) < len(name) and len(name) - len(stripped) == 1 and dictionary_words(name)[0] != name[0]:
        return name
    return stripped


@lru_cache(maxsize=8192)  # the same words name many numbers of a long report
def _clean_name(name: str, lex: Lexicon) -> str:
    """Drop scope, body and time words in front, value verbs at the end, brackets and quote marks."""
    name = re.sub(r"（[^）]*）|\([^)]*\)", "", name)
    name = _DATED_BASIS.sub("", name.translate({ord(c): None for c in QUOTES}))
    name = re.sub(r"\d{4}年度?|[上下]半年|前[一二三]季度|第?[一二三四]季度|\d{1,2}[—–-]\d{1,2}月|今年以来|今年来|年初以来", "", name)
    for _ in range(4):
        before = name
        enumeration = lex.enumeration.match(name)
        name = name[enumeration.end() :].lstrip() if enumeration else name
        name = _LEADING_COUNT.sub("", name)
        name = _without_scope(name, lex)
        body = lex.body_prefix.match(name)
        if body and len(name) - body.end() >= 2 and not lex.rank_scope.match(name, body.end()):
            name = name[body.end() :]  # 高新区工业投资 -> 工业投资, but 国家级高新区全国排名 stays
        name = lex.value_verb_end.sub("", _GROWTH_WORDS.sub("", name))
        name = name.strip(EDGE_QUOTES)
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
    return name.strip(EDGE_QUOTES)


_NOUN = re.compile(r"[^，。；：、,;:（(）)\s和及与]{1,24}")


def _noun_after(text: str, quantity: Quantity) -> tuple[str, int]:
    """The counted noun written after a number ("10个示范智能工厂" -> 示范智能工厂) and its end.

    A generic noun (公司, 企业) followed by what it obtained names the deed instead
    ("5家公司获批省智能车间工厂" -> 获批省智能车间工厂).
    """
    match = _NOUN.match(text, quantity.end, quantity.sentence_end)  # no copy of the rest of the sentence
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
    name = _GROWTH_WORDS.sub("", name)
    end = quantity.end
    deed = lex.action_end.search(name)
    if not name or lex.action_only.match(name) or deed or raw.rstrip().endswith("等"):
        after, after_end = _noun_after(text, quantity)
        if len(after) >= 2:
            verb = deed.group(0) if deed else ""
            name, end = verb + after, after_end
    if not name and quantity.kind in ("amount", "count"):
        name = _subject_before(text, quantity.sentence_start, floor, lex) or name
    named_by_change = growth and quantity.kind == "percent"  # "两年平均增长8.2%": the indicator before it
    if not name and not named_by_change and quantity.indicator and _in_sentence(text, quantity.indicator, quantity):
        name = _clean_name(quantity.indicator, lex)  # the pre-extractor's reading, when ours found none
    name = re.sub(r"[\d.]+$", "", name)  # a number cut off at the name's end is never part of it
    if not re.search(r"[\u4e00-\u9fa5A-Za-z]", name):
        name = ""
    return name, growth, end


def _in_sentence(text: str, words: str, quantity: Quantity) -> bool:
    """Whether the number's sentence writes ``words``: looked for near the number first, without
    copying the sentence (a sentence may be a whole line)."""
    start, end = quantity.sentence_start, quantity.sentence_end
    near = text.find(words, max(start, quantity.start - _NEAR), min(end, quantity.end + _NEAR))
    return near >= 0 or text.find(words, start, end) >= 0


_NEAR = 200
#: How far back the clause before a number is looked for: far beyond any clause a name comes from.
_CLAUSE_REACH = 300


def _subject_before(text: str, sentence_start: int, floor: int, lex: Lexicon) -> str:
    """"工业投资高速增长，完成45.56亿元": a bare 完成 takes the subject of the clause before it."""
    end = max(sentence_start, floor - 1)
    spans = clause_spans(text, max(sentence_start, end - _CLAUSE_REACH), end)
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


# A comparison aside in brackets after a figure: "增长6.5%（全市11.1%）", "（全省平均为5.2%）".
_ASIDE = re.compile(r"[（(](?:全国|全省|全市|全区|全县|全州|省|市|平均|去年同期|上年同期|同期)[^（）()]{0,16}[）)]")


def asides(text: str, quantities: Sequence[Quantity]) -> set[str]:
    """Ids of the numbers inside a comparison aside: they describe a wider area, not the report's own."""
    ends, spans = _aside_spans(text)
    found = set()
    for quantity in quantities:
        index = bisect.bisect_right(ends, quantity.end)  # the first aside ending after the number
        if index < len(spans) and spans[index][0] < quantity.start:
            found.add(quantity.id)
    return found


@lru_cache(maxsize=4)
def _aside_spans(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Every comparison aside of the text, in order (found once, looked up per number)."""
    spans = [m.span() for m in _ASIDE.finditer(text)]
    return [end for _, end in spans], spans


#: Units of a span of time: a duration qualifies a result, it is not one.
DURATION_UNITS = frozenset({"年", "个月", "月", "天", "日", "周", "个星期", "小时", "分钟"})


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
    describing = descriptors(text, quantities) | list_counts(text, quantities) | asides(text, quantities)
    for quantity in quantities:
        if quantity.is_time or quantity.is_target or quantity.id in describing or inside_any(quantity.start, silent):
            continue
        if quantity.unit in DURATION_UNITS:
            continue  # "连续5年", "近6年来": how long, not an indicator's figure
        by_sentence.setdefault(quantity.sentence_start, []).append(quantity)
    respective = respective_names(text, quantities)
    for group in by_sentence.values():
        metrics.extend(_sentence_metrics(text, group, periods, respective, lex))
    return metrics


def _between(numbers: Sequence[Quantity], starts: Sequence[int], start: int, end: int) -> Sequence[Quantity]:
    """The numbers starting in ``[start, end)``; ``starts`` are their sorted start offsets."""
    return numbers[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]


def _sentence_metrics(
    text: str, group: list[Quantity], periods: Sequence[tuple[int, str]], respective: dict[str, str], lex: Lexicon
) -> list[Metric]:
    """One sentence's numbers in order: each opens a metric or completes the one before it.

    A number listed after 分别 belongs to its own subject (``respective``): it opens that subject's
    metric, or completes it when the subject already has one (a level, then its growth).
    """
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
        ranked = ranked_subjects(text, quantity) if quantity.kind in ("rank", "top_n") else None
        if quantity.id in respective:
            _add_respective(drafts, respective[quantity.id], quantity, floor, lead, period, said_growth, lex)
        elif ranked:
            subjects, growth = ranked
            scope = _rank_scope(lead, quantity, lex)
            for subject in subjects:
                draft = _Draft(f"{subject}{'增速' if growth else ''}{scope}排名", floor, [quantity], quantity.value,
                               quantity.unit or "名", period=period)
                draft.derived = True
                drafts.append(draft)
        elif quantity.kind in ("rank", "top_n"):
            drafts.append(_rank_draft(quantity, floor, lead, head, period, lex))
        elif comparison and quantity.kind in ("percentage_point", "percent", "multiple") and head is not None:
            drafts.append(_comparison_draft(quantity, floor, comparison, head, period))
        elif quantity.kind == "percentage_point":
            # A change in points is a rate's: the last rate stated before it, else the indicator's.
            rate = next((d for d in reversed(drafts) if d.unit == "%" and d.growth_pp is None), head)
            if rate is not None and rate.growth_pp is None and (lex.pp_change.search(lead) or quantity.basis):
                rate.growth_pp = _signed(quantity, lead, lex)
                rate.quantities.append(quantity)
        elif quantity.kind == "multiple" and quantity.direction == "increase" and head is not None and head.open_for_growth:
            head.growth_pct = _signed(quantity, lead, lex)  # "完成投资5亿元，增长1.1倍"
            head.quantities.append(quantity)
        elif quantity.kind == "multiple" and quantity.direction == "increase" and name and not comparison:
            drafts.append(_Draft(name, floor, [quantity], growth_pct=_signed(quantity, lead, lex), period=period))
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
            draft = _Draft(name, floor, [quantity], *_as_written(quantity), period=period)
            draft.qualifier = quantity.qualifier
            draft.end = name_end
            draft.derived = derived and name != ""
            drafts.append(draft)
    return [_metric(text, d) for d in drafts if d.name and (d.value is not None or d.growth_pct is not None)]


def _as_written(quantity: Quantity) -> tuple[float | None, str | None]:
    """A level as the text writes it: 近3成 is 3 成 (the pre-extractor reads it as 30 %)."""
    if quantity.unit == "%" and quantity.value is not None and re.search(r"成$|成(?:以上|左右|多)$", quantity.text):
        return round(quantity.value / 10, 6), "成"
    return quantity.value, quantity.unit or None


def _add_respective(
    drafts: list[_Draft], name: str, quantity: Quantity, floor: int, lead: str, period: str | None,
    said_growth: bool, lex: Lexicon,
) -> None:
    """A number of a 分别 list: its subject's growth or level."""
    growth = quantity.kind in ("percent", "multiple") and (said_growth or quantity.direction is not None)
    if growth:
        own = next((d for d in drafts if d.name == name and d.growth_pct is None), None)
        if own is not None:
            own.growth_pct = _signed(quantity, lead, lex)
            own.quantities.append(quantity)
            return
        drafts.append(_Draft(name, floor, [quantity], growth_pct=_signed(quantity, lead, lex), period=period))
        return
    draft = _Draft(name, floor, [quantity], quantity.value, quantity.unit or None, period=period)
    draft.qualifier = quantity.qualifier
    drafts.append(draft)


def _rank_scope(lead: str, rank: Quantity, lex: Lexicon) -> str:
    """The area a rank is taken over, as written ("居合肥市四大开发区第一" -> 合肥市四大开发区)."""
    within = re.sub(r"第?[\d一二三四五六七八九十两]+[位名]?$|首位$", "", rank.text)
    words = within or lex.rank_tail.sub("", re.sub(r"^.*?(?:居|位居|位列|排名|排在|名列)", "", lead))
    return words.strip(EDGE_QUOTES) if 0 < len(words) <= MAX_NAME else ""


def _period_of(text: str, quantity: Quantity, periods: Sequence[tuple[int, str]]) -> str | None:
    """The nearest period word before the number in its run of results (目前 in its sentence: none)."""
    now = _now_word_end(text, quantity.sentence_start, quantity.sentence_end)
    if now is not None and now <= quantity.start:
        return None
    index = bisect.bisect_left(periods, (quantity.start, "")) - 1
    return periods[index][1] if index >= 0 else None


@lru_cache(maxsize=256)
def _now_word_end(text: str, sentence_start: int, sentence_end: int) -> int | None:
    """Where the first 目前/当前 of a sentence ends (searched once per sentence, not once per number)."""
    match = re.search(r"目前|截至目前|当前", text[sentence_start:sentence_end])
    return sentence_start + match.end() if match else None


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
    """A change with its sign; a multiple of growth (增长1.1倍) as the % it adds (110)."""
    if quantity.value is None:
        return None
    if quantity.kind == "multiple":
        return round(100 * quantity.value, 6)
    falling = quantity.direction == "decrease" or (quantity.direction is None and bool(lex.decrease.search(lead[-6:])))
    return -abs(quantity.value) if falling else quantity.value


def _rank_draft(
    quantity: Quantity, floor: int, lead: str, head: _Draft | None, period: str | None, lex: Lexicon
) -> _Draft:
    """A rank is a metric of its own: <indicator>[增速]<scope>排名, or the ranked assessment's words.

    "增速居全市第二" after an indicator names that indicator's rank; a longer phrase before the rank
    ("在创文考核中排名第一") names what was ranked.
    """
    words = re.sub(r"\d{4}年度?|[上下]半年|前[一二三]季度|第?[一二三四]季度", "", lead)
    growth_word = re.match(r"(?:增速|增幅)", words)
    words = words[growth_word.end() :] if growth_word else words
    words = lex.rank_tail.sub("", lex.rank_lead.sub("", words))
    words = words.strip(EDGE_QUOTES)
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
    words = words.translate({ord(c): None for c in QUOTES})
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
    return re.sub(r"(?:水平)?(?:的)?$", "", compared.strip(EDGE_QUOTES)) or None


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
        evidence=evidence_of(text, start, end, [q.id for q in draft.quantities]),
    )


def extract_targets(text: str, quantities: Sequence[Quantity], lex: Lexicon) -> list[Target]:
    """Goals: the candidates the pre-extractor marked as governed by a target cue."""
    targets: list[Target] = []
    previous: Quantity | None = None
    describing = descriptors(text, quantities)
    respective = respective_names(text, quantities)
    for quantity in quantities:
        if quantity.is_time:
            continue
        same_sentence = previous if previous and previous.sentence_start == quantity.sentence_start else None
        previous = quantity
        if not quantity.is_target or quantity.id in describing:
            continue
        name, said_growth, end = indicator_name(text, quantity, same_sentence, lex)
        floor = _clause_floor(text, quantity.sentence_start, quantity.start, same_sentence)
        growth = said_growth or bool(re.search(r"增速|增长|增幅", text[floor : quantity.start]))
        measure = _measure(quantity, growth)
        name = respective.get(quantity.id) or _after_cue(name, lex)
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
                cue=quantity.target_cue
                or _last_before(lex.target_cue, text, quantity.sentence_start, quantity.sentence_end, quantity.start),
                text=text[min(floor, quantity.start) : max(end, quantity.end)],
                evidence=evidence_of(text, min(floor, quantity.start), max(end, quantity.end), [quantity.id]),
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
    found = _last_before(lex.horizon, text, quantity.sentence_start, quantity.sentence_end, quantity.start)
    if found is None:
        paragraph_start, paragraph_end = _line_around(text, quantity.sentence_start)
        found = _last_before(lex.horizon, text, paragraph_start, paragraph_end, quantity.sentence_start)
    return lex.horizon_aliases.get(found, found) if found else None


@lru_cache(maxsize=512)  # a sentence's (or line's) matches are found once for all its numbers
def _matches(pattern: re.Pattern[str], text: str, start: int, end: int) -> tuple[list[int], list[str]]:
    found = list(pattern.finditer(text, start, end))
    return [m.end() for m in found], [m.group(0) for m in found]


def _last_before(pattern: re.Pattern[str], text: str, start: int, end: int, position: int) -> str | None:
    """The last match of ``pattern`` in ``text[start:end]`` that ends by ``position``: what :func:`_last`
    finds in ``text[start:position]``, without reading the sentence again for every number in it."""
    ends, words = _matches(pattern, text, start, end)
    index = bisect.bisect_right(ends, position) - 1
    return words[index] if index >= 0 else None


@lru_cache(maxsize=4)
def _line_breaks(text: str) -> list[int]:
    return [m.start() for m in re.finditer("\n", text)]


def _line_around(text: str, position: int) -> tuple[int, int]:
    """The line holding ``position``: its start and end."""
    breaks = _line_breaks(text)
    index = bisect.bisect_left(breaks, position)
    return (breaks[index - 1] + 1 if index else 0), (breaks[index] if index < len(breaks) else len(text))


def _last(pattern: re.Pattern[str], text: str) -> str | None:
    found = None
    for match in pattern.finditer(text):
        found = match.group(0)
    return found




def period_marks(
    text: str, quantities: Sequence[Quantity], future: Sequence[tuple[int, int]], lex: Lexicon
) -> list[tuple[int, str]]:
    """Period words that govern reported numbers, in text order, as the text writes them.

    (Grounding checks that a stated period is in the text, so 今年来 stays 今年来.)
    """
    marks: list[tuple[int, str]] = []
    for quantity in quantities:
        if quantity.kind not in ("period", "year") or inside_any(quantity.start, future):
            continue
        word = quantity.text
        if word.startswith("下") or looks_ahead(text, 0, quantity.start) or word in ("全年", "年度"):
            continue
        if text[max(0, quantity.start - 1) : quantity.start] in ("较", "比"):
            continue  # "较一季度提高": the period compared with, not the one reported
        marks.append((quantity.start, word))
    return marks



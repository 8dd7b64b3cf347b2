"""Indicator names: the words of the text that name a number, for metrics and targets alike.

A stage of its own because a result and a goal must be named the same way (the same clause floor,
the same scope, body and time words dropped, the same noun read after a bare verb), and because
naming is where most of the genre's wording lives, apart from how :mod:`figures` groups numbers
into metrics and :mod:`targets` into goals. It also says which numbers only describe another's noun.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from summarizer.backends.rules.lexicon import EDGE_QUOTES, MAX_NAME, QUOTES, Lexicon
from summarizer.backends.rules.lists import respective_names
from summarizer.indicators import is_table_name
from summarizer.schema import Quantity
from summarizer.text.sentences import clause_spans
from summarizer.text.words import words as dictionary_words


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


class Listings(NamedTuple):
    """What metrics and targets both read off an article's numbers before naming them: read once for both."""

    describing: set[str]  # ids of numbers that only describe the next one's noun (:func:`descriptors`)
    respective: dict[str, str]  # id -> its subject, for numbers listed after 分别 (:func:`respective_names`)


def listings(text: str, quantities: Sequence[Quantity]) -> Listings:
    return Listings(descriptors(text, quantities), respective_names(text, quantities))


_AFTER_LAST_NUMBER = re.compile(r"^.*\d[\d.]*(?:%|个百分点|亿元|万元|元|[个家项名户人台栋张件所座位])?")


# Words between two numbers that make them two statements, not a number describing a noun.
_NOT_DESCRIBING = re.compile(r"[，。；：、,;:（(）)和及与]|增长|下降|增速|同比|比|占|居|排名|达到?|为|完成|其中")


# "87个重点项目投资" names 重点项目投资; "10亿元以上项目" keeps the number that describes its noun.
LEADING_COUNT = re.compile(r"^\d[\d.]*(?:个|家|项|名|户|人|台|栋|张|件|所|座)(?!以上|以下|左右|多|余)")


# The words that say a number is a change, at a name's end: "同比增", "两年平均增长", "增速".
_GROWTH_WORDS = re.compile(
    r"(?:同比|环比|比上年|比去年同期|较上年)?(?:两年|三年)?(?:年均|平均)?"
    r"(?:增速|增幅|负?增长率?|增加|提升|提高|上升|降幅|下降|下滑|回落|减少|(?<![新净])增|降)$"
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


_NO_QUOTES = dict.fromkeys(map(ord, QUOTES))
_BRACKETED = re.compile(r"（[^）]*）|\([^)]*\)")
_TIME_WORDS = re.compile(r"\d{4}年度?|[上下]半年|前[一二三]季度|第?[一二三四]季度|\d{1,2}[—–-]\d{1,2}月|今年以来|今年来|年初以来")
_INNER_VERB = re.compile(r"(?<=[\u4e00-\u9fa5]{2})(?:仅|已|累计)?(?:完成|实现)(?=[\u4e00-\u9fa5]{2})")
_TRAILING_HORIZON = re.compile(r"(?<=[\u4e00-\u9fa5]{2})(?:全年|年内|年底|今年|当年)$")


@lru_cache(maxsize=8192)  # the same words name many numbers of a long report
def _clean_name(name: str, lex: Lexicon) -> str:
    """Drop scope, body and time words in front, value verbs at the end, brackets and quote marks."""
    name = _BRACKETED.sub("", name)
    name = _DATED_BASIS.sub("", name.translate(_NO_QUOTES))
    name = _TIME_WORDS.sub("", name)
    for _ in range(4):
        before = name
        enumeration = lex.enumeration.match(name)
        name = name[enumeration.end() :].lstrip() if enumeration else name
        name = LEADING_COUNT.sub("", name)
        name = _without_scope(name, lex)
        body = lex.body_prefix.match(name)
        if body and len(name) - body.end() >= 2 and not lex.rank_scope.match(name, body.end()):
            name = name[body.end() :]  # 高新区工业投资 -> 工业投资, but 国家级高新区全国排名 stays
        name = lex.hedge_end.sub("", lex.value_verb_end.sub("", _GROWTH_WORDS.sub("", name)))
        name = name.strip(EDGE_QUOTES)
        if name == before:
            break
    stripped = lex.value_verb_start.sub("", name)
    if len(stripped) >= 2:
        name = stripped
    name = _INNER_VERB.sub("", name)
    name = _TRAILING_HORIZON.sub("", name)
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


class Naming(NamedTuple):
    name: str
    said_growth: bool  # the words before the number say it is a growth rate
    end: int  # where the named span ends (past the number when the noun follows it)
    floor: int  # where the number's naming words start (its clause floor)


def indicator_name(text: str, quantity: Quantity, previous: Quantity | None, lex: Lexicon) -> Naming:
    """The indicator a number belongs to, whether its words say it is a growth rate, the span end
    and the clause floor the words were read from (callers need it too: computed once).

    The words before the number in its clause name it; when they are only a verb (建成, 引进) or end
    in 等, the noun after the number does (with the verb, for a deed: 引进博士); a bare 完成 takes
    the subject of the clause before; the pre-extractor's indicator is the last resort.
    """
    floor = _clause_floor(text, quantity.sentence_start, quantity.start, previous)
    growth, name, verb, wants_noun = _lead_reading(text[floor : quantity.start], lex)
    end = quantity.end
    if wants_noun:
        after, after_end = _noun_after(text, quantity)
        if len(after) >= 2:
            name, end = verb + after, after_end
    if not name and quantity.kind in ("amount", "count"):
        name = _subject_before(text, quantity.sentence_start, floor, lex) or name
    named_by_change = growth and quantity.kind == "percent"  # "两年平均增长8.2%": the indicator before it
    if not name and not named_by_change and quantity.indicator and _in_sentence(text, quantity.indicator, quantity):
        name = _clean_name(quantity.indicator, lex)  # the pre-extractor's reading, when ours found none
    name = _TRAILING_NUMBER.sub("", name)  # a number cut off at the name's end is never part of it
    if not _WORD_CHAR.search(name):
        name = ""
    return Naming(name, growth, end, floor)


class _LeadReading(NamedTuple):
    growth: bool  # the words say the number is a growth rate
    name: str  # the name they give it
    verb: str  # the deed they end in (引进, 建成), or ""
    wants_noun: bool  # the name is only a verb, a deed or a list closed by 等: the noun after the number names it


@lru_cache(maxsize=8192)  # the same words lead many numbers of a long report
def _lead_reading(raw: str, lex: Lexicon) -> _LeadReading:
    """What the words before a number (from its clause floor) say about it, read from them alone."""
    if _DIGIT.search(raw) and _STATEMENT_WORD.search(raw):
        raw = _AFTER_LAST_NUMBER.sub("", raw)  # another statement runs into this one, unpunctuated
    growth = bool(lex.growth_end.search(raw))
    name = _GROWTH_WORDS.sub("", _clean_name(raw, lex))
    examples = _EXAMPLES_BEFORE.match(name)
    if examples:  # the deed that opens the list stays: 引进A产业园等亿元项目 -> 引进亿元项目
        opening = re.match(rf"(?:{lex.action_verbs.pattern})", name)
        name = (opening.group(0) if opening else "") + name[examples.end() :]
    deed = lex.action_end.search(name)
    wants_noun = not name or bool(lex.action_only.match(name)) or deed is not None or raw.rstrip().endswith("等")
    return _LeadReading(growth, name, deed.group(0) if deed else "", wants_noun)


#: 某某产业园等亿元项目: the examples before 等 are instances, the words after it name the indicator.
#: Not the 等 of a word (高等, 中等, 同等, 平等, 等级, 等于).
_EXAMPLES_BEFORE = re.compile(r"^.{2,}[^高中初同平对均超上下优次]等(?![级于待候同])(?=[\u4e00-\u9fa5A-Za-z]{2})")
_DIGIT = re.compile(r"\d")
_STATEMENT_WORD = re.compile(r"增长|下降|同比|%|百分点|排名|居")
_TRAILING_NUMBER = re.compile(r"[\d.]+$")
_WORD_CHAR = re.compile(r"[\u4e00-\u9fa5A-Za-z]")


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


_SHARE_OF = re.compile(r"占(?:全[市省国区])?的?(?:比重|比例)?|全[市省国区]占比")


def attribute_of(name: str, lex: Lexicon) -> bool:
    """A name that only qualifies the item named before it: 总投资, 占比, 协议总投资, 占全市的.

    A short name the indicator table knows (进出口总额, 出口总额) names its own indicator.
    """
    if name in lex.attributes:
        return True
    if len(name) <= 6 and lex.attribute_ending.search(name) and not is_table_name(name):
        return True
    return bool(_SHARE_OF.fullmatch(name))


def is_share(name: str) -> bool:
    return name.endswith(("占比", "比重", "完成率", "进度", "率", "比例"))

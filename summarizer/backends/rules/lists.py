"""Figures shared out over a list of subjects: "A、B分别增长5%、8%", "A、B、C等3项指标增速居全市第一".

The genre states several indicators in one breath. Each number then belongs to one subject of the
list before it, in order (分别), or one rank belongs to every listed subject. Reading those lists
here lets metrics and targets name each number by its own subject instead of by the list's words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache

from summarizer.schema import Quantity

# The list before 分别, up to the start of its clause: "全口径财政收入、一般预算财政收入分别".
_RESPECTIVELY = "分别"
_SEPARATORS = re.compile(r"[、和及与]")
# The shared head after the last item: "通信通讯、节能环保两大产业集群产值" -> 产业集群产值.
_SHARED_HEAD = re.compile(r"^(?P<item>.+?)(?:等)?(?:[两二三四五六七八九十\d]+(?:大|项|个|类))(?P<head>.+)$|^(?P<item2>.+?)等(?P<head2>.+)$")
# The indicator noun that ends a list's last item and is shared by the items before it.
_INDICATOR_NOUN = re.compile(r"(?:投资额?|增加值|总产值|产值|营业收入|营收|收入|销售额|零售额|进出口额?|出口额?|税收)$")
# 城乡居民 means two subjects: 城镇居民 and 农村居民.
_URBAN_RURAL = re.compile(r"^城乡(?P<rest>.+)$")
# Between a list's numbers: "5%、8%", "550.7亿元和95.8亿元".
_BETWEEN_NUMBERS = re.compile(r"^[、和及与,，]?$|^以上[、和]$|^左右[、和]$")
# A list of indicators sharing a rank: "GDP、固定资产投资、进出口等3项指标增速居…".
_RANKED_LIST = re.compile(r"(?P<list>[^，,；;。：:]{1,120}?)等?[\d一二三四五六七八九十两]+项(?:主要)?(?:经济)?指标(?P<growth>增速|增幅)?")
_LEAD_WORDS = re.compile(r"^(?:其中|全区|全县|全市|同时|此外|另外|实现|完成|预计)+")
_MIN_ITEM, _MAX_ITEM = 2, 16


def subjects_before(text: str, start: int, end: int) -> list[str] | None:
    """The subjects of a list written in ``text[start:end]`` (the words before 分别), or None."""
    words = _LEAD_WORDS.sub("", text[start:end].strip(" ，,"))
    urban_rural = _URBAN_RURAL.match(words)
    if urban_rural:
        return [f"城镇{urban_rural['rest']}", f"农村{urban_rural['rest']}"]
    items = [item for item in _SEPARATORS.split(words) if item]
    if len(items) < 2:
        return None
    last = _SHARED_HEAD.match(items[-1])
    if last:
        item, head = (last["item"], last["head"]) if last["item"] else (last["item2"], last["head2"])
        head = re.sub(r"^(?:主导|重点|新兴|传统)?(?:行业|产业)?的?", "", head) or head
        items = [f"{i}{head}" for i in [*items[:-1], item]]
    else:
        # "制造业、服务业、基础设施投资额": the last item's indicator noun is every item's.
        noun = _INDICATOR_NOUN.search(items[-1])
        if noun and all(not _INDICATOR_NOUN.search(i) and len(i) <= 6 for i in items[:-1]):
            items = [f"{i}{noun.group()}" for i in items[:-1]] + [items[-1]]
    if not all(_MIN_ITEM <= len(item) <= _MAX_ITEM + 8 for item in items):
        return None
    return items


def respective_names(text: str, quantities: Sequence[Quantity]) -> dict[str, str]:
    """Quantity id -> the subject it belongs to, for every number listed after 分别.

    A 分别 with no list of its own ("按可比口径分别增长20.1%和12.1%") takes the subjects of the one
    before it in the same sentence. A list whose count of numbers differs from its subjects names
    nothing: a guess would misfile a figure.
    """
    names: dict[str, str] = {}
    numbers = sorted((q for q in quantities if not q.is_time), key=lambda q: q.start)
    if not numbers:
        return names
    starts = [q.start for q in numbers]
    sentence_ends = [q.sentence_end for q in numbers]
    in_order = all(
        a.sentence_start <= b.sentence_start and a.sentence_end <= b.sentence_end for a, b in zip(numbers, numbers[1:])
    )
    low, high = min(q.sentence_start for q in numbers), max(sentence_ends)
    positions = _positions(text, _RESPECTIVELY)
    first, last = _between(positions, low, high)
    previous: tuple[int, list[str]] | None = None
    for position in positions[first:last]:
        sentence = _sentence_of(numbers, sentence_ends if in_order else None, position)
        if sentence is None:
            continue
        clause_start = _clause_start(text, sentence.sentence_start, position)
        subjects = subjects_before(text, max(clause_start, sentence.sentence_start), position)
        if subjects is None and previous and previous[0] == sentence.sentence_start:
            subjects = previous[1]
        if subjects is None:
            continue
        previous = (sentence.sentence_start, subjects)
        listed = _listed_after(text, numbers, position + len(_RESPECTIVELY), starts)
        if len(listed) == len(subjects):
            names.update({q.id: name for q, name in zip(listed, subjects)})
    return names


# --- Positions found once per text, then looked up by bisection (a long text stays linear) ---


@lru_cache(maxsize=16)
def _positions(text: str, pattern: str) -> list[int]:
    """Start offsets of every match of ``pattern`` in ``text``, in order."""
    return [match.start() for match in re.finditer(pattern, text)]


@lru_cache(maxsize=4)
def _ranked_lists(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Every span :data:`_RANKED_LIST` matches in ``text``, in order, with their ends (for bisection).

    A match never crosses ，；。： and always holds 指标, so only the stretches between those marks
    that hold 指标 are searched: the matches are the same as over the whole text, found without
    trying the pattern at every character of a document that has no such list.
    """
    stops = [m.start() for m in _LIST_STOP.finditer(text)]
    spans: list[tuple[int, int]] = []
    searched = -1
    for word in _positions(text, "指标"):
        index = bisect.bisect_left(stops, word)
        start = stops[index - 1] + 1 if index else 0
        if start <= searched:
            continue  # this stretch was searched already
        end = stops[index] if index < len(stops) else len(text)
        spans += [match.span() for match in _RANKED_LIST.finditer(text, start, end)]
        searched = start
    return [end for _, end in spans], spans


_LIST_STOP = re.compile("[，,；;。：:]")  # what the list of _RANKED_LIST may not hold


def _between(positions: Sequence[int], start: int, end: int) -> tuple[int, int]:
    return bisect.bisect_left(positions, start), bisect.bisect_left(positions, end)


def _sentence_of(numbers: Sequence[Quantity], sentence_ends: Sequence[int] | None, position: int) -> Quantity | None:
    """The first number whose sentence holds ``position`` (by bisection when sentences come in order)."""
    if sentence_ends is None:
        return next((q for q in numbers if q.sentence_start <= position < q.sentence_end), None)
    index = bisect.bisect_right(sentence_ends, position)
    if index < len(numbers) and numbers[index].sentence_start <= position:
        return numbers[index]
    return None


def _clause_start(text: str, floor: int, position: int) -> int:
    """After the last ，；： before ``position`` (0 when there is none after ``floor``)."""
    marks = _positions(text, _CLAUSE_MARK)
    index = bisect.bisect_left(marks, position) - 1
    return marks[index] + 1 if index >= 0 and marks[index] >= floor else 0


_CLAUSE_MARK = "[，,；;：:]"


def _listed_after(text: str, numbers: Sequence[Quantity], position: int, starts: Sequence[int] | None = None) -> list[Quantity]:
    """The run of numbers right after ``position`` that only 、/和 separate."""
    run: list[Quantity] = []
    first = bisect.bisect_left(starts, position) if starts is not None else 0
    for index in range(first, len(numbers)):  # by index: slicing or islice would walk the list's head
        quantity = numbers[index]
        if quantity.start < position:
            continue
        gap = text[(run[-1].end if run else position) : quantity.start]
        if run and not _BETWEEN_NUMBERS.match(gap):
            break
        if not run and (len(gap) > 8 or re.search(r"[，,；;。]", gap)):
            break
        run.append(quantity)
    return run


def ranked_subjects(text: str, rank: Quantity) -> tuple[list[str], bool] | None:
    """"GDP、固定资产投资、进出口等3项指标增速居合肥市第一": the listed indicators the rank is each
    one's, and whether it ranks their growth."""
    clause_start = _clause_start(text, rank.sentence_start, rank.start)
    match = None
    for match in _RANKED_LIST.finditer(text, max(clause_start, rank.sentence_start), rank.start):
        pass
    if match is None:
        return None
    subjects = subjects_before(text, match.start("list"), match.end("list"))
    return (subjects, bool(match["growth"])) if subjects else None


def list_counts(text: str, quantities: Sequence[Quantity]) -> set[str]:
    """Ids of the counts that only tally a list ("等3项指标") or indicators ("14项主要指标中有11项
    达到目标"): the indicators themselves carry the figures."""
    counted: set[str] = set()
    ends, spans = _ranked_lists(text)
    for quantity in quantities:
        if quantity.unit != "项":
            continue
        index = bisect.bisect_right(ends, quantity.start)  # the first list ending after the count starts
        listed = index < len(spans) and spans[index][0] <= quantity.start
        if listed or _INDICATORS_AFTER.match(text, quantity.end) or _INDICATORS_BEFORE.search(text, max(0, quantity.start - 6), quantity.start):
            counted.add(quantity.id)
    return counted


_INDICATORS_AFTER = re.compile(r"[^，。；、\d]{0,8}指标")
_INDICATORS_BEFORE = re.compile(r"指标中?(?:有|的)?$")

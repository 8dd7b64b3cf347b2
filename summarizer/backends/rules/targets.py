"""Targets: the goals a report sets, one per candidate the pre-extractor marked as governed by a
target cue (力争, 确保, 目标…).

A stage of its own because a goal is read differently from a result: each goal number is one target
(no level-and-growth pairing as in :mod:`figures`), its name is the words after its cue, and it
carries what a result never has, its measure, its horizon and its cue. Numbers are named as for
metrics, by :mod:`names`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache

from summarizer.backends.rules.lexicon import Lexicon, evidence_of
from summarizer.backends.rules.names import LEADING_COUNT, Listings, indicator_name, listings
from summarizer.indicators import canonical_name
from summarizer.schema import Evidence, Quantity, Target, TargetMeasure, trusted_constructor


def extract_targets(
    text: str, quantities: Sequence[Quantity], lex: Lexicon, listed: Listings | None = None
) -> list[Target]:
    """Goals: the candidates the pre-extractor marked as governed by a target cue.

    ``listed`` is what :func:`names.listings` reads off ``quantities``, when the caller has it already.
    """
    targets: list[Target] = []
    previous: Quantity | None = None
    earlier: list[Quantity] = []  # the numbers of the sentence before this one
    describing, respective = listed or listings(text, quantities)
    for quantity in quantities:
        if quantity.is_time:
            continue
        same_sentence = previous if previous and previous.sentence_start == quantity.sentence_start else None
        if same_sentence is None:
            earlier = []
        elif previous is not None:
            earlier.append(previous)
        previous = quantity
        if not quantity.is_target or quantity.id in describing:
            continue
        name, said_growth, end, floor = indicator_name(text, quantity, same_sentence, lex)
        growth = said_growth or bool(_GROWTH_WORD.search(text, floor, quantity.start))
        measure = _measure(quantity, growth)
        name = respective.get(quantity.id) or _after_cue(name, lex)
        if not name and quantity.target_cue:
            name = _carried_name(text, earlier, describing, lex)
        if not name:
            continue
        if measure == "growth" and not _GROWTH_WORD.search(name):
            name += "增速"
        if measure == "rank" and "排名" in text[floor : quantity.start] and not name.endswith("排名"):
            name += "排名"
        if measure == "rank" and _RANK_ONLY.fullmatch(name) and targets and targets[-1].evidence.end <= quantity.start:
            if quantity.sentence_start <= targets[-1].evidence.start:
                name = targets[-1].name + name  # "高新技术企业总数突破450家，全市排名保持前三"
        ranged = quantity.qualifier == "range" and quantity.low is not None
        targets.append(
            _new_target(
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


_GROWTH_WORD = re.compile(r"增速|增长|增幅")

#: Targets from a candidate's own values (floats or None) and the text's words: not validated again.
_new_target = trusted_constructor(Target, {
    "name": "地区生产总值增速", "canonical_name": "地区生产总值", "value": 6.0, "unit": "%", "measure": "growth",
    "qualifier": "approx", "low": None, "high": None, "horizon": "全年", "cue": "力争", "text": "增长6%左右",
    "evidence": Evidence(quote="增长6%左右", start=0, end=7),
})

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
        kept = LEADING_COUNT.sub("", lex.horizon.sub("", lex.target_cue.sub("", name)))
        return kept if len(kept) >= 2 else rest
    return rest if len(rest) >= 2 else name


def _carried_name(text: str, earlier: Sequence[Quantity], describing: set[str], lex: Lexicon) -> str:
    """"规上工业增加值增长6.1%；全年力争增长8%": a goal whose clause names no indicator is for the
    indicator named last before it in its sentence (the text does not repeat it)."""
    for quantity in reversed(earlier):
        if quantity.id in describing:
            continue
        name = _after_cue(indicator_name(text, quantity, None, lex).name, lex)
        if name:
            return name
    return ""


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
    """The last match of ``pattern`` in ``text[start:end]`` that ends by ``position``; the sentence's
    matches are found once, not again for every number in it."""
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

"""Figures: reported results (metrics), assembled from the pre-extractor's candidates.

Values always come from the candidates, never from parsing here; this stage attaches growth, ranks
and comparisons to their indicator and makes one metric of a level and its change. The words that
name each number are read in :mod:`names`; the numbers that are goals are left to :mod:`targets`.
"""

from __future__ import annotations

import bisect
import re
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
from summarizer.backends.rules.lists import list_counts, ranked_subjects
from summarizer.backends.rules.meta import looks_ahead
from summarizer.backends.rules.names import Listings, attribute_of, indicator_name, is_share, listings
from summarizer.indicators import canonical_name
from summarizer.schema import Evidence, Metric, Qualifier, Quantity, trusted_constructor


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
    listed: Listings | None = None,
) -> list[Metric]:
    """Reported results: a level and its 同比增长 make ONE metric; ranks and comparisons their own.

    Numbers in ``silent`` spans (tasks, headings) and numbers describing another are no results.
    ``listed`` is what :func:`names.listings` reads off ``quantities``, when the caller has it already.
    """
    metrics: list[Metric] = []
    by_sentence: dict[int, list[Quantity]] = {}
    listed = listed or listings(text, quantities)
    describing = listed.describing | list_counts(text, quantities) | asides(text, quantities)
    for quantity in quantities:
        if quantity.is_time or quantity.is_target or quantity.id in describing or inside_any(quantity.start, silent):
            continue
        if quantity.unit in DURATION_UNITS:
            continue  # "连续5年", "近6年来": how long, not an indicator's figure
        by_sentence.setdefault(quantity.sentence_start, []).append(quantity)
    for group in by_sentence.values():
        metrics.extend(_sentence_metrics(text, group, periods, listed.respective, lex))
    return _first_statements(metrics)


def _first_statements(metrics: list[Metric]) -> list[Metric]:
    """Each result once: a report restates its lead's figure in the body ("…完成投资5亿元，增长3%" twice).

    Only a figure repeated whole (name, value, unit, change, period) is a restatement; the first keeps
    its evidence.
    """
    seen: set[tuple[object, ...]] = set()
    kept: list[Metric] = []
    for metric in metrics:
        key = (metric.name, metric.value, metric.unit, metric.growth_pct, metric.growth_pp, metric.period)
        if key not in seen:
            seen.add(key)
            kept.append(metric)
    return kept


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
        name, said_growth, name_end, floor = indicator_name(text, quantity, previous, lex)
        lead = text[floor : quantity.start]
        head = next((d for d in reversed(drafts) if not d.derived), None)
        previous = quantity
        period = _period_of(text, quantity, periods)
        comparison = _comparison(lead, quantity.basis, lex)
        ranked = ranked_subjects(text, quantity) if quantity.kind in ("rank", "top_n") else None
        trailing = _growth_after(text, quantity) if quantity.kind == "percent" and not quantity.direction else None
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
            ranking = _RANKING.search(text, quantity.sentence_start, floor)
            drafts.append(_rank_draft(quantity, floor, lead, head, period, lex, ranking and ranking.group(1)))
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
        elif quantity.kind == "percent" and (said_growth or quantity.direction or trailing) and not is_share(name):
            own = bool(name) and not attribute_of(name, lex) and name not in ("同比", "比上年", "比去年同期")
            change = _signed(quantity, lead, lex, trailing)
            if head is not None and head.open_for_growth and (not own or name == head.name):
                head.growth_pct = change
                head.quantities.append(quantity)
            elif own:
                drafts.append(_Draft(name, floor, [quantity], growth_pct=change, period=period))
        elif name:
            share = _task_share(name) if quantity.kind == "percent" else None
            derived = attribute_of(name, lex) or (share is not None and share.startswith(("全年", "年度", "任务", "计划")))
            if derived:
                name = _join_attribute(head.name if head else "", name, lex)
            elif share is not None:
                name = share  # 一般公共预算收入完成年度预算的43.5% -> 一般公共预算收入年度预算完成率
            draft = _Draft(name, floor, [quantity], *_as_written(quantity), period=period)
            draft.qualifier = quantity.qualifier
            draft.end = name_end
            draft.derived = derived and name != ""
            drafts.append(draft)
    stated = (d for d in drafts if d.value is not None or d.growth_pct is not None)
    return [_metric(text, d) for d in stated if _names_an_indicator(d.name)]


#: Words that can stand where a name is read but name no indicator: an earlier period the figure is
#: compared with ("超过去年同期3倍"), or one character left by a cut ("9个项").
_NO_INDICATOR = re.compile(r"(?:\d{4}年)?(?:去年|上年|前年)?同期|去年|上年|.")


def _names_an_indicator(name: str) -> bool:
    """Whether the words read as a metric's name can name one (see ``_NO_INDICATOR``)."""
    return bool(name) and not _NO_INDICATOR.fullmatch(name)


#: 近3成, 两成以上: a rate written in tenths.
_IN_TENTHS = re.compile(r"成$|成(?:以上|左右|多)$")
#: 比全省高1.2个百分点: a comparison written around the gap; against an earlier period it is a change.
_WRITTEN_COMPARISON = re.compile(r"比([^，。；]{1,12}?)(高出?|低|快|慢)了?$")
_EARLIER_PERIOD = re.compile(r"去年|上年|同期|年初|上月|上季")
_COMPARISON_TAIL = re.compile(r"(?:水平)?(?:的)?$")


def _as_written(quantity: Quantity) -> tuple[float | None, str | None]:
    """A level as the text writes it: 近3成 is 3 成 (the pre-extractor reads it as 30 %)."""
    if quantity.unit == "%" and quantity.value is not None and _IN_TENTHS.search(quantity.text):
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
    if not match:
        return None
    subject = "" if _GOAL_SETTER.search(match.group(1)) else match.group(1)  # 市政府下达(全年目标): who set it
    return f"{subject}{match.group(2) or ''}{match.group(3)}完成率"


_GOAL_SETTER = re.compile(r"(?:下达|确定|制定|分解|安排)的?$")


def _join_attribute(head: str, attribute: str, lex: Lexicon) -> str:
    """Restore the subject the text elides: 总投资 after 省重点项目… -> 省重点项目总投资."""
    if not attribute_of(attribute, lex):
        attribute = _task_share(attribute) or attribute  # 完成全年任务 -> 全年任务完成率
    attribute = re.sub(r"^占(全[市省国区])的?(?:比重|比例)?$", r"\1占比", attribute)
    if attribute in ("占", "占的"):
        attribute = "占比"
    head = re.sub(r"^.*中(?=[\u4e00-\u9fa5]{2})", "", head)  # 规上企业中高新技术企业 -> 高新技术企业
    head = re.sub(rf"^(?:{lex.action_verbs.pattern})", "", head) if len(head) > 4 else head
    return f"{head}{attribute}" if head else attribute


#: 实现2%正增长, 保持5%左右的增长, 出现3%的负增长: the change word written after its rate.
_GROWTH_AFTER = re.compile(r"(?:左右|以上)?的?(?:(?P<up>正增长|增长|增幅|增速)|(?P<down>负增长|下降|下滑|降幅))")


def _growth_after(text: str, quantity: Quantity) -> str | None:
    """The direction of a rate whose change word follows it ("实现2%正增长"), else None."""
    match = _GROWTH_AFTER.match(text, quantity.end, min(quantity.sentence_end, quantity.end + 8))
    if match is None:
        return None
    return "increase" if match.group("up") else "decrease"


def _signed(quantity: Quantity, lead: str, lex: Lexicon, trailing: str | None = None) -> float | None:
    """A change with its sign; a multiple of growth (增长1.1倍) as the % it adds (110).

    ``trailing`` is the direction read after the number when the text names the change there.
    """
    if quantity.value is None:
        return None
    if quantity.kind == "multiple":
        return round(100 * quantity.value, 6)
    if trailing is not None and quantity.direction is None:
        return -abs(quantity.value) if trailing == "decrease" else quantity.value
    falling = quantity.direction == "decrease" or (quantity.direction is None and bool(lex.decrease.search(lead[-6:])))
    return -abs(quantity.value) if falling else quantity.value


def _rank_draft(
    quantity: Quantity,
    floor: int,
    lead: str,
    head: _Draft | None,
    period: str | None,
    lex: Lexicon,
    ranking: str | None = None,
) -> _Draft:
    """A rank is a metric of its own: <indicator>[增速]<scope>排名, or the ranked assessment's words.

    "增速居全市第二" after an indicator names that indicator's rank; a longer phrase before the rank
    ("在创文考核中排名第一") names what was ranked. ``ranking``: the ranking an earlier clause of the
    sentence names ("在X综合排名中，高新区由第20位上升到第16位"), for a rank whose own words name
    only the body ranked.
    """
    words = re.sub(r"\d{4}年度?|[上下]半年|前[一二三]季度|第?[一二三四]季度", "", lead)
    growth_word = re.match(r"(?:增速|增幅)", words)
    # "地区生产总值…，总量居全市第一": the rank of the indicator before it, by its total
    measure = _RANKED_MEASURE.match(words) if head is not None and not growth_word else None
    opening = growth_word or measure
    words = words[opening.end() :] if opening else words
    words = _MOVED_FROM.sub("", _MOVED_TO.sub("", words))  # "由第20位上升到第16位": the rank it reached
    words = lex.rank_tail.sub("", lex.rank_lead.sub("", words))
    words = words.strip(EDGE_QUOTES)
    scope_only = not words or (lex.rank_scope.match(words) is not None and len(words) <= 8)
    if head is not None and scope_only:
        growth = growth_word or (head.value is None and head.growth_pct is not None)
        total = measure.group() if measure and not head.name.endswith(("总额", "总量", "规模")) else ""
        name = f"{head.name}{'增速' if growth else ''}{total}{words}排名"
    elif ranking and _names_only_a_body(words, lex):
        name = ranking if ranking.endswith("排名") else f"{ranking}排名"
    else:
        name = f"{_clean_rank_words(words, lex)}排名" if words else "排名"
    draft = _Draft(name, floor, [quantity], quantity.value, quantity.unit or "名", period=period)
    draft.derived = True
    return draft


def _names_only_a_body(words: str, lex: Lexicon) -> bool:
    body = lex.body_prefix.match(words)
    return not words or (body is not None and body.end() == len(words))


#: A ranking named before the rank: "在国家高新区评价指标体系综合排名中".
_RANKING = re.compile(r"在([^，。；]{2,30}?(?:排名|排行|评价|考核|评估|测评|榜单))中")
_RANKED_MEASURE = re.compile(r"总量|总额|规模")
_MOVEMENT = r"(?:上升|提升|跃升|攀升|前进|前移|跃居|下降|下滑|后退|回落)了?(?:到|至|为)?"
#: The move that led to a rank, after what was ranked: "可持续发展能力由24位上升到(第4位)".
_MOVED_TO = re.compile(rf"(?:(?:由|从)[^，。；]*?)?{_MOVEMENT}$")
#: ...or before it: "(GDP增速)跃升全市(第1位)".
_MOVED_FROM = re.compile(rf"^{_MOVEMENT}")


def _clean_rank_words(words: str, lex: Lexicon) -> str:
    body = lex.body_prefix.match(words)
    words = words[body.end() :] if body and body.end() < len(words) else words
    words = words.translate({ord(c): None for c in QUOTES})
    if len(words) > MAX_NAME:
        words = words[-MAX_NAME:]
    return words


@lru_cache(maxsize=8192)  # the same words lead many numbers of a long report
def _comparison(lead: str, basis: str | None, lex: Lexicon) -> str | None:
    """"高于全市" / "比全省平均高" before a gap (in the words before the number, or in the basis the
    pre-extractor read): the comparison as 高于<what>; None for a change."""
    match = lex.comparison.search(lead)
    if match:
        compared = lead[match.start() :]
    elif basis and lex.comparison.search(basis):
        compared = basis
    else:
        written = _WRITTEN_COMPARISON.search(lead)
        if not written or _EARLIER_PERIOD.search(written.group(1)):
            return None
        compared = {"高": "高于", "高出": "高于", "低": "低于", "快": "快于", "慢": "慢于"}[written.group(2)] + written.group(1)
    return _COMPARISON_TAIL.sub("", compared.strip(EDGE_QUOTES)) or None


def _comparison_draft(quantity: Quantity, floor: int, compared: str, head: _Draft, period: str | None) -> _Draft:
    """高于全市5.1个百分点: a metric of its own, named <indicator>增速高于<what>, value positive."""
    growth = "增速" if head.growth_pct is not None and "增速" not in compared else ""
    name = f"{head.name}{growth}{compared}"
    draft = _Draft(name, floor, [quantity], quantity.value, quantity.unit or None, period=period)
    draft.derived = True
    return draft


#: Metrics from drafts whose every part was typed here (values and growths are floats or None): a
#: long report makes tens of thousands, so they are not validated again.
_new_metric = trusted_constructor(Metric, {
    "name": "地区生产总值", "canonical_name": "地区生产总值", "value": 3.0, "unit": "亿元", "growth_pct": 5.0,
    "growth_pp": None, "period": None, "qualifier": "exact", "evidence": Evidence(quote="3亿元", start=0, end=3),
})


def _metric(text: str, draft: _Draft) -> Metric:
    start = min(draft.start, *(q.start for q in draft.quantities))
    end = max(draft.end, *(q.end for q in draft.quantities))
    return _new_metric(
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

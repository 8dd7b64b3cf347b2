"""Meeting metadata: organisation, city, date, meeting name and reviewed period, from an article.

The meeting is found by :mod:`meeting` and the body that held it, with its city, by :mod:`bodies`;
this module dates the meeting, reads the period under review and assembles them into ``Meta``.

A meeting's date takes its year from the text (the date itself, the meeting's name, a dateline,
the page's publish date, the years the text speaks of).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import replace

from summarizer.backends.rules.bodies import TITLE_AFTER, extract_organization
from summarizer.backends.rules.lexicon import Lexicon, evidence_of, sentence
from summarizer.backends.rules.meeting import Meeting, find_meeting
from summarizer.schema import Evidence, Meta

#: After "2023年": words that make it a part of the year or a point in time, not the whole year.
_PART_OF_YEAR = re.compile(r"度?(?:以来|同期|底|末|前|[一二三四]季度|[上下]半年|\d|[一二三四五六七八九十]+月|元)")
_ABOUT_MEETING = re.compile(r"召开|举行|会议|会上|讲话")
_CLAUSE_AHEAD = re.compile(r"[^。；！？\n]{0,30}")
_DIGIT = re.compile(r"\d")
_AHEAD_VERB = re.compile(r"(?:冲刺|决战|奋战|抓住|决胜|迎接)[“‘]?$")
_YEAR_MIN, _YEAR_MAX = 1990, 2100


def extract_meta(
    text: str,
    start: int,
    end: int,
    title: str | None,
    publish_date: dt.date | None,
    lex: Lexicon,
    source: str | None = None,
) -> Meta:
    """Organisation, city, meeting date and name, and the reviewed period of ``text[start:end]``.

    ``title``, ``publish_date`` and ``source`` are the page's metadata: the title may name the body
    in full, the publish date dates the meeting, a local medium's name gives the city.
    """
    evidence: dict[str, Evidence] = {}
    meeting = find_meeting(text, start, end, lex)
    organization, city, holder = extract_organization(text, start, end, title, source, meeting, lex, evidence)
    if (
        meeting
        and holder
        and not holder.generic
        and holder.start == meeting.start
        and meeting.end - holder.end >= 4
        and text[holder.end] not in TITLE_AFTER  # 枫林县委经济工作会议 is the 县委's
    ):
        # 汶水县三季度经济运行调度会: the name is given without the body holding it
        named = (holder.end, meeting.end)
        meeting = replace(meeting, name=text[named[0] : named[1]], start=named[0], evidence=named)
    if meeting:
        evidence["meeting_name"] = evidence_of(text, *meeting.evidence)
    meeting_date = _meeting_date(text, start, end, meeting, publish_date, lex, evidence)
    period = _report_period(text, start, end, meeting, meeting_date, lex, evidence)
    return Meta(
        organization=organization,
        city=city,
        meeting_date=meeting_date,
        meeting_name=meeting.name if meeting else None,
        report_period=period,
        title=title,
        publish_date=publish_date,
        evidence=evidence,
    )


# ------------------------------------------------------------------------------------- date


def _meeting_date(
    text: str,
    start: int,
    end: int,
    meeting: Meeting | None,
    publish_date: dt.date | None,
    lex: Lexicon,
    evidence: dict[str, Evidence],
) -> dt.date | None:
    """The date of the meeting's sentence, else of a sentence about a meeting, else the first one."""
    best: tuple[tuple[bool, bool, int], re.Match[str]] | None = None
    for match in lex.date.finditer(text, start, end):
        s_start, s_end = sentence(text, start, end, match.start())
        near_meeting = meeting is not None and s_start <= meeting.written_start <= s_end
        about_meeting = bool(_ABOUT_MEETING.search(text, s_start, s_end))
        key = (not near_meeting, not about_meeting, match.start())
        if best is None or key < best[0]:
            best = (key, match)
    if best is None:
        return None
    match = best[1]
    month, day = int(match.group(2)), int(match.group(3))
    if match.group(1):
        year: int | None = int(match.group(1))
    else:
        year = _infer_year(text, start, end, match, meeting, publish_date, month, lex)
    if year is None:
        return None
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    evidence["meeting_date"] = evidence_of(text, match.start(), match.end())
    return date


def _infer_year(
    text: str,
    start: int,
    end: int,
    date: re.Match[str],
    meeting: Meeting | None,
    publish_date: dt.date | None,
    month: int,
    lex: Lexicon,
) -> int | None:
    """The year of a date written without one, from the text.

    In order: the meeting name's year (2023年度…会; of 2023年工作总结暨2024年工作部署, the later
    one early in the year, the earlier one late in it); a full date elsewhere on the page (a
    newspaper's dateline); the publish date; the years the text speaks of, where a session early
    in a year that reviews one year and sets the next one's goals is held in the later one.
    """
    if meeting:
        named_years = sorted(
            {int(y) for y in lex.year.findall(text, max(start, meeting.written_start - 6), meeting.end)}
        )
        if len(named_years) >= 2:
            return named_years[-1] if month <= 6 else named_years[0]
        if named_years:
            reviews = lex.year_review_name.search(text, meeting.written_start, meeting.end)
            return named_years[0] + 1 if reviews and month <= 3 else named_years[0]
    for full in lex.full_date.finditer(text, start, end):
        dateline = full.start() < start + 200 or full.end() > end - 200  # a masthead or a page's stamp
        if dateline and full.start() != date.start() and _real_date(full):
            reference = int(full.group(1)), int(full.group(2))
            return reference[0] - 1 if month > reference[1] + 1 else reference[0]
    if publish_date:
        return publish_date.year - 1 if month > publish_date.month else publish_date.year
    years = Counter(
        int(m.group(1)) for m in lex.year.finditer(text, start, end) if _YEAR_MIN <= int(m.group(1)) <= _YEAR_MAX
    )
    if not years:
        return None
    usual = max(years, key=lambda y: (years[y], y))
    return usual + 1 if month <= 3 and usual + 1 in years else usual


def _real_date(match: re.Match[str]) -> bool:
    year, month, day = (int(g) for g in match.groups())
    return _YEAR_MIN <= year <= _YEAR_MAX and 1 <= month <= 12 and 1 <= day <= 31


# ----------------------------------------------------------------------------------- period


def _report_period(
    text: str,
    start: int,
    end: int,
    meeting: Meeting | None,
    meeting_date: dt.date | None,
    lex: Lexicon,
    evidence: dict[str, Evidence],
) -> str | None:
    """The period under review.

    A part of a year (上半年, 1—5月, 前三季度): the meeting name's, else the most frequent
    backward-looking one. A period that ends after the meeting's month is still to come (三季度 at
    a meeting in July), and one that ends in that month comes after those already over (上半年 at
    a meeting on 6月29日 that reports 元至五月). Failing all, a whole year the meeting reviews
    (2022年 in January 2023; 总结2013年…; 今年 late in the year).
    """
    month = meeting_date.month if meeting_date else _meeting_month(text, start, end)
    spans: dict[str, tuple[int, int]] = {}
    counts: Counter[str] = Counter()
    named: Counter[str] = Counter()
    scoping: set[str] = set()
    for match in lex.report_period.finditer(text, start, end):
        period = match.group(0).removesuffix("份")
        if period in ("全年", "年度") or _looks_ahead(text, start, match.start(), match.end(), lex):
            continue
        last = _last_month(period)
        if month is not None and last is not None and last > month:
            continue
        if meeting is not None and meeting.written_start <= match.start() < meeting.end:
            named[period] += 1
        elif _scopes_figures(text, match.end(), end):
            scoping.add(period)
        counts[period] += 1
        spans.setdefault(period, (match.start(), match.start() + len(period)))
    _merge_into_cumulative(counts, named, scoping)
    if counts:

        def over(period: str) -> bool:
            last = _last_month(period)
            return month is None or last is None or last < month

        def rank(period: str) -> tuple[bool, int, int]:
            return over(period), counts[period], -spans[period][0]

        period = max(named, key=rank) if named else max(counts, key=rank)
        if named and not over(period):  # a 上半年 meeting in June that reports 元至五月
            reported = [p for p in scoping if p not in named and over(p)]
            period = max(reported, key=rank) if reported else period
        evidence["report_period"] = evidence_of(text, *spans[period])
        return period
    whole = _reviewed_year(text, start, end, meeting_date, lex)
    if whole:
        evidence["report_period"] = evidence_of(text, *whole)
        return text[whole[0] : whole[1]]
    return None


def _merge_into_cumulative(counts: Counter[str], named: Counter[str], scoping: set[str]) -> None:
    """三季度 beside 前三季度, 5月 beside 1—5月: the period reviewed is the cumulative one, as
    figures are reported from the start of the year."""
    singles = [p for p in counts if p == "三季度" or re.fullmatch(r"\d{1,2}月|[一二三四五六七八九十]{1,2}月", p)]
    for single in singles:
        last = _last_month(single)
        cumulative = next((p for p in counts if p not in singles and _last_month(p) == last and _is_cumulative(p)), None)
        if cumulative is None:
            continue
        counts[cumulative] += counts.pop(single)
        if single in named:
            named[cumulative] += named.pop(single)
        if single in scoping:
            scoping.discard(single)
            scoping.add(cumulative)


def _is_cumulative(period: str) -> bool:
    return period in ("前三季度", "上半年") or bool(re.match(r"1[—–\-~至]|元|前", period))


def _scopes_figures(text: str, position: int, end: int) -> bool:
    """元至五月，全市规模以上工业增加值增速高于… : a figure follows the period in its clause."""
    clause = _CLAUSE_AHEAD.match(text[position : min(end, position + 30)])
    return bool(clause and _DIGIT.search(clause.group(0)))


_CN_MONTHS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)} | {"两": 2}


def _last_month(period: str) -> int | None:
    """The month a period ends in: 上半年 6, 前三季度 9, 1—5月 5, 元至五月 5."""
    if period == "上半年":
        return 6
    quarter = re.search(r"([一二三四])季度$", period)
    if quarter:
        return 3 * _CN_MONTHS[quarter.group(1)]
    month = re.search(r"(\d{1,2}|[一二三四五六七八九十两]{1,3})个?月$", period)
    if not month:
        return None
    written = month.group(1)
    if written.isdigit():
        return int(written)
    tens = 10 if written.startswith("十") else 0
    return tens + (_CN_MONTHS[written[-1]] if written[-1] != "十" else 0)


def _looks_ahead(text: str, floor: int, position: int, after: int, lex: Lexicon) -> bool:
    """冲刺三季度, 安排部署二季度…, 确保全区二季度…, 二季度经济指标预测: a period still to come."""
    if looks_ahead(text, floor, position):
        return True
    before = text[max(floor, position - 8) : position]
    return bool(lex.period_ahead_before.search(before) or lex.period_ahead_after.match(text, after))


def _reviewed_year(text: str, start: int, end: int, date: dt.date | None, lex: Lexicon) -> tuple[int, int] | None:
    """A whole year under review: the year before a meeting early in the next one, the meeting's
    own year late in it, or a year after 总结/回顾/预计; 今年 late in a year."""
    month = _meeting_month(text, start, end) if date is None else date.month
    found: list[tuple[int, int, int]] = []
    for match in lex.year.finditer(text, start, end):
        year = int(match.group(1))
        if _PART_OF_YEAR.match(text, match.end()):
            continue  # 2023年以来, 2023年一季度, 2023年1-5月: not the whole year
        reviewed = bool(lex.year_review_before.search(text, max(start, match.start() - 4), match.start()))
        if date is not None:
            early, late = year == date.year - 1 and date.month <= 4, year == date.year and date.month >= 11
            reviewed = reviewed or early or late
        if reviewed:
            found.append((year, match.start(), match.end()))
    if found:
        year, s, e = min(found, key=lambda f: f[1])
        return s, e
    if month is not None and month >= 11:
        review = re.search(r"(?:总结|回顾)今年|今年以来", text[start:end])
        if review:
            at = start + review.start() + review.group(0).index("今年")
            return at, at + 2
    return None


def _meeting_month(text: str, start: int, end: int) -> int | None:
    first = re.search(r"(?<![\d年])(\d{1,2})月\d{1,2}日", text[start:end])
    return int(first.group(1)) if first else None


def looks_ahead(text: str, floor: int, position: int) -> bool:
    """冲刺三季度 / 决战四季度 name a period still to come."""
    before = text[max(floor, position - 3) : position].lstrip("“‘")
    return bool(_AHEAD_VERB.search(before))

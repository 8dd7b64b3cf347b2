"""Meeting metadata: organisation, city, date, meeting name and reviewed period, from an article's lead.

The lead (the first paragraphs) speaks for the meeting; the title is where a body's full name
(衡阳高新区) is often written when the lead says only 高新区.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from summarizer.backends.rules.lexicon import Lexicon, evidence_of
from summarizer.schema import Evidence, Meta


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
        evidence["meeting_name"] = evidence_of(text, *meeting)
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
    evidence["organization"] = evidence_of(text, *span)
    city_span = _find(text, start, end, city) if city else None
    if city_span:
        evidence["city"] = evidence_of(text, *city_span)
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
    evidence["meeting_date"] = evidence_of(text, match.start(), match.end())
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
        if period in ("全年", "年度") or looks_ahead(text, start, match.start()):
            continue
        inside_meeting = meeting is not None and meeting[0] <= match.start() < meeting[1]
        counts[period] += 100 if inside_meeting else 1
        spans.setdefault(period, match.span())
    if not counts:
        return None
    period = max(counts, key=lambda p: (counts[p], -spans[p][0]))
    evidence["report_period"] = evidence_of(text, *spans[period])
    return period


def looks_ahead(text: str, floor: int, position: int) -> bool:
    """冲刺三季度 / 决战四季度 name a period still to come."""
    before = text[max(floor, position - 3) : position].lstrip("“‘")
    return bool(re.search(r"(?:冲刺|决战|奋战|抓住|决胜|迎接)[“‘]?$", before))



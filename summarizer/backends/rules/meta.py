"""Meeting metadata: organisation, city, date, meeting name and reviewed period, from an article.

Organisation and city come from the names the text itself uses, never from a guess:

* the **body that held the meeting** is read where a report names it: the subject of 召开/举行
  (西山区召开…), the start of the meeting's name (巢湖经开区2019年…会, 全县…会, 宣汉三季度…会),
  the chair's title (乐至县委副书记…主持召开); failing those, the body the article names most, a
  development zone first;
* that body is reported by the **longest proper name** the text gives it (淮安经开区 in the
  title, 淮安经济技术开发区 in the text), or as written when the text names it only generically
  (我县, 全市 -> 县, 市);
* a **proper name** is a place of two to four characters (six before a zone) written before a
  kind of body. It starts after punctuation, a stop character or a lead word (召开, 居, 荣获 …),
  at a word boundary, and is neither a verb, nor a function word, nor a common noun: 要求一区四园,
  按照市, 地区生产总值, 副市长, 全域旅游示范区, 部分乡镇, 抓好工业园区 name no body;
* the **city** is the place of a 市 body, the place a zone is named after (临江经开区 -> 临江,
  中山火炬开发区 -> 中山 when 中山 is a city), the 市 written just before a district (昆明市西山区),
  or the city a local medium publishing the page is named after (包头新闻网); else none.

A meeting's date takes its year from the text (the date itself, the meeting's name, a dateline,
the page's publish date, the years the text speaks of), and a name only mentioned (传达…会议精神,
要召开推进会) is not the meeting reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from summarizer.backends.rules.lexicon import Lexicon, evidence_of, inside_any
from summarizer.schema import Evidence, Meta
from summarizer.text.words import word_boundaries

#: Longest place before an administrative kind (乌鲁木齐市) and before a zone (中山火炬开发区 has 4;
#: a long county name or qualifier takes the rest).
ADMIN_PLACE = 4
ZONE_PLACE = 6
#: How far back a run of characters is read for a place name.
RUN = 12
#: Part-of-speech tags (jieba's dictionary) that start no place name: verbs, prepositions,
#: adverbs, pronouns, numerals, time and direction words, adjectives and attributives (副, 常务),
#: idioms, and organisations (人民政府).
_NOT_PLACE_TAGS = frozenset(
    {"v", "vd", "vn", "vg", "vi", "p", "c", "d", "ad", "r", "rr", "rz", "m", "mq", "q", "u", "uj", "ul", "uz"}
    | {"f", "t", "tg", "a", "an", "ag", "b", "z", "l", "i", "y", "e", "o", "nt"}
)
#: Tags of proper names (places, persons, organisations, other proper nouns, abbreviations).
_PROPER_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nz", "nt", "j"})
#: Characters after a kind of body that continue the body's organ (乐至县委, 县政府, 管委会).
_TITLE_AFTER = "委政党人管"
#: A chair's title: 区委书记 王书春, 县委副书记、县长 冯永刚.
_CHAIR = re.compile(r"(?<![\u4e00-\u9fa5])([县区市旗])(?:委(?:常委、)?(?:副)?书记|长)")
#: A period or year at the start of a meeting's name, after the place that holds it (宣汉三季度…会).
_NAME_PERIOD = re.compile(r"\d{4}年|前?[一二三四]季度|[上下]半年|\d{1,2}[—–\-~至]\d{1,2}月|\d{1,2}月份?|元至")
#: After "2023年": words that make it a part of the year or a point in time, not the whole year.
_PART_OF_YEAR = re.compile(r"度?(?:以来|同期|底|末|前|[一二三四]季度|[上下]半年|\d|[一二三四五六七八九十]+月|元)")
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
    meeting = _meeting(text, start, end, lex)
    organization, city, holder = _organization(text, start, end, title, source, meeting, lex, evidence)
    if (
        meeting
        and holder
        and not holder.generic
        and holder.start == meeting.start
        and meeting.end - holder.end >= 4
        and text[holder.end] not in _TITLE_AFTER  # 枫林县委经济工作会议 is the 县委's
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


# ---------------------------------------------------------------------------------- meeting


@dataclass(frozen=True)
class _Meeting:
    name: str
    start: int  # the name's span, the holding body left out (郑州高新区上半年…会 -> 上半年…会)
    end: int
    written_start: int  # where the name starts as written, body included
    verb: tuple[int, int] | None  # 召开/举行 before the name
    viewing: bool  # 收看…会: watched, not held, by the subject
    evidence: tuple[int, int]


def _meeting(text: str, start: int, end: int, lex: Lexicon) -> _Meeting | None:
    """The noun phrase ending in 会 after 召开 or inside 在…上; else "…会召开"; else "X召开会议"."""
    for pattern in (lex.meeting_after_verb, lex.meeting_in_title):
        for match in pattern.finditer(text, start, end):
            group = next(g for g in range(1, (match.lastindex or 1) + 1) if match.group(g))
            s, e = match.start(group), match.end(group)
            if any(text[s:e].endswith(word) for word in lex.not_meeting) or _only_mentioned(text, s, e, match, lex):
                continue
            verb = None
            if pattern is lex.meeting_after_verb and group == 1:
                found = lex.meeting_verbs.match(text, match.start())
                verb = found.span() if found else None
            viewing = verb is not None and text[verb[0] : verb[1]] in lex.meeting_viewing
            named = _skip_body_name(text, s, e, lex)
            if e - named >= 4:
                return _Meeting(text[named:e], named, e, s, verb, viewing, (named, e))
    return _organ_meeting(text, start, end, lex)


def _only_mentioned(text: str, s: int, e: int, match: re.Match[str], lex: Lexicon) -> bool:
    """A meeting referred to (…会议精神, 在…会上的讲话), still to be held (要召开…), or quoted."""
    after = text[match.end() : match.end() + 5]
    if any(after.startswith(word) for word in lex.meeting_reference):
        return True
    before = text[max(0, match.start() - 3) : match.start()]
    if any(before.endswith(word) for word in lex.meeting_future):
        return True
    return s > 0 and text[s - 1] in "“‘「《" and text[e : e + 1] in "”’」》"


def _organ_meeting(text: str, start: int, end: int, lex: Lexicon) -> _Meeting | None:
    """区委常委会召开会议: the meeting is the organ's own (区委常委会会议)."""
    for match in re.finditer(r"(?:召开|举行)(?:了)?(?:会议|专题会议)", text[start:end]):
        at = start + match.start()
        organ = next((m for m in lex.organ.finditer(text, max(start, at - 8), at) if m.end() == at), None)
        if organ and re.search(r"常委会|常务会|党组$", organ.group(0)):
            name = organ.group(0) + text[at + 2 : start + match.end()].removeprefix("了")
            said = (organ.start(), start + match.end())
            return _Meeting(name, organ.start(), organ.end(), organ.start(), (at, at + 2), False, said)
    return None


def _skip_body_name(text: str, start: int, end: int, lex: Lexicon) -> int:
    """The meeting's name is given without the body holding it (郑州高新区上半年…会 -> 上半年…会)."""
    match = lex.body_prefix.match(text, start, end)
    return match.end() if match and end - match.end() >= 4 else start


# ------------------------------------------------------------------------------------ names


@dataclass(frozen=True)
class _Body:
    """A body the text names: 西山区, 淮安经济技术开发区, 区委常委会, or generically 我县 (县)."""

    start: int
    end: int
    name: str  # as it is reported: the written name, or the kind alone for a generic one
    place: str  # the place part ('' when none is written)
    family: str  # zone family (高新技术产业开发区), administrative kind (县), "place" or "organ"
    generic: bool = False
    in_title: bool = False  # named in the page's title (offsets are the title's)

    @property
    def is_zone(self) -> bool:
        return self.family not in _ADMIN_FAMILIES and self.family != "organ"


_ADMIN_FAMILIES = frozenset("县市区旗镇乡") | {"自治县", "自治旗", "自治州", "place"}


def _bodies(text: str, start: int, end: int, lex: Lexicon) -> list[_Body]:
    """Every body named in ``text[start:end]``, in text order."""
    found: list[_Body] = []
    taken: list[tuple[int, int]] = []
    for match in lex.zone_kind.finditer(text, start, end):
        kind = re.sub(r"^(?:国家级?|省级)", "", match.group(0))  # 衡阳国家高新区 is 衡阳高新区
        place_at = _place_start(text, start, match.start(), match.end(), ZONE_PLACE, lex)
        place = text[place_at : match.start()] if place_at is not None else ""
        s = match.start() if place_at is None else place_at
        found.append(_Body(s, match.end(), place + kind, place, lex.zone_family[kind]))
        taken.append(match.span())
    for match in lex.admin_kind.finditer(text, start, end):
        if inside_any(match.start(), taken):  # by bisection: zone matches come in text order
            continue
        place_at = _place_start(text, start, match.start(), match.end(), ADMIN_PLACE, lex)
        if place_at is None:
            continue
        name = text[place_at : match.end()]
        if name not in lex.not_organizations:
            found.append(_Body(place_at, match.end(), name, text[place_at : match.start()], match.group(0)))
    for match in lex.generic_body.finditer(text, start, end):
        found.append(_Body(match.start(), match.end(), match.group(1), "", match.group(1), generic=True))
    named = sorted(found, key=lambda b: (b.start, -b.end))
    for match in lex.organ.finditer(text, start, end):
        before = next((b for b in named if b.end == match.start() and not b.generic), None)
        s = before.start if before else match.start()
        found.append(_Body(s, match.end(), text[s : match.end()], before.place if before else "", "organ"))
    return sorted(found, key=lambda b: (b.start, -b.end))


def _place_start(text: str, floor: int, at: int, kind_end: int, longest: int, lex: Lexicon) -> int | None:
    """Where the place name before the kind at ``text[at:kind_end]`` starts, if one is written.

    The place is the shortest tail of the run of characters before the kind that starts after a
    lead word (召开, 居 …) or at the run's start and passes :func:`_place_ok`.
    """
    i = at
    while i > floor and at - i < RUN and _is_han(text[i - 1]) and text[i - 1] not in lex.place_stop:
        if text[i - 1] in "县市区旗" and i < at:
            break  # 昆明市西山区: 西山 is the district's place; the 市 before it is its city
        i -= 1
    run = text[i:at]
    cuts = {0}
    for word in lex.place_leads:
        k = run.find(word)
        while k >= 0:
            cuts.add(k + len(word))
            k = run.find(word, k + 1)
    for cut in sorted(cuts, reverse=True):
        length = len(run) - cut
        if length < 2:
            continue
        if length > longest:
            break
        if _place_ok(text, i + cut, at, kind_end, lex):
            return i + cut
    return None


def _place_ok(text: str, start: int, at: int, kind_end: int, lex: Lexicon) -> bool:
    """Whether ``text[start:at]`` names a place: a word of its own, not a verb or common noun."""
    place = text[start:at]
    city = _named_place(place, lex)
    if place in lex.not_organizations or (place.startswith(("全", "本", "我", "该", "各")) and not city):
        return False  # 全市, 本区 are generic (本溪 is a city)
    window = max(0, start - 4)
    tokens = _tokens(text[window : min(len(text), kind_end + 3)])
    bounds, offset = {window}, window
    for word, _ in tokens:
        offset += len(word)
        bounds.add(offset)
    if start not in bounds:
        return False  # 全域旅游示范区: 域 is inside 全域
    following = text[kind_end : kind_end + 1]
    if following == "长" or (kind_end not in bounds and following not in _TITLE_AFTER):
        return False  # 副市长, 章玲副县长, 一区四园: the kind is inside a longer word or a title
    offset = window
    for word, tag in tokens:
        if offset == start and offset + len(word) == kind_end and tag not in _PROPER_TAGS and not city:
            return False  # 核心区, 自然保护区: the whole name is a common noun
        inside = offset + len(word) <= at  # a word of the place (not one spanning the whole name: 东湖开发区)
        if offset == start and inside and len(word) >= 2 and tag in _NOT_PLACE_TAGS and not city:
            return False  # 按照市, 抓好工业园区, 要求一区
        if start < offset < at < offset + len(word) and (word in lex.not_organizations or tag in _NOT_PLACE_TAGS):
            return False  # 部分乡镇, 拓展城市, 企业上市: the kind ends a common word
        offset += len(word)
    return True


def _plausible(body: _Body, lex: Lexicon) -> bool:
    """Whether a body's place reads as a proper name: a place word, a word the dictionary does not
    know (most place names), a city; not a common noun (智能制造产业园区, 重点产业园区)."""
    if not body.place or _named_place(body.place, lex):
        return True
    first, tag = _tokens(body.name)[0]
    return len(first) == 1 or tag is None or tag in _PROPER_TAGS


def _named_place(place: str, lex: Lexicon) -> bool:
    """A city's name, which the dictionary may tag otherwise (包头 as a verb, 大同 as an adverb)."""
    return any(place.startswith(city) for city in lex.city_names)


@lru_cache(maxsize=4096)
def _tokens(snippet: str) -> tuple[tuple[str, str | None], ...]:
    boundaries = word_boundaries(snippet)
    tags = _tag_table()
    words, previous = [], 0
    for boundary in boundaries:
        word = snippet[previous:boundary]
        words.append((word, tags.get(word)))
        previous = boundary
    return tuple(words)


@lru_cache(maxsize=1)
def _tag_table() -> dict[str, str]:
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab  # type: ignore[no-any-return]


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fa5"


# ----------------------------------------------------------------------------- organisation


def _organization(
    text: str,
    start: int,
    end: int,
    title: str | None,
    source: str | None,
    meeting: _Meeting | None,
    lex: Lexicon,
    evidence: dict[str, Evidence],
) -> tuple[str | None, str | None, _Body | None]:
    """The body that held the meeting, by its fullest name, its city, and the body as the meeting's
    sentence names it."""
    bodies = _bodies(text, start, end, lex)
    title_bodies = [replace(b, in_title=True) for b in _bodies(title, 0, len(title), lex)] if title else []
    holder = _holder(text, start, end, meeting, bodies, lex) or _most_named(bodies, title_bodies, lex)
    if holder is None:
        return None, None, None
    body = _fullest(holder, bodies, title_bodies, text, start, lex)
    if body.generic:
        span: tuple[int, int] | None = (holder.start, holder.end)
    else:
        span = next(((b.start, b.end) for b in bodies if b.name == body.name), None)
    if span:
        evidence["organization"] = evidence_of(text, *span)
    city, city_span = _city(body, bodies, text, start, end, source, lex)
    if city_span:
        evidence["city"] = evidence_of(text, *city_span)
    return body.name, city, holder


def _holder(
    text: str, start: int, end: int, meeting: _Meeting | None, bodies: list[_Body], lex: Lexicon
) -> _Body | None:
    """The body the meeting's own sentence names as holding it."""
    if meeting is None:
        return None
    if meeting.verb and not meeting.viewing:  # 西山区召开…, 区委常委会召开会议 (not 我县组织收看…)
        verb = meeting.verb[0]
        subject = [b for b in bodies if b.end <= verb and text[b.end : verb] in ("", "组织")]
        if subject:
            return max(subject, key=lambda b: b.end - b.start)
    opening_end = min(meeting.end, meeting.written_start + 8)  # 巢湖经开区2019年…, 2023年全县…
    opening = [b for b in bodies if meeting.written_start <= b.start < opening_end and b.family != "organ"]
    if opening:
        return opening[0]
    place = _name_place(text, meeting.written_start, meeting.end, lex)
    if place:
        return place
    s_start, s_end = _sentence(text, start, end, meeting.written_start)
    titled = [  # 乐至县委副书记…主持召开
        b
        for b in bodies
        if s_start <= b.start < s_end and b.place and b.family in _ADMIN_FAMILIES and text[b.end : b.end + 1] in "委政"
    ]
    if titled:
        return titled[0]
    chair = _CHAIR.search(text, s_start, s_end)
    if chair:
        return _Body(chair.start(1), chair.end(1), chair.group(1), "", chair.group(1), generic=True)
    return None


def _name_place(text: str, start: int, end: int, lex: Lexicon) -> _Body | None:
    """A bare place opening the meeting's name before its period (宣汉三季度…会 -> 宣汉)."""
    for length in range(2, ADMIN_PLACE + 1):
        at = start + length
        if at < end and _NAME_PERIOD.match(text, at) and _place_ok(text, start, at, at, lex):
            place = text[start:at]
            if all(_is_han(c) and c not in lex.place_stop for c in place):
                return _Body(start, at, place, place, "place")
    return None


def _most_named(bodies: list[_Body], title_bodies: list[_Body], lex: Lexicon) -> _Body | None:
    """No meeting names its holder: the body named most, a named zone first, then a bare zone
    named twice or in the title; a place and a generic body (全市) on how often each is named; a
    name that reads as a common noun last."""
    in_title = {b.name for b in title_bodies}
    counts = Counter(b.name for b in bodies if b.family != "organ")
    first: dict[str, _Body] = {}
    for b in bodies:
        first.setdefault(b.name, b)

    def tier(name: str) -> int:
        b = first[name]
        if not _plausible(b, lex):
            return 3 if counts[name] >= 2 or name in in_title else 9
        if b.is_zone:
            return 0 if b.place else 1 if counts[name] >= 2 or name in in_title else 9  # 工业园区 once is no body
        return 2

    candidates = [n for n in counts if tier(n) < 9]
    if not candidates:
        return None
    return first[min(candidates, key=lambda n: (tier(n), -counts[n], first[n].start))]


def _fullest(
    holder: _Body, bodies: list[_Body], title_bodies: list[_Body], text: str, start: int, lex: Lexicon
) -> _Body:
    """The longest proper name the text gives the holding body."""
    if holder.generic:
        same = [b for b in bodies if not b.generic and b.family == holder.family and b.place and _plausible(b, lex)]
        if not same and holder.family == "区":  # 全区 in a zone's report is the zone
            same = [b for b in bodies if b.is_zone and b.place and _plausible(b, lex)]
        if not same:
            return holder
        counts = Counter(b.name for b in same)
        return next(b for b in same if b.name == max(counts, key=lambda n: (counts[n], -text.find(n, start))))
    if holder.family == "organ":
        return _organ_name(holder, [*title_bodies, *bodies])
    if not holder.is_zone:
        return holder
    same = [b for b in [*title_bodies, *bodies] if b.family == holder.family and b.place]
    if holder.place:
        same = [b for b in same if b.place == holder.place] + [holder]
        return max(same, key=lambda b: len(b.name))
    lead_end = start + 400
    places = Counter(b.place for b in same if b.in_title or b.start < lead_end or f"{b.place}市" in text)
    if not places:
        return holder
    place = max(places, key=lambda p: places[p])
    return max((b for b in same if b.place == place), key=lambda b: len(b.name))


def _organ_name(organ: _Body, bodies: list[_Body]) -> _Body:
    """县政府 of a county the text names (江口县) is that county; 区委常委会 keeps its organ's name."""
    kind = organ.name[:1]
    if organ.place or kind not in "县区市旗":
        return organ
    named = Counter(b.name for b in bodies if not b.generic and b.family == kind and b.place)
    if not named:
        return organ
    place = next(b for b in bodies if b.name == max(named, key=lambda n: named[n]))
    if re.search(r"常委会|常务会", organ.name):
        return _Body(organ.start, organ.end, place.name + organ.name[1:], place.place, "organ")
    return place


def _city(
    body: _Body, bodies: list[_Body], text: str, start: int, end: int, source: str | None, lex: Lexicon
) -> tuple[str | None, tuple[int, int] | None]:
    """The body's city: its own place for a 市, the place a zone is named after; for a county or a
    district, the 市 written before it, the city of the local medium that published the page, the
    one 市 the article names (居青禾市第一), or the city a visitor comes to (莅临宜宾)."""
    city: str | None = None
    if body.generic:
        return None, None
    place = body.place
    if body.family == "organ":
        inner = next((b for b in bodies if b.start == body.start and b.end < body.end and b.family != "organ"), None)
        if inner is None:
            return _source_city(source, body, lex), None
        body, place = inner, inner.place
    if body.family == "市" and place:
        city = place
    elif body.is_zone and place:
        city = next((place[:k] for k in (2, 3, 4) if place[:k] in lex.city_names or f"{place[:k]}市" in text), None)
        if city is None and len(place) <= 3:
            city = place
    elif place:
        parent = next((b.place for b in bodies if b.end == body.start and b.family == "市" and b.place), None)
        parent = None if body.in_title else parent
        city = parent or _source_city(source, body, lex) or _named_city(body, bodies, text, lex)
    city = city or _source_city(source, body, lex)
    if not city:
        return None, None
    return city, _find(text, start, end, city)


def _named_city(body: _Body, bodies: list[_Body], text: str, lex: Lexicon) -> str | None:
    """The one 市 a county's or district's article names is its city; a city a visitor comes to
    (莅临宜宾) too. Two different ones name none."""
    cities = {b.place for b in bodies if b.family == "市" and b.place and b.place != body.place and _plausible(b, lex)}
    visits = re.finditer(r"莅临?([\u4e00-\u9fa5]{2,4}?)(?:市|调研|考察|视察|检查|指导)", text)
    visited = {m.group(1) for m in visits}
    cities |= {city for city in visited if city in lex.city_names}
    return next(iter(cities)) if len(cities) == 1 else None


def _source_city(source: str | None, body: _Body, lex: Lexicon) -> str | None:
    """包头新闻网, 昆明西山发布: a local medium is named after its city."""
    if not source:
        return None
    medium = lex.local_media.search(source)
    if not medium:
        return None
    name = source[: medium.start()].strip()
    cities = [city for city in lex.city_names if name.startswith(city)]
    city = max(cities, key=len) if cities else None
    return city if city and city != body.place else None


def _find(text: str, start: int, end: int, needle: str | None) -> tuple[int, int] | None:
    if not needle:
        return None
    at = text.find(needle, start, end)
    return (at, at + len(needle)) if at >= 0 else None


def _sentence(text: str, start: int, end: int, position: int) -> tuple[int, int]:
    floor, ceiling = max(start, position - 200), min(end, position + 200)
    s_start = max(floor, *(text.rfind(c, floor, position) + 1 for c in "。！？\n"))
    s_end = min([ceiling] + [i for i in (text.find(c, position, ceiling) for c in "。！？\n") if i >= 0])
    return s_start, s_end


# ------------------------------------------------------------------------------------- date


def _meeting_date(
    text: str,
    start: int,
    end: int,
    meeting: _Meeting | None,
    publish_date: dt.date | None,
    lex: Lexicon,
    evidence: dict[str, Evidence],
) -> dt.date | None:
    """The date of the meeting's sentence, else of a sentence about a meeting, else the first one."""
    best: tuple[tuple[bool, bool, int], re.Match[str]] | None = None
    for match in lex.date.finditer(text, start, end):
        s_start, s_end = _sentence(text, start, end, match.start())
        near_meeting = meeting is not None and s_start <= meeting.written_start <= s_end
        about_meeting = bool(re.search(r"召开|举行|会议|会上|讲话", text[s_start:s_end]))
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
    meeting: _Meeting | None,
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
        years = sorted({int(y) for y in lex.year.findall(text, max(start, meeting.written_start - 6), meeting.end)})
        if len(years) >= 2:
            return years[-1] if month <= 6 else years[0]
        if years:
            reviews = lex.year_review_name.search(text, meeting.written_start, meeting.end)
            return years[0] + 1 if reviews and month <= 3 else years[0]
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
    meeting: _Meeting | None,
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
    clause = re.match(r"[^。；！？\n]{0,30}", text[position:end])
    return bool(clause and re.search(r"\d", clause.group(0)))


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
    return bool(re.search(r"(?:冲刺|决战|奋战|抓住|决胜|迎接)[“‘]?$", before))

"""Bodies: the organisation that held the meeting and its city.

A stage of its own because naming a body is a matter of place names and word boundaries (jieba's
dictionary and its part-of-speech tags, the genre's kinds of body and city names), which nothing
else of the meeting's metadata needs; it reads the meeting (:mod:`meeting`) only to find who held it.

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
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from summarizer.backends.rules.lexicon import Lexicon, evidence_of, inside_any, sentence
from summarizer.backends.rules.meeting import Meeting
from summarizer.schema import Evidence
from summarizer.text.words import word_boundaries, word_tags

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
TITLE_AFTER = "委政党人管"
#: A chair's title: 区委书记 王书春, 县委副书记、县长 冯永刚.
_CHAIR = re.compile(r"(?<![\u4e00-\u9fa5])([县区市旗])(?:委(?:常委、)?(?:副)?书记|长)")
#: A period or year at the start of a meeting's name, after the place that holds it (宣汉三季度…会).
_NAME_PERIOD = re.compile(r"\d{4}年|前?[一二三四]季度|[上下]半年|\d{1,2}[—–\-~至]\d{1,2}月|\d{1,2}月份?|元至")


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


_LEVEL_PREFIX = re.compile(r"^(?:国家级?|省级)")


def named_bodies(text: str, start: int, end: int, lex: Lexicon) -> list[_Body]:
    """Every body named in ``text[start:end]``, in text order."""
    found: list[_Body] = []
    taken: list[tuple[int, int]] = []
    for match in lex.zone_kind.finditer(text, start, end):
        kind = _LEVEL_PREFIX.sub("", match.group(0))  # 衡阳国家高新区 is 衡阳高新区
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
    lead word (召开, 居 …) or at the run's start and passes :func:`_place_ok`. Only the characters
    around the kind decide (the run reaches ``RUN`` back, its word check 4 before that and 3 past
    the kind), and a report names the same bodies again and again: each context is read once.
    """
    lo = max(0, at - RUN - 4)
    found = _place_start_within(text[lo : kind_end + 3], max(floor, lo) - lo, at - lo, kind_end - lo, longest, lex)
    return None if found is None else lo + found


@lru_cache(maxsize=4096)
def _place_start_within(text: str, floor: int, at: int, kind_end: int, longest: int, lex: Lexicon) -> int | None:
    """:func:`_place_start` on the snippet of the text around the kind (offsets are the snippet's)."""
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
    if following == "长" or (kind_end not in bounds and following not in TITLE_AFTER):
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
    return any(place[:length] in lex.city_names for length in lex.city_name_lengths)


@lru_cache(maxsize=4096)
def _tokens(snippet: str) -> tuple[tuple[str, str | None], ...]:
    boundaries = word_boundaries(snippet)
    tags = word_tags()
    words, previous = [], 0
    for boundary in boundaries:
        word = snippet[previous:boundary]
        words.append((word, tags.get(word)))
        previous = boundary
    return tuple(words)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fa5"


# ----------------------------------------------------------------------------- organisation


def extract_organization(
    text: str,
    start: int,
    end: int,
    title: str | None,
    source: str | None,
    meeting: Meeting | None,
    lex: Lexicon,
    evidence: dict[str, Evidence],
) -> tuple[str | None, str | None, _Body | None]:
    """The body that held the meeting, by its fullest name, its city, and the body as the meeting's
    sentence names it."""
    bodies = named_bodies(text, start, end, lex)
    title_bodies = [replace(b, in_title=True) for b in named_bodies(title, 0, len(title), lex)] if title else []
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
    text: str, start: int, end: int, meeting: Meeting | None, bodies: list[_Body], lex: Lexicon
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
    s_start, s_end = sentence(text, start, end, meeting.written_start)
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
    cities = [name[:length] for length in lex.city_name_lengths if name[:length] in lex.city_names]
    city = max(cities, key=len) if cities else None
    return city if city and city != body.place else None


def _find(text: str, start: int, end: int, needle: str | None) -> tuple[int, int] | None:
    if not needle:
        return None
    at = text.find(needle, start, end)
    return (at, at + len(needle)) if at >= 0 else None

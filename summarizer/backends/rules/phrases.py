"""Phrases: how a piece's clauses become the words of one item, and how repeated items are dropped.

Every phrase is condensed from its own clauses (frames, hedges and modal words dropped, whole
clauses kept until the length limit), so it never cuts a word and its evidence is the piece's span.

A stage of its own because achievements, problems and tasks are chosen by different cues in
:mod:`narrative` but worded by the same rules: one length limit, one way to cut a phrase, one test
of two phrases saying the same thing. The wording can change here without touching which pieces
become items, and the other way round.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from summarizer.backends.rules.lexicon import EDGE, EDGE_QUOTES, Lexicon
from summarizer.text.sentences import strip_span
from summarizer.text.words import word_boundaries

#: Longest phrase (characters) an achievement, problem or task may have.
MAX_PHRASE = 40
#: Shortest phrase worth stating.
MIN_PHRASE = 5
#: Room under the limit worth filling with the start of a dropped clause.
MIN_FILL = 8

Kind = str  # "achievements" | "problems" | "tasks"


class Phrase(NamedTuple):
    """A candidate item: its list, its words and the span of the source it condenses (a named
    tuple: a long report makes tens of thousands)."""

    section: Kind
    text: str
    start: int
    end: int


# Words before a piece's content that are not its content.
TASK_LEAD = re.compile(
    r"^(?:(?:下半年|下一步|下阶段|接下来|今后|明年|新的一年|四季度|同时|此外|另外|当前|最后|首先|其次|再次)[，,]?)*"
    r"(?:(?:面对|面临)[^，。；：“”]{2,40}[，,])?"  # the situation the work answers: "面对…格局，我们必须…"
    r"(?:[^，。；“”要]{0,10}?(?:各级各部门|各地各部门|各部门|各单位|各园区|各乡镇|各级|上下|全体干部|党员干部|广大干部))?"
    r"(?:全[区县市镇旗]|我[区县市镇旗]|我们)?"
    r"(?:还|更|也|并|都|同时|首先)?(?:必须|务必|一定要|需要|要|将)?"
    r"(?:进一步|继续|切实|坚决|全力以赴|全力|大力|持续|始终|认真|扎实|着力|全面|深入)*"
)
RESULT_LEAD = re.compile(
    r"^(?:(?:据了解|据统计|记者了解到|从会上获悉|总体来看|总的来看|从数据看|数据显示|统计显示|一方面|另一方面|"
    r"从[^，,。]{1,8}(?:来看|看|上看)|经过[^，,。]{0,6}努力|在[^，,。]{2,24}(?:领导|带领|指导|支持|推动)下)[，,]?)*"
    r"(?:(?:今年以来|今年来|年初以来|今年上半年|上半年|一季度|前三季度|三季度|去年以来|一年来|过去一年|即将过去的一年|"
    r"\d{4}年(?:以来|上半年|前三季度|一季度)?|1[—–\-~至]\d{1,2}月|[元一二三四五六七八九十]+至[一二三四五六七八九十]+月|截至目前|目前)[，,]?)*"
)
PROBLEM_LEAD = re.compile(
    r"^(?:(?:但是?|同时|然而|不过|当前|目前|也要|还要|但也要|同时也要|要)?(?:清醒地?)?(?:看到|认识到|认识|看到了)?[，,]?)?"
    r"(?:我[区县市]|全[区县市]|经济运行中|发展中|工作中)?(?:仍然|依然|还|仍)?(?:存在|面临)?(?:着)?"
)
# A character that a cut must not follow: part of a number (or its unit would be cut off).
_NUMERIC = re.compile(r"[\d.%％]|(?<=\d)[十百千万亿]")
# "巢湖经开区和合巢产业新城要坚定信心": who must act is not the work.
_SUBJECT_BEFORE_MUST = re.compile(r"[^，。；：“”]{2,16}?(?<![需重主只纲必不])(?=要(?![求素点件闻地害么是]))")
_NON_WORD = re.compile(r"\W")
# The noun a list of 、-items ends in: after 等, or a counted category (五大行动, 三项工程).
_ENUMERATED_HEAD = re.compile(r"(?:等(?:[^\W\d]|[“”]){2,14}|[一二两三四五六七八九十]+[大项个类条][^\W\d]{1,6})$")
SEPARATOR = "，"
# What phrase_clauses acts on: brackets and quotes opening and closing, and the marks that cut.
_PHRASE_MARK = re.compile("[“（(《「”）)》」，,：:；;]")


def after_lead(text: str, start: int, end: int, lead: re.Pattern[str]) -> int:
    if lead is TASK_LEAD:
        subject = _SUBJECT_BEFORE_MUST.match(text, start, end)
        start = subject.end() if subject else start
    match = lead.match(text[start:end])
    s = start + (match.end() if match else 0)
    return strip_span(text, s, end, EDGE_QUOTES.replace("“", "").replace("《", ""))[0]


def condensed(text: str, spans: Sequence[tuple[int, int]], lex: Lexicon) -> str | None:
    """Whole clauses in text order, the emptiest dropped first until the phrase fits the limit.

    Formulas (学习贯彻…精神, 提高政治站位) go first when the clauses hold anything else; the first
    clause, which usually names the work or the subject, goes last.
    """
    kept = [_without_modifier(text, s, e, lex) for s, e in spans]
    if len(kept) > 1:
        kept = [span for span in kept if not lex.formula.search(text, *span)] or kept[:1]
    candidates = list(kept)
    while len(kept) > 1 and sum(e - s + 1 for s, e in kept) - 1 > MAX_PHRASE:
        weakest = min(range(1, len(kept)), key=lambda i: (_content_score(text, kept[i], lex), -i))
        del kept[weakest]
    kept = _filled(text, kept, [c for c in candidates if c not in kept])
    if len(kept) == 1 and kept[0][1] - kept[0][0] > MAX_PHRASE:
        phrase = limited(text[kept[0][0] : kept[0][1]])
    else:
        phrase = ""
        for index, (c_start, c_end) in enumerate(kept):
            if index:
                adjacent = text[kept[index - 1][1] : c_start]
                phrase += adjacent if len(adjacent) == 1 and adjacent in "，,、" else SEPARATOR
            phrase += text[c_start:c_end]
    phrase = phrase.strip(EDGE)
    return phrase if len(_NON_WORD.sub("", phrase)) >= MIN_PHRASE else None


def _filled(text: str, kept: list[tuple[int, int]], dropped: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Room left under the limit takes the first words of the next dropped clause (to a word's end)."""
    room = MAX_PHRASE - (sum(e - s + 1 for s, e in kept) - 1)
    for start, end in dropped:
        if room < MIN_FILL:
            break
        cut = limited(text[start:end], room - 1)
        if len(cut) >= MIN_FILL and len(cut) < end - start:
            kept = sorted([*kept, (start, start + len(cut))])
            room -= len(cut) + 1
    return kept


def _without_modifier(text: str, start: int, end: int, lex: Lexicon) -> tuple[int, int]:
    """"充分认清形势" -> "认清形势": an adverb before a verb of work says nothing a reader needs."""
    match = lex.modifier.match(text, start, end)
    if match and lex.task_verb.match(text, match.end(), end) and end - match.end() >= 4:
        return match.end(), end
    return start, end


_ILLUSTRATION = re.compile(r"(?:诸如|比如|例如|譬如)")


def _content_score(text: str, span: tuple[int, int], lex: Lexicon) -> float:
    """How much a clause says: concrete nouns, names in quotes, numbers; slogans say nothing."""
    words = text[span[0] : span[1]]
    if lex.slogan.fullmatch(words):
        return -1.0
    if _ILLUSTRATION.match(words):
        return -0.5  # "诸如A、B、C等7个行业": examples of what another clause names
    nouns = len(set(lex.domain_noun.findall(words)))
    named = len(re.findall(r"[“《]", words)) + len(re.findall(r"\d", words[:1]))
    return nouns + named + (0.5 if lex.task_verb.match(words) else 0.0) + min(len(words), 20) / 40


def phrase_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Unlike sentences.clause_spans, also cuts at ； and never inside a quote left open: no phrase is a quotation's fragment."""
    spans = []
    clause_start = start
    depth = 0
    for match in _PHRASE_MARK.finditer(text, start, end):  # only marks and brackets: other characters do nothing
        char = match.group()
        if char in "“（(《「":
            depth += 1
        elif char in "”）)》」":
            depth = max(0, depth - 1)
        elif depth == 0:
            i = match.start()
            s, e = strip_span(text, clause_start, i)
            if e > s:
                spans.append((s, e))
            clause_start = i + 1
    s, e = strip_span(text, clause_start, end)  # the end closes the last clause, as a comma would
    if depth == 0 and e > s:
        spans.append((s, e))
    return spans


def limited(words: str, limit: int = MAX_PHRASE) -> str:
    """A phrase too long for the limit keeps its words up to the last 、 or word boundary that fits.

    A list that ends in the noun it enumerates ("A、B、C和D五大行动", "A、B、C等主导产业集群")
    keeps that noun after the items that fit, marked with 等: it says what the items are.
    """
    if len(words) <= limit:
        return words
    head = enumerated_head(words)
    if head is not None:
        named = ("" if head.startswith("等") else "等") + head
        cut = words.rfind("、", 0, limit - len(named))
        if cut >= min(12, limit // 2):
            return words[:cut] + named
    cut = words.rfind("、", 0, limit)
    if cut >= min(12, limit // 2):
        return words[:cut]
    # Never between a number and its unit or inside one: "完成投资142.6亿元" is cut before 142.6 or after 亿元.
    fitting = [b for b in word_boundaries(words) if b <= limit and not (b < len(words) and _NUMERIC.match(words, b - 1))]
    cut = fitting[-1] if fitting else limit
    while cut > 0 and _NUMERIC.match(words, cut - 1):
        cut -= 1
    return words[:cut]


def enumerated_head(words: str) -> str | None:
    """The short noun (and what is said of it) that closes a 、-list: "等主导产业集群", "五大行动"."""
    head = _ENUMERATED_HEAD.search(words, words.rfind("、") + 1) if "、" in words else None
    return head.group() if head else None


def starts_in(starts: Sequence[int], start: int, end: int) -> bool:
    """Whether one of the sorted ``starts`` lies in ``[start, end)``."""
    index = bisect.bisect_left(starts, start)
    return index < len(starts) and starts[index] < end


def deduplicated(phrases: list[Phrase]) -> list[Phrase]:
    """The phrases in order, each left out when a kept one of its list is :func:`_similar` to it.

    Kept phrases are looked up through an index of their bigrams rather than compared one by one,
    and only the last :data:`DEDUPLICATION_REACH` kept phrases of a list are looked at (no report
    has that many; a runaway document then costs linear time, not quadratic).
    """
    grams = {phrase.text: _bigrams(phrase.text) for phrase in phrases}  # a repeated phrase is read once
    frequency = Counter(gram for found in grams.values() for gram in found)
    indexes: dict[str, _SimilarIndex] = {}
    seen: dict[str, set[str]] = {}  # a text met before in a list is decided: kept once, or similar to one kept
    kept: list[Phrase] = []
    for phrase in phrases:
        met = seen.setdefault(phrase.section, set())
        if phrase.text in met:
            continue
        met.add(phrase.text)
        index = indexes.setdefault(phrase.section, _SimilarIndex(frequency))
        if not index.holds_similar(phrase.text, grams[phrase.text]):
            index.add(phrase.text, grams[phrase.text])
            kept.append(phrase)
    return kept


#: How many of a list's kept phrases a new phrase is compared with: the most recent ones.
DEDUPLICATION_REACH = 300


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _dice(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b or 2 * min(len(a), len(b)) <= 0.7 * (len(a) + len(b)):
        return False  # even a full overlap of the smaller set would not reach 0.7
    return 2 * len(a & b) / (len(a) + len(b)) > 0.7


_Entry = tuple[int, str, frozenset[str]]  # (position among the kept, text, bigrams)


def _position(entry: _Entry) -> int:
    return entry[0]


class _SimilarIndex:
    """Kept phrases of one list, found by what :func:`_similar` needs them to share with a new one.

    Bigrams are ranked rarest first (over all the article's phrases). A kept phrase inside the new
    one has its rarest bigram among the new one's; one holding the new phrase holds the new one's
    rarest bigram; and two phrases whose bigrams overlap enough for a Dice above 0.7 share a bigram
    among each one's rarest ``|A| - floor(7|A|/13)`` (prefix filtering: the overlap exceeds 7/13 of
    either set). Every list holds its entries in the order they were kept.
    """

    def __init__(self, frequency: Counter[str]) -> None:
        self.frequency = frequency
        self.count = 0
        self.entries: list[_Entry] = []
        self.containing: dict[str, list[_Entry]] = {}
        self.by_rarest: dict[str, list[_Entry]] = {}
        self.by_prefix: dict[str, list[_Entry]] = {}
        self.gramless: list[_Entry] = []

    def _ranked(self, grams: frozenset[str]) -> list[str]:
        return sorted(grams, key=lambda gram: (self.frequency[gram], gram))

    @staticmethod
    def _prefix(ranked: list[str]) -> list[str]:
        return ranked[: len(ranked) - (7 * len(ranked)) // 13]

    def _recent(self, entries: list[_Entry]) -> list[_Entry]:
        """The entries among the last DEDUPLICATION_REACH kept, newest first (found by bisection:
        every list is in the order its entries were kept)."""
        horizon = bisect.bisect_left(entries, self.count - DEDUPLICATION_REACH, key=_position)
        return entries[:horizon - 1:-1] if horizon else entries[::-1]

    def holds_similar(self, text: str, grams: frozenset[str]) -> bool:
        if not grams:
            return any(_similar(kept, text) for _, kept, _ in self._recent(self.entries))
        ranked = self._ranked(grams)
        if any(text in kept for _, kept, _ in self._recent(self.containing.get(ranked[0], []))):
            return True
        if any(kept in text for gram in ranked for _, kept, _ in self._recent(self.by_rarest.get(gram, []))):
            return True
        if any(kept in text or text in kept for _, kept, _ in self._recent(self.gramless)):
            return True
        compared: set[int] = set()  # a kept phrase sharing several prefix bigrams is compared once
        size = len(grams)
        for gram in self._prefix(ranked):
            for position, _, kept_grams in self._recent(self.by_prefix.get(gram, [])):
                if position not in compared:
                    compared.add(position)
                    # _dice, inlined: this loop runs for every candidate pair of a long article
                    total = size + len(kept_grams)
                    if 2 * min(size, len(kept_grams)) > 0.7 * total and 2 * len(grams & kept_grams) / total > 0.7:
                        return True
        return False

    def add(self, text: str, grams: frozenset[str]) -> None:
        entry = (self.count, text, grams)
        self.count += 1
        self.entries.append(entry)
        if not grams:
            self.gramless.append(entry)
            return
        ranked = self._ranked(grams)
        for gram in ranked:
            self.containing.setdefault(gram, []).append(entry)
        self.by_rarest.setdefault(ranked[0], []).append(entry)
        for gram in self._prefix(ranked):
            self.by_prefix.setdefault(gram, []).append(entry)


def _similar(a: str, b: str) -> bool:
    return a in b or b in a or _dice(_bigrams(a), _bigrams(b))

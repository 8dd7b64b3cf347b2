"""The narrative half: one achievement, problem or task per distinct result, shortfall or piece of work.

It reads the discourse layer's pieces (a sentence, a ;-duty, an enumerated item, a 要-clause) and
their sections, and decides per piece, from cue words and the piece's numbers:

* **tasks** come from pieces of the work section (and 要/将… pieces anywhere): one per piece; a
  piece that only announces the list after it (…以下工作：) or only exhorts is none, and the clauses
  that state numeric goals are left out (they are targets);
* **achievements** come from the results section, one per group of clauses that states one result;
  a group that only states indicator figures is a metric, not an achievement, unless it reports a
  deed (签约, 开工, 引进…) or a rank or honour;
* **problems** come from the problems section and from problem cues anywhere: a listed shortfall
  ("存在A、B等问题") gives one per item, and work that names a problem ("解决A等问题") states it too.

The words of each item are condensed from the piece's own clauses, and repeats dropped, by
:mod:`phrases`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.backends.rules.lexicon import EDGE, Lexicon
from summarizer.backends.rules.phrases import (
    MAX_PHRASE,
    MIN_PHRASE,
    PROBLEM_LEAD,
    RESULT_LEAD,
    SEPARATOR,
    TASK_LEAD,
    Phrase,
    after_lead,
    condensed,
    deduplicated,
    enumerated_head,
    limited,
    phrase_clauses,
    starts_in,
)
from summarizer.schema import Quantity
from summarizer.text.sentences import (
    FULL_STOPS,
    Clause,
    Discourse,
    Piece,
    genre_cues,
    strip_span,
)

#: A result's clauses: a clause stating its own subject starts a new result past this length.
RESULT_GROUP = 16
#: A piece of work longer than this (characters of its clauses) usually names several works.
LONG_WORK = 60
#: ...and a new work starts at a verb of work once the one before has this many characters.
WORK_GROUP = 30
#: A lead of work this short (characters) merges with its details or, followed by works of their own, only announces them.
SHORT_LEAD = 20
#: Neighbouring short clauses that each name a problem are one problem up to this length.
MERGED_SHORT = 18
#: Neighbouring clauses of a remedy that name problems are one problem up to this length.
MERGED_PROBLEM = 26


@dataclass(frozen=True)
class Narrative:
    """The items of one article, and the spans whose numbers are no results (work, headings)."""

    phrases: list[Phrase]
    silent: list[tuple[int, int]]


# A listed shortfall: "存在A、B等问题", "主要表现在A、B、C等方面".
_LISTED = re.compile(
    r"(?:存在|面临|表现在|表现为|体现在)(?:着|的)?(?P<items>.+?)(?:等)?(?:问题|困难|短板|不足|矛盾|方面|挑战)"
    r"|(?P<bare>[^，,：:]+?)等(?:问题|困难|短板|不足|矛盾|方面|挑战)"
)
# Work that names the problem it meets: "解决A等问题", "补齐A短板", "正视困难", "严防A风险".
_REMEDY = re.compile(
    r"(?:解决|破解|化解|整治|纠治|补齐|补足|补上|补强|弥补|克服|正视|直面|面对|应对|重视|严防|防范|防止|查漏补缺|找准|缩小)"
    r"[^，。；]{0,24}?(?:问题|难题|短板|弱项|瓶颈|堵点|卡点|痛点|困难|矛盾|风险|挑战|差距|不足|缺口|现象|严峻|压力)"
)
_REMEDY_VERB = re.compile(r"(?:解决|破解|化解|整治|纠治|克服|纠正)")
# The close of a list of problems: "…等问题", "…的难题".
_LIST_CLOSE = re.compile(r"(?:等|的)(?:问题|难题|现象|短板)$")
# The problem named before its remedy: "拆迁安置等重点问题解决的协调力度".
_REMEDIED = re.compile(r"[^，。；]{2,20}?(?:等)?(?:重点|突出|实际|历史遗留)?(?:问题|难题)的?(?:解决|化解|破解)")
# Words that only say that problems exist, not which.
_GENERIC_PROBLEM = re.compile(
    r"^(?:当前|目前|仍然?|依然|还|也|工作中|发展中|经济运行中|我们|存在的|的)*(?:面临|存在|有)?(?:着)?(?:较大的|不少|一些|诸多|许多|较多|很多)?的?"
    r"(?:困难|挑战|问题|短板|不足|风险|压力)(?:[和与、及](?:困难|挑战|问题|短板|不足|风险|压力))*$"
)
# A clause that goes on with the result before it (增长…, 居…, 占…) rather than stating a new one.
_CONTINUES = re.compile(
    r"^(?:同比|比上年|较上年|较去年|增长|下降|增速|增幅|增加|减少|提高|回落|居|位居|位列|排名|排|列|占|达|达到|为|"
    r"完成率|总额|总量|分别|均|其中|受邀|高于|低于|快于|慢于|超过|超|实现|完成|同期|环比|两年平均)"
)
_NON_WORD = re.compile(r"\W")
_QUESTION = "？?"
# An assessment of results: "经济运行呈现稳中向好态势", "取得明显成效".
# A piece with its own modal: "招商引资工作要…" names its own work.
_OWN_MUST = re.compile(r"[^，。；：“”]{0,12}?(?<![需重主只纲必不])(?:要|必须|务必)(?![求素点件闻地害么是])")
# What makes a figure a result worth listing: a rank or honour, a first, a goal met or beaten.
_STANDOUT = re.compile(
    r"第[一二三四五六七八九十\d]|首位|前列|前茅|领跑|领先|率先|唯一|首个|首批|首笔|首次|表彰|获评|荣获|被评为|入选|获批|"
    r"达到或超过|超过目标|超额|序时|过半|创历史新高|历史最好|历史新高|再创新高"
)
# A standing among others: a rank, or a comparison with a wider area.
_STANDING = re.compile(r"第[一二三四五六七八九十\d]|首位|前列|前茅|领跑|领先|高于|低于|快于")
# Only an attitude towards problems: "高度重视面临的困难和挑战" states problems, not work.
_ATTITUDE = re.compile(r"(?:高度)?(?:重视|正视|直面|认清|认识到?|看到)[^，,。]{0,20}?(?:困难|问题|挑战|风险|矛盾|不足|短板)")
# A clause that only introduces the goals after it: "主要预期目标是", "目标为".
_ANNOUNCES_GOALS = re.compile(
    r"(?:目标|指标)(?:任务)?(?:是|为)$|(?:预期|主要|发展)(?:目标|指标)$|(?:明确|确定|提出|部署)[^，。]{0,10}(?:目标|指标)$"
)
# How the results were pursued, not a result: "全县上下坚持稳字当头", "在市委的坚强领导下", "以稳增长为核心".
_FRAMING = re.compile(
    r"(?:[^，。；]{0,6}?(?:上下|各级各部门|我们))?(?:始终|坚定|全面|认真|深入|持续|紧紧|牢牢)?"
    r"(?:坚持|锚定|遵循|秉持|深学笃用|学习贯彻|在[^，。；]{2,20}领导下|"
    r"以[^，。；]{2,16}为(?:核心|主线|抓手|引领|统领|指导|目标)|全力以赴|全力拼|"
    r"(?:落实|贯彻)[^，。；]{0,16}(?:决策部署|部署要求|工作要求|精神))"
)
# Aimed at, not reached: "确保主要指标实现“时间过半任务过半”" is a goal, whatever it names.
_AIMED = re.compile(r"(?<!在)确保(?!了)|力争|务必")
_ASSESSMENT = re.compile(r"呈现|态势|取得了?[^，。]{0,8}(?:成效|成绩|进展|突破)|成效明显|成效显著|稳中向好|稳中有进|好于预期")


def extract_narrative(discourse: Discourse, quantities: Sequence[Quantity], lex: Lexicon) -> Narrative:
    """The achievements, problems and tasks of one article, in text order."""
    numbers = _Numbers(quantities)
    phrases: list[Phrase] = []
    silent: list[tuple[int, int]] = []
    text = discourse.text
    pieces = discourse.pieces
    skip_to = 0
    for position, piece in enumerate(pieces):
        if piece.heading or piece.instruction:
            silent.append((piece.start, piece.end))  # an instruction to a model is no source of anything
            continue
        if position < skip_to or piece.end < len(text) and text[piece.end] in _QUESTION:
            continue
        inside = numbers.between(piece.start, piece.end)
        words = text[piece.body : piece.end]
        must = bool(lex.must_do.match(words) or lex.task_lead.match(words))
        if piece.section == "frame" or (_is_meeting_step(words, lex) and not must and not _STANDOUT.search(words)):
            silent.append((piece.start, piece.end))  # who met and who attended: no figures of the report
            continue
        if (piece.section == "work" or must) and not _reports(words, inside, piece.declared or must):
            details = _details(pieces, position, text, lex)
            if details is None:
                silent.append((piece.start, piece.end))
                continue
            skip_to = position + 1 + len(details)
            for part in (piece, *details):
                silent.append((part.start, part.end))
                phrases.extend(_solved_problems(text, part, lex))
            goals = [q for q in numbers.between(piece.start, (details[-1] if details else piece).end) if q.is_target]
            phrases.extend(_tasks(text, piece, details, goals, lex))
            continue
        if piece.section == "problems" or _states_problem(words, lex):
            phrases.extend(_problems(text, piece, lex))
            continue
        if piece.section in ("results", "other"):
            phrases.extend(_achievements(text, piece, inside, lex))
    return Narrative(_one_generic_problem(deduplicated(phrases)), silent)


class _Numbers:
    """The number candidates of an article in text order: those starting in a span, by bisection."""

    def __init__(self, quantities: Sequence[Quantity]) -> None:
        self.numbers = sorted((q for q in quantities if not q.is_time), key=lambda q: q.start)
        self.starts = [q.start for q in self.numbers]

    def between(self, start: int, end: int) -> list[Quantity]:
        return self.numbers[bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)]


def _reports(words: str, numbers: Sequence[Quantity], own_cue: bool) -> bool:
    """A piece among the work that still reports results: figures stated as facts, or an assessment.

    A piece whose own words open the work (要…, 会议要求…) reports only with 已/累计; one that only
    inherits the work section from its paragraph or heading reports with any figure or assessment.
    """
    results = [q for q in numbers if not q.is_target]
    if re.match(r"[^，。]{0,8}(?:已经|已|累计|实现了|完成了)", words) and results:
        return True
    return not own_cue and bool(results or _ASSESSMENT.search(words))


def _is_meeting_step(words: str, lex: Lexicon) -> bool:
    """What the meeting itself did (听取汇报, 主持, 出席, 观摩): no result, no problem, no task."""
    return bool(genre_cues().frame.search(words[:40]) or lex.boilerplate.search(words[:60]))


# ------------------------------------------------------------------------------------- tasks


def _details(pieces: Sequence[Piece], position: int, text: str, lex: Lexicon) -> tuple[Piece, ...] | None:
    """A short lead of work ("● 要严格对照清单。") and the piece after it that details it.

    The lead and its first detail make one task (later sentences name works of their own); a
    short lead followed by a piece with its own 要/将 or enumerator only announces: ``None``.
    """
    lead = pieces[position]
    if lead.end - after_lead(text, lead.body, lead.end, TASK_LEAD) > SHORT_LEAD:
        return ()
    if lead.end < len(text) and text[lead.end] not in FULL_STOPS + "\n":
        return ()  # a lead is a sentence of its own, not one duty of a list
    if position and pieces[position - 1].paragraph == lead.paragraph and not pieces[position - 1].heading:
        return ()
    following = pieces[position + 1] if position + 1 < len(pieces) else None
    if following is None or following.paragraph != lead.paragraph or following.heading or following.instruction:
        return ()
    words = text[following.body : following.end]
    if following.enumerator or lex.must_do.match(words) or _OWN_MUST.match(words):
        return None
    return (following,)


def _tasks(
    text: str, piece: Piece, details: Sequence[Piece], goals: Sequence[Quantity], lex: Lexicon
) -> list[Phrase]:
    """One task per piece (a long run of several works gives one per work); a lead and its detail
    make one task."""
    if piece.announces and not details and not re.search(r"[，,]", text[piece.body : piece.end]):
        return []  # "重点抓好以下工作：" announces the tasks below
    start = after_lead(text, piece.body, piece.end, TASK_LEAD)
    end = details[-1].end if details else piece.end
    spans = [span for part in (piece, *details) for span in phrase_clauses(text, start if part is piece else part.body, part.end)]
    # A numeric goal is a target, not also a task: the work around it stays ("抓项目扩投资").
    goal_starts = sorted(q.start for q in goals)
    spans = [(s, e) for s, e in spans if not starts_in(goal_starts, s, e) and not _ANNOUNCES_GOALS.search(text, s, e)]
    if not spans:
        return []
    found = []
    for group in [spans] if details else _work_groups(text, spans, lex):
        phrase = condensed(text, group, lex)
        if phrase and _has_work(phrase, lex):
            found.append(Phrase("tasks", phrase, piece.start, end))
    return found


def _work_groups(text: str, spans: list[tuple[int, int]], lex: Lexicon) -> list[list[tuple[int, int]]]:
    """Clauses of one piece of work; a long run of works splits where a new work verb starts one."""
    total = sum(e - s for s, e in spans)
    if total <= LONG_WORK:
        return [spans]
    groups: list[list[tuple[int, int]]] = [[]]
    size = 0
    for s, e in spans:
        if size >= WORK_GROUP and lex.task_verb.match(text, s):
            groups.append([])
            size = 0
        groups[-1].append((s, e))
        size += e - s
    return groups


def _has_work(phrase: str, lex: Lexicon) -> bool:
    """Concrete work, not only exhortation (凝心聚力、真抓实干) or an attitude to problems (正视困难)."""
    content = re.sub(r"[^\u4e00-\u9fa5A-Za-z0-9]", "", lex.slogan.sub("", phrase))
    if len(content) < 4 or _ATTITUDE.fullmatch(phrase) or all(lex.formula.search(c) for c in re.split(r"[，,]", phrase)):
        return False
    return bool(lex.task_verb.search(phrase) or lex.domain_noun.search(phrase))


def _solved_problems(text: str, piece: Piece, lex: Lexicon) -> list[Phrase]:
    """"着力解决A、B等问题", "补齐短板弱项": work that names a problem states that the problem exists."""
    runs: list[list[tuple[int, int]]] = []
    previous = -1
    clauses = piece.clauses
    index = -1
    while index + 1 < len(clauses):
        index += 1
        clause = clauses[index]
        start = max(clause.start, piece.body)
        if start >= clause.end:
            continue
        listed = _listed_remedy(text, clauses, index, start)
        if listed:
            runs.extend([span] for span in listed[0])
            index = listed[1]
            previous = -1
            continue
        if not (_REMEDY.search(text, start, clause.end) or _REMEDIED.search(text, start, clause.end)):
            continue
        span = (after_lead(text, start, clause.end, TASK_LEAD), clause.end)
        if runs and previous == index - 1 and span[1] - runs[-1][0][0] <= MERGED_PROBLEM:
            runs[-1].append(span)  # "正视困难、面对矛盾，解决实际问题": one problem met by one work
        else:
            runs.append([span])
        previous = index
    found = []
    for run in runs:
        phrase = condensed(text, run, lex)
        if phrase:
            found.append(Phrase("problems", phrase, run[0][0], run[-1][1]))
    return found


def _listed_remedy(
    text: str, clauses: Sequence[Clause], index: int, start: int
) -> tuple[list[tuple[int, int]], int] | None:
    """"解决A、B，C，D等问题", in one clause or over several: the listed problems, in phrases that
    fit, and the index of the clause that closes the list."""
    verb = _REMEDY_VERB.search(text, start, clauses[index].end)
    if not verb:
        return None
    for last in range(index, min(len(clauses), index + 5)):
        close = _LIST_CLOSE.search(text, verb.end() if last == index else clauses[last].start, clauses[last].end)
        if close:
            break
    else:
        return None
    if last == index:
        spans = [(verb.end(), close.start())]
    else:
        spans = [(verb.end(), clauses[index].end)]
        spans += [(c.start, c.end) for c in clauses[index + 1 : last]]
        spans.append((clauses[last].start, close.start()))
    spans = [(s, e) for s, e in spans if e > s]
    phrases: list[tuple[int, int]] = []
    for s, e in spans:
        if phrases and e - phrases[-1][0] <= MERGED_PROBLEM:
            phrases[-1] = (phrases[-1][0], e)
        else:
            phrases.append((s, e))
    return phrases, last


# ------------------------------------------------------------------------------- achievements


def _achievements(text: str, piece: Piece, numbers: Sequence[Quantity], lex: Lexicon) -> list[Phrase]:
    start = after_lead(text, piece.body, piece.end, RESULT_LEAD)
    found = []
    starts = [q.start for q in numbers]  # in text order
    groups = _result_groups(text, piece, start, framing=lex)
    for g_start, g_end in (span for group in groups for span in _list_parts(text, *group)):
        inside = numbers[bisect.bisect_left(starts, g_start) : bisect.bisect_left(starts, g_end)]
        words = text[g_start:g_end]
        if not _is_result(words, inside, lex, piece.section == "results"):
            continue
        phrase = _ranked(text, g_start, g_end, inside, lex) or condensed(text, phrase_clauses(text, g_start, g_end), lex)
        if phrase:
            found.append(Phrase("achievements", phrase, g_start, g_end))
    return found


def _list_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A result too long for one phrase whose first clause is a 、-list: consecutive parts of whole items.

    "新增A企业21家、B企业20家、C中心3家、D车间3个，备案E企业161家" gives two results, not one cut short.
    A list closed by a short 等-phrase ("A、B、C等指标排在全市前列") is the subject of one result, and
    stays whole (the phrase keeps the closing words).
    """
    clauses = phrase_clauses(text, start, end)
    listed = text[clauses[0][0] : clauses[0][1]] if clauses else ""
    if end - start <= MAX_PHRASE or "、" not in listed or (enumerated_head(listed) or "").startswith("等"):
        return [(start, end)]
    parts: list[tuple[int, int]] = []
    item_start = clauses[0][0]
    for i in range(clauses[0][0], end + 1):
        if i < end and text[i] not in "、，,":
            continue
        if parts and i - parts[-1][0] <= MAX_PHRASE:
            parts[-1] = (parts[-1][0], i)
        elif i > item_start:
            parts.append((item_start, i))
        item_start = i + 1
    return parts


def _ranked(text: str, start: int, end: int, numbers: Sequence[Quantity], lex: Lexicon) -> str | None:
    """"实现GDP158.6亿元，增长7.2%，增速居全市第一" -> "地区生产总值增速居全市第一": the standing, not the figures
    (they are metrics)."""
    clauses = phrase_clauses(text, start, end)
    standing = [c for c in clauses if _STANDING.search(text, *c)]
    figures = [c for c in clauses if c not in standing and any(c[0] <= q.start < c[1] for q in numbers)]
    if not standing or not figures or len(standing) + len(figures) < len(clauses):
        return None
    phrase = condensed(text, standing, lex)
    named = next((q.indicator for q in numbers if q.indicator and figures[0][0] <= q.start < figures[0][1]), None)
    if phrase and named and _CONTINUES.match(phrase) and len(named) + len(phrase) <= MAX_PHRASE:
        named = lex.value_verb_start.sub("", named)
        attribute = re.match(r"总额|总量|规模", phrase)
        if attribute and named.endswith(attribute.group()):
            phrase = phrase[attribute.end() :]  # "进出口总额" + "总额全省第三": the name says it once
        phrase = named + phrase
    return phrase


def _result_groups(text: str, piece: Piece, start: int, *, framing: Lexicon | None = None) -> list[tuple[int, int]]:
    """Clauses grouped into results: a new result starts where a clause states its own subject.

    With ``framing`` (the lexicon that tells a deed), the clauses that only say how the results were
    pursued are left out: "全区上下坚持稳字当头、稳中求进，锚定…，推动经济运行整体好转" reports its
    last clause, while "围绕A等产业开展精准招商" is a deed.
    """
    groups: list[list[int]] = []
    closed = False
    for clause in piece.clauses:
        c_start = max(clause.start, start)
        if c_start >= clause.end:
            continue
        words = text[c_start : clause.end]
        if framing and _FRAMING.match(words) and not (re.search(r"\d", words) or framing.deed_verb.search(words)):
            closed = True
            continue
        fresh = not _CONTINUES.match(words) and len(words) >= 6
        if groups and not closed:
            size = groups[-1][1] - groups[-1][0]
            fits = clause.end - groups[-1][0] <= MAX_PHRASE
            if fits and not (fresh and size >= RESULT_GROUP):
                groups[-1][1] = clause.end
                continue
        groups.append([c_start, clause.end])
        closed = False
    return [(s, e) for s, e in groups]


def _is_result(words: str, numbers: Sequence[Quantity], lex: Lexicon, reviewed: bool) -> bool:
    """A result a reader lists: a deed, a rank or honour, or a qualitative assessment, not a bare figure.

    Under a review of results (``reviewed``), work described without figures (打造…基地, 实施…行动)
    is work done: a result too.
    """
    honour = _STANDOUT.search(words)
    if any(q.is_target for q in numbers) or _AIMED.search(words):
        return False  # a goal, not a result
    if numbers:
        ranked = any(q.kind in ("rank", "top_n") for q in numbers)
        return bool(ranked or honour or lex.deed_verb.search(words))
    if lex.slogan.fullmatch(words) or len(_NON_WORD.sub("", words)) < MIN_PHRASE:
        return False
    done = reviewed and lex.task_verb.search(words)
    return bool(honour or done or _ASSESSMENT.search(words) or lex.achievement_verb.search(words) or lex.deed_verb.search(words))


# ----------------------------------------------------------------------------------- problems


def _states_problem(words: str, lex: Lexicon) -> bool:
    match = genre_cues().problem_cue.search(words)
    if not match:
        return False
    return not re.search(
        r"(?:解决|破解|化解|补齐|补上|补强|弥补|扭住|针对|聚焦|应对|克服|研判|分析|研究|查找|梳理|正视|直面|防范)"
        r"[^，。]{0,24}" + re.escape(match.group(0)),
        words,
    )


def _problems(text: str, piece: Piece, lex: Lexicon) -> list[Phrase]:
    start = after_lead(text, piece.body, piece.end, PROBLEM_LEAD)
    if piece.announces and _GENERIC_PROBLEM.match(text[start : piece.end]):
        return []  # "也要看到存在的短板和不足：" announces the problems listed after it
    colon = re.search(r"[：:]", text[start : piece.end])
    if colon:
        lead_end = start + colon.start()
        after = after_lead(text, start + colon.end(), piece.end, PROBLEM_LEAD)
        if _GENERIC_PROBLEM.match(text[start:lead_end]):
            start = after  # "仍有不少困难：A；B": the listed ones
        elif genre_cues().problem_cue.search(text, start, lead_end):
            # "部分指标进度滞后：A下降1.2%，B仅完成43.5%": the shortfall and each figure listed under it.
            spans = [(start, lead_end), *_result_groups(text, piece, after)]
            return [Phrase("problems", p, s, e) for s, e in spans if (p := condensed(text, phrase_clauses(text, s, e), lex))]
    listed = _LISTED.search(text, start, piece.end)
    if listed:
        group = "items" if listed.group("items") else "bare"
        items = [s.strip(EDGE) for s in re.split(r"[、，,；;]", listed.group(group))]
        if len(items) >= 2 and all(len(item) >= 4 for item in items):
            rest = re.match(r"(?:等)?(?:问题|困难|短板|不足|矛盾|方面|挑战)?", text[listed.end(group) : piece.end])
            after = strip_span(text, listed.end(group) + (rest.end() if rest else 0), piece.end)[0]
            found = [Phrase("problems", limited(item), piece.start, piece.end) for item in items]
            return found + _cued_clauses(text, piece, after, lex)
    clauses = phrase_clauses(text, start, piece.end)
    cued = [c for c in clauses if genre_cues().problem_cue.search(text, *c)]
    if piece.end - start <= MAX_PHRASE and len(cued) < 2:
        phrase = condensed(text, clauses, lex)
        return [Phrase("problems", phrase, piece.start, piece.end)] if phrase else []
    return _cued_clauses(text, piece, start, lex) or [
        Phrase("problems", p, piece.start, piece.end)
        for p in [condensed(text, clauses, lex)]
        if p and genre_cues().problem_cue.search(p)
    ]


def _cued_clauses(text: str, piece: Piece, start: int, lex: Lexicon) -> list[Phrase]:
    """One problem per clause that names one; short neighbours ("回暖不及预期，社零由正转负") stay one."""
    found: list[Phrase] = []
    for clause in piece.clauses:
        c_start = max(clause.start, start)
        words = text[c_start : clause.end]
        if c_start >= clause.end or not genre_cues().problem_cue.search(words):
            continue
        if found and found[-1].end == clause.start - 1 and len(found[-1].text) + len(words) <= MERGED_SHORT:
            found[-1] = Phrase("problems", found[-1].text + SEPARATOR + words, found[-1].start, clause.end)
            continue
        phrase = condensed(text, phrase_clauses(text, c_start, clause.end), lex)
        if phrase:
            found.append(Phrase("problems", phrase, c_start, clause.end))
    return found


def _one_generic_problem(phrases: list[Phrase]) -> list[Phrase]:
    """"存在的问题和短板" says that problems exist: stated once, however often the text says it."""
    kept: list[Phrase] = []
    generic_seen = False
    for phrase in phrases:
        if phrase.section == "problems" and _GENERIC_PROBLEM.match(phrase.text):
            if generic_seen:
                continue
            generic_seen = True
        kept.append(phrase)
    return kept

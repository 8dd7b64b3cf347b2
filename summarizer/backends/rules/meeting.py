"""The meeting an article reports: its name, and where the text writes it.

A module of its own because both the body that held the meeting (:mod:`bodies`) and its date and
period (:mod:`meta`) are read around it: it sits below both, so neither has to import the other.
A name only mentioned (传达…会议精神, 要召开推进会) or quoted is not the meeting reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.backends.rules.lexicon import Lexicon


@dataclass(frozen=True)
class Meeting:
    name: str
    start: int  # the name's span, the holding body left out (郑州高新区上半年…会 -> 上半年…会)
    end: int
    written_start: int  # where the name starts as written, body included
    verb: tuple[int, int] | None  # 召开/举行 before the name
    viewing: bool  # 收看…会: watched, not held, by the subject
    evidence: tuple[int, int]


def find_meeting(text: str, start: int, end: int, lex: Lexicon) -> Meeting | None:
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
                return Meeting(text[named:e], named, e, s, verb, viewing, (named, e))
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


def _organ_meeting(text: str, start: int, end: int, lex: Lexicon) -> Meeting | None:
    """区委常委会召开会议: the meeting is the organ's own (区委常委会会议)."""
    for match in re.finditer(r"(?:召开|举行)(?:了)?(?:会议|专题会议)", text[start:end]):
        at = start + match.start()
        organ = next((m for m in lex.organ.finditer(text, max(start, at - 8), at) if m.end() == at), None)
        if organ and re.search(r"常委会|常务会|党组$", organ.group(0)):
            name = organ.group(0) + text[at + 2 : start + match.end()].removeprefix("了")
            said = (organ.start(), start + match.end())
            return Meeting(name, organ.start(), organ.end(), organ.start(), (at, at + 2), False, said)
    return None


def _skip_body_name(text: str, start: int, end: int, lex: Lexicon) -> int:
    """The meeting's name is given without the body holding it (郑州高新区上半年…会 -> 上半年…会)."""
    match = lex.body_prefix.match(text, start, end)
    return match.end() if match and end - match.end() >= 4 else start

"""The rules backend's cue lexicon (``lexicon.yaml``, data not code) and the small span helpers its stages share."""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from summarizer.resources import parse_yaml
from summarizer.schema import Evidence, trusted_constructor
from summarizer.text.sentences import alternation, genre_cues

_LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")

#: Longest indicator name; longer ones are clause fragments and keep their last words.
MAX_NAME = 20

END = sys.maxsize  # sorts after every span end in bisect lookups
QUOTES = "“”‘’\"'《》「」"
EDGE = " \t\u3000、，。；：！？,.;:!?·…"
EDGE_QUOTES = EDGE + QUOTES


class Lexicon:
    """The cue lists of ``lexicon.yaml``, compiled once into the patterns the rules use."""

    def __init__(self, data: dict[str, Any]) -> None:
        def words(key: str) -> str:
            return alternation(data[key])

        # --- meta (summarizer/backends/rules/meeting.py, bodies.py and meta.py)
        suffixes = words("meeting_suffixes")
        zone_groups: list[list[str]] = data["zone_kinds"]
        self.zone_family = {form: group[0] for group in zone_groups for form in group}
        self.zone_kind = re.compile(f"(?:国家级?|省级)?(?:{alternation(self.zone_family)})")
        self.admin_kind = re.compile(words("admin_kinds"))
        self.organ = re.compile("|".join(f"(?:{p})" for p in data["organ_patterns"]))
        self.generic_body = re.compile(data["generic_body_pattern"])
        self.place_stop = set(data["place_stop_chars"])
        self.place_leads = tuple(sorted(set(data["place_lead_words"]), key=len, reverse=True))
        self.not_organizations = frozenset(data["not_organizations"])
        self.city_names = frozenset(data["city_names"])
        self.city_name_lengths = sorted({len(city) for city in self.city_names})
        self.local_media = re.compile(data["local_media_pattern"])
        name = r"[^，。；：！？\s（）()【】\[\]〔〕]"
        self.meeting_after_verb = re.compile(
            rf"(?:{words('meeting_verbs')})了?的?({name}{{2,45}}?(?:{suffixes}))"
            r"(?:(?![\u4e00-\u9fa5])|(?=提出|指出|强调|要求|明确|期间))"
            rf"|在({name}{{2,45}}?(?:{suffixes}))上"
        )
        self.meeting_in_title = re.compile(
            rf"({name}{{2,45}}?(?:{suffixes}))"
            r"(?:近日|日前|昨日|昨天|今日|今天|\d{1,2}日)?(?:上午|下午|晚上)?(?:在[^，。；：！？\s]{1,15})?(?:召开|举行)"
        )
        self.meeting_verbs = re.compile(words("meeting_verbs"))
        self.meeting_viewing = tuple(data["meeting_viewing_verbs"])
        self.not_meeting = tuple(data["not_meeting_words"])
        self.meeting_reference = tuple(data["meeting_reference_after"])
        self.meeting_future = tuple(data["meeting_future_before"])
        self.report_period = re.compile("|".join([words("report_periods"), *data["report_period_patterns"]]))
        self.period_ahead_before = re.compile(rf"(?:{words('period_ahead_before')})[“‘]?(?:全[市县区旗]|本[市县区旗])?[“‘]?$")
        self.period_ahead_after = re.compile(rf"^[^，。；！？]{{0,6}}?(?:{words('period_ahead_after')})")
        self.year_review_before = re.compile(rf"(?:{words('year_review_before')})$")
        self.year_review_name = re.compile(words("year_review_names"))
        self.date = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
        self.full_date = re.compile(r"(\d{4})(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})")
        self.year = re.compile(r"(\d{4})年")
        self.scope_prefix = re.compile(rf"^(?:{words('scope_prefixes')}|\d{{4}}年度?|[，、：\s])+")
        self.body_prefix = re.compile(data["body_prefix_pattern"])
        self.value_verb_end = re.compile(rf"(?:{words('value_verbs')}|的|了|着|中|和|及|与|等)+$")
        self.value_verb_start = re.compile(rf"^(?:{words('value_verbs')})+")
        # 许可, 认可 end in 可 as words of their own; a hedge follows at least two characters of name
        self.hedge_end = re.compile(rf"(?<=[\u4e00-\u9fa5]{{2}})(?<![许认])(?:{words('hedge_words')})$")
        self.action_verbs = re.compile(words("action_verbs"))
        self.action_only = re.compile(rf"^(?:{words('action_verbs')}|{words('value_verbs')}|并|和|及)+$")
        self.action_end = re.compile(rf"(?:{words('action_verbs')})$")
        self.growth_end = re.compile(rf"(?:{words('growth_words')})[了达为至]?$")
        self.decrease = re.compile(words("decrease_words"))
        self.pp_change = re.compile(f"{words('pp_change_words')}|{data['pp_change_pattern']}")
        self.comparison = re.compile(words("comparison_words"))
        self.attributes = set(data["attribute_names"])
        self.attribute_ending = re.compile(rf"(?:{words('attribute_endings')})$")
        self.rank_scope = re.compile(words("rank_scopes"))
        self.rank_lead = re.compile(rf"^(?:在|于|并|且|{words('rank_words')})+")
        self.rank_tail = re.compile(rf"(?:中|里)?(?:{words('rank_words')}|为|是)+$")
        self.horizon = re.compile("|".join(data["horizon_patterns"]))
        self.horizon_aliases: dict[str, str] = data["horizon_aliases"]
        self.target_cue = re.compile(words("target_cues"))
        self.task_lead = re.compile(words("task_lead_ins"))
        self.enumeration = genre_cues().enumerator
        self.task_verb = genre_cues().work_verb
        self.must_do = re.compile(rf"(?<![需重主只纲必])(?:要|将)(?:继续|进一步|全力)?(?=(?:{self.task_verb.pattern}))")
        self.achievement_verb = re.compile(words("achievement_verbs"))
        self.deed_verb = re.compile(words("deed_verbs"))
        self.slogan = re.compile(words("slogan_words"))
        self.boilerplate = re.compile("|".join(data["boilerplate_patterns"]))
        self.domain_noun = re.compile(words("domain_nouns"))
        self.formula = re.compile("|".join(data["formula_patterns"]))
        self.modifier = re.compile(rf"(?:{words('clause_modifiers')})+")


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon, read once per process (it never changes while running)."""
    return Lexicon(parse_yaml(_LEXICON_FILE.read_text(encoding="utf-8")))


#: Evidence from offsets and ids the rules read from the text itself: nothing to validate (see
#: :func:`summarizer.schema.trusted_constructor`); a long report makes one for every metric.
_evidence = trusted_constructor(Evidence, {"quote": "3亿元", "start": 0, "end": 3, "written": None, "quantity_ids": ["q1"]})


def evidence_of(text: str, start: int, end: int, quantity_ids: Sequence[str] = ()) -> Evidence:
    return _evidence(quote=text[start:end], start=start, end=end, written=None, quantity_ids=list(quantity_ids))


def followed_by(text: str, position: int, chars: str) -> bool:
    """Whether the character at ``position`` is one of ``chars`` (False past the end)."""
    return position < len(text) and text[position] in chars


def inside_any(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``position`` falls in one of ``spans`` (sorted by start, not overlapping)."""
    index = bisect.bisect_right(spans, (position, END)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def sentence(text: str, start: int, end: int, position: int) -> tuple[int, int]:
    """The sentence holding ``position``, within ``[start, end)`` and at most 200 characters either side."""
    floor, ceiling = max(start, position - 200), min(end, position + 200)
    s_start = max(floor, *(text.rfind(c, floor, position) + 1 for c in "。！？\n"))
    s_end = min([ceiling] + [i for i in (text.find(c, position, ceiling) for c in "。！？\n") if i >= 0])
    return s_start, s_end

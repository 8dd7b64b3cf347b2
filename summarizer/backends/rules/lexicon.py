"""The rules backend's cue lexicon (``lexicon.yaml``, data not code) and the small span helpers its stages share."""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from summarizer.schema import Evidence
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

        suffixes = words("meeting_suffixes")
        self.organization = re.compile("|".join(f"(?:{p})" for p in data["organization_patterns"]))
        self.place_stop = set(data["place_stop_chars"])
        self.not_organizations = frozenset(data["not_organizations"])
        self.meeting_after_verb = re.compile(
            rf"(?:{words('meeting_verbs')})了?的?([^，。；：！？\s]{{2,45}}?(?:{suffixes}))"
            r"(?:(?![\u4e00-\u9fa5])|(?=提出|指出|强调|要求|明确|期间))"
            rf"|在([^，。；：！？\s]{{2,45}}?(?:{suffixes}))上"
        )
        self.meeting_in_title = re.compile(rf"([^，。；：！？\s]{{2,45}}?(?:{suffixes}))(?:召开|举行)")
        self.not_meeting = tuple(data["not_meeting_words"])
        self.report_period = re.compile("|".join([*data["report_period_patterns"], words("report_periods")]))
        self.date = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
        self.year = re.compile(r"(\d{4})年")
        self.scope_prefix = re.compile(rf"^(?:{words('scope_prefixes')}|\d{{4}}年度?|[，、：\s])+")
        self.body_prefix = re.compile(data["body_prefix_pattern"])
        self.value_verb_end = re.compile(rf"(?:{words('value_verbs')}|的|了|着|中|和|及|与|等)+$")
        self.value_verb_start = re.compile(rf"^(?:{words('value_verbs')})+")
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
    return Lexicon(yaml.safe_load(_LEXICON_FILE.read_text(encoding="utf-8")))


def evidence_of(text: str, start: int, end: int, quantity_ids: Sequence[str] = ()) -> Evidence:
    return Evidence(quote=text[start:end], start=start, end=end, quantity_ids=list(quantity_ids))


def followed_by(text: str, position: int, chars: str) -> bool:
    """Whether the character at ``position`` is one of ``chars`` (False past the end)."""
    return position < len(text) and text[position] in chars


def inside_any(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``position`` falls in one of ``spans`` (sorted by start, not overlapping)."""
    index = bisect.bisect_right(spans, (position, END)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]

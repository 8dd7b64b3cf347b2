"""The data every part of summarizer speaks: the only source of the JSON Schemas in ``schemas/``.

Offsets (``start``/``end``) always index the *cleaned* text of the document (``Summary.text``),
half-open like Python slices, counted in characters (code points), so that
``summary.text[e.start:e.end] == e.quote`` holds for every evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

QuantityKind = Literal[
    "amount",  # money or physical amount with a unit: 302.3亿元, 17.5平方公里
    "count",  # things counted: 290家, 10个, 1.5万人次, 2081栋
    "percent",  # a rate or share in %: 7.5%, 百分之三十, 两成
    "percentage_point",  # a difference of rates: 1个百分点
    "rank",  # a position: 第23位, 居全市第一, 排名第三
    "top_n",  # a band of positions: 前70名, 前三
    "multiple",  # a ratio: 3倍, 翻一番
    "date",  # a calendar date or timestamp: 8月11日, 2022-08-05 08:43
    "period",  # a span of time: 1—6月, 上半年, 三季度, 今年以来
    "year",  # a year: 2022年
]
TIME_KINDS: frozenset[str] = frozenset({"date", "period", "year"})

Qualifier = Literal["exact", "approx", "more_than", "less_than", "range"]
Direction = Literal["increase", "decrease"]
TargetMeasure = Literal["level", "growth", "rank", "count"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quantity(_Model):
    """One quantity mention found by the pre-extractor: the ground truth of "which numbers"."""

    id: str = Field(description="Stable id within one document, 'q1', 'q2', ... in text order.")
    text: str = Field(description="Exact surface in the cleaned text: text[start:end].")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sentence_start: int = Field(ge=0, description="Span of the sentence holding the mention.")
    sentence_end: int = Field(ge=0)
    kind: QuantityKind
    value: float | None = Field(
        description="The number in the stated unit (302.3 for 302.3亿元); the low end of a range."
    )
    unit: str = Field(description="Unit as written: 亿元, %, 个百分点, 家, 人次, 名 ... ('' if none).")
    scaled_value: float | None = Field(
        description="Value with 万/亿 applied to the base unit (302.3亿元 -> 3.023e10)."
    )
    base_unit: str = Field(description="Unit without its scale prefix: 元, 人次, % ...")
    qualifier: Qualifier = "exact"
    low: float | None = Field(default=None, description="Range bounds in the stated unit.")
    high: float | None = None
    direction: Direction | None = Field(default=None, description="增长/提高 vs 下降/减少.")
    basis: str | None = Field(default=None, description="同比, 环比, 比去年同期 ... when stated.")
    indicator: str | None = Field(default=None, description="The metric phrase the number belongs to.")
    is_target: bool = False
    target_cue: str | None = Field(default=None, description="The cue that makes it a goal: 力争, 确保 ...")
    value_note: str | None = Field(
        default=None,
        description="Why value is None when the number is written but not read with certainty (数十个: a magnitude).",
    )

    @property
    def is_time(self) -> bool:
        return self.kind in TIME_KINDS


class Evidence(_Model):
    """Where an item comes from: a quote of the cleaned text and its character span."""

    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    written: str | None = Field(
        default=None,
        description="The quote in the characters the document wrote (億元 for 亿元), when cleaning changed its script.",
    )
    quantity_ids: list[str] = Field(
        default_factory=list, description="Ids of the pre-extractor candidates the item's numbers use."
    )


class Meta(_Model):
    organization: str | None = Field(default=None, description="高新区, 经开区, 郑州高新区 ...")
    city: str | None = None
    meeting_date: dt.date | None = Field(
        default=None, description="ISO date; the year inferred from the text or the publish date."
    )
    meeting_name: str | None = None
    report_period: str | None = Field(default=None, description="上半年, 一季度, 1—6月 ...")
    title: str | None = None
    publish_date: dt.date | None = None
    source: str | None = None
    evidence: dict[str, Evidence] = Field(
        default_factory=dict, description="Evidence per filled field name, where the text states it."
    )


class Metric(_Model):
    """A reported result: indicator, level and/or growth, for a period."""

    name: str = Field(description="The indicator as the text words it.")
    canonical_name: str | None = Field(default=None, description="From the synonym table, for comparison.")
    value: float | None = None
    unit: str | None = None
    growth_pct: float | None = Field(default=None, description="Year-on-year change in % (negative = fall).")
    growth_pp: float | None = Field(default=None, description="Change in percentage points.")
    period: str | None = None
    qualifier: Qualifier = "exact"
    evidence: Evidence


class Target(_Model):
    """A goal the text sets for the coming period."""

    name: str
    canonical_name: str | None = None
    value: float | None = None
    unit: str | None = None
    measure: TargetMeasure = "level"
    qualifier: Qualifier = "exact"
    low: float | None = None
    high: float | None = None
    horizon: str | None = Field(default=None, description="全年, 年内, 年底, 2022年, 下半年 ...")
    cue: str | None = Field(default=None, description="力争, 确保, 目标 ...")
    text: str | None = Field(
        default=None, description="The goal as the text words it (地区生产总值增长16%以上): its clause."
    )
    evidence: Evidence


class Item(_Model):
    """An achievement, problem or task: a short phrase (about 40 characters at most)."""

    text: str
    evidence: Evidence


class ArticleInfo(_Model):
    """One article of a page that holds several; items point at it by index."""

    index: int
    title: str | None = None
    start: int
    end: int
    meta: Meta = Field(default_factory=Meta)


class DroppedItem(_Model):
    """An item that failed grounding: kept here, never in the summary, never silently lost."""

    section: Literal["meta", "metrics", "targets", "achievements", "problems", "tasks"]
    item: dict[str, object]
    reasons: list[str]


class Usage(_Model):
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = Field(default=None, description="In the price table's currency, when one is set.")
    cached: bool = False

    def add(self, other: Usage) -> Usage:
        cost = None if self.cost is None and other.cost is None else (self.cost or 0.0) + (other.cost or 0.0)
        return Usage(
            requests=self.requests + other.requests,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost=cost,
            cached=self.cached and other.cached,
        )


class Diagnostics(_Model):
    backend: Literal["rules", "llm", "baseline", "oracle"]
    model: str | None = None
    prompt_version: str | None = None
    mode: str | None = Field(default=None, description="The instructor mode that worked.")
    usage: Usage = Field(default_factory=Usage)
    dropped: list[DroppedItem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class SourceInfo(_Model):
    path: str | None = None
    sha256: str = Field(description="Of the raw bytes (or of the UTF-8 text given directly).")
    encoding: str | None = None
    format: Literal["text", "markdown", "html", "pdf", "docx"] = "text"


class Summary(_Model):
    """The structured summary of one input document (a file, or a text given directly)."""

    schema_version: str = SCHEMA_VERSION
    source: SourceInfo
    meta: Meta = Field(default_factory=Meta)
    metrics: list[Metric] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    achievements: list[Item] = Field(default_factory=list)
    problems: list[Item] = Field(default_factory=list)
    tasks: list[Item] = Field(default_factory=list)
    articles: list[ArticleInfo] = Field(
        default_factory=list, description="The page's articles, when it holds more than one."
    )
    diagnostics: Diagnostics
    text: str = Field(description="The cleaned text that every offset indexes.")


_M = TypeVar("_M", bound=BaseModel)


def trusted_constructor(model: type[_M], sample: dict[str, Any]) -> Callable[..., _M]:
    """A constructor of ``model`` that does not validate, for values a stage built and typed itself.

    pydantic's validation costs a few microseconds an object, which a document of 100,000 numbers
    pays for every candidate, metric and evidence it makes from parts that are valid already. The
    constructor takes every field by keyword (floats as floats: nothing is coerced) and fills the
    same slots as ``model.model_construct`` (five times faster than it). A self-check on
    ``sample`` (every field, in declaration order) falls back to validating if pydantic ever lays
    its models out otherwise.
    """
    set_slot = object.__setattr__
    new = model.__new__

    def build(**values: Any) -> _M:
        instance = new(model)
        set_slot(instance, "__dict__", values)
        set_slot(instance, "__pydantic_fields_set__", set(values))
        set_slot(instance, "__pydantic_extra__", None)
        set_slot(instance, "__pydantic_private__", None)
        return instance

    try:
        fast, checked = build(**sample), model(**sample)
        same = (fast == checked and fast.model_dump() == checked.model_dump()
                and fast.model_dump_json() == checked.model_dump_json() and list(sample) == list(model.model_fields))
    except Exception:  # noqa: BLE001 - any surprise means: validate
        same = False
    return build if same else model


# --- What a model is asked for: a draft citing clause and candidate ids, never offsets. -------
# Grounding (summarizer.grounding) turns a draft into the items above: each item's span runs from
# the first clause it cites to the last (the clause table of summarizer.text.clauses, shown in the
# prompt); a quote given instead (older drafts, models that ignore the ids) is found in the cleaned
# text. Numbers come from the candidates the draft names; what cannot be supported is dropped.
# Metrics and targets take clause ids too (optional, like the quote): the same exact spans, and one
# way of citing evidence for every section of the prompt.

_CLAUSE_IDS = "Ids of the clause-table rows the item rests on, in text order, e.g. ['c12', 'c13']."
_QUOTE = "An exact quote of the source; needed only when no clause_ids are given."


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MetaDraft(_Draft):
    organization: str | None = None
    city: str | None = None
    meeting_date: str | None = Field(default=None, description="YYYY-MM-DD if known, else as written.")
    meeting_name: str | None = None
    report_period: str | None = None


class MetricDraft(_Draft):
    name: str
    value: float | None = None
    unit: str | None = None
    growth_pct: float | None = None
    growth_pp: float | None = None
    period: str | None = None
    qualifier: Qualifier = "exact"
    clause_ids: list[str] = Field(default_factory=list, description=_CLAUSE_IDS)
    quote: str | None = Field(default=None, description=_QUOTE)
    quantity_ids: list[str] = Field(default_factory=list, description="Candidate ids used, e.g. ['q3', 'q4'].")


class TargetDraft(_Draft):
    name: str
    value: float | None = None
    unit: str | None = None
    measure: TargetMeasure = "level"
    qualifier: Qualifier = "exact"
    low: float | None = None
    high: float | None = None
    horizon: str | None = None
    cue: str | None = None
    clause_ids: list[str] = Field(default_factory=list, description=_CLAUSE_IDS)
    quote: str | None = Field(default=None, description=_QUOTE)
    quantity_ids: list[str] = Field(default_factory=list)


class ItemDraft(_Draft):
    text: str = Field(description="A short phrase, at most about 40 characters, condensed from its clauses.")
    clause_ids: list[str] = Field(
        default_factory=list, description="Ids of the clause-table rows the phrase condenses, in text order."
    )
    quote: str | None = Field(default=None, description=_QUOTE)


class SummaryDraft(_Draft):
    meta: MetaDraft = Field(default_factory=MetaDraft)
    metrics: list[MetricDraft] = Field(default_factory=list)
    targets: list[TargetDraft] = Field(default_factory=list)
    achievements: list[ItemDraft] = Field(default_factory=list)
    problems: list[ItemDraft] = Field(default_factory=list)
    tasks: list[ItemDraft] = Field(default_factory=list)


#: Models whose JSON Schemas are generated into ``schemas/`` (file stem -> model).
SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "summary": Summary,
    "quantity": Quantity,
    "summary_draft": SummaryDraft,
}

"""The review page: one self-contained HTML file per summary, for the person who checks it.

The cleaned text is cut, in Python, into segments at every quantity and evidence boundary; the
template prints each segment as escaped text inside a ``<span>`` that carries its offsets, so a
click on an item highlights exactly the segments inside its evidence span and nothing from the
document ever reaches the page as markup or as template source. The page needs no network: styles
and the little script are inline, and Chinese text uses the system's fonts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.quantities import extract_quantities
from summarizer.render import article_of, dropped_label, growth_text, metric_value, target_value
from summarizer.resources import shown_source
from summarizer.schema import Evidence, Quantity, Summary

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"
SECTION_TITLES = {"metrics": "主要指标", "targets": "目标", "achievements": "成绩亮点", "problems": "问题短板",
                  "tasks": "下步任务", "meta": "会议信息"}  # fmt: skip
KIND_WORDS = {"amount": "金额/数量", "count": "计数", "percent": "百分比", "percentage_point": "百分点",
              "rank": "排名", "top_n": "前N名", "multiple": "倍数", "date": "日期", "period": "时期", "year": "年份"}  # fmt: skip


@cache
def environment() -> jinja2.Environment:
    """Templates from the package's files, autoescaped, with undefined names an error, not blank.
    Jinja is imported here, when a page is first made: a batch needs it only once the run is over."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class ReviewItem:
    """One summary item as the page lists it, with the evidence span a click highlights."""

    id: str
    section: str
    label: str
    value: str
    detail: str
    quote: str
    start: int
    end: int
    article: str = ""
    quantity_ids: list[str] = field(default_factory=list)


@dataclass
class Segment:
    """A run of the cleaned text with no quantity or evidence boundary inside it."""

    text: str
    start: int
    end: int
    quantity: Quantity | None = None
    used_by: list[str] = field(default_factory=list)  # labels of the items using its quantity


def review_items(summary: Summary) -> list[ReviewItem]:
    """Every metric, target and listed item with its evidence, in the order of the summary."""
    items: list[ReviewItem] = []

    def add(section: str, label: str, value: str, detail: str, evidence: Evidence) -> None:
        article = article_of(summary, evidence)
        items.append(ReviewItem(
            id=f"item-{len(items) + 1}", section=section, label=label, value=value, detail=detail,
            quote=evidence.quote, start=evidence.start, end=evidence.end,
            article=f"{article.index + 1} {article.title or ''}".strip() if article is not None else "",
            quantity_ids=list(evidence.quantity_ids),
        ))  # fmt: skip

    for metric in summary.metrics:
        add("metrics", metric.name, metric_value(metric), _joined(growth_text(metric), metric.period), metric.evidence)
    for target in summary.targets:
        add("targets", target.name, target_value(target), _joined(target.horizon, target.cue), target.evidence)
    for section in ("achievements", "problems", "tasks"):
        for item in getattr(summary, section):
            add(section, item.text, "", "", item.evidence)
    return items


def _joined(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def segments(text: str, quantities: list[Quantity], items: list[ReviewItem]) -> list[Segment]:
    """``text`` cut at every quantity and evidence boundary; each piece knows its quantity and users."""
    kept: list[Quantity] = []
    for quantity in sorted(quantities, key=lambda q: (q.start, -q.end)):
        if quantity.end > quantity.start and (not kept or quantity.start >= kept[-1].end):
            kept.append(quantity)  # an overlapping mention is left unmarked rather than nested
    cuts = {0, len(text)}
    for quantity in kept:
        cuts.update((quantity.start, quantity.end))
    for item in items:
        cuts.update((min(item.start, len(text)), min(item.end, len(text))))
    users = {quantity.id: _users(quantity, items) for quantity in kept}
    bounds = sorted(cuts)
    owner = iter(kept)
    current = next(owner, None)
    pieces = []
    for start, end in zip(bounds, bounds[1:]):
        while current is not None and current.end <= start:
            current = next(owner, None)
        inside = current if current is not None and current.start <= start and end <= current.end else None
        pieces.append(Segment(text[start:end], start, end, inside, users[inside.id] if inside else []))
    return pieces


def _users(quantity: Quantity, items: list[ReviewItem]) -> list[str]:
    """The items that cite the quantity (by its id, or, for an item citing no ids, by containing it)."""
    return [
        f"{SECTION_TITLES[item.section]}: {item.label}"
        for item in items
        if quantity.id in item.quantity_ids
        or (not item.quantity_ids and item.start <= quantity.start and quantity.end <= item.end)
    ]


def review_page(summary: Summary) -> str:
    """The whole page for one summary: source with quantities marked beside the summary's items."""
    items = review_items(summary)
    meta = summary.meta
    facts = [
        ("来源文件", shown_source(summary.source.path)),
        ("单位", meta.organization),
        ("城市", meta.city),
        ("会议", meta.meeting_name),
        ("会议日期", meta.meeting_date.isoformat() if meta.meeting_date else None),
        ("报告期", meta.report_period),
        ("标题", meta.title),
        ("发布日期", meta.publish_date.isoformat() if meta.publish_date else None),
        ("发布来源", meta.source),
    ]
    diagnostics = summary.diagnostics
    return environment().get_template("review.html.j2").render(
        title=meta.title or meta.meeting_name or summary.source.path or "摘要",
        facts=[(label, value) for label, value in facts if value],
        articles=summary.articles,
        sections=[(key, SECTION_TITLES[key], [item for item in items if item.section == key])
                  for key in ("metrics", "targets", "achievements", "problems", "tasks")],  # fmt: skip
        segments=segments(summary.text, extract_quantities(summary.text), items),
        kinds=KIND_WORDS,
        dropped=[(SECTION_TITLES[d.section], dropped_label(d), d.reasons) for d in diagnostics.dropped],
        warnings=diagnostics.warnings,
        diagnostics=diagnostics,
        usage=diagnostics.usage,
    )

"""Summaries as text for people and programs: JSON, JSON Lines, YAML, a Markdown report, CSV rows,
and the HTML review page (summarizer.review)."""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Iterable
from typing import Literal, TypeVar

import yaml

from summarizer.resources import shown_source
from summarizer.schema import ArticleInfo, DroppedItem, Evidence, Item, Meta, Metric, Summary, Target

OutputFormat = Literal["json", "jsonl", "yaml", "md", "csv", "html"]
EXTENSIONS: dict[str, str] = {"json": ".json", "jsonl": ".jsonl", "yaml": ".yaml", "md": ".md", "csv": ".csv",
                              "html": ".html"}  # fmt: skip

#: Spreadsheet programs on Chinese systems read a CSV without it as GBK, and show mojibake.
CSV_BOM = "\ufeff"

CSV_COLUMNS = (
    "source",
    "article",
    "organization",
    "city",
    "meeting_date",
    "report_period",
    "section",
    "name",
    "canonical_name",
    "value",
    "unit",
    "growth_pct",
    "growth_pp",
    "period_or_horizon",
    "qualifier",
    "measure",
    "evidence",
    "start",
    "end",
)


def render(summary: Summary, fmt: OutputFormat) -> str:
    """One summary in one format; ``csv`` gives its metrics and targets with a header row."""
    if fmt == "json":
        return summary.model_dump_json(indent=2) + "\n"
    if fmt == "jsonl":
        return summary.model_dump_json() + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(summary.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    if fmt == "md":
        return markdown_report(summary)
    if fmt == "csv":
        return csv_table([summary])
    if fmt == "html":
        from summarizer.review import review_page  # Jinja is loaded only for the review page

        return review_page(summary)
    raise ValueError(f"unknown format {fmt!r}")


def csv_table(summaries: Iterable[Summary]) -> str:
    """All metrics and targets of a batch in one table (UTF-8 with a BOM), for analysts' spreadsheets."""
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for summary in summaries:
        writer.writerows(csv_rows(summary))
    return buffer.getvalue()


def csv_rows(summary: Summary) -> list[list[str]]:
    """One row per metric and target, each with the article it comes from and that article's meeting."""
    document = summary.source.path or summary.source.sha256[:12]
    rows = []
    for metric in summary.metrics:
        rows.append(_row(document, summary, "metric", metric, metric.period, measure=""))
    for target in summary.targets:
        rows.append(_row(document, summary, "target", target, target.horizon, measure=target.measure))
    return rows


def article_of(summary: Summary, evidence: Evidence) -> ArticleInfo | None:
    """The article of a several-article page that holds ``evidence`` (None for a page of one article)."""
    articles = summary.articles
    if not articles:
        return None
    position = bisect.bisect_right([article.start for article in articles], evidence.start) - 1
    return articles[max(position, 0)]


def _row(
    document: str, summary: Summary, section: str, item: Metric | Target, when: str | None, *, measure: str
) -> list[str]:
    growth_pct = item.growth_pct if isinstance(item, Metric) else None
    growth_pp = item.growth_pp if isinstance(item, Metric) else None
    article = article_of(summary, item.evidence)
    meta = article.meta if article is not None else summary.meta
    return [
        document,
        _article_label(article),
        meta.organization or "",
        meta.city or "",
        meta.meeting_date.isoformat() if meta.meeting_date else "",
        meta.report_period or "",
        section,
        item.name,
        item.canonical_name or "",
        _number(item.value),
        item.unit or "",
        _number(growth_pct),
        _number(growth_pp),
        when or "",
        item.qualifier,
        measure,
        _as_written(item.evidence),
        str(item.evidence.start),
        str(item.evidence.end),
    ]


def _article_label(article: ArticleInfo | None) -> str:
    if article is None:
        return ""
    return f"{article.index + 1}" + (f" {article.title}" if article.title else "")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


_QUALIFIER_WORDS = {"exact": "", "approx": "左右", "more_than": "以上", "less_than": "以下", "range": "(区间)"}
_MEASURE_WORDS = {"level": "总量", "growth": "增速", "rank": "排名", "count": "数量"}


def markdown_report(summary: Summary) -> str:
    """A readable report for a person: meta, a metrics table, targets, the three lists, with quoted
    evidence; a page of several articles gets a part per article, each item under its own article."""
    meta = summary.meta
    title = meta.title or meta.meeting_name or summary.source.path or "摘要"
    lines = [f"# {title}", ""]
    lines += _facts(meta, source=shown_source(summary.source.path))
    if summary.articles:
        for article in summary.articles:
            lines += [f"## {_article_label(article)}", ""]
            lines += _facts(article.meta)
            lines += _body(summary, article, "###")
    else:
        lines += _body(summary, None, "##")
    lines += _diagnostics_section(summary)
    return "\n".join(lines).rstrip() + "\n"


def _facts(meta: Meta, source: str | None = None) -> list[str]:
    facts = [
        ("来源文件", source),
        ("单位", meta.organization),
        ("城市", meta.city),
        ("会议", meta.meeting_name),
        ("会议日期", meta.meeting_date.isoformat() if meta.meeting_date else None),
        ("报告期", meta.report_period),
        ("发布日期", meta.publish_date.isoformat() if meta.publish_date else None),
        ("发布来源", meta.source),
    ]
    shown = [f"- **{label}**: {_cell(value)}" for label, value in facts if value]
    return [*shown, ""] if shown else []


_Evidenced = TypeVar("_Evidenced", Metric, Target, Item)


def _body(summary: Summary, article: ArticleInfo | None, heading: str) -> list[str]:
    """The sections of one article (``article`` None: of the whole page)."""

    def own(items: list[_Evidenced]) -> list[_Evidenced]:
        return items if article is None else [item for item in items if article_of(summary, item.evidence) is article]

    lines = _metrics_section(own(summary.metrics), heading)
    lines += _targets_section(own(summary.targets), heading)
    for title, items in (("成绩亮点", summary.achievements), ("问题短板", summary.problems), ("下步任务", summary.tasks)):
        lines += _items_section(title, own(items), heading)
    return lines



def _metrics_section(metrics: list[Metric], heading: str) -> list[str]:
    lines = [f"{heading} 主要指标 ({len(metrics)})", ""]
    if not metrics:
        return [*lines, "(无)", ""]
    lines += ["| 指标 | 数值 | 同比 | 时期 | 依据 |", "|---|---|---|---|---|"]
    for metric in metrics:
        lines.append(
            f"| {_cell(metric.name)} | {metric_value(metric)} | {growth_text(metric)} | {_cell(metric.period or '')} "
            f"| {_quote(metric.evidence)} |"
        )
    return [*lines, ""]


#: A rank is read as the text words it: 第2名 (全市第二), 前3名 (前三), not as a count of 名.
_RANK_UNITS = ("名", "位")
_TOP_N = re.compile(r"前\s*[0-9一二三四五六七八九十百两]")


def metric_value(metric: Metric) -> str:
    """A metric's level as the text words it (a rank as 第2名 or 前3名)."""
    if metric.value is None:
        return ""
    number = f"{_number(metric.value)}{metric.unit or ''}"
    if metric.unit in _RANK_UNITS:
        return ("前" if _TOP_N.search(_as_written(metric.evidence)) else "第") + number
    return number + _QUALIFIER_WORDS[metric.qualifier]


def growth_text(metric: Metric) -> str:
    parts = []
    if metric.growth_pct is not None:
        parts.append(f"{metric.growth_pct:+g}%")
    if metric.growth_pp is not None:
        parts.append(f"{metric.growth_pp:+g}个百分点")
    return " ".join(parts)


def target_value(target: Target) -> str:
    """A target's number as a reader says it: 7%以上, 8–10家."""
    if target.qualifier == "range" and target.low is not None and target.high is not None:
        return f"{_number(target.low)}–{_number(target.high)}{target.unit or ''}"
    if target.value is not None:
        return f"{_number(target.value)}{target.unit or ''}{_QUALIFIER_WORDS[target.qualifier]}"
    return ""


def _targets_section(targets: list[Target], heading: str) -> list[str]:
    lines = [f"{heading} 目标 ({len(targets)})", ""]
    if not targets:
        return [*lines, "(无)", ""]
    lines += ["| 目标 | 类型 | 数值 | 期限 | 依据 |", "|---|---|---|---|---|"]
    for target in targets:
        lines.append(
            f"| {_cell(target.name)} | {_MEASURE_WORDS[target.measure]} | {target_value(target)} | {_cell(target.horizon or '')} | {_quote(target.evidence)} |"
        )
    return [*lines, ""]


def _items_section(title: str, items: list[Item], heading: str) -> list[str]:
    lines = [f"{heading} {title} ({len(items)})", ""]
    if not items:
        return [*lines, "(无)", ""]
    for item in items:
        lines.append(f"- {_cell(item.text)}")
        if _as_written(item.evidence) != item.text:
            lines.append(f"  > {_cell(_as_written(item.evidence))}")
    return [*lines, ""]


def _diagnostics_section(summary: Summary) -> list[str]:
    diagnostics = summary.diagnostics
    backend = diagnostics.backend + (f" ({diagnostics.model})" if diagnostics.model else "")
    lines = ["---", "", f"后端: {backend}"]
    if diagnostics.prompt_version:
        lines.append(f"提示词版本: {diagnostics.prompt_version}")
    if diagnostics.dropped:
        lines += ["", f"未通过核验而删除的条目 ({len(diagnostics.dropped)}):"]
        lines += [f"- [{_SECTION_WORDS[d.section]}] {_cell(dropped_label(d))}: {'; '.join(d.reasons)}" for d in diagnostics.dropped]
    lines += [f"- 提示: {warning}" for warning in diagnostics.warnings]
    return [*lines, ""]


_SECTION_WORDS = {"meta": "会议信息", "metrics": "指标", "targets": "目标", "achievements": "成绩",
                  "problems": "问题", "tasks": "任务"}  # fmt: skip


def dropped_label(dropped: DroppedItem) -> str:
    """A dropped item as a reader names it: its name or text, with the value it claimed."""
    item = dropped.item
    words = next((str(item[key]) for key in ("name", "text", "field") if item.get(key)), "")
    value = item.get("value")
    claimed = f" {_number(value) if isinstance(value, (int, float)) else value}{item.get('unit') or ''}" if value is not None else ""
    label = (words + claimed).strip()
    return label[:80] if label else ", ".join(f"{key}={value}" for key, value in list(item.items())[:3])[:80]


def _quote(evidence: Evidence) -> str:
    return f"“{_cell(_as_written(evidence))}”"


def _as_written(evidence: Evidence) -> str:
    """A reader compares a quote with the page, so it is shown in the page's own script."""
    return evidence.written or evidence.quote


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")

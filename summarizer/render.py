"""Summaries as text for people and programs: JSON, JSON Lines, YAML, a Markdown report, CSV rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Literal

import yaml

from summarizer.schema import Evidence, Item, Metric, Summary, Target

OutputFormat = Literal["json", "jsonl", "yaml", "md", "csv"]
EXTENSIONS: dict[str, str] = {"json": ".json", "jsonl": ".jsonl", "yaml": ".yaml", "md": ".md", "csv": ".csv"}

CSV_COLUMNS = (
    "document",
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
    raise ValueError(f"unknown format {fmt!r}")


def csv_table(summaries: Iterable[Summary]) -> str:
    """All metrics and targets of a batch in one table, for analysts' spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for summary in summaries:
        writer.writerows(csv_rows(summary))
    return buffer.getvalue()


def csv_rows(summary: Summary) -> list[list[str]]:
    document = summary.source.path or summary.source.sha256[:12]
    rows = []
    for metric in summary.metrics:
        rows.append(_row(document, "metric", metric, metric.period, measure=""))
    for target in summary.targets:
        rows.append(_row(document, "target", target, target.horizon, measure=target.measure))
    return rows


def _row(document: str, section: str, item: Metric | Target, when: str | None, *, measure: str) -> list[str]:
    growth_pct = item.growth_pct if isinstance(item, Metric) else None
    growth_pp = item.growth_pp if isinstance(item, Metric) else None
    return [
        document,
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


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


_QUALIFIER_WORDS = {"exact": "", "approx": "左右", "more_than": "以上", "less_than": "以下", "range": "(区间)"}
_MEASURE_WORDS = {"level": "总量", "growth": "增速", "rank": "排名", "count": "数量"}


def markdown_report(summary: Summary) -> str:
    """A readable report for a person: meta, a metrics table, targets, the three lists, with quoted evidence."""
    meta = summary.meta
    title = meta.title or meta.meeting_name or summary.source.path or "摘要"
    lines = [f"# {title}", ""]
    facts = [
        ("来源文件", summary.source.path),
        ("单位", meta.organization),
        ("城市", meta.city),
        ("会议", meta.meeting_name),
        ("会议日期", meta.meeting_date.isoformat() if meta.meeting_date else None),
        ("报告期", meta.report_period),
        ("发布日期", meta.publish_date.isoformat() if meta.publish_date else None),
        ("发布来源", meta.source),
    ]
    lines += [f"- **{label}**: {value}" for label, value in facts if value]
    lines.append("")
    lines += _metrics_section(summary.metrics)
    lines += _targets_section(summary.targets)
    for heading, items in (("成绩亮点", summary.achievements), ("问题短板", summary.problems), ("下步任务", summary.tasks)):
        lines += _items_section(heading, items)
    lines += _diagnostics_section(summary)
    return "\n".join(lines).rstrip() + "\n"


def _metrics_section(metrics: list[Metric]) -> list[str]:
    lines = [f"## 主要指标 ({len(metrics)})", ""]
    if not metrics:
        return [*lines, "(无)", ""]
    lines += ["| 指标 | 数值 | 同比 | 时期 | 依据 |", "|---|---|---|---|---|"]
    for metric in metrics:
        value = f"{_number(metric.value)}{metric.unit or ''}{_QUALIFIER_WORDS[metric.qualifier]}" if metric.value is not None else ""
        growth = _growth(metric)
        lines.append(f"| {_cell(metric.name)} | {value} | {growth} | {_cell(metric.period or '')} | {_quote(metric.evidence)} |")
    return [*lines, ""]


def _growth(metric: Metric) -> str:
    parts = []
    if metric.growth_pct is not None:
        parts.append(f"{metric.growth_pct:+g}%")
    if metric.growth_pp is not None:
        parts.append(f"{metric.growth_pp:+g}个百分点")
    return " ".join(parts)


def _targets_section(targets: list[Target]) -> list[str]:
    lines = [f"## 目标 ({len(targets)})", ""]
    if not targets:
        return [*lines, "(无)", ""]
    lines += ["| 目标 | 类型 | 数值 | 期限 | 依据 |", "|---|---|---|---|---|"]
    for target in targets:
        if target.qualifier == "range" and target.low is not None and target.high is not None:
            value = f"{_number(target.low)}–{_number(target.high)}{target.unit or ''}"
        elif target.value is not None:
            value = f"{_number(target.value)}{target.unit or ''}{_QUALIFIER_WORDS[target.qualifier]}"
        else:
            value = ""
        lines.append(
            f"| {_cell(target.name)} | {_MEASURE_WORDS[target.measure]} | {value} | {_cell(target.horizon or '')} | {_quote(target.evidence)} |"
        )
    return [*lines, ""]


def _items_section(heading: str, items: list[Item]) -> list[str]:
    lines = [f"## {heading} ({len(items)})", ""]
    if not items:
        return [*lines, "(无)", ""]
    for item in items:
        lines.append(f"- {item.text}")
        if _as_written(item.evidence) != item.text:
            lines.append(f"  > {_as_written(item.evidence)} [{item.evidence.start}:{item.evidence.end}]")
    return [*lines, ""]


def _diagnostics_section(summary: Summary) -> list[str]:
    diagnostics = summary.diagnostics
    backend = diagnostics.backend + (f" ({diagnostics.model})" if diagnostics.model else "")
    lines = ["---", "", f"后端: {backend}"]
    if diagnostics.prompt_version:
        lines.append(f"提示词版本: {diagnostics.prompt_version}")
    if diagnostics.dropped:
        lines += ["", f"未通过核验而删除的条目 ({len(diagnostics.dropped)}):"]
        for dropped in diagnostics.dropped:
            shown = json.dumps(dropped.item, ensure_ascii=False)[:120]
            lines.append(f"- [{dropped.section}] {shown}: {'; '.join(dropped.reasons)}")
    lines += [f"- 提示: {warning}" for warning in diagnostics.warnings]
    return [*lines, ""]


def _quote(evidence: Evidence) -> str:
    return f"“{_cell(_as_written(evidence))}” [{evidence.start}:{evidence.end}]"


def _as_written(evidence: Evidence) -> str:
    """A reader compares a quote with the page, so it is shown in the page's own script."""
    return evidence.written or evidence.quote


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")

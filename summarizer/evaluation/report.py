"""Reports of a run: Markdown for people, JSON and JUnit XML (:mod:`.junit`) for CI (and an HTML page: report_html)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Literal

from summarizer.evaluation.gate import GateResult
from summarizer.evaluation.junit import render_junit
from summarizer.evaluation.runner import EvalRun
from summarizer.evaluation.scorers import Diff, Scores

ReportFormat = Literal["md", "json", "junit", "html"]
_OUTCOME_TITLES = {
    "missed": "missed",
    "extra": "extra",
    "wrong_value": "wrong value",
    "unsupported_number": "unsupported number",
    "bad_span": "bad span",
    "wrong_meta": "wrong meta",
}


def render_report(run: EvalRun, gate: GateResult | None, fmt: ReportFormat) -> str:
    if fmt == "md":
        return render_markdown(run, gate)
    if fmt == "json":
        return render_json(run, gate)
    if fmt == "html":  # its own module: the page, its template and the side-by-side pairing
        from summarizer.evaluation.report_html import render_html

        return render_html(run, gate)
    return render_junit(run, gate)


def render_markdown(run: EvalRun, gate: GateResult | None = None) -> str:
    totals = run.totals()
    statuses = ("scored", "failed", "skipped", "error")
    counted = {status: sum(d.status == status for d in run.documents) for status in statuses}
    lines = [
        f"# Evaluation of backend `{run.backend}`",
        "",
        "Fixtures: " + ", ".join(f"{n} {status}" for status, n in counted.items() if n) + ".",
    ]
    lines += [f"> {note}" for note in run.notes]
    lines += ["", "## Scores", "", *_sections_table(totals), "", *_ratios_table(totals)]
    lines += ["", "### Per field", "", *_counts_table(totals)]
    lines += ["", "### Items and coverage", "", *_items_table(run), "", "## Usage", ""]
    lines.append(_usage_line(run))
    if gate is not None:
        lines += ["", "## Gate", "", "**PASSED**" if gate.passed else "**FAILED**", ""]
        lines += [f"- FAIL: {failure}" for failure in gate.failures]
        lines += [f"- note: {note}" for note in gate.notes]
    lines += ["", "## Per-document differences"]
    for document in run.documents:
        lines += ["", f"### {document.fixture_id} ({document.status})"]
        if document.reason:
            lines.append(f"_{document.reason}_")
        diffs = document.scores.diffs + document.quantity_scores.diffs
        if document.status in ("scored", "failed") and not diffs:
            lines.append("No differences.")
        lines += [_diff_line(diff) for diff in diffs]
    return "\n".join(lines) + "\n"


def _sections_table(scores: Scores) -> list[str]:
    """One row per section with its outcome classes: TP, wrong value, extra, missed."""
    outcomes = Counter((diff.section, diff.outcome) for diff in scores.diffs)
    rows = [
        "| Section | P | R | F1 | TP | wrong value | extra | missed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for section, counts in sorted((k, c) for k, c in scores.counts.items() if "." not in k):
        rows.append(
            f"| {section} | {counts.precision:.3f} | {counts.recall:.3f} | {counts.f1:.3f} | {counts.tp} | "
            f"{outcomes[section, 'wrong_value']} | {outcomes[section, 'extra']} | {outcomes[section, 'missed']} |"
        )
    return rows


def _counts_table(scores: Scores) -> list[str]:
    rows = ["| Section | Field | P | R | F1 | TP | FP | FN |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for key, counts in sorted((k, c) for k, c in scores.counts.items() if "." in k):
        section, _, field_name = key.partition(".")
        rows.append(
            f"| {section} | {field_name} | {counts.precision:.3f} | {counts.recall:.3f} | "
            f"{counts.f1:.3f} | {counts.tp} | {counts.fp} | {counts.fn} |"
        )
    return rows


#: Sections whose items are free phrases: scored one-to-one (F1) and by coverage.
PHRASE_SECTIONS = ("achievements", "problems", "tasks")
ITEM_SECTIONS = ("metrics", "targets", *PHRASE_SECTIONS)


def item_counts(scores: Scores) -> dict[str, dict[str, float | int]]:
    """Per section: items predicted and labelled, one-to-one pairs, and (phrases) coverage.

    Fewer predicted than labelled items with coverage well above recall is over-merging; more
    predicted items with low coverage is over-splitting (or noise).
    """
    items: dict[str, dict[str, float | int]] = {}
    for section in ITEM_SECTIONS:
        counts = scores.counts.get(section)
        if counts is None:
            continue
        entry: dict[str, float | int] = {"predicted": counts.tp + counts.fp, "gold": counts.tp + counts.fn,
                                         "tp": counts.tp}
        coverage = scores.ratios.get(f"{section}.coverage")
        if coverage is not None:
            entry.update(covered=coverage.hits, coverage=coverage.value)
        items[section] = entry
    return items


def _items_table(run: EvalRun) -> list[str]:
    """Per document and in total: predicted / labelled items and coverage of each phrase section."""
    header = "| Document | " + " | ".join(f"{s} pred / gold | {s} coverage" for s in PHRASE_SECTIONS) + " |"
    rows = [header, "|---|" + "---:|---:|" * len(PHRASE_SECTIONS)]

    def row(name: str, scores: Scores) -> str:
        items = item_counts(scores)
        cells = []
        for section in PHRASE_SECTIONS:
            entry = items.get(section)
            if entry is None:
                cells += ["–", "–"]
            else:
                cells += [f"{entry['predicted']} / {entry['gold']}",
                          f"{entry['coverage']:.3f} ({entry['covered']}/{entry['gold']})"]
        return f"| {name} | " + " | ".join(cells) + " |"

    rows.append(row("**all**", run.totals()))
    rows += [row(d.fixture_id, d.scores) for d in run.documents if d.status in ("scored", "failed")]
    return rows


def _ratios_table(scores: Scores) -> list[str]:
    rows = ["| Score | Value | Hits / total |", "|---|---:|---:|"]
    for key, ratio in sorted(scores.ratios.items()):
        rows.append(f"| {key} | {ratio.value:.3f} | {ratio.hits} / {ratio.total} |")
    return rows


def _usage_line(run: EvalRun) -> str:
    usage = run.usage()
    cost = "unknown (no price set)" if usage.cost is None else f"{usage.cost:.4f}"
    return (
        f"Requests: {usage.requests}, prompt tokens: {usage.prompt_tokens}, "
        f"completion tokens: {usage.completion_tokens}, cost: {cost}."
    )


def _diff_line(diff: Diff) -> str:
    parts = [f"- **{diff.section}** {_OUTCOME_TITLES[diff.outcome]}"]
    if diff.detail:
        parts.append(f"({diff.detail})")
    if diff.gold is not None:
        parts.append(f"expected `{diff.gold}`")
    if diff.predicted is not None:
        parts.append(f"got `{diff.predicted}`")
    if diff.evidence:
        parts.append(f"— evidence: 「{diff.evidence}」")
    return " ".join(parts)


def report_data(run: EvalRun, gate: GateResult | None = None) -> dict[str, object]:
    totals = run.totals()
    usage = run.usage()
    return {
        "backend": run.backend,
        "notes": run.notes,
        "scores": run.scores(),
        "counts": {k: {"tp": c.tp, "fp": c.fp, "fn": c.fn} for k, c in sorted(totals.counts.items())},
        "items": item_counts(totals),
        "usage": usage.model_dump(),
        "gate": None if gate is None else {"passed": gate.passed, "failures": gate.failures, "notes": gate.notes},
        "documents": [
            {
                "id": d.fixture_id,
                "fixture": str(d.fixture_path),
                "status": d.status,
                "reason": d.reason,
                "seconds": round(d.seconds, 3),
                "scores": (d.scores + d.quantity_scores).flat() if d.status in ("scored", "failed") else {},
                "items": item_counts(d.scores) if d.status in ("scored", "failed") else {},
                "diffs": [vars(diff) for diff in d.scores.diffs + d.quantity_scores.diffs],
            }
            for d in run.documents
        ],
    }


def render_json(run: EvalRun, gate: GateResult | None = None) -> str:
    return json.dumps(report_data(run, gate), ensure_ascii=False, indent=2) + "\n"

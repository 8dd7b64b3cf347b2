"""Run checks: summarise each check's text with a backend and judge every expectation.

Each expectation reports what it expected and what the summary actually said, so a failing
check reads as a bug report. A check marked ``xfail`` that fails is an expected failure; one that
passes fails, so the marker cannot outlive the bug it names.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from summarizer.document import Document, document_from_text, load_document
from summarizer.errors import SummarizerError
from summarizer.evaluation.check_file import (
    AtMost,
    Expectation,
    LoadedCheck,
    MetricExpectation,
    TargetExpectation,
)
from summarizer.evaluation.matching import to_simplified
from summarizer.evaluation.numbers import close, same_quantity
from summarizer.evaluation.runner import BackendUnavailable, resolve_predictor
from summarizer.evaluation.scorers import score_faithfulness
from summarizer.indicators import canonical_name
from summarizer.schema import Metric, Summary, Target

Predictor = Callable[[Document], Summary]
CheckStatus = Literal["passed", "failed", "xfailed", "xpassed", "error"]
#: Backends a check can run: the ones that summarise a text they have not seen labelled.
CHECK_BACKENDS = ("rules", "llm", "baseline")


@dataclass(frozen=True)
class ExpectationResult:
    kind: str
    passed: bool
    expected: str
    actual: str


@dataclass
class CheckResult:
    id: str
    status: CheckStatus
    expectations: list[ExpectationResult] = field(default_factory=list)
    reason: str | None = None
    xfail: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Does this result keep a run green? An expected failure does; an unexpected pass does not."""
        return self.status in ("passed", "xfailed")

    def failure_message(self) -> str:
        if self.reason:
            return self.reason
        return "; ".join(f"{r.kind}: expected {r.expected}, got {r.actual}" for r in self.expectations if not r.passed)


def check_predictor(backend: str, config: Any = None) -> Predictor:
    if backend not in CHECK_BACKENDS:
        raise BackendUnavailable(backend, f"checks run with one of {', '.join(CHECK_BACKENDS)}")
    return resolve_predictor(backend, [], config)


def run_checks(checks: Sequence[LoadedCheck], predict: Predictor, backend: str) -> list[CheckResult]:
    return [run_check(loaded, predict, backend) for loaded in checks]


def run_check(loaded: LoadedCheck, predict: Predictor, backend: str) -> CheckResult:
    """One check: an unusable file or a crashing backend is an error (never an expected failure)."""
    if loaded.check is None:
        return CheckResult(loaded.id, "error", reason=loaded.error)
    check = loaded.check
    started = time.perf_counter()
    try:
        document_path = loaded.document_path
        if document_path is not None:
            document = load_document(document_path)
        else:
            document = document_from_text(check.text or "", name=f"check:{loaded.id}")
    except SummarizerError as exc:
        return CheckResult(loaded.id, "error", reason=f"cannot load the document: {exc}", xfail=check.xfail)
    try:
        summary = predict(document)
    except Exception as exc:  # noqa: BLE001 - the code under test failing is a result, not a crash
        return CheckResult(loaded.id, "error", reason=f"{backend} failed: {type(exc).__name__}: {exc}",
                           xfail=check.xfail, seconds=time.perf_counter() - started)
    results = [judge(expectation, summary, document) for expectation in check.expect]
    passed = all(r.passed for r in results)
    status: CheckStatus
    if check.xfail:
        status = "xpassed" if passed else "xfailed"
    else:
        status = "passed" if passed else "failed"
    result = CheckResult(loaded.id, status, results, xfail=check.xfail, seconds=time.perf_counter() - started)
    if status == "xpassed":
        result.reason = f"marked xfail ({check.xfail}) but every expectation holds: remove the marker"
    return result


def judge(expectation: Expectation, summary: Summary, document: Document) -> ExpectationResult:
    if expectation.metric is not None:
        return _judge_metric(expectation.metric, summary.metrics)
    if expectation.target is not None:
        return _judge_target(expectation.target, summary.targets)
    if expectation.no_metric is not None:
        return _judge_no_metric(expectation.no_metric, summary.metrics)
    if expectation.no_target:
        return ExpectationResult("no_target", not summary.targets, "no target", _targets_line(summary.targets))
    if expectation.task_contains is not None:
        return _judge_task(expectation.task_contains, summary)
    if expectation.at_most is not None:
        return _judge_count(expectation.at_most, summary)
    return _judge_faithful(summary, document)


def _canonical(name: str | None) -> str | None:
    return canonical_name(to_simplified(name)) if name else None


def _same_name(expected: str, name: str, canonical: str | None) -> bool:
    wanted = _canonical(expected)
    return wanted in (_canonical(name), _canonical(canonical))


def _judge_metric(expected: MetricExpectation, metrics: Sequence[Metric]) -> ExpectationResult:
    described = _describe(expected.name, expected.value, expected.unit, expected.growth_pct, expected.growth_pp)
    if expected.qualifier is not None:
        described += f" ({expected.qualifier})"
    named = [m for m in metrics if _same_name(expected.name, m.name, m.canonical_name)]
    for metric in named:
        value_ok = expected.value is None or same_quantity(expected.value, expected.unit, metric.value, metric.unit)
        qualifier_ok = expected.qualifier is None or metric.qualifier == expected.qualifier
        growth_ok = _agrees(expected.growth_pct, metric.growth_pct) and _agrees(expected.growth_pp, metric.growth_pp)
        if value_ok and growth_ok and qualifier_ok:
            return ExpectationResult("metric", True, described, _metric_line(metric))
    shown = named or list(metrics)
    actual = "; ".join(_metric_line(m) for m in shown) if shown else "no metric"
    if not named and metrics:
        actual = f"no metric named so (metrics: {actual})"
    return ExpectationResult("metric", False, described, actual)


def _judge_no_metric(name: str, metrics: Sequence[Metric]) -> ExpectationResult:
    named = [m for m in metrics if _same_name(name, m.name, m.canonical_name)]
    actual = "; ".join(_metric_line(m) for m in named) if named else "none"
    return ExpectationResult("no_metric", not named, f"no metric named {name}", actual)


def _judge_target(expected: TargetExpectation, targets: Sequence[Target]) -> ExpectationResult:
    described = _describe(expected.name or "any target", expected.value, expected.unit)
    if expected.cue:
        described += f" with cue {expected.cue}"
    for target in targets:
        if expected.name is not None and not _same_name(expected.name, target.name, target.canonical_name):
            continue
        if expected.cue is not None and to_simplified(target.cue or "") != expected.cue:
            continue
        if expected.value is not None and not same_quantity(expected.value, expected.unit, target.value, target.unit):
            continue
        return ExpectationResult("target", True, described, _target_line(target))
    return ExpectationResult("target", False, described, _targets_line(targets))


def _judge_task(phrase: str, summary: Summary) -> ExpectationResult:
    wanted = to_simplified(phrase)
    tasks = [item.text for item in summary.tasks]
    hit = next((text for text in tasks if wanted in to_simplified(text)), None)
    actual = hit or ("; ".join(tasks) if tasks else "no task")
    return ExpectationResult("task_contains", hit is not None, f"a task containing 「{phrase}」", actual)


def _judge_count(limit: AtMost, summary: Summary) -> ExpectationResult:
    found = len(getattr(summary, limit.section))
    return ExpectationResult("at_most", found <= limit.items, f"at most {limit.items} {limit.section}",
                             f"{found} {limit.section}")


def _judge_faithful(summary: Summary, document: Document) -> ExpectationResult:
    scores = score_faithfulness(summary, document)
    unsupported = [d for d in scores.diffs if d.outcome == "unsupported_number"]
    actual = "; ".join(f"{d.predicted} ({d.detail})" for d in unsupported) if unsupported else "every number supported"
    return ExpectationResult("faithful", not unsupported, "no number the text lacks", actual)


def _agrees(expected: float | None, actual: float | None) -> bool:
    return expected is None or (actual is not None and close(expected, actual))


def _describe(name: str, value: float | None, unit: str | None, growth_pct: float | None = None,
              growth_pp: float | None = None) -> str:
    parts = [name]
    if value is not None:
        parts.append(f"{value:g}{unit or ''}")
    if growth_pct is not None:
        parts.append(f"growth {growth_pct:g}%")
    if growth_pp is not None:
        parts.append(f"growth {growth_pp:g}pp")
    return " ".join(parts)


def _metric_line(metric: Metric) -> str:
    line = _describe(metric.canonical_name or metric.name, metric.value, metric.unit, metric.growth_pct, metric.growth_pp)
    return line if metric.qualifier == "exact" else f"{line} ({metric.qualifier})"


def _target_line(target: Target) -> str:
    line = _describe(target.canonical_name or target.name, target.value, target.unit)
    return f"{line} with cue {target.cue}" if target.cue else line


def _targets_line(targets: Sequence[Target]) -> str:
    return "; ".join(_target_line(t) for t in targets) if targets else "no target"

"""JUnit XML of an eval run, shaped for CI screens (GitLab, Jenkins, GitHub test reporters).

A screen charts testcase properties and lists failing testcases by name, so:

- each fixture × section (metrics, targets, achievements, problems, tasks, meta, faithfulness,
  quantities ...) is a testcase under ``eval.<backend>.fixture.<id>`` with its scores as
  properties; it fails when the backend failed on the fixture, is skipped when its document is
  absent. Per-fixture scores are not gated (no per-fixture baseline is blessed), so they chart,
  they do not fail;
- each rule the gate applied (a floor, the drift from the blessed baseline, the lead over the
  keyword baseline) is a testcase under ``eval.<backend>.gate`` that fails with the actual and
  expected score and the tolerance;
- ``gate`` is the verdict, failing with every reason, including those that are no single rule
  (a failed fixture, a stale baseline, nothing scored).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from summarizer.evaluation.gate import GateResult, RuleOutcome
from summarizer.evaluation.runner import DocumentResult, EvalRun
from summarizer.evaluation.scorers import Scores

_RULE_TITLES = {"floor": "floor", "baseline": "baseline drift", "beats_keyword_baseline": "lead over keyword baseline"}


def render_junit(run: EvalRun, gate: GateResult | None = None) -> str:
    suite = ET.Element("testsuite", name=f"summarizer-eval-{run.backend}")
    tally = {"failures": 0, "skipped": 0}
    for document in run.documents:
        for case, outcome in _fixture_cases(run.backend, document):
            suite.append(case)
            if outcome:
                tally[outcome] += 1
    if gate is not None:
        for rule in gate.rules:
            suite.append(_rule_case(run.backend, rule))
            tally["failures"] += not rule.passed
        verdict = ET.SubElement(suite, "testcase", classname=f"eval.{run.backend}", name="gate")
        if not gate.passed:
            tally["failures"] += 1
            ET.SubElement(verdict, "failure", message="; ".join(gate.failures))
        if gate.notes:
            ET.SubElement(verdict, "system-out").text = "\n".join(gate.notes)
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(tally["failures"]))
    suite.set("skipped", str(tally["skipped"]))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _fixture_cases(backend: str, document: DocumentResult) -> list[tuple[ET.Element, str | None]]:
    """One testcase per section the fixture was scored on; a single one when it was not scored."""
    classname = f"eval.{backend}.fixture.{document.fixture_id}"
    sections = _section_properties(document.scores + document.quantity_scores)
    if document.status in ("skipped", "error") or not sections:
        case = ET.Element("testcase", classname=classname, name="document", time=f"{document.seconds:.3f}")
        if document.status == "skipped":
            ET.SubElement(case, "skipped", message=document.reason or "skipped")
            return [(case, "skipped")]
        if document.status in ("error", "failed"):
            ET.SubElement(case, "failure", message=document.reason or document.status)
            return [(case, "failures")]
        return [(case, None)]
    cases: list[tuple[ET.Element, str | None]] = []
    for section, properties in sorted(sections.items()):
        case = ET.Element("testcase", classname=classname, name=section, time=f"{document.seconds:.3f}")
        listed = ET.SubElement(case, "properties")
        for name, value in sorted(properties.items()):
            ET.SubElement(listed, "property", name=name, value=_number(value))
        if document.status == "failed":
            ET.SubElement(case, "failure", message=f"{section} scored as missed: {document.reason}")
            cases.append((case, "failures"))
        else:
            cases.append((case, None))
    return cases


def _section_properties(scores: Scores) -> dict[str, dict[str, float | int]]:
    """Scores grouped by their first name part: ``metrics`` holds f1, value.f1, tp, fp, fn ..."""
    grouped: dict[str, dict[str, float | int]] = defaultdict(dict)
    for key, value in scores.flat().items():
        section, _, rest = key.partition(".")
        grouped[section][rest] = value
    for key, counts in scores.counts.items():
        section, _, field_name = key.partition(".")
        prefix = f"{field_name}." if field_name else ""
        grouped[section].update({f"{prefix}tp": counts.tp, f"{prefix}fp": counts.fp, f"{prefix}fn": counts.fn})
    for key, ratio in scores.ratios.items():
        section, _, rest = key.partition(".")
        grouped[section].update({f"{rest}.hits": ratio.hits, f"{rest}.total": ratio.total})
    return dict(grouped)


def _rule_case(backend: str, rule: RuleOutcome) -> ET.Element:
    case = ET.Element("testcase", classname=f"eval.{backend}.gate",
                      name=f"{_RULE_TITLES[rule.rule]} {rule.section} {rule.score}")
    listed = ET.SubElement(case, "properties")
    for name, value in (("actual", rule.actual), ("expected", rule.expected), ("tolerance", rule.tolerance)):
        ET.SubElement(listed, "property", name=name, value=_number(value))
    if not rule.passed:
        ET.SubElement(case, "failure", message=_failure_message(rule))
    return case


def _failure_message(rule: RuleOutcome) -> str:
    """Actual, expected and tolerance, in the words of the gate's own failure line."""
    return (f"{rule.section}: {rule.score} = {rule.actual:.3f}, expected {rule.expected:.3f} with tolerance "
            f"{rule.tolerance:.3f} (at least {rule.expected - rule.tolerance:.3f}; {_RULE_TITLES[rule.rule]})")


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.4f}"

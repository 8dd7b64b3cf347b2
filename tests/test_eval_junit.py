"""The eval's JUnit, read back as a CI screen reads it (junitparser): one testcase per fixture ×
section with its scores as properties, one per gate rule failing with actual, expected and tolerance."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Properties, Property, Skipped, TestCase

from summarizer.evaluation import evaluate, run_eval
from summarizer.evaluation.gate import Thresholds, bless, check
from summarizer.evaluation.junit import render_junit
from summarizer.evaluation.runner import EvalRun
from summarizer.schema import Summary

FIXTURES = Path(__file__).parent / "data" / "eval" / "fixtures"


def _cases(xml_text: str, tmp_path: Path) -> dict[tuple[str, str], TestCase]:
    path = tmp_path / "report.xml"
    path.write_text(xml_text, encoding="utf-8")
    return {(case.classname, case.name): case for suite in JUnitXml.fromfile(str(path)) for case in suite}


def _failure(case: TestCase) -> str | None:
    return next((r.message for r in case.result if isinstance(r, Failure)), None)


def _properties(case: TestCase) -> dict[str, str]:
    listed = case.child(Properties)
    return {} if listed is None else {p.name: p.value for p in listed.iterchildren(Property)}


@pytest.fixture(scope="module")
def baseline_run() -> EvalRun:
    return evaluate("baseline", FIXTURES)


def test_each_fixture_section_is_a_testcase_with_its_scores(baseline_run: EvalRun, tmp_path: Path) -> None:
    cases = _cases(render_junit(baseline_run, check(baseline_run, Thresholds(0.02, {}), {})), tmp_path)
    for document in baseline_run.documents:
        classname = f"eval.baseline.fixture.{document.fixture_id}"
        sections = {name for cls, name in cases if cls == classname}
        assert {"metrics", "targets", "tasks", "faithfulness", "quantities"} <= sections
        metrics = _properties(cases[classname, "metrics"])
        expected = document.scores.counts["metrics"]
        assert float(metrics["f1"]) == pytest.approx(expected.f1, abs=1e-4)
        assert (int(metrics["tp"]), int(metrics["fp"]), int(metrics["fn"])) == (expected.tp, expected.fp, expected.fn)
        assert "value.f1" in metrics
        assert all(_failure(cases[classname, s]) is None for s in sections)


def test_a_rule_under_its_bar_fails_its_own_testcase_with_actual_expected_and_tolerance(
    baseline_run: EvalRun, tmp_path: Path
) -> None:
    blessed_file = tmp_path / "baseline.json"
    bless(baseline_run, blessed_file)
    blessed = json.loads(blessed_file.read_text(encoding="utf-8"))
    before = blessed["baseline"]["scores"]["tasks.f1"]
    blessed["baseline"]["scores"]["tasks.f1"] = before + 0.5  # the run now looks 0.5 worse than blessed
    thresholds = Thresholds(0.03, {"baseline": {"metrics.f1": 1.0, "tasks.f1": 0.0}})

    cases = _cases(render_junit(baseline_run, check(baseline_run, thresholds, blessed)), tmp_path)

    drift = cases["eval.baseline.gate", "baseline drift baseline tasks.f1"]
    message = _failure(drift)
    assert message is not None
    assert f"= {before:.3f}" in message and f"expected {before + 0.5:.3f}" in message and "tolerance 0.030" in message
    assert float(_properties(drift)["tolerance"]) == pytest.approx(0.03)
    floor = cases["eval.baseline.gate", "floor baseline metrics.f1"]
    assert "expected 1.000 with tolerance 0.000" in (_failure(floor) or "")
    assert _failure(cases["eval.baseline.gate", "floor baseline tasks.f1"]) is None
    assert _failure(cases["eval.baseline.gate", "baseline drift baseline metrics.f1"]) is None
    assert _failure(cases["eval.baseline", "gate"]) is not None


def test_a_fixture_the_backend_failed_on_fails_every_section(tmp_path: Path) -> None:
    def crash(document: object) -> Summary:
        raise RuntimeError("boom")

    run = evaluate("rules", FIXTURES, predictor=crash)
    cases = _cases(render_junit(run, None), tmp_path)
    fixture_cases = [case for (cls, _), case in cases.items() if cls.startswith("eval.rules.fixture.")]
    assert fixture_cases and all("boom" in (_failure(case) or "") for case in fixture_cases)


def test_an_absent_document_is_one_failing_testcase_or_skipped_when_allowed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text((FIXTURES / "binhe-q1.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for allow_missing, outcome in ((False, Failure), (True, Skipped)):
        run = evaluate("baseline", tmp_path, allow_missing=allow_missing)
        cases = _cases(render_junit(run, None), tmp_path)
        (case,) = [c for (cls, _), c in cases.items() if cls.startswith("eval.baseline.fixture.")]
        assert case.name == "document" and any(isinstance(r, outcome) for r in case.result)


def test_run_eval_writes_the_junit_a_screen_reads(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("tolerance: 0.02\nbaseline:\n  tasks.f1: 1.0\n", encoding="utf-8")
    code = run_eval("baseline", fixtures=FIXTURES, thresholds=thresholds, no_baseline=True,
                    report="junit", out=tmp_path / "out", stdout=io.StringIO(), stderr=io.StringIO())
    assert code == 1
    report = next((tmp_path / "out").glob("eval-baseline*.xml"))
    cases = _cases(report.read_text(encoding="utf-8"), tmp_path)
    assert "tasks.f1 = " in (_failure(cases["eval.baseline.gate", "floor baseline tasks.f1"]) or "")

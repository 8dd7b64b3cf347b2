"""The run, its reports and its gate, on the harness's own test fixtures (tests/data/eval)."""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from summarizer.document import Document
from summarizer.evaluation import (
    BaselineBackend,
    EvalRun,
    bless,
    check,
    evaluate,
    load_baseline,
    load_thresholds,
    render_json,
    render_junit,
    render_markdown,
    run_eval,
)
from summarizer.evaluation.gate import Thresholds
from summarizer.schema import Summary

DATA = Path(__file__).parent / "data" / "eval"
FIXTURES = DATA / "fixtures"


@pytest.fixture(scope="module")
def oracle_run() -> EvalRun:
    return evaluate("oracle", FIXTURES)


@pytest.fixture(scope="module")
def baseline_run() -> EvalRun:
    return evaluate("baseline", FIXTURES)


def test_the_oracle_run_scores_one_on_every_backend_score(oracle_run: EvalRun) -> None:
    assert [d.status for d in oracle_run.documents] == ["scored", "scored"]
    backend_scores = {k: v for k, v in oracle_run.scores().items() if not k.startswith("quantities")}
    assert backend_scores and all(value == 1.0 for value in backend_scores.values())


def test_the_pre_extractor_is_scored_against_the_labelled_mentions(oracle_run: EvalRun) -> None:
    counts = oracle_run.totals().counts["quantities"]
    assert counts.tp + counts.fn == 10  # binhe-q1 labels ten mentions, quiet-meeting none


def test_an_absent_document_fails_unless_allowed_and_a_broken_fixture_is_an_error(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "binhe-q1.yaml", tmp_path / "a.yaml")  # its ../docs/ path is absent here
    (tmp_path / "b.yaml").write_text("id: b\ndocument: x.txt\nsummary: {metricz: []}\n", encoding="utf-8")
    strict = {d.fixture_id: (d.status, d.reason or "") for d in evaluate("baseline", tmp_path).documents}
    assert strict["binhe-q1"][0] == "error" and "--allow-missing" in strict["binhe-q1"][1]
    run = evaluate("baseline", tmp_path, allow_missing=True)
    statuses = {d.fixture_id: (d.status, d.reason or "") for d in run.documents}
    assert statuses["binhe-q1"][0] == "skipped" and "not found" in statuses["binhe-q1"][1]
    assert statuses["b"][0] == "error" and "metricz" in statuses["b"][1]
    gate = check(run, Thresholds(0.02, {}), {})
    assert any("fixture b" in failure for failure in gate.failures)
    assert "no fixture could be scored" in gate.failures
    assert any("binhe-q1 skipped" in note for note in gate.notes)


def test_a_changed_document_is_an_error_not_a_silent_mismatch(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "binhe-q1.txt").write_text("完全不同的文本。", encoding="utf-8")
    (tmp_path / "fixtures").mkdir()
    shutil.copy(FIXTURES / "binhe-q1.yaml", tmp_path / "fixtures" / "binhe-q1.yaml")
    [result] = evaluate("baseline", tmp_path / "fixtures").documents
    assert result.status == "error" and "sha256" in (result.reason or "")


def test_a_backend_that_raises_loses_the_documents_labels(tmp_path: Path) -> None:
    def broken(document: Document) -> Summary:
        raise RuntimeError("model server down")

    run = evaluate("rules", FIXTURES, predictor=broken)
    assert {d.status for d in run.documents} == {"failed"}
    assert run.scores()["metrics.recall"] == 0.0
    gate = check(run, Thresholds(0.02, {}), {})
    assert any("model server down" in failure for failure in gate.failures)


def test_a_run_with_broken_fixtures_is_never_blessed(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("id: b\ndocument: x.txt\nsummary: {metricz: []}\n", encoding="utf-8")
    (tmp_path / "q.yaml").write_text(
        (FIXTURES / "quiet-meeting.yaml").read_text(encoding="utf-8").replace("../docs/", f"{DATA / 'docs'}/"),
        encoding="utf-8",
    )
    err = io.StringIO()
    code = run_eval("baseline", fixtures=tmp_path, baseline=tmp_path / "baseline.json", bless_baseline=True,
                    thresholds=tmp_path / "thresholds.yaml", stdout=io.StringIO(), stderr=err)
    assert code == 2 and "thresholds.yaml" in err.getvalue()  # a missing thresholds file is a usage error
    (tmp_path / "thresholds.yaml").write_text("tolerance: 0.02\n", encoding="utf-8")
    code = run_eval("baseline", fixtures=tmp_path, baseline=tmp_path / "baseline.json", bless_baseline=True,
                    thresholds=tmp_path / "thresholds.yaml", stdout=io.StringIO(), stderr=err)
    assert code == 1 and not (tmp_path / "baseline.json").exists() and "not blessing" in err.getvalue()


def test_thresholds_fail_the_gate_and_say_which_score(baseline_run: EvalRun) -> None:
    score = baseline_run.scores()["tasks.f1"]
    passing = check(baseline_run, Thresholds(0.02, {"baseline": {"tasks.f1": score}}), {})
    failing = check(baseline_run, Thresholds(0.02, {"baseline": {"tasks.f1": score + 0.01}}), {})
    assert passing.passed
    assert not failing.passed and "tasks.f1" in failing.failures[0] and "threshold" in failing.failures[0]
    typo = check(baseline_run, Thresholds(0.02, {"baseline": {"task.f1": 0.1}}), {})
    assert any("task.f1" in failure for failure in typo.failures)


def test_a_score_too_far_below_the_blessed_baseline_fails(baseline_run: EvalRun, tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    bless(baseline_run, path)
    blessed = load_baseline(path)
    assert blessed["baseline"]["fixtures"] == ["binhe-q1", "quiet-meeting"]
    assert check(baseline_run, Thresholds(0.02, {}), blessed).passed
    blessed["baseline"]["scores"]["tasks.f1"] = baseline_run.scores()["tasks.f1"] + 0.05  # type: ignore[index]
    result = check(baseline_run, Thresholds(0.02, {}), blessed)
    assert not result.passed and "below the baseline" in result.failures[0] and "tasks.f1" in result.failures[0]
    blessed["baseline"]["fixtures"] = ["some-other-fixture"]
    stale = check(baseline_run, Thresholds(0.02, {}), blessed)
    assert any("stale" in failure and "--bless" in failure for failure in stale.failures)


def test_a_baseline_comparison_is_excused_only_by_absent_documents(tmp_path: Path, baseline_run: EvalRun) -> None:
    for name in ("binhe-q1.yaml", "quiet-meeting.yaml"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("../docs/", f"{DATA / 'docs'}/"), encoding="utf-8")
    (tmp_path / "gone.yaml").write_text("id: gone\ndocument: seeds/not-here.txt\n", encoding="utf-8")
    path = tmp_path / "baseline.json"
    bless(baseline_run, path)
    blessed = load_baseline(path)
    blessed["baseline"]["fixtures"] = ["binhe-q1", "gone", "quiet-meeting"]
    result = check(evaluate("baseline", tmp_path, allow_missing=True), Thresholds(0.02, {}), blessed)
    assert result.passed and any("absent" in note for note in result.notes)


def test_reports_carry_scores_diffs_usage_and_the_gate(baseline_run: EvalRun) -> None:
    gate = check(baseline_run, Thresholds(0.02, {"baseline": {"metrics.f1": 1.0}}), {})
    markdown = render_markdown(baseline_run, gate)
    assert "| Section | P | R | F1 | TP | wrong value | extra | missed |" in markdown
    assert "| metrics | value |" in markdown and "## Per-document differences" in markdown
    assert "missed" in markdown and "evidence:" in markdown and "Requests: 0" in markdown
    assert "**FAILED**" in markdown
    data = json.loads(render_json(baseline_run, gate))
    assert data["scores"]["tasks.f1"] == baseline_run.scores()["tasks.f1"]
    assert data["gate"]["passed"] is False and len(data["documents"]) == 2
    suite = ET.fromstring(render_junit(baseline_run, gate).split("\n", 1)[1])
    # the failing floor is its own testcase, and the verdict fails too
    assert suite.get("failures") == "2" and suite.find("testcase[@name='gate']/failure") is not None
    assert suite.find("testcase[@name='floor baseline metrics.f1']/failure") is not None


def test_run_eval_prints_markdown_writes_the_report_and_exits_by_the_gate(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("tolerance: 0.02\nbaseline:\n  tasks.f1: 0.0\n", encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    out, err = io.StringIO(), io.StringIO()
    code = run_eval("baseline", fixtures=FIXTURES, thresholds=thresholds, baseline=baseline, report="junit",
                    out=tmp_path / "out", bless_baseline=True, stdout=out, stderr=err)
    assert code == 0 and baseline.is_file() and (tmp_path / "out" / "eval-baseline.xml").is_file()
    assert "| Section | Field |" in out.getvalue()
    assert set(load_thresholds(thresholds).floors) == {"baseline"}

    thresholds.write_text("baseline:\n  tasks.f1: 1.0\n", encoding="utf-8")
    err = io.StringIO()
    code = run_eval("baseline", fixtures=FIXTURES, thresholds=thresholds, baseline=baseline, report="json",
                    stdout=io.StringIO(), stderr=err)
    assert code == 1 and "tasks.f1" in err.getvalue()
    assert run_eval("nonsense", fixtures=FIXTURES, stdout=io.StringIO(), stderr=io.StringIO()) == 2


def test_a_backend_must_lead_the_keyword_baseline_by_its_margin(baseline_run: EvalRun, tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    bless(baseline_run, path)
    keyword = BaselineBackend()
    copycat = evaluate("rules", FIXTURES, predictor=lambda document: keyword.summarize(document, []))
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("rules:\n  beat_baseline_by: 0.1\n", encoding="utf-8")
    result = check(copycat, load_thresholds(thresholds), load_baseline(path))
    assert any("does not beat the keyword baseline" in failure for failure in result.failures)
    thresholds.write_text("rules:\n  beat_baseline_by: 0.0\n", encoding="utf-8")
    assert check(copycat, load_thresholds(thresholds), load_baseline(path)).passed


def test_the_eval_command_is_wired_into_the_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("baseline:\n  metrics.f1: 1.0\n", encoding="utf-8")
    args = ["eval", "--backend", "baseline", "--fixtures", str(FIXTURES), "--thresholds", str(thresholds),
            "--no-baseline"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "metrics.f1" in result.output and "| Section | Field |" in result.output

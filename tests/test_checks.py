"""The shipped checks hold with the rules backend, and a broken check fails on its own, visibly."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml
from junitparser import Failure, JUnitXml, Skipped
from pydantic import ValidationError
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evaluation.check_file import CheckFile, default_checks_dir, discover_checks, load_check
from summarizer.evaluation.check_report import run_check_command
from summarizer.evaluation.checks import check_predictor, run_check

SHIPPED = sorted(default_checks_dir().glob("*.yaml"))


@pytest.fixture(scope="module")
def rules():
    return check_predictor("rules")


def test_at_least_twenty_checks_ship_with_at_most_three_known_failures() -> None:
    checks = discover_checks(default_checks_dir())
    assert len(checks) >= 20
    assert all(c.check is not None for c in checks), [c.error for c in checks if c.error]
    assert sum(bool(c.check and c.check.xfail) for c in checks) <= 3


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_check(path: Path, rules) -> None:
    result = run_check(load_check(path), rules, "rules")
    if result.status == "xfailed":
        pytest.xfail(result.xfail)
    assert result.status == "passed", result.failure_message()


def _copy_checks(tmp_path: Path) -> Path:
    folder = tmp_path / "checks"
    shutil.copytree(default_checks_dir(), folder)
    return folder


def test_a_wrong_value_fails_its_own_junit_testcase(tmp_path: Path) -> None:
    folder = _copy_checks(tmp_path)
    victim = folder / "growth_yoy_value.yaml"
    raw = yaml.safe_load(victim.read_text(encoding="utf-8"))
    raw["expect"][0]["metric"]["value"] = 68.4
    victim.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    stdout = io.StringIO()

    code = run_check_command(folder, "rules", report="junit", out=out, stdout=stdout, stderr=io.StringIO())

    assert code == 1
    cases = {case.name: case for suite in JUnitXml.fromfile(str(out / "checks-rules.xml")) for case in suite}
    assert len(cases) == len(SHIPPED)
    failed = {name for name, case in cases.items() if any(isinstance(r, Failure) for r in case.result)}
    assert failed == {"growth_yoy_value"}
    message = next(r for r in cases["growth_yoy_value"].result if isinstance(r, Failure)).message
    assert "expected GDP 68.4亿元" in message and "got 地区生产总值 86.4亿元" in message
    skipped = {name for name, case in cases.items() if any(isinstance(r, Skipped) for r in case.result)}
    assert skipped == {p.stem for p in SHIPPED if yaml.safe_load(p.read_text(encoding="utf-8")).get("xfail")}
    assert "FAIL   growth_yoy_value" in stdout.getvalue()


def test_a_check_marked_xfail_that_passes_fails(tmp_path: Path, rules) -> None:
    path = tmp_path / "fixed.yaml"
    path.write_text("text: 上半年，全区税收收入完成4.3亿元。\nexpect:\n  - metric: {name: 税收收入, value: 4.3, unit: 亿元}\n"
                    "xfail: said to be broken\n", encoding="utf-8")
    result = run_check(load_check(path), rules, "rules")
    assert result.status == "xpassed" and not result.ok
    assert "remove the marker" in result.failure_message()


def test_a_check_can_name_a_document_file(tmp_path: Path, rules) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "report.txt").write_text("今年以来，全县规上工业增加值同比增长9.3%。", encoding="gb18030")
    path = tmp_path / "from_file.yaml"
    path.write_text("document: docs/report.txt\nexpect:\n  - metric: {name: 规上工业增加值, growth_pct: 9.3}\n",
                    encoding="utf-8")
    assert run_check(load_check(path), rules, "rules").status == "passed"


def test_a_missing_document_is_an_error_not_a_pass(tmp_path: Path, rules) -> None:
    path = tmp_path / "gone.yaml"
    path.write_text("document: nowhere.txt\nexpect:\n  - no_target: true\n", encoding="utf-8")
    result = run_check(load_check(path), rules, "rules")
    assert result.status == "error" and "cannot load the document" in (result.reason or "")


@pytest.mark.parametrize("raw", [
    {"text": "x", "expect": [{"no_target": True, "faithful": True}]},  # two kinds in one expectation
    {"text": "x", "expect": [{}]},  # none
    {"expect": [{"no_target": True}]},  # no text or document
    {"text": "x", "document": "y.txt", "expect": [{"no_target": True}]},  # both
    {"text": "x", "expect": []},
    {"text": "x", "expect": [{"at_most": {"section": "metric", "items": 1}}]},  # not a section
    {"text": "x", "expect": [{"metrik": {"name": "GDP"}}]},  # misspelt kind
])
def test_malformed_checks_are_refused(raw: dict) -> None:
    with pytest.raises(ValidationError):
        CheckFile.model_validate(raw)


def test_an_unreadable_check_file_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("text: x\nexpect:\n  - metrik: {name: GDP}\n", encoding="utf-8")
    stdout = io.StringIO()
    assert run_check_command(tmp_path, "rules", stdout=stdout, stderr=io.StringIO()) == 1
    assert "ERROR  bad" in stdout.getvalue() and "metrik" in stdout.getvalue()


def test_an_empty_checks_folder_is_a_usage_error(tmp_path: Path) -> None:
    stderr = io.StringIO()
    assert run_check_command(tmp_path, "rules", stdout=io.StringIO(), stderr=stderr) == 2
    assert "no check files" in stderr.getvalue()


def test_the_cli_runs_a_checks_folder(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text("text: 全区新增城镇就业1200多人。\nexpect:\n  - no_target: true\n"
                                       "  - at_most: {section: metrics, items: 0}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--checks-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "✗ at_most: expected at most 0 metrics, got 1 metrics" in result.output


def test_checks_run_with_the_llm_backend_too(tmp_path: Path) -> None:
    from summarizer.config import load_config
    from summarizer.devserver import DevServer

    shutil.copy(default_checks_dir() / "fenbie_growth_list.yaml", tmp_path)
    with DevServer() as server:  # answers as the rules backend would: plumbing, not model quality
        config = load_config(base_url=server.base_url, model="loopback-test", use_cache=False)
        stdout = io.StringIO()
        code = run_check_command(tmp_path, "llm", config=config, stdout=stdout, stderr=io.StringIO())
        requests = server.totals.requests
    assert code == 0 and requests > 0, stdout.getvalue()
    assert "Checks with backend llm" in stdout.getvalue()

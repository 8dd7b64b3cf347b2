"""eval --compare: two configurations over the same fixtures, side by side, with both sides' reports."""

from __future__ import annotations

import io
import json
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.devserver import DevServer
from summarizer.evaluation import evaluate
from summarizer.evaluation.compare import run_compare

FIXTURES = Path(__file__).parent / "data" / "eval" / "fixtures"


def test_two_backends_side_by_side_with_the_difference_and_both_reports(tmp_path: Path) -> None:
    stdout = io.StringIO()
    code = run_compare("baseline", "rules", fixtures=FIXTURES, out=tmp_path / "out", stdout=stdout, stderr=io.StringIO())
    assert code == 0
    a, b = evaluate("baseline", FIXTURES).scores(), evaluate("rules", FIXTURES).scores()
    text = stdout.getvalue()
    assert f"| metrics.f1 | {a['metrics.f1']:.3f} | {b['metrics.f1']:.3f} | {b['metrics.f1'] - a['metrics.f1']:+.3f} |" in text
    assert "| metrics.value.f1 |" in text and "metrics.precision" not in text
    data = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    assert {d["fixture_id"] for d in data["documents"]} == {"binhe-q1", "quiet-meeting"}
    assert any("metrics.f1" in d["wins"] for d in data["documents"])
    for side, backend in (("A", "baseline"), ("B", "rules")):
        report = json.loads((tmp_path / "out" / side / "report.json").read_text(encoding="utf-8"))
        assert report["backend"] == backend and len(report["documents"]) == 2
    assert "fixed by B: metrics" in text


def test_two_config_files_against_the_dev_server(tmp_path: Path) -> None:
    with DevServer() as server:
        for name, mode in (("a.yaml", "tools"), ("b.yaml", "json")):
            (tmp_path / name).write_text(f"llm:\n  base_url: {server.base_url}\n  model: loopback-{mode}\n  mode: {mode}\n"
                                         "  use_cache: false\n", encoding="utf-8")
        stdout = io.StringIO()
        code = run_compare(str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), backend="llm", fixtures=FIXTURES,
                           out=tmp_path / "out", stdout=stdout, stderr=io.StringIO())
        requests = server.totals.requests
    assert code == 0
    data = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    assert data["a"]["backend"] == data["b"]["backend"] == "llm"
    assert data["a"]["usage"]["requests"] > 0 and data["b"]["usage"]["requests"] > 0
    assert data["a"]["usage"]["requests"] + data["b"]["usage"]["requests"] == requests
    assert "## Usage" in stdout.getvalue() and (tmp_path / "out" / "B" / "report.json").is_file()


def test_a_side_that_is_neither_a_file_nor_a_backend_is_a_usage_error(tmp_path: Path) -> None:
    stderr = io.StringIO()
    assert run_compare("rules", str(tmp_path / "missing.yaml"), fixtures=FIXTURES, stdout=io.StringIO(), stderr=stderr) == 2
    assert "neither a configuration file nor a backend" in stderr.getvalue()


def test_the_cli_takes_two_sides() -> None:
    result = CliRunner().invoke(app, ["eval", "--compare", "baseline", "rules", "--fixtures", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert "# Comparison: A = baseline (baseline), B = rules (rules)" in result.output

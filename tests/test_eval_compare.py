"""eval --compare: two configurations over the same fixtures, side by side, with both sides' reports."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.devserver import DevServer
from summarizer.evaluation import evaluate
from summarizer.evaluation.compare import run_compare
from summarizer.resources import data_dir

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


def _prompt_folder(root: Path, marker: str) -> Path:
    folder = root / "prompts"
    shutil.copytree(data_dir("prompts"), folder)
    system = folder / "summarize.system.md"
    system.write_text(system.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
    return folder


def test_two_prompt_folders_against_the_dev_server(tmp_path: Path) -> None:
    markers = {"A": "（甲方案的提示词）", "B": "（乙方案的提示词）"}
    with DevServer() as server:
        for side, marker in markers.items():
            prompts = _prompt_folder(tmp_path / side, marker)
            (tmp_path / f"{side}.yaml").write_text(
                f"llm:\n  base_url: {server.base_url}\n  model: loopback-test\n  use_cache: false\n"
                f"  prompts_dir: {prompts}\n", encoding="utf-8")
        stdout = io.StringIO()
        code = run_compare(str(tmp_path / "A.yaml"), str(tmp_path / "B.yaml"), backend="llm", fixtures=FIXTURES,
                           out=tmp_path / "out", stdout=stdout, stderr=io.StringIO())
        sent = [str(r.messages[0]["content"]) for r in server.requests if r.messages]
        requests = server.totals.requests
    assert code == 0, stdout.getvalue()
    assert any(markers["A"] in p for p in sent) and any(markers["B"] in p for p in sent)
    assert not any(markers["A"] in p and markers["B"] in p for p in sent)
    data = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    assert data["a"]["backend"] == data["b"]["backend"] == "llm"
    assert data["a"]["usage"]["requests"] > 0 and data["b"]["usage"]["requests"] > 0
    assert data["a"]["usage"]["requests"] + data["b"]["usage"]["requests"] == requests
    assert "## Usage" in stdout.getvalue()
    for side in markers:
        samples = (tmp_path / "out" / side / "samples.jsonl").read_text(encoding="utf-8").splitlines()
        assert {json.loads(line)["fixture"] for line in samples} == {"binhe-q1", "quiet-meeting"}


def test_a_side_that_is_neither_a_file_nor_a_backend_is_a_usage_error(tmp_path: Path) -> None:
    stderr = io.StringIO()
    assert run_compare("rules", str(tmp_path / "missing.yaml"), fixtures=FIXTURES, stdout=io.StringIO(), stderr=stderr) == 2
    assert "neither a configuration file nor a backend" in stderr.getvalue()


def test_the_cli_takes_two_sides() -> None:
    result = CliRunner().invoke(app, ["eval", "--compare", "baseline", "rules", "--fixtures", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert "# Comparison: A = baseline (baseline), B = rules (rules)" in result.output

"""The CI gate: every backend that exists, scored on evals/fixtures, against evals/thresholds.yaml and
the committed evals/baseline.json. This is the same check as `summarizer eval --backend NAME`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from summarizer.config import load_config
from summarizer.devserver import DevServer
from summarizer.evaluation import (
    BackendUnavailable,
    EvalRun,
    check,
    evaluate,
    load_baseline,
    load_thresholds,
    run_eval,
)
from summarizer.evaluation.gate import default_baseline_path, default_thresholds_path
from summarizer.resources import data_dir

TEST_FIXTURES = Path(__file__).parent / "data" / "eval" / "fixtures"
HOLDOUT = data_dir("evals") / "holdout"


def gate_failures(run: EvalRun) -> list[str]:
    result = check(run, load_thresholds(default_thresholds_path()), load_baseline(default_baseline_path()))
    return result.failures


def test_the_keyword_baseline_and_the_pre_extractor_pass_the_gate() -> None:
    failures = gate_failures(evaluate("baseline"))
    assert not failures, "\n".join(failures)


def test_the_oracle_self_test_passes_the_gate() -> None:
    failures = gate_failures(evaluate("oracle"))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("backend", ["rules"])
def test_each_available_backend_passes_the_gate(backend: str) -> None:
    try:
        run = evaluate(backend)
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    failures = gate_failures(run)
    assert not failures, "\n".join(failures)


def test_the_rules_backend_generalises_to_the_holdout_documents() -> None:
    """Documents in styles the rules were not written on: floors only, no blessed scores to drift to."""
    run = evaluate("rules", HOLDOUT)
    assert len(run.fixture_ids()) == 5
    result = check(run, load_thresholds(data_dir("evals") / "holdout_thresholds.yaml"), {})
    assert not result.failures, "\n".join(result.failures)


def test_the_llm_path_records_then_replays_deterministically(tmp_path: Path) -> None:
    """Plumbing, not model quality: the loopback server answers from the rules backend."""
    thresholds = default_thresholds_path()
    kwargs = {"fixtures": TEST_FIXTURES, "thresholds": thresholds, "no_baseline": True,
              "report": "json", "stderr": io.StringIO()}
    recorded = io.StringIO()
    with DevServer() as server:
        config = load_config(base_url=server.base_url, model="loopback-test", record_dir=tmp_path / "answers")
        assert run_eval("llm", config=config, stdout=recorded, **kwargs) == 0  # type: ignore[arg-type]
        requests = server.totals.requests
    replayed = io.StringIO()
    config = load_config(model="loopback-test", replay_dir=tmp_path / "answers")
    assert run_eval("llm", config=config, stdout=replayed, **kwargs) == 0  # type: ignore[arg-type]
    first, second = json.loads(recorded.getvalue()), json.loads(replayed.getvalue())
    assert requests > 0 and first["usage"]["requests"] == requests
    assert second["scores"] == first["scores"]
    assert "loopback" in first["notes"][0] and "replayed" in second["notes"][0]

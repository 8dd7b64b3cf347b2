"""``summarizer eval``: score a backend on the fixtures, report, gate, and optionally bless.

The CLI is a thin wrapper over :func:`run_eval`; tests call it directly.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, TextIO

import yaml

from summarizer.evaluation.gate import (
    GateResult,
    bless,
    check,
    default_baseline_path,
    default_thresholds_path,
    load_baseline,
    load_thresholds,
)
from summarizer.evaluation.report import ReportFormat, render_markdown, render_report
from summarizer.evaluation.runner import BackendUnavailable, EvalRun, evaluate

_SUFFIXES = {"md": "md", "json": "json", "junit": "xml"}
REPLAY_NOTE = (
    "The LLM answers were replayed from recorded responses: this run proves the plumbing "
    "(prompting, parsing, grounding, scoring), not the quality of any model."
)
LOOPBACK_NOTE = (
    "The LLM answers came from a server on this machine (a loopback address): with the test "
    "server this proves the plumbing, not the quality of any model."
)
_LOOPBACK = re.compile(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)")


def run_eval(
    backend: str = "baseline",
    *,
    fixtures: Path | None = None,
    baseline: Path | None = None,
    thresholds: Path | None = None,
    report: ReportFormat = "md",
    out: Path | None = None,
    bless_baseline: bool = False,
    config: Any = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run, report and gate; the exit code: 0 passed, 1 the gate failed, 2 the backend is unavailable."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    thresholds_path = thresholds or default_thresholds_path()
    try:
        floors = load_thresholds(thresholds_path)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        stderr.write(f"summarizer eval: cannot read the thresholds {thresholds_path}: {exc}\n")
        return 2
    notes = _llm_notes(config) if backend == "llm" else []
    try:
        run = evaluate(backend, fixtures, config=config, notes=notes)
    except BackendUnavailable as exc:
        stderr.write(f"summarizer eval: {exc}\n")
        return 2
    baseline_path = baseline or default_baseline_path()
    broken = [d.fixture_id for d in run.documents if d.status in ("failed", "error")]
    if bless_baseline and broken:
        stderr.write(f"summarizer eval: not blessing a run whose fixtures failed: {', '.join(broken)}\n")
    elif bless_baseline:
        bless(run, baseline_path)
        stderr.write(f"summarizer eval: blessed {backend} and pre-extractor scores in {baseline_path}\n")
    gate = check(run, floors, load_baseline(baseline_path))
    _write(run, gate, report, out, stdout)
    for failure in gate.failures:
        stderr.write(f"summarizer eval: FAIL {failure}\n")
    return 0 if gate.passed else 1


def _llm_notes(config: Any) -> list[str]:
    """What a reader must know about where the answers came from."""
    settings = getattr(config, "llm", None)
    if getattr(settings, "replay_dir", None) is not None:
        return [REPLAY_NOTE]
    if _LOOPBACK.match(getattr(settings, "base_url", None) or ""):
        return [LOOPBACK_NOTE]
    return []


def _write(run: EvalRun, gate: GateResult, fmt: ReportFormat, out: Path | None, stdout: TextIO) -> None:
    """Markdown to the terminal; the chosen format to ``out`` (or to stdout when there is no ``out``)."""
    if out is None:
        stdout.write(render_report(run, gate, fmt))
        return
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"eval-{run.backend}.{_SUFFIXES[fmt]}"
    path.write_text(render_report(run, gate, fmt), encoding="utf-8")
    stdout.write(render_markdown(run, gate))
    stdout.write(f"\nReport written to {path}\n")

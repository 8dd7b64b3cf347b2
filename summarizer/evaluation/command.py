"""``summarizer eval``: score a backend on the fixtures, report, gate, and optionally bless.

The CLI is a thin wrapper over :func:`run_eval`; tests call it directly.

A *suite* names a set of labelled documents with its own floors:

- ``fixtures`` (default): ``evals/fixtures``, ``evals/thresholds.yaml`` and the blessed
  ``evals/baseline.json``;
- ``holdout``: ``evals/holdout``, ``evals/holdout_thresholds.yaml``, floors only;
- ``realdev``: the labelled real documents of ``shared/realdev`` (``SUMMARIZER_REALDEV_DIR``),
  converted in memory, ``evals/realdev_thresholds.yaml``, floors only.

``--fixtures``, ``--thresholds`` and ``--baseline`` override the suite's defaults. A suite gated by
floors only is compared with a baseline (and blessed) only when ``--baseline`` names one.
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
from summarizer.evaluation.fixtures import default_fixtures_dir
from summarizer.evaluation.report import ReportFormat, render_markdown, render_report
from summarizer.evaluation.runner import BackendUnavailable, EvalRun, evaluate
from summarizer.resources import data_dir, realdev_dir

_SUFFIXES = {"md": "md", "json": "json", "junit": "xml", "html": "html"}
REPLAY_NOTE = (
    "The LLM answers were replayed from recorded responses: this run proves the plumbing "
    "(prompting, parsing, grounding, scoring), not the quality of any model."
)
LOOPBACK_NOTE = (
    "The LLM answers came from a server on this machine (a loopback address): with the test "
    "server this proves the plumbing, not the quality of any model."
)
_LOOPBACK = re.compile(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)")

SUITES = ("fixtures", "holdout", "realdev")


def suite_paths(suite: str) -> tuple[Path, Path, Path | None]:
    """(documents folder, thresholds file, blessed baseline or None for floors only) of a suite."""
    evals = data_dir("evals")
    if suite == "fixtures":
        return default_fixtures_dir(), default_thresholds_path(), default_baseline_path()
    if suite == "holdout":
        return evals / "holdout", evals / "holdout_thresholds.yaml", None
    if suite == "realdev":
        return realdev_dir(), evals / "realdev_thresholds.yaml", None
    raise ValueError(f"unknown suite {suite!r}; expected one of {', '.join(SUITES)}")


def run_eval(
    backend: str = "baseline",
    *,
    suite: str = "fixtures",
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
    """Run, report and gate; the exit code: 0 passed, 1 the gate failed, 2 the backend or suite is unavailable."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        suite_dir, suite_thresholds, suite_baseline = suite_paths(suite)
    except ValueError as exc:
        stderr.write(f"summarizer eval: {exc}\n")
        return 2
    fixtures_dir = fixtures or suite_dir
    if not fixtures_dir.is_dir():
        hint = " (set SUMMARIZER_REALDEV_DIR or put shared/realdev beside the checkout)" if suite == "realdev" else ""
        stderr.write(f"summarizer eval: the {suite} documents are not at {fixtures_dir}{hint}\n")
        return 2
    baseline_path = baseline or suite_baseline
    if bless_baseline and baseline_path is None:
        stderr.write(f"summarizer eval: the {suite} suite is gated by floors only; name a file to bless into with --baseline\n")
        return 2
    thresholds_path = thresholds or suite_thresholds
    try:
        floors = load_thresholds(thresholds_path)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        stderr.write(f"summarizer eval: cannot read the thresholds {thresholds_path}: {exc}\n")
        return 2
    notes = _llm_notes(config) if backend == "llm" else []
    if suite != "fixtures":
        gated = "floors only" if baseline_path is None else f"floors and the baseline {baseline_path}"
        notes.append(f"Suite {suite}: {fixtures_dir}, gated by {thresholds_path.name} ({gated}).")
    try:
        run = evaluate(backend, fixtures_dir, config=config, notes=notes)
    except BackendUnavailable as exc:
        stderr.write(f"summarizer eval: {exc}\n")
        return 2
    broken = [d.fixture_id for d in run.documents if d.status in ("failed", "error")]
    if bless_baseline and broken:
        stderr.write(f"summarizer eval: not blessing a run whose fixtures failed: {', '.join(broken)}\n")
    elif bless_baseline and baseline_path is not None:
        bless(run, baseline_path)
        stderr.write(f"summarizer eval: blessed {backend} and pre-extractor scores in {baseline_path}\n")
    gate = check(run, floors, None if baseline_path is None else load_baseline(baseline_path))
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

"""``summarizer eval``: score a backend on a suite of a project, report, gate, and optionally bless.

The CLI is a thin wrapper over :func:`run_eval`; tests call it directly.

Everything comes from the *project* (:mod:`summarizer.evaluation.suites`): the current directory
when it holds ``evals/``, or ``--project DIR``; its suite file ``evals/suites/NAME.yaml`` names
the fixtures, the documents' folders, the floors and the baseline, and its ``prompts/`` are what
the LLM is sent. The copies shipped inside the package are examples: read when there is no
project, never written.

Nothing checked means failure: a fixture whose document is absent fails (``allow_missing``
skips it, and the summary line counts it), a baseline file that does not exist is a usage error
(``no_baseline`` gates by the floors alone), and a run that scored no fixture fails.
``--fixtures``, ``--thresholds`` and ``--baseline`` override the suite's files.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, TextIO

import yaml

from summarizer.atomic import write_atomic
from summarizer.evaluation.gate import GateResult, Thresholds, bless, check, load_baseline, load_thresholds
from summarizer.evaluation.report import ReportFormat, render_markdown, render_report
from summarizer.evaluation.runner import BackendUnavailable, EvalRun, evaluate
from summarizer.evaluation.samples import run_configuration, write_record_index, write_samples
from summarizer.evaluation.suites import Project, Suite, SuiteError, baseline_owner, find_project, load_suite
from summarizer.resources import inside_installed_package

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


class UsageProblem(Exception):
    """What makes the run pointless to start (exit 2), said in one line."""


def run_eval(
    backend: str = "baseline",
    *,
    suite: str = "fixtures",
    project: Path | None = None,
    fixtures: Path | None = None,
    baseline: Path | None = None,
    no_baseline: bool = False,
    thresholds: Path | None = None,
    prompts: Path | None = None,
    allow_missing: bool = False,
    concurrency: int | None = None,
    report: ReportFormat = "md",
    out: Path | None = None,
    bless_baseline: bool = False,
    config: Any = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run, report and gate; the exit code: 0 passed, 1 the gate failed, 2 a usage problem (the
    backend, suite, documents, thresholds or baseline cannot be used, or blessing is refused)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        where = find_project(project)
        chosen = load_suite(where, suite)
        fixtures_dir, baseline_path, floors = _inputs(where, chosen, fixtures, baseline, no_baseline, thresholds, bless_baseline)
        config = with_prompts(config, prompts, where) if backend == "llm" else config
    except (SuiteError, UsageProblem) as exc:
        stderr.write(f"summarizer eval: {exc}\n")
        return 2
    notes = _llm_notes(config) if backend == "llm" else []
    if where.shipped:
        notes.append(f"No project here (no ./evals): the shipped examples in {where.root} were used.")
    if suite != "fixtures" or fixtures is not None:
        gated = "floors only" if baseline_path is None else f"floors and the baseline {baseline_path}"
        notes.append(f"Suite {suite}: {fixtures_dir}, gated by {chosen.thresholds.name if thresholds is None else thresholds} ({gated}).")
    workers = concurrency or (config.llm.concurrency if config is not None else 1)
    try:
        run = evaluate(
            backend, fixtures_dir, config=config, notes=notes, documents=chosen.documents,
            allow_missing=allow_missing, concurrency=workers,
        )
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
    if out is not None:
        stdout.write(f"Samples written to {write_samples(run, run_configuration(backend, config), out)}\n")
    record_dir = getattr(getattr(config, "llm", None), "record_dir", None)
    if backend == "llm" and record_dir is not None:
        write_record_index(run, Path(record_dir))
    for failure in gate.failures:
        stderr.write(f"summarizer eval: FAIL {failure}\n")
    stderr.write(f"summarizer eval: {summary_line(run, gate)}\n")
    return 0 if gate.passed else 1


def summary_line(run: EvalRun, gate: GateResult) -> str:
    """``6 scored, 3 skipped (document absent, --allow-missing), 0 failed: PASSED``."""
    counts = {status: sum(d.status == status for d in run.documents) for status in ("scored", "skipped", "failed", "error")}
    parts = [f"{counts['scored']} scored"]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped (document absent, --allow-missing)")
    parts.append(f"{counts['failed'] + counts['error']} failed")
    return ", ".join(parts) + (": PASSED" if gate.passed else ": FAILED")


def _inputs(
    project: Project,
    suite: Suite,
    fixtures: Path | None,
    baseline: Path | None,
    no_baseline: bool,
    thresholds: Path | None,
    bless_baseline: bool,
) -> tuple[Path, Path | None, Thresholds]:
    """(fixtures folder, baseline file or None, floors), or the reason the run cannot start."""
    fixtures_dir = fixtures or suite.fixtures_dir
    if not fixtures_dir.is_dir():
        hint = " (set SUMMARIZER_REALDEV_DIR or put shared/realdev beside the project)" if suite.name == "realdev" else ""
        raise UsageProblem(f"the {suite.name} documents are not at {fixtures_dir}{hint}")
    if no_baseline and baseline is not None:
        raise UsageProblem("--baseline and --no-baseline exclude each other")
    baseline_path = None if no_baseline else (baseline or suite.baseline)
    if baseline_path is not None and not baseline_path.is_file() and not bless_baseline:
        raise UsageProblem(
            f"the baseline {baseline_path} does not exist; name an existing file, create it with --bless, "
            "or gate by the floors alone with --no-baseline"
        )
    if bless_baseline:
        _may_bless(project, suite, baseline_path)
    thresholds_path = thresholds or suite.thresholds
    try:
        floors = load_thresholds(thresholds_path)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise UsageProblem(f"cannot read the thresholds {thresholds_path}: {exc}") from exc
    return fixtures_dir, baseline_path, floors


def _may_bless(project: Project, suite: Suite, baseline_path: Path | None) -> None:
    """Refuse a bless with no file, into the installed package, or into another suite's baseline."""
    if baseline_path is None:
        raise UsageProblem(
            f"the {suite.name} suite is gated by floors only ({suite.path.name} names no baseline); "
            "name a file to bless into with --baseline"
        )
    if inside_installed_package(baseline_path):
        raise UsageProblem(
            f"{baseline_path} is inside the installed summarizer package (a shipped example, never written); "
            "run inside your project (a folder with evals/, or --project DIR) to bless its evals/baseline.json, "
            "or name a file with --baseline"
        )
    owner = baseline_owner(project, baseline_path, suite.name)
    if owner is not None:
        raise UsageProblem(
            f"{baseline_path} is the baseline of the {owner} suite; bless it with --suite {owner}, "
            f"or give the {suite.name} suite its own file"
        )


def with_prompts(config: Any, prompts: Path | None, project: Project) -> Any:
    """The configuration with the prompt folder to send: ``--prompts``, else the config's own
    ``llm.prompts_dir``, else the project's ``prompts/`` (else the shipped prompts)."""
    from summarizer.config import load_config

    config = config if config is not None else load_config()
    folder = prompts or config.llm.prompts_dir or project.prompts_dir
    if folder is not None and not Path(folder).is_dir():
        raise UsageProblem(f"--prompts {folder}: no such folder")
    if folder is None:
        return config
    return config.model_copy(update={"llm": config.llm.model_copy(update={"prompts_dir": Path(folder)})})


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
    path = out / f"eval-{run.backend}.{_SUFFIXES[fmt]}"
    write_atomic(path, render_report(run, gate, fmt))
    stdout.write(render_markdown(run, gate))
    stdout.write(f"\nReport written to {path}\n")

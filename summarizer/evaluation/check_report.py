"""``summarizer eval --checks``: run the checks of a folder, print a table, write JUnit, gate.

Each check is its own JUnit testcase (an expected failure is ``skipped`` with its reason), so a
CI screen shows which form broke, with what was expected and what the summary said.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from summarizer.atomic import write_atomic
from summarizer.evaluation.check_file import CHECKS_FOLDER, discover_checks
from summarizer.evaluation.checks import CheckResult, check_predictor, run_checks
from summarizer.evaluation.command import UsageProblem, with_prompts
from summarizer.evaluation.runner import BackendUnavailable
from summarizer.evaluation.suites import SuiteError, find_project

_MARKS = {"passed": "ok", "failed": "FAIL", "xfailed": "xfail", "xpassed": "XPASS", "error": "ERROR"}


def render_check_table(results: Sequence[CheckResult], backend: str) -> str:
    """One line per expectation under its check, then a count per status."""
    lines = [f"Checks with backend {backend}:", ""]
    for result in results:
        lines.append(f"{_MARKS[result.status]:<5}  {result.id}")
        if result.reason:
            lines.append(f"         {result.reason}")
        if result.xfail and result.status == "xfailed":
            lines.append(f"         expected failure: {result.xfail}")
        for outcome in result.expectations:
            mark = "✓" if outcome.passed else "✗"
            line = f"         {mark} {outcome.kind}: expected {outcome.expected}"
            lines.append(line if outcome.passed else f"{line}, got {outcome.actual}")
    counts = Counter(r.status for r in results)
    lines += ["", ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + f" of {len(results)} checks."]
    return "\n".join(lines) + "\n"


def render_check_junit(results: Sequence[CheckResult], backend: str) -> str:
    suite = ET.Element("testsuite", name=f"summarizer-checks-{backend}")
    failures = errors = skipped = 0
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=f"checks.{backend}", name=result.id,
                             time=f"{result.seconds:.3f}")
        properties = ET.SubElement(case, "properties")
        for index, outcome in enumerate(result.expectations):
            ET.SubElement(properties, "property", name=f"{index}.{outcome.kind}",
                          value=f"{'pass' if outcome.passed else 'fail'}: expected {outcome.expected}; actual {outcome.actual}")
        if result.status == "failed" or result.status == "xpassed":
            failures += 1
            ET.SubElement(case, "failure", message=result.failure_message())
        elif result.status == "error":
            errors += 1
            ET.SubElement(case, "error", message=result.reason or "error")
        elif result.status == "xfailed":
            skipped += 1
            ET.SubElement(case, "skipped", type="xfail", message=f"expected failure: {result.xfail}")
    suite.set("tests", str(len(results)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def run_check_command(
    folder: Path | None = None,
    backend: str = "rules",
    *,
    project: Path | None = None,
    report: str = "md",
    out: Path | None = None,
    config: Any = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """The checks of ``folder``, else of the project (``evals/checks``; an LLM sends the project's
    prompts). Exit code: 0 every check held (or failed as marked), 1 one did not, 2 nothing to run."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        where = find_project(project)
        config = with_prompts(config, None, where) if backend == "llm" else config
    except (SuiteError, UsageProblem) as exc:
        stderr.write(f"summarizer eval: {exc}\n")
        return 2
    folder = folder or where.root / CHECKS_FOLDER
    if not folder.is_dir():
        stderr.write(f"summarizer eval: no checks folder at {folder}\n")
        return 2
    checks = discover_checks(folder)
    if not checks:
        stderr.write(f"summarizer eval: no check files (*.yaml) in {folder}\n")
        return 2
    try:
        predict = check_predictor(backend, config)
    except BackendUnavailable as exc:
        stderr.write(f"summarizer eval: {exc}\n")
        return 2
    results = run_checks(checks, predict, backend)
    stdout.write(render_check_table(results, backend))
    if out is not None:
        if report == "junit":
            path = out / f"checks-{backend}.xml"
            write_atomic(path, render_check_junit(results, backend))
        else:
            path = out / f"checks-{backend}.txt"
            write_atomic(path, render_check_table(results, backend))
        stdout.write(f"Report written to {path}\n")
    return 0 if all(result.ok for result in results) else 1

"""``summarizer eval --compare A B``: two configurations over the same fixtures, side by side.

Each side is a configuration file (YAML, as ``--config`` reads it: a model, a mode, a provider,
``llm.prompts_dir`` ...) run with the ``--backend`` given, or a backend name (``rules``,
``baseline``, ``llm``) run with the default configuration. Both run over the same suite of the
project; the same flags (``--record`` / ``--replay``, endpoint, model, run options) apply to both
sides, so a recorded comparison replays without a network.

What a reviewer of a prompt or model change needs: every score of both sides with the difference,
per document which sections B wins and loses, the items B fixes and breaks, and what each side
cost. A comparison does not gate: it exits 0 when both sides ran (2 when one cannot run).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from summarizer.atomic import write_atomic
from summarizer.errors import ConfigError
from summarizer.evaluation.command import UsageProblem, with_prompts
from summarizer.evaluation.report import render_json
from summarizer.evaluation.runner import BACKENDS, BackendUnavailable, EvalRun, evaluate
from summarizer.evaluation.samples import run_configuration, write_samples
from summarizer.evaluation.scorers import Diff, Scores
from summarizer.evaluation.suites import Project, Suite, SuiteError, find_project, load_suite

#: Score suffixes compared: the summary figures, not each precision and recall.
_COMPARED_SUFFIXES = (".f1", ".accuracy", ".coverage", ".numbers", ".spans")
#: Scores that decide a document's wins and losses: one per section.
_DOCUMENT_SCORES = ("metrics.f1", "targets.f1", "achievements.f1", "problems.f1", "tasks.f1",
                    "faithfulness.numbers", "faithfulness.spans")
_EPSILON = 1e-9


@dataclass(frozen=True)
class Side:
    label: str  # "A" or "B"
    spec: str  # as given: a configuration file or a backend name
    backend: str
    config: Any


@dataclass(frozen=True)
class DocumentComparison:
    fixture_id: str
    wins: list[str]  # scores where B beats A
    losses: list[str]
    fixed: list[str]  # differences from the labels that A has and B does not
    broken: list[str]  # and the other way round


@dataclass(frozen=True)
class Comparison:
    a: Side
    b: Side
    run_a: EvalRun
    run_b: EvalRun

    def score_rows(self) -> list[tuple[str, float | None, float | None]]:
        scores_a, scores_b = self.run_a.scores(), self.run_b.scores()
        names = sorted(n for n in set(scores_a) | set(scores_b) if n.endswith(_COMPARED_SUFFIXES))
        return [(name, scores_a.get(name), scores_b.get(name)) for name in names]

    def documents(self) -> list[DocumentComparison]:
        """Fixtures both sides scored, in order; A's failures count as scored (all labels missed)."""
        by_id_b = {d.fixture_id: d for d in self.run_b.documents}
        compared = []
        for doc_a in self.run_a.documents:
            doc_b = by_id_b.get(doc_a.fixture_id)
            if doc_b is None or "skipped" in (doc_a.status, doc_b.status) or "error" in (doc_a.status, doc_b.status):
                continue
            flat_a = (doc_a.scores + doc_a.quantity_scores).flat()
            flat_b = (doc_b.scores + doc_b.quantity_scores).flat()
            shared = [n for n in _DOCUMENT_SCORES if n in flat_a and n in flat_b]
            wins = [n for n in shared if flat_b[n] > flat_a[n] + _EPSILON]
            losses = [n for n in shared if flat_b[n] < flat_a[n] - _EPSILON]
            items_a, items_b = _diff_lines(doc_a.scores), _diff_lines(doc_b.scores)
            compared.append(DocumentComparison(
                doc_a.fixture_id, wins, losses,
                fixed=[line for line in items_a if line not in items_b],
                broken=[line for line in items_b if line not in items_a],
            ))
        return compared


def _diff_lines(scores: Scores) -> list[str]:
    """Each difference from the labels in one line, so two sides' differences can be set against each other."""
    return [_diff_line(diff) for diff in scores.diffs]


def _diff_line(diff: Diff) -> str:
    parts = [f"{diff.section} {diff.outcome.replace('_', ' ')}"]
    if diff.gold is not None:
        parts.append(f"expected {diff.gold}")
    if diff.predicted is not None:
        parts.append(f"got {diff.predicted}")
    return ", ".join(parts)


def load_side(label: str, spec: str, backend: str, overrides: Mapping[str, Any], project: Project) -> Side:
    """A backend name, or a configuration file run with ``backend``; an LLM side without its own
    prompt folder sends the project's. Raises ConfigError or UsageProblem."""
    from summarizer.config import load_config

    if spec in BACKENDS and not Path(spec).is_file():
        backend, config = spec, load_config(None, **overrides)
    elif Path(spec).is_file():
        config = load_config(spec, **overrides)
    else:
        raise ConfigError(f"--compare {label}: {spec} is neither a configuration file nor a backend "
                          f"({', '.join(BACKENDS)})")
    return Side(label, spec, backend, with_prompts(config, None, project) if backend == "llm" else config)


def compare(a: Side, b: Side, suite: Suite, *, fixtures: Path | None = None, allow_missing: bool = False,
            concurrency: int | None = None) -> Comparison:
    """Both sides over the suite's fixtures (or ``fixtures``), one after the other."""
    folder = fixtures or suite.fixtures_dir

    def run(side: Side) -> EvalRun:
        workers = concurrency or (side.config.llm.concurrency if side.config is not None else 1)
        return evaluate(side.backend, folder, config=side.config, documents=suite.documents,
                        allow_missing=allow_missing, concurrency=workers)

    return Comparison(a, b, run(a), run(b))


def render_comparison(comparison: Comparison) -> str:
    a, b = comparison.a, comparison.b
    lines = [f"# Comparison: A = {a.spec} ({a.backend}), B = {b.spec} ({b.backend})", "",
             "## Scores", "", "| Score | A | B | B − A |", "|---|---:|---:|---:|"]
    for name, score_a, score_b in comparison.score_rows():
        difference = "–" if score_a is None or score_b is None else f"{score_b - score_a:+.3f}"
        lines.append(f"| {name} | {_cell(score_a)} | {_cell(score_b)} | {difference} |")
    documents = comparison.documents()
    lines += ["", "## Per document", "", "| Document | B wins | B loses |", "|---|---|---|"]
    for document in documents:
        lines.append(f"| {document.fixture_id} | {', '.join(document.wins) or '–'} | {', '.join(document.losses) or '–'} |")
    won = sum(bool(d.wins) and not d.losses for d in documents)
    lost = sum(bool(d.losses) and not d.wins for d in documents)
    lines += ["", f"B better on {won}, worse on {lost}, mixed or equal on {len(documents) - won - lost} "
              f"of {len(documents)} documents."]
    lines += ["", "## Items", ""]
    for document in documents:
        if document.fixed or document.broken:
            lines.append(f"### {document.fixture_id}")
            lines += [f"- fixed by B: {line}" for line in document.fixed]
            lines += [f"- broken by B: {line}" for line in document.broken]
    if not any(d.fixed or d.broken for d in documents):
        lines.append("No item differs.")
    lines += ["", "## Usage", "", "| Side | Requests | Prompt tokens | Completion tokens | Cost |", "|---|---:|---:|---:|---:|"]
    for side, run in ((a, comparison.run_a), (b, comparison.run_b)):
        usage = run.usage()
        cost = "unknown (no price set)" if usage.cost is None else f"{usage.cost:.4f}"
        lines.append(f"| {side.label} | {usage.requests} | {usage.prompt_tokens} | {usage.completion_tokens} | {cost} |")
    return "\n".join(lines) + "\n"


def comparison_data(comparison: Comparison) -> dict[str, object]:
    return {
        "a": {"spec": comparison.a.spec, "backend": comparison.a.backend, "usage": comparison.run_a.usage().model_dump()},
        "b": {"spec": comparison.b.spec, "backend": comparison.b.backend, "usage": comparison.run_b.usage().model_dump()},
        "scores": {name: {"a": sa, "b": sb} for name, sa, sb in comparison.score_rows()},
        "documents": [vars(d) for d in comparison.documents()],
    }


def _cell(score: float | None) -> str:
    return "–" if score is None else f"{score:.3f}"


def run_compare(
    spec_a: str,
    spec_b: str,
    *,
    backend: str = "rules",
    suite: str = "fixtures",
    project: Path | None = None,
    fixtures: Path | None = None,
    allow_missing: bool = False,
    concurrency: int | None = None,
    out: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Print the comparison; under ``out`` write it (``comparison.md``, ``comparison.json``) and each
    side's report and samples (``A/report.json``, ``A/samples.jsonl``, the same under ``B/``)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        where = find_project(project)
        chosen = load_suite(where, suite)
        a = load_side("A", spec_a, backend, overrides or {}, where)
        b = load_side("B", spec_b, backend, overrides or {}, where)
        comparison = compare(a, b, chosen, fixtures=fixtures, allow_missing=allow_missing, concurrency=concurrency)
    except (ConfigError, BackendUnavailable, SuiteError, UsageProblem) as exc:
        stderr.write(f"summarizer eval: {exc}\n")
        return 2
    text = render_comparison(comparison)
    stdout.write(text)
    if out is not None:
        write_atomic(out / "comparison.md", text)
        write_atomic(out / "comparison.json", json.dumps(comparison_data(comparison), ensure_ascii=False, indent=2) + "\n")
        for side, run in ((a, comparison.run_a), (b, comparison.run_b)):
            write_atomic(out / side.label / "report.json", render_json(run))
            write_samples(run, run_configuration(side.backend, side.config), out / side.label)
        stdout.write(f"\nComparison and both sides' reports written to {out}\n")
    return 0

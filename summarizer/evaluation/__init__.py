"""The evaluation harness: hand-labelled fixtures, field-level scorers, reports and the CI gate.

>>> from summarizer.evaluation import evaluate, check, load_thresholds, load_baseline
>>> run = evaluate("baseline")                                    # doctest: +SKIP
>>> run.scores()["metrics.f1"]                                    # doctest: +SKIP
"""

from __future__ import annotations

from summarizer.evaluation.baseline import BaselineBackend
from summarizer.evaluation.command import run_eval
from summarizer.evaluation.fixtures import Fixture, FixtureError, discover, load_fixture
from summarizer.evaluation.gate import GateResult, Thresholds, bless, check, load_baseline, load_thresholds
from summarizer.evaluation.junit import render_junit
from summarizer.evaluation.matching import char_ngram_f1, match, name_similarity, phrase_similarity
from summarizer.evaluation.realdev import discover_realdev, load_realdev_gold
from summarizer.evaluation.report import render_json, render_markdown, render_report
from summarizer.evaluation.runner import (
    BackendUnavailable,
    DocumentResult,
    EvalRun,
    Predictor,
    evaluate,
    oracle_summary,
    resolve_predictor,
)
from summarizer.evaluation.samples import write_record_index, write_samples
from summarizer.evaluation.scorers import (
    Counts,
    Ratio,
    Scores,
    score_faithfulness,
    score_meta,
    score_metrics,
    score_number_surfaces,
    score_phrases,
    score_quantities,
    score_summary,
    score_targets,
)
from summarizer.evaluation.suites import Project, Suite, SuiteError, find_project, load_suite

__all__ = [
    "BackendUnavailable",
    "BaselineBackend",
    "Counts",
    "DocumentResult",
    "EvalRun",
    "Fixture",
    "FixtureError",
    "GateResult",
    "Predictor",
    "Project",
    "Ratio",
    "Scores",
    "Suite",
    "SuiteError",
    "Thresholds",
    "bless",
    "char_ngram_f1",
    "discover_realdev",
    "check",
    "discover",
    "evaluate",
    "find_project",
    "load_baseline",
    "load_fixture",
    "load_realdev_gold",
    "load_suite",
    "load_thresholds",
    "match",
    "name_similarity",
    "oracle_summary",
    "phrase_similarity",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_report",
    "resolve_predictor",
    "run_eval",
    "score_faithfulness",
    "score_meta",
    "score_metrics",
    "score_number_surfaces",
    "score_phrases",
    "score_quantities",
    "score_summary",
    "score_targets",
    "write_record_index",
    "write_samples",
]

"""Run a predictor over every fixture and collect the scores, usage and diffs of the run.

A predictor is any ``Callable[[Document], Summary]``, so every backend plugs in the same way.
One document failing never stops the run: its labels then count as missed and its reason is
reported, so a crashing backend loses score instead of hiding.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from summarizer.document import Document
from summarizer.errors import ConfigError, SummarizerError
from summarizer.evaluation.baseline import BaselineBackend, evidence, summary_shell
from summarizer.evaluation.fixtures import Fixture, LoadedFixture, default_fixtures_dir, discover
from summarizer.evaluation.scorers import Scores, score_number_surfaces, score_quantities, score_summary
from summarizer.schema import Evidence, Item, Metric, Summary, Target, Usage

Predictor = Callable[[Document], Summary]
BACKENDS = ("baseline", "oracle", "rules", "llm")
#: Score names that belong to the pre-extractor, whatever backend runs.
PREEXTRACTOR = "preextractor"
#: Their prefixes: ``quantities`` (full labels) and ``numbers`` (bare surfaces, the realdev suite).
PREEXTRACTOR_SECTIONS = ("quantities", "numbers")


class BackendUnavailable(SummarizerError):
    """The backend asked for cannot run here (not written yet, or its module fails to import)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"backend {name!r} is not available: {reason}")
        self.name = name
        self.reason = reason


@dataclass
class DocumentResult:
    """One fixture's outcome. ``failed``: the backend raised (its labels count as missed);
    ``skipped``: the document is absent; ``error``: the fixture or document is unusable."""

    fixture_id: str
    fixture_path: Path
    status: Literal["scored", "failed", "skipped", "error"]
    reason: str | None = None
    scores: Scores = field(default_factory=Scores)
    quantity_scores: Scores = field(default_factory=Scores)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    summary: Summary | None = None  # what the backend predicted, for the HTML report's side-by-side view


@dataclass
class EvalRun:
    backend: str
    documents: list[DocumentResult]
    notes: list[str] = field(default_factory=list)

    def totals(self) -> Scores:
        total = Scores()
        for document in self.documents:
            total += document.scores
            total += document.quantity_scores
        return total

    def scores(self) -> dict[str, float]:
        return self.totals().flat()

    def usage(self) -> Usage:
        total = Usage()
        for document in self.documents:
            total = total.add(document.usage)
        return total

    def fixture_ids(self) -> list[str]:
        return sorted(d.fixture_id for d in self.documents if d.status in ("scored", "failed"))


class OraclePredictor:
    """The gold labels turned into a Summary: the self-test that must score 1.0 everywhere."""

    def __init__(self, fixtures: Sequence[LoadedFixture]) -> None:
        self._by_hash = {
            hashlib.sha256(f.document_path.read_bytes()).hexdigest(): f.fixture for f in fixtures if f.document_path
        }

    def __call__(self, document: Document) -> Summary:
        return oracle_summary(self._by_hash[document.sha256], document)


def oracle_summary(fixture: Fixture, document: Document) -> Summary:
    """The fixture's labels in the Summary's shape, with real (if rough) evidence spans."""
    gold = fixture.summary
    text = document.text
    summary = summary_shell(document, "oracle")
    summary.meta = summary.meta.model_copy(update=gold.meta.model_dump())
    for metric in gold.metrics:
        summary.metrics.append(Metric(**metric.model_dump(), evidence=_locate(text, metric.name)))
    for target in gold.targets:
        summary.targets.append(Target(**target.model_dump(), evidence=_locate(text, target.name)))
    for section in ("achievements", "problems", "tasks"):
        getattr(summary, section).extend(Item(text=p, evidence=_locate(text, p)) for p in getattr(gold, section))
    return summary


def _locate(text: str, label: str) -> Evidence:
    """Evidence for a label: where its first characters occur, else the text's first character."""
    for length in (len(label), 4, 2):
        start = text.find(label[:length]) if label[:length] else -1
        if start >= 0:
            return evidence(text, start, start + length)
    return evidence(text, 0, min(1, len(text)))


def resolve_predictor(name: str, fixtures: Sequence[LoadedFixture], config: Any = None) -> Predictor:
    """The predictor for a backend name; ``rules`` and ``llm`` run the full pipeline (with grounding).

    The baseline and the oracle run raw: the floor and the self-test must not depend on the code
    being measured.
    """
    if name == "baseline":
        baseline = BaselineBackend()
        return lambda document: baseline.summarize(document, [])
    if name == "oracle":
        return OraclePredictor(fixtures)
    if name not in ("rules", "llm"):
        raise BackendUnavailable(name, f"unknown backend; expected one of {', '.join(BACKENDS)}")
    try:
        from summarizer import api

        backend = api.resolve_backend(name, config)  # type: ignore[arg-type]
    except (ImportError, ConfigError) as exc:
        raise BackendUnavailable(name, str(exc)) from exc
    return lambda document: api.summarize_document(document, backend)


def evaluate(
    backend: str,
    fixtures_dir: Path | None = None,
    *,
    predictor: Predictor | None = None,
    config: Any = None,
    notes: Sequence[str] = (),
) -> EvalRun:
    """Score ``backend`` (or the given ``predictor``) on every fixture of ``fixtures_dir``.

    A folder in the realdev layout (``gold/`` and ``docs/``) is read as realdev labels; their bare
    ``numbers`` score the pre-extractor on surfaces only (section ``numbers``).
    """
    # Imported here so the scorers stay importable on their own (and cheap to import).
    from summarizer.document import load_document
    from summarizer.quantities import extract_quantities

    if backend not in BACKENDS:
        raise BackendUnavailable(backend, f"unknown backend; expected one of {', '.join(BACKENDS)}")
    fixtures = discover(fixtures_dir or default_fixtures_dir())
    predict = predictor or resolve_predictor(backend, fixtures, config)
    results: list[DocumentResult] = []
    for loaded in fixtures:
        fixture = loaded.fixture
        if loaded.error or loaded.skip_reason or loaded.document_path is None:
            status: Literal["skipped", "error"] = "error" if loaded.error else "skipped"
            results.append(DocumentResult(fixture.id, loaded.path, status, loaded.error or loaded.skip_reason))
            continue
        try:
            document = load_document(loaded.document_path)
        except SummarizerError as exc:
            results.append(DocumentResult(fixture.id, loaded.path, "error", f"cannot load the document: {exc}"))
            continue
        result = DocumentResult(fixture.id, loaded.path, "scored")
        # Any failure of the code under test is a scored failure (its labels count as missed), never a crash.
        try:
            candidates = extract_quantities(document.text)
        except Exception as exc:  # noqa: BLE001
            result.status, result.reason = "failed", f"the pre-extractor failed: {type(exc).__name__}: {exc}"
            candidates = []
        if fixture.numbers is not None:  # bare surfaces (realdev): no kinds or values to compare
            result.quantity_scores = score_number_surfaces(fixture.numbers, candidates)
        else:
            result.quantity_scores = score_quantities(fixture.quantities, candidates, document)
        started = time.perf_counter()
        try:
            summary = predict(document)
        except Exception as exc:  # noqa: BLE001
            result.status = "failed"
            result.reason = "; ".join(filter(None, [result.reason, f"{backend} failed: {type(exc).__name__}: {exc}"]))
            summary = summary_shell(document, backend)
        result.seconds = time.perf_counter() - started
        result.usage = summary.diagnostics.usage
        result.summary = summary
        result.scores = score_summary(fixture, summary, document)
        results.append(result)
    return EvalRun(backend, results, list(notes))

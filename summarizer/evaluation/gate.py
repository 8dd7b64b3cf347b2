"""The gate: a run passes when no score is under its threshold or too far under the blessed baseline.

``evals/thresholds.yaml`` holds floors per backend (and for the pre-extractor, gated in every
run); ``evals/baseline.json`` holds the last blessed scores per backend and the fixtures they
were blessed on. A score means something only for its fixtures: absent documents skipped on
purpose (``--allow-missing``) skip the comparison with a note, while added or removed fixtures
fail the gate until the baseline is blessed again. Which files a suite uses is its suite file's
business (:mod:`summarizer.evaluation.suites`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from summarizer.atomic import write_atomic
from summarizer.evaluation.runner import BACKENDS, PREEXTRACTOR, PREEXTRACTOR_SECTIONS, EvalRun
from summarizer.resources import data_dir, parse_yaml

DEFAULT_TOLERANCE = 0.02
#: Scores compared with the baseline: the summary figures, not each precision and recall.
_BASELINE_SUFFIXES = (".f1", ".accuracy")
_BASELINE_PREFIXES = ("faithfulness.",)
#: The section scores a backend must win over the keyword baseline (``beat_baseline_by``).
SECTION_SCORES = ("metrics.f1", "targets.f1", "achievements.f1", "problems.f1", "tasks.f1")


@dataclass(frozen=True)
class Thresholds:
    tolerance: float
    floors: dict[str, dict[str, float]]  # backend or "preextractor" -> score name -> minimum
    margins: dict[str, float] = field(default_factory=dict)  # backend -> lead over the baseline


@dataclass(frozen=True)
class RuleOutcome:
    """One comparison the gate made, pass or fail, so a report can show each rule on its own.

    ``expected`` is the floor, the blessed score, or the keyword baseline's score plus the margin;
    ``tolerance`` is how far under ``expected`` a score may fall (the baseline drift), else 0.
    """

    rule: Literal["floor", "baseline", "beats_keyword_baseline"]
    section: str
    score: str
    actual: float
    expected: float
    tolerance: float
    passed: bool


@dataclass
class GateResult:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rules: list[RuleOutcome] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def default_thresholds_path() -> Path:
    return data_dir("evals") / "thresholds.yaml"


def default_baseline_path() -> Path:
    return data_dir("evals") / "baseline.json"


def load_thresholds(path: Path) -> Thresholds:
    """Floors per section; raises ValueError naming what is malformed."""
    raw = parse_yaml(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError("expected a mapping of sections (backends, preextractor) and a tolerance")
    tolerance = float(raw.pop("tolerance", DEFAULT_TOLERANCE))
    floors: dict[str, dict[str, float]] = {}
    margins: dict[str, float] = {}
    for section, values in raw.items():
        if values is not None and not isinstance(values, dict):
            raise ValueError(f"section {section!r} must map score names to floors")
        values = dict(values or {})
        if "beat_baseline_by" in values:
            margins[section] = float(values.pop("beat_baseline_by"))
        floors[section] = {name: float(value) for name, value in values.items()}
    return Thresholds(tolerance, floors, margins)


def load_baseline(path: Path) -> dict[str, dict[str, object]]:
    if not path.is_file():
        return {}
    loaded: dict[str, dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def split_scores(run: EvalRun) -> dict[str, dict[str, float]]:
    """The run's scores under the section names of the thresholds and the baseline."""
    scores = run.scores()
    preextractor = {k: v for k, v in scores.items() if k.split(".")[0] in PREEXTRACTOR_SECTIONS}
    backend = {k: v for k, v in scores.items() if k.split(".")[0] not in PREEXTRACTOR_SECTIONS}
    return {PREEXTRACTOR: preextractor, run.backend: backend}


def check(run: EvalRun, thresholds: Thresholds, baseline: dict[str, dict[str, object]] | None) -> GateResult:
    """Every reason the run should not pass, each naming the score, its value and the bar.

    ``baseline`` None gates by the floors alone (a suite with no blessed scores, such as realdev):
    neither the drift from a baseline nor the lead over the keyword baseline is checked.
    """
    result = GateResult()
    floors_only = baseline is None
    baseline = baseline or {}
    for document in run.documents:
        if document.status in ("error", "failed"):
            result.failures.append(f"fixture {document.fixture_id}: {document.reason}")
        elif document.status == "skipped":
            result.notes.append(f"fixture {document.fixture_id} skipped: {document.reason}")
    if not run.fixture_ids():
        result.failures.append("no fixture could be scored")
        return result
    if run.backend not in thresholds.floors:
        result.notes.append(f"no thresholds for backend {run.backend!r}")
    for section, scores in split_scores(run).items():
        for name, floor in sorted(thresholds.floors.get(section, {}).items()):
            if name not in scores:
                result.failures.append(f"{section}: threshold names {name!r}, which the run does not score")
            else:
                passed = scores[name] >= floor - 1e-9
                result.rules.append(RuleOutcome("floor", section, name, scores[name], floor, 0.0, passed))
                if not passed:
                    result.failures.append(f"{section}: {name} = {scores[name]:.3f} is below its threshold {floor:.3f}")
        blessed = baseline.get(section)
        if not floors_only and _comparable(section, blessed, run, result):
            _against_baseline(section, scores, _blessed_scores(blessed), thresholds.tolerance, result)
    margin = thresholds.margins.get(run.backend)
    if floors_only:
        result.notes.append("gated by the floors only (no blessed baseline for these documents)")
    elif margin is not None and _comparable("baseline", baseline.get("baseline"), run, result):
        _beats_the_keyword_baseline(run, margin, _blessed_scores(baseline.get("baseline")), result)
    return result


def _comparable(section: str, blessed: dict[str, object] | None, run: EvalRun, result: GateResult) -> bool:
    """Blessed on the fixtures this run scored? Absent documents excuse a difference; new or
    removed fixtures make the baseline stale, which fails: bless again."""
    bless_command = f"summarizer eval --backend {section if section in BACKENDS else run.backend} --bless"
    if not blessed:
        result.notes.append(f"{section}: no committed baseline (run `{bless_command}`)")
        return False
    blessed_ids = set(blessed.get("fixtures", []))  # type: ignore[call-overload]
    scored = set(run.fixture_ids())
    if blessed_ids == scored:
        return True
    absent = {d.fixture_id for d in run.documents if d.status == "skipped"}
    if scored < blessed_ids and blessed_ids - scored <= absent:
        result.notes.append(f"{section}: some blessed fixtures' documents are absent; baseline comparison skipped")
    else:
        result.failures.append(
            f"{section}: the baseline is stale (blessed on {sorted(blessed_ids)}, this run scored {sorted(scored)}); "
            f"run `{bless_command}` after checking the new scores"
        )
    return False


def _blessed_scores(blessed: dict[str, object] | None) -> dict[str, float]:
    scores: dict[str, float] = (blessed or {}).get("scores", {})  # type: ignore[assignment]
    return scores


def _beats_the_keyword_baseline(
    run: EvalRun, margin: float, floor_scores: dict[str, float], result: GateResult
) -> None:
    """Each section F1 must lead the keyword baseline's blessed score by ``margin``."""
    scores = run.scores()
    for name in (n for n in SECTION_SCORES if n in floor_scores):
        passed = scores[name] >= floor_scores[name] + margin - 1e-9
        result.rules.append(
            RuleOutcome("beats_keyword_baseline", run.backend, name, scores[name], floor_scores[name] + margin, 0.0, passed)
        )
        if not passed:
            result.failures.append(
                f"{run.backend}: {name} = {scores[name]:.3f} does not beat the keyword baseline "
                f"{floor_scores[name]:.3f} by {margin:.2f}"
            )


def _against_baseline(
    section: str, scores: dict[str, float], blessed_scores: dict[str, float], tolerance: float, result: GateResult
) -> None:
    for name, before in sorted(blessed_scores.items()):
        if not _compared(name) or name not in scores:
            continue
        passed = scores[name] >= before - tolerance - 1e-9
        result.rules.append(RuleOutcome("baseline", section, name, scores[name], before, tolerance, passed))
        if not passed:
            result.failures.append(
                f"{section}: {name} = {scores[name]:.3f} is {before - scores[name]:.3f} below the baseline "
                f"{before:.3f} (tolerance {tolerance:.3f})"
            )


def _compared(name: str) -> bool:
    return name.endswith(_BASELINE_SUFFIXES) or name.startswith(_BASELINE_PREFIXES)


def bless(run: EvalRun, path: Path) -> None:
    """Write this run's scores as the new baseline of its backend and of the pre-extractor."""
    baseline = load_baseline(path)
    fixture_ids = run.fixture_ids()
    for section, scores in split_scores(run).items():
        baseline[section] = {
            "fixtures": fixture_ids,
            "scores": {name: round(value, 4) for name, value in sorted(scores.items()) if _compared(name)},
        }
    write_atomic(path, json.dumps(baseline, ensure_ascii=False, indent=2, sort_keys=True) + "\n")

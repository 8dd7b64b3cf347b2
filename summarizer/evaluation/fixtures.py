"""Hand-labelled fixtures: one YAML file per document, holding labels and never the document's text.

The format is defined in ``conventions.md`` (the labelling rules in ``evals/LABELING.md``). A
fixture whose document is absent is skipped with its reason, never a crash: the seeds live
outside the repository and may be missing on a fresh machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.resources import data_dir, seeds_dir
from summarizer.schema import Direction, Qualifier, QuantityKind, TargetMeasure


class FixtureError(Exception):
    """A fixture file cannot be used as labels: unreadable YAML or fields that break the format."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class _Label(BaseModel):
    # A misspelt field would silently become "not stated" and skew every score: refuse it.
    model_config = ConfigDict(extra="forbid")


class GoldQuantity(_Label):
    surface: str
    kind: QuantityKind
    value: float | None = None
    unit: str = ""
    qualifier: Qualifier = "exact"
    offset: int | None = Field(default=None, description="Of the surface in the raw (decoded) file text.")
    low: float | None = None
    high: float | None = None
    direction: Direction | None = None


class GoldMetric(_Label):
    name: str
    value: float | None = None
    unit: str | None = None
    growth_pct: float | None = None
    growth_pp: float | None = None
    period: str | None = None
    qualifier: Qualifier = "exact"


class GoldTarget(_Label):
    name: str
    value: float | None = None
    unit: str | None = None
    measure: TargetMeasure = "level"
    qualifier: Qualifier = "exact"
    low: float | None = None
    high: float | None = None
    horizon: str | None = None
    cue: str | None = None


class GoldMeta(_Label):
    organization: str | None = None
    city: str | None = None
    meeting_date: dt.date | None = None
    meeting_name: str | None = None
    report_period: str | None = None


class GoldSummary(_Label):
    meta: GoldMeta = Field(default_factory=GoldMeta)
    metrics: list[GoldMetric] = Field(default_factory=list)
    targets: list[GoldTarget] = Field(default_factory=list)
    achievements: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list)


class Fixture(_Label):
    id: str
    document: str
    sha256: str | None = None
    labeled_by: str = "hand"
    notes: str | None = None
    quantities: list[GoldQuantity] = Field(default_factory=list)
    summary: GoldSummary = Field(default_factory=GoldSummary)


@dataclass(frozen=True)
class LoadedFixture:
    """A fixture and where its document is, or why it cannot be scored."""

    fixture: Fixture
    path: Path
    document_path: Path | None
    skip_reason: str | None = None
    error: str | None = None


def default_fixtures_dir() -> Path:
    return data_dir("evals") / "fixtures"


def load_fixture(path: Path) -> Fixture:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FixtureError(path, f"cannot read: {exc}") from exc
    if not isinstance(raw, dict):
        raise FixtureError(path, "expected a mapping at the top level")
    raw["quantities"] = raw.get("quantities") or []
    summary = raw.get("summary") or {}
    raw["summary"] = {key: value for key, value in summary.items() if value is not None}
    try:
        return Fixture.model_validate(raw)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise FixtureError(path, "invalid fixture: " + "; ".join(errors[:3]) + more) from exc


def resolve_document(reference: str, fixture_dir: Path) -> Path:
    """``seeds/NAME`` -> the seeds folder, ``examples/NAME`` -> shipped examples, else beside the fixture."""
    head, _, rest = reference.partition("/")
    if head == "seeds" and rest:
        return seeds_dir() / rest
    if head == "examples" and rest:
        return data_dir("examples") / rest
    return fixture_dir / reference


def discover(fixtures_dir: Path) -> list[LoadedFixture]:
    """Every fixture of the folder in name order, each with its document or the reason it has none.

    A broken fixture is reported as an error (the gate fails on it); an absent document is a skip.
    """
    found: list[LoadedFixture] = []
    for path in sorted(fixtures_dir.glob("*.yaml")) + sorted(fixtures_dir.glob("*.yml")):
        try:
            fixture = load_fixture(path)
        except FixtureError as exc:
            placeholder = Fixture(id=path.stem, document="")
            found.append(LoadedFixture(placeholder, path, None, error=exc.reason))
            continue
        document_path = resolve_document(fixture.document, path.parent)
        if not document_path.is_file():
            reason = f"document {fixture.document} not found at {document_path}"
            found.append(LoadedFixture(fixture, path, None, skip_reason=reason))
            continue
        if fixture.sha256:
            actual = hashlib.sha256(document_path.read_bytes()).hexdigest()
            if actual != fixture.sha256.lower():
                reason = f"document {fixture.document} changed since labelling (sha256 {actual[:12]}…)"
                found.append(LoadedFixture(fixture, path, document_path, error=reason))
                continue
        found.append(LoadedFixture(fixture, path, document_path))
    return found

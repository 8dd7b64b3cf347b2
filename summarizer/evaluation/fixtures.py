"""Hand-labelled fixtures: one YAML file per document, holding labels and never the document's text.

The labelling rules and the format are in ``evals/LABELING.md``. A fixture whose document is
absent is reported with its reason, never a crash (the runner fails it unless missing documents
are allowed): the seeds live outside the repository and may be missing on a fresh machine.

A folder in the layout of ``shared/realdev`` (``gold/*.yaml`` beside ``docs/``) is read as a suite
of fixtures too: :mod:`summarizer.evaluation.realdev` converts its labels in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from summarizer.resources import data_dir, parse_yaml, seeds_dir
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
    numbers: list[str] | None = Field(
        default=None,
        description=(
            "Bare quantity surfaces in text order, without kind or value (the shared/realdev labels). "
            "When set, the pre-extractor is scored on surfaces only (section `numbers`) instead of "
            "on `quantities`."
        ),
    )
    summary: GoldSummary = Field(default_factory=GoldSummary)
    unlabelled: list[str] = Field(
        default_factory=list,
        description=(
            "Fields the labels do not carry, as `metrics.qualifier`: not compared, not counted "
            "(labels made under other conventions, such as shared/realdev)."
        ),
    )

    @field_validator("unlabelled")
    @classmethod
    def _known_fields(cls, names: list[str]) -> list[str]:
        records: dict[str, type[BaseModel]] = {"metrics": GoldMetric, "targets": GoldTarget}
        for name in names:
            section, _, field_name = name.partition(".")
            if section not in records or field_name not in records[section].model_fields or field_name == "name":
                raise ValueError(f"{name!r} is not a metrics.<field> or targets.<field> that can go unlabelled")
        return names

    def unlabelled_fields(self, section: str) -> list[str]:
        """The field names of ``section`` the labels do not carry."""
        return [name.partition(".")[2] for name in self.unlabelled if name.partition(".")[0] == section]


@dataclass(frozen=True)
class LoadedFixture:
    """A fixture and where its document is, or why it cannot be scored (``skip_reason``: its
    document is absent)."""

    fixture: Fixture
    path: Path
    document_path: Path | None
    skip_reason: str | None = None
    error: str | None = None


def default_fixtures_dir() -> Path:
    return data_dir("evals") / "fixtures"


def load_fixture(path: Path) -> Fixture:
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
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


def shipped_documents() -> dict[str, Path]:
    """The document folders of the shipped fixtures: the seeds (found as
    :func:`summarizer.resources.seeds_dir` finds them) and the shipped examples."""
    return {"seeds": seeds_dir(), "examples": data_dir("examples")}


def resolve_document(reference: str, fixture_dir: Path, documents: Mapping[str, Path] | None = None) -> Path:
    """``PREFIX/NAME`` with a PREFIX of ``documents`` (a suite's ``documents``; default: seeds and
    the shipped examples) -> that folder; anything else beside the fixture."""
    folders = shipped_documents() if documents is None else documents
    head, _, rest = reference.partition("/")
    if head in folders and rest:
        return folders[head] / rest
    return fixture_dir / reference


def discover(fixtures_dir: Path, documents: Mapping[str, Path] | None = None) -> list[LoadedFixture]:
    """Every fixture of the folder in name order, each with its document or the reason it has none.

    A broken fixture is reported as an error (the gate fails on it); an absent document gets a
    ``skip_reason``. ``documents`` maps a reference's first folder to where it is (see
    :func:`resolve_document`).
    A folder in the realdev layout (``gold/`` and ``docs/``, no fixture files of its own) is read
    by :func:`summarizer.evaluation.realdev.discover_realdev`.
    """
    from summarizer.evaluation.realdev import discover_realdev, is_realdev_layout

    if is_realdev_layout(fixtures_dir):
        return discover_realdev(fixtures_dir)
    found: list[LoadedFixture] = []
    for path in sorted(fixtures_dir.glob("*.yaml")) + sorted(fixtures_dir.glob("*.yml")):
        try:
            fixture = load_fixture(path)
        except FixtureError as exc:
            placeholder = Fixture(id=path.stem, document="")
            found.append(LoadedFixture(placeholder, path, None, error=exc.reason))
            continue
        document_path = resolve_document(fixture.document, path.parent, documents)
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

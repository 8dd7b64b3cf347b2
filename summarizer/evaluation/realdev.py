"""The ``realdev`` suite: the labelled real documents of ``shared/realdev``, read as fixtures in memory.

The folder (:func:`summarizer.resources.realdev_dir`, ``SUMMARIZER_REALDEV_DIR`` to override)
holds ``docs/dNN.txt`` and hand labels ``gold/dNN.yaml`` in the external scorer's format
(``meta``, ``metrics``, ``targets``, ``achievements``, ``problems``, ``tasks``, ``numbers``).
Each label file becomes a :class:`Fixture` when the evaluation runs; nothing converted is ever
written, and the documents stay where they are.

What the conversion decides, where the two label formats differ:

- ``numbers`` are bare surfaces (no kind, value or offset). They become ``Fixture.numbers`` and
  the pre-extractor is scored on surfaces only for this suite (section ``numbers``: the
  external scorer's surface rule, in text order); its full-field ``quantities`` scores are not
  computed, since there is nothing to compare kinds and values with.
- a target's ``approx: true`` only says "not exact": the qualifier is read from its ``text``
  (以上, 不少于 ... -> ``more_than``; 以内, 以下 ... -> ``less_than``; otherwise ``approx``).
- a target's ``measure`` is not labelled: ``rank`` for 名/位, ``growth`` for a percent of
  增长/增速/提高/翻番, ``count`` for a counting unit, else ``level``. ``cue`` stays unset.
- values in 成 are written as read (近6成: 6, unit 成), as the project states them (成 is ten percent).
- ``meta.report_period`` keeps its year here (2024年一季度); the project's labels give the short
  form (一季度, evals/LABELING.md), so a leading year is dropped when a period follows it (a
  whole year, 2022年, stays as written).
- metrics carry no qualifier (超80亿元 is labelled 80) and no ``growth_pp``: both are listed
  in ``Fixture.unlabelled``, so the scorers neither compare nor count them for this suite.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from summarizer.evaluation.fixtures import Fixture, FixtureError, LoadedFixture
from summarizer.resources import parse_yaml
from summarizer.schema import Qualifier, TargetMeasure

SUITE = "realdev"
#: Fields the realdev labels do not carry (see the module's docstring).
UNLABELLED = ["metrics.qualifier", "metrics.growth_pp"]
_TOP_KEYS = {"doc", "meta", "metrics", "targets", "achievements", "problems", "tasks", "numbers"}
_METRIC_KEYS = {"name", "value", "unit", "growth_pct", "period"}
_TARGET_KEYS = {"name", "value", "unit", "approx", "horizon", "text"}

_MORE_THAN = re.compile(r"以上|不少于|不低于|超过|突破|之上")
_LESS_THAN = re.compile(r"以内|以下|不超过|不高于|之内")
_GROWTH = re.compile(r"增长|增速|增幅|提高|提升|翻番|翻一番")
_RANKS = {"名", "位"}
_LEADING_YEAR = re.compile(r"^\d{4}年(?=\S)")
_COUNTING_UNITS = {"个", "家", "项", "户", "人", "台", "座", "所", "条", "件", "批", "套", "次", "处"}


def is_realdev_layout(folder: Path) -> bool:
    """A folder of label files ``gold/*.yaml`` beside ``docs/``, and no fixture files of its own."""
    if not (folder / "gold").is_dir() or not (folder / "docs").is_dir():
        return False
    return not any(folder.glob("*.yaml")) and not any(folder.glob("*.yml"))


def discover_realdev(folder: Path) -> list[LoadedFixture]:
    """Every label file of ``folder/gold`` in name order, as fixtures with their documents.

    An absent folder gives no fixture (callers say why); a label file that breaks the format is an
    error, an absent document a skip, as for any fixture.
    """
    found: list[LoadedFixture] = []
    for path in sorted((folder / "gold").glob("*.yaml")):
        try:
            fixture = load_realdev_gold(path)
        except FixtureError as exc:
            found.append(LoadedFixture(Fixture(id=_fixture_id(path), document=""), path, None, error=exc.reason))
            continue
        document_path = (path.parent / fixture.document).resolve()
        if not document_path.is_file():
            reason = f"document {Path(fixture.document).name} not found at {document_path}"
            found.append(LoadedFixture(fixture, path, None, skip_reason=reason))
            continue
        found.append(LoadedFixture(fixture, path, document_path))
    return found


def load_realdev_gold(path: Path) -> Fixture:
    """One ``gold/dNN.yaml`` as a fixture (its document: ``../docs/<doc>`` beside the gold folder)."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FixtureError(path, f"cannot read: {exc}") from exc
    if not isinstance(raw, dict):
        raise FixtureError(path, "expected a mapping at the top level")
    _refuse_unknown(path, "the label file", raw, _TOP_KEYS)
    metrics = [_metric(path, m) for m in _records(path, raw, "metrics")]
    targets = [_target(path, t) for t in _records(path, raw, "targets")]
    summary: dict[str, Any] = {
        "meta": _meta(path, raw.get("meta") or {}),
        "metrics": metrics,
        "targets": targets,
        **{section: [str(p) for p in raw.get(section) or []] for section in ("achievements", "problems", "tasks")},
    }
    document = str(raw.get("doc") or f"{path.stem}.txt")
    try:
        return Fixture.model_validate({
            "id": _fixture_id(path),
            "document": f"../docs/{document}",
            "labeled_by": "hand",
            "notes": f"{SUITE} labels, converted in memory from {path.name}",
            "numbers": [str(n) for n in raw.get("numbers") or []],
            "summary": summary,
            "unlabelled": UNLABELLED,
        })
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise FixtureError(path, "invalid labels: " + "; ".join(errors[:3])) from exc


def _fixture_id(path: Path) -> str:
    return f"{SUITE}-{path.stem}"


def _records(path: Path, raw: dict[str, Any], section: str) -> list[dict[str, Any]]:
    records = raw.get(section) or []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise FixtureError(path, f"{section}: expected a list of mappings")
    return records


def _refuse_unknown(path: Path, where: str, record: dict[str, Any], known: set[str]) -> None:
    # A misspelt or new field would silently become "not stated" and skew every score: refuse it.
    unknown = sorted(set(record) - known)
    if unknown:
        raise FixtureError(path, f"{where} has fields the conversion does not know: {', '.join(map(str, unknown))}")


def _meta(path: Path, meta: object) -> dict[str, Any]:
    if not isinstance(meta, dict):
        raise FixtureError(path, "meta: expected a mapping")
    period = meta.get("report_period")
    if isinstance(period, str):
        meta = {**meta, "report_period": _LEADING_YEAR.sub("", period.strip())}
    return meta


def _metric(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    _refuse_unknown(path, f"metric {record.get('name')!r}", record, _METRIC_KEYS)
    return {key: record.get(key) for key in _METRIC_KEYS if record.get(key) not in (None, "")}


def _target(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    _refuse_unknown(path, f"target {record.get('name')!r}", record, _TARGET_KEYS)
    keys = ("name", "value", "unit", "horizon")
    converted = {key: record.get(key) for key in keys if record.get(key) not in (None, "")}
    converted["qualifier"] = target_qualifier(bool(record.get("approx")), record.get("text"))
    converted["measure"] = target_measure(str(record.get("name") or ""), record.get("unit"), record.get("text"))
    return converted


def target_qualifier(approx: bool, text: str | None) -> Qualifier:
    """The project's qualifier of a realdev target: ``approx`` there means any inexact value."""
    if not approx:
        return "exact"
    if _MORE_THAN.search(text or ""):
        return "more_than"
    if _LESS_THAN.search(text or ""):
        return "less_than"
    return "approx"


def target_measure(name: str, unit: str | None, text: str | None) -> TargetMeasure:
    """What a realdev target measures, from its unit and wording (the labels do not say)."""
    if unit in _RANKS:
        return "rank"
    if unit == "%" and _GROWTH.search(name + (text or "")):
        return "growth"
    if unit in _COUNTING_UNITS:
        return "count"
    return "level"

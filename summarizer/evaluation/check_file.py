"""A check: a short text (or a document) and what its summary must and must not say.

A whole-document fixture is the wrong tool for a regression case: one labelled metric scores
precision near zero. A check asserts only what it names, so five lines pin one form down::

    text: 上半年，全区规上工业增加值同比增长8.5%。
    expect:
      - metric: {name: 规模以上工业增加值, growth_pct: 8.5}
      - no_target: true
      - faithful: true

The pydantic models here are the source of ``schemas/check.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from summarizer.resources import data_dir, parse_yaml
from summarizer.schema import Qualifier

Section = Literal["metrics", "targets", "achievements", "problems", "tasks"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricExpectation(_Strict):
    """A metric whose canonical name is ``name``; each field given must agree."""

    name: str = Field(description="Matched by canonical name (规上工业增加值 = 规模以上工业增加值).")
    value: float | None = None
    unit: str | None = Field(default=None, description="Compared with the value, scaled: 1.2亿元 = 12000万元.")
    growth_pct: float | None = Field(default=None, description="Year-on-year change in %; negative for a fall.")
    growth_pp: float | None = Field(default=None, description="Change in percentage points.")
    qualifier: Qualifier | None = Field(default=None, description="约 / 左右 -> approx, 多 / 以上 -> more_than ...")


class TargetExpectation(_Strict):
    """A target; each field given must agree (none given: any target at all)."""

    name: str | None = Field(default=None, description="Matched by canonical name.")
    cue: str | None = Field(default=None, description="The goal word: 力争, 确保, 目标 ...")
    value: float | None = None
    unit: str | None = None


class AtMost(_Strict):
    section: Section
    items: int = Field(ge=0)


class Expectation(_Strict):
    """Exactly one of the fields, each a kind of expectation."""

    metric: MetricExpectation | None = None
    target: TargetExpectation | None = None
    no_metric: str | None = Field(default=None, description="No metric has this canonical name.")
    no_target: Literal[True] | None = Field(default=None, description="The summary has no target.")
    task_contains: str | None = Field(default=None, description="Some task's text contains this phrase.")
    at_most: AtMost | None = Field(default=None, description="A section holds at most this many items.")
    faithful: Literal[True] | None = Field(
        default=None, description="The summary states no number (value, growth, or inside a phrase) the text lacks."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Expectation:
        given = [name for name, value in self if value is not None]
        if len(given) != 1:
            raise ValueError(f"an expectation names exactly one kind, got {given or 'none'}")
        return self

    @property
    def kind(self) -> str:
        return next(name for name, value in self if value is not None)


class CheckFile(_Strict):
    """One ``evals/checks/*.yaml`` file."""

    about: str | None = Field(default=None, description="The form or trap this check pins down.")
    text: str | None = Field(default=None, description="The document itself, a few sentences.")
    document: str | None = Field(default=None, description="Or a path to the document, relative to this file.")
    expect: list[Expectation] = Field(min_length=1)
    xfail: str | None = Field(
        default=None, description="A known failure of the rules backend, with its reason: reported, not hidden."
    )

    @model_validator(mode="after")
    def _one_source(self) -> CheckFile:
        if (self.text is None) == (self.document is None):
            raise ValueError("give either text or document, not both or neither")
        return self


@dataclass(frozen=True)
class LoadedCheck:
    """A check file read from disk; ``error`` says why it is unusable (the check then fails)."""

    id: str
    path: Path
    check: CheckFile | None
    error: str | None = None

    @property
    def document_path(self) -> Path | None:
        if self.check is None or self.check.document is None:
            return None
        return (self.path.parent / self.check.document).resolve()


#: Where a project keeps its checks.
CHECKS_FOLDER = Path("evals") / "checks"


def default_checks_dir() -> Path:
    """The shipped checks (a checkout's own ``evals/checks``)."""
    return data_dir("evals") / "checks"


def load_check(path: Path) -> LoadedCheck:
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
        return LoadedCheck(path.stem, path, CheckFile.model_validate(raw))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return LoadedCheck(path.stem, path, None, f"cannot read {path}: {exc}")
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors())
        return LoadedCheck(path.stem, path, None, f"{path} is not a valid check: {problems}")


def discover_checks(folder: Path) -> list[LoadedCheck]:
    """Every ``*.yaml`` / ``*.yml`` file of ``folder``, by name."""
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [load_check(path) for path in paths]

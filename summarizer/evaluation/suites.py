"""Projects and suites: where an evaluation reads its fixtures, documents, floors, baseline and prompts.

A *project* is a folder with an ``evals/`` folder in it: the current directory when it has one,
``--project DIR`` otherwise, else the shipped copy inside the package (examples to read, never a
place to write: see :func:`summarizer.resources.refuse_installed`).

A *suite* is one file, ``evals/suites/NAME.yaml``, naming everything a run needs, every path
relative to the project (the folder holding ``evals/``)::

    fixtures: evals/fixtures               # fixture YAML files, or a folder with gold/ and docs/
    fixtures_env: null                     # an environment variable that overrides `fixtures`
    documents:                             # `document: seeds/x.txt` of a fixture -> this folder
      seeds: ../shared/seeds
      examples: examples
    documents_env: {seeds: SUMMARIZER_SEEDS_DIR}
    thresholds: evals/thresholds.yaml
    baseline: evals/baseline.json          # null: gated by the floors alone

Adding a suite is adding a file; ``--suite NAME`` then needs nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.resources import data_dir, parse_yaml

SUITES_FOLDER = Path("evals") / "suites"


class SuiteError(Exception):
    """A project or suite cannot be used: missing, unreadable, or naming unknown fields."""


class SuiteFile(BaseModel):
    """The fields of ``evals/suites/NAME.yaml`` (paths relative to the project)."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    fixtures: str
    fixtures_env: str | None = None
    documents: dict[str, str] = Field(default_factory=dict)
    documents_env: dict[str, str] = Field(default_factory=dict)
    thresholds: str
    baseline: str | None = None


@dataclass(frozen=True)
class Project:
    """A folder with ``evals/``; ``shipped``: the package's own copy (read-only examples)."""

    root: Path
    shipped: bool = False

    @property
    def prompts_dir(self) -> Path | None:
        """The project's ``prompts/`` when it has one (else the shipped prompts apply)."""
        folder = self.root / "prompts"
        return folder if folder.is_dir() else None

    def suite_names(self) -> list[str]:
        return sorted(path.stem for path in (self.root / SUITES_FOLDER).glob("*.yaml"))


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    fixtures_dir: Path
    documents: dict[str, Path]
    thresholds: Path
    baseline: Path | None
    description: str = ""


def find_project(explicit: Path | None = None, cwd: Path | None = None) -> Project:
    """``explicit`` (it must hold ``evals/``), else the current directory when it holds one, else
    the shipped copy."""
    if explicit is not None:
        if not (explicit / "evals").is_dir():
            raise SuiteError(f"--project {explicit}: no evals/ folder there")
        return Project(explicit.resolve())
    here = (cwd or Path.cwd()).resolve()
    if (here / "evals").is_dir():
        return Project(here)
    return Project(data_dir("evals").parent.resolve(), shipped=True)


def load_suite(project: Project, name: str) -> Suite:
    """The suite ``name`` of ``project``, its paths resolved (environment overrides applied)."""
    path = project.root / SUITES_FOLDER / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(project.suite_names()) or "none"
        raise SuiteError(f"no suite {name!r} in {project.root / SUITES_FOLDER} (suites there: {known})")
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8")) or {}
        spec = SuiteFile.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise SuiteError(f"{path}: cannot read: {exc}") from exc
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SuiteError(f"{path}: {errors}") from exc
    root = project.root

    def located(value: str, variable: str | None) -> Path:
        configured = os.environ.get(variable) if variable else None
        if configured:
            return Path(configured).expanduser()
        # The shipped copy has no ../shared beside it: folders outside it are looked for beside the
        # current directory instead.
        base = Path.cwd() if project.shipped and value.startswith("..") else root
        return (base / value).resolve()

    return Suite(
        name=name,
        path=path,
        fixtures_dir=located(spec.fixtures, spec.fixtures_env),
        documents={prefix: located(folder, spec.documents_env.get(prefix)) for prefix, folder in spec.documents.items()},
        thresholds=(root / spec.thresholds).resolve(),
        baseline=None if spec.baseline is None else (root / spec.baseline).resolve(),
        description=spec.description,
    )


def baseline_owner(project: Project, baseline: Path, suite: str) -> str | None:
    """The name of another suite of ``project`` whose baseline is ``baseline``, if any."""
    for name in project.suite_names():
        if name == suite:
            continue
        try:
            other = load_suite(project, name)
        except SuiteError:
            continue
        if other.baseline is not None and other.baseline == baseline.resolve():
            return name
    return None

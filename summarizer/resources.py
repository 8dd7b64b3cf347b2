"""Where the shipped data folders live.

The repository keeps ``prompts/``, ``schemas/``, ``evals/`` and ``examples/`` at its top level (the
design card's layout); a built wheel carries them as ``summarizer/_data/<name>``. Code asks this
module, never a hard-coded path, so both a checkout and a non-editable install work.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

_PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FOLDERS = ("prompts", "schemas", "evals", "examples")
#: libyaml's safe loader when PyYAML was built with it (the wheels are): the pure-Python one spends
#: tens of milliseconds on the few-shot example and the cue lists at every start. Same errors.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load``, the fast way."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader, libyaml's


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (one of DATA_FOLDERS), installed or in the checkout."""
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; expected one of {DATA_FOLDERS}")
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


#: Folder names pip installs packages under: a path below one is an installed copy, never a project.
_INSTALL_FOLDERS = ("site-packages", "dist-packages")


class InstalledPackageError(Exception):
    """A write aimed at the installed package's own files, which are shipped examples, not a project."""

    def __init__(self, path: Path, instead: str) -> None:
        super().__init__(f"{path} is inside the installed summarizer package; {instead}")
        self.path = path


def inside_installed_package(path: Path) -> bool:
    """True for a path in an installed package (under site-packages or dist-packages, or inside
    the imported package's folder): writing there changes every user's copy and is lost on upgrade."""
    resolved = path.expanduser().resolve()
    if any(part in _INSTALL_FOLDERS for part in resolved.parts):
        return True
    return resolved == _PACKAGE_DIR or _PACKAGE_DIR in resolved.parents


def shown_source(path: str | None) -> str | None:
    """A source path as a reader should see it: a shipped example as ``examples/NAME (shipped with
    summarizer)``, not the site-packages (or checkout) path it was read from; any other path as given."""
    if not path:
        return path
    examples = data_dir("examples").resolve()
    resolved = Path(path).resolve()
    if examples in resolved.parents:
        return f"examples/{resolved.relative_to(examples).as_posix()} (shipped with summarizer)"
    return path


def refuse_installed(path: Path, instead: str) -> None:
    """Raise :class:`InstalledPackageError` when ``path`` is inside an installed package."""
    if inside_installed_package(path):
        raise InstalledPackageError(path, instead)


def _shared_dir(name: str, variable: str) -> Path:
    """``$variable`` if set; otherwise ``../shared/<name>`` beside the current directory, then beside
    the checkout (never beside an installed package: site-packages has no ``shared/`` next to it).
    The returned folder may not exist: callers say so."""
    configured = os.environ.get(variable)
    if configured:
        return Path(configured)
    bases = [Path.cwd()] + ([] if inside_installed_package(_PACKAGE_DIR.parent) else [_PACKAGE_DIR.parent])
    for base in bases:
        candidate = base.resolve().parent / "shared" / name
        if candidate.is_dir():
            return candidate
    return Path.cwd().resolve().parent / "shared" / name


def seeds_dir() -> Path:
    """The real seed documents (never copied into the project).

    ``SUMMARIZER_SEEDS_DIR`` wins; otherwise ``../shared/seeds`` beside the current directory, then
    beside the checkout. A suite file names its own (``evals/suites/*.yaml``).
    """
    return _shared_dir("seeds", "SUMMARIZER_SEEDS_DIR")


def realdev_dir() -> Path:
    """The labelled real development documents: ``docs/dNN.txt`` and their labels ``gold/dNN.yaml``.

    Read in place at evaluation time, never copied or converted into the project.
    ``SUMMARIZER_REALDEV_DIR`` wins; otherwise ``../shared/realdev`` beside the current directory,
    then beside the checkout.
    """
    return _shared_dir("realdev", "SUMMARIZER_REALDEV_DIR")

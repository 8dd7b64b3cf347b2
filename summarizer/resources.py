"""Where the shipped data folders live.

The repository keeps ``prompts/``, ``schemas/``, ``evals/`` and ``examples/`` at its top level (the
design card's layout); a built wheel carries them as ``summarizer/_data/<name>``. Code asks this
module, never a hard-coded path, so both a checkout and a non-editable install work.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FOLDERS = ("prompts", "schemas", "evals", "examples")


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (one of DATA_FOLDERS), installed or in the checkout."""
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; expected one of {DATA_FOLDERS}")
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def _shared_dir(name: str, variable: str) -> Path:
    """``$variable`` if set; otherwise ``../shared/<name>`` beside the checkout, then beside the
    current directory. The returned folder may not exist: callers skip with a reason."""
    configured = os.environ.get(variable)
    if configured:
        return Path(configured)
    for base in (_PACKAGE_DIR.parent, Path.cwd()):
        candidate = base.parent / "shared" / name
        if candidate.is_dir():
            return candidate
    return _PACKAGE_DIR.parent.parent / "shared" / name


def seeds_dir() -> Path:
    """The real seed documents (never copied into the project).

    ``SUMMARIZER_SEEDS_DIR`` wins; otherwise ``../shared/seeds`` beside the checkout, then beside
    the current directory. The returned folder may not exist: callers skip with a reason.
    """
    return _shared_dir("seeds", "SUMMARIZER_SEEDS_DIR")


def realdev_dir() -> Path:
    """The labelled real development documents: ``docs/dNN.txt`` and their labels ``gold/dNN.yaml``.

    Read in place at evaluation time, never copied or converted into the project.
    ``SUMMARIZER_REALDEV_DIR`` wins; otherwise ``../shared/realdev`` beside the checkout, then
    beside the current directory. The returned folder may not exist: callers skip with a reason.
    """
    return _shared_dir("realdev", "SUMMARIZER_REALDEV_DIR")

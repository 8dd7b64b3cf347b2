"""The JSON Schemas in ``schemas/`` are generated from the pydantic models, never edited by hand."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from summarizer.evaluation.check_file import CheckFile
from summarizer.resources import data_dir, refuse_installed
from summarizer.schema import SCHEMA_MODELS

#: The output models and the input files a user writes (an eval check).
_ALL_MODELS: dict[str, type[BaseModel]] = {**SCHEMA_MODELS, "check": CheckFile}


def rendered_schemas() -> dict[str, str]:
    """File name -> JSON text, exactly as it should be on disk."""
    return {
        f"{stem}.schema.json": json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        for stem, model in _ALL_MODELS.items()
    }


def write_schema_files(folder: Path | None = None) -> list[Path]:
    """Write every schema into ``folder`` (default: the shipped ``schemas/``, which in a checkout is
    the project's). The installed package's copy is never written
    (:class:`summarizer.resources.InstalledPackageError`)."""
    target = folder or data_dir("schemas")
    refuse_installed(target, "write into your project's schemas/ with `summarizer schemas --out schemas`")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered_schemas().items():
        (target / name).write_text(text, encoding="utf-8")
        written.append(target / name)
    return written


def check_schema_files(folder: Path | None = None) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    target = folder or data_dir("schemas")
    return [
        name
        for name, text in rendered_schemas().items()
        if not (target / name).is_file() or (target / name).read_text(encoding="utf-8") != text
    ]

"""The per-sample log of an eval run (``samples.jsonl``) and the index of a ``--record`` folder.

One line per fixture, in fixture order: which configuration answered (backend, model, endpoint
without credentials, prompt version, mode), the raw answers where a model was asked, the
grounded summary, what grounding dropped, and the fixture's scores. A reader can then tell why a
score moved without re-running anything. The recording index (``index.json``) maps each fixture
to the answer files the run filed for it, so a recording can be read by document, not by hash.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from summarizer.atomic import write_atomic
from summarizer.evaluation.runner import EvalRun
from summarizer.redact import scrub

SAMPLES_FILE = "samples.jsonl"
INDEX_FILE = "index.json"


def public_endpoint(url: str | None) -> str | None:
    """The endpoint as it may be written down: no user, password, query or fragment."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return scrub(urlunsplit((parts.scheme, netloc, parts.path, "", "")))


def run_configuration(backend: str, config: Any) -> dict[str, Any]:
    """What configuration answered, for a backend name and a ``Config`` (or None)."""
    settings = getattr(config, "llm", None)
    configuration: dict[str, Any] = {"backend": backend}
    if backend == "llm" and settings is not None:
        configuration.update(
            model=settings.model,
            endpoint=public_endpoint(settings.base_url),
            mode=settings.resolved_mode,
            replay=settings.replay_dir is not None,
        )
    return configuration


def sample_lines(run: EvalRun, configuration: dict[str, Any]) -> list[str]:
    """One JSON line per fixture of ``run``."""
    lines = []
    for result in run.documents:
        summary = result.summary
        diagnostics = summary.diagnostics if summary is not None else None
        record = {
            "fixture": result.fixture_id,
            "status": result.status,
            "reason": result.reason,
            "configuration": {
                **configuration,
                "prompt_version": diagnostics.prompt_version if diagnostics else None,
                "mode": (diagnostics.mode if diagnostics and diagnostics.mode else configuration.get("mode")),
            },
            "answers": [{"status": a.status, "body": a.body, "file": a.file} for a in result.answers],
            "summary": None if summary is None else summary.model_dump(mode="json", exclude={"text"}),
            "dropped": [] if diagnostics is None else [d.model_dump(mode="json") for d in diagnostics.dropped],
            "scores": (result.scores + result.quantity_scores).flat() if result.status in ("scored", "failed") else {},
            "seconds": round(result.seconds, 3),
        }
        lines.append(scrub(json.dumps(record, ensure_ascii=False)) + "\n")
    return lines


def write_samples(run: EvalRun, configuration: dict[str, Any], out: Path) -> Path:
    """``out/samples.jsonl``, written whole (atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / SAMPLES_FILE
    write_atomic(path, sample_lines(run, configuration))
    return path


def write_record_index(run: EvalRun, folder: Path) -> Path:
    """``folder/index.json``: fixture id -> the answer files recorded for it (merged with an
    earlier index of the folder, so recording suite by suite keeps every entry)."""
    path = folder / INDEX_FILE
    index: dict[str, list[str]] = {}
    if path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            index = {str(k): [str(f) for f in v] for k, v in loaded.items()} if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            index = {}
    for result in run.documents:
        files = [a.file for a in result.answers if a.file]
        if files:
            index[result.fixture_id] = sorted(dict.fromkeys(files))
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(index, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return path

"""The batch runner: many input files, one output each, a manifest, atomic writes, resume.

A run killed at any moment leaves only whole files behind: every output and every manifest
update is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from summarizer import __version__
from summarizer.api import BackendChoice, Outcome, resolve_backend, summarize_many
from summarizer.backends import Backend
from summarizer.config import Config
from summarizer.document import expand_inputs
from summarizer.render import EXTENSIONS, OutputFormat, csv_table, render
from summarizer.schema import SCHEMA_VERSION, Summary, Usage

MANIFEST_NAME = "manifest.json"
COMBINED_CSV_NAME = "all.csv"
_RESERVED_STEMS = {Path(MANIFEST_NAME).stem, Path(COMBINED_CSV_NAME).stem}
Status = Literal["done", "failed", "skipped"]


class ManifestEntry(BaseModel):
    path: str
    sha256: str | None = None
    status: Status
    error: str | None = None
    output: str | None = None
    backend: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0
    fingerprint: str | None = Field(default=None, description="Of the configuration that produced the output.")


class Manifest(BaseModel):
    summarizer_version: str = __version__
    format: str
    entries: list[ManifestEntry] = Field(default_factory=list)


@dataclass
class BatchReport:
    entries: list[ManifestEntry]
    seconds: float
    summaries: list[Summary] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for entry in self.entries if entry.status == status)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for entry in self.entries:
            total = total.add(entry.usage)
        return total

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") else 0


Listener = Callable[[ManifestEntry, int, int], None]


@dataclass
class BatchOptions:
    out_dir: Path | None = None
    fmt: OutputFormat = "json"
    backend: BackendChoice | Backend = "auto"
    concurrency: int = 4
    resume: bool = False
    fail_fast: bool = False
    keep_summaries: bool = False


def run_batch(
    inputs: Iterable[str],
    options: BatchOptions,
    config: Config,
    *,
    listener: Listener | None = None,
) -> BatchReport:
    """Summarise every input; failures are recorded, never raised, so the rest of the batch finishes."""
    started = time.perf_counter()
    paths, missing = expand_inputs(inputs)
    backend = resolve_backend(options.backend, config)
    fingerprint = _fingerprint(backend, options.fmt)
    writer = _OutputWriter(options.out_dir, options.fmt, paths)
    total = len(paths) + len(missing)
    entries: list[ManifestEntry] = []
    for error in missing:
        entries.append(ManifestEntry(path=error.path, status="failed", error=error.reason))
        _notify(listener, entries[-1], len(entries), total)
    previous = writer.previous_entries() if options.resume else {}
    todo: list[Path] = []
    for path in paths:
        reusable = _reusable(previous.get(str(path)), path, fingerprint, writer)
        if reusable is None:
            todo.append(path)
        else:
            entries.append(reusable)
            _notify(listener, reusable, len(entries), total)
    writer.save_manifest(entries)

    summaries: list[Summary] = []
    outcomes = summarize_many(todo, backend=backend, config=config, concurrency=options.concurrency)
    try:
        for outcome in outcomes:
            entry = _record(outcome, writer, fingerprint)
            entries.append(entry)
            writer.save_manifest(entries)
            if options.keep_summaries and outcome.summary is not None:
                summaries.append(outcome.summary)
            _notify(listener, entry, len(entries), total)
            if options.fail_fast and entry.status == "failed":
                break
    finally:
        outcomes.close()
    writer.finish(entries)
    return BatchReport(entries=entries, seconds=time.perf_counter() - started, summaries=summaries)


def _notify(listener: Listener | None, entry: ManifestEntry, done: int, total: int) -> None:
    if listener is not None:
        listener(entry, done, total)


def _record(outcome: Outcome, writer: _OutputWriter, fingerprint: str) -> ManifestEntry:
    summary = outcome.summary
    if summary is None:
        return ManifestEntry(
            path=outcome.source,
            sha256=_file_sha256(Path(outcome.source)),
            status="failed",
            error=outcome.error,
            usage=outcome.usage or Usage(),
            seconds=round(outcome.seconds, 4),
        )
    output = writer.write(Path(outcome.source), summary)
    diagnostics = summary.diagnostics
    return ManifestEntry(
        path=outcome.source,
        sha256=summary.source.sha256,
        status="done",
        output=output,
        backend=diagnostics.backend,
        model=diagnostics.model,
        prompt_version=diagnostics.prompt_version,
        usage=diagnostics.usage,
        seconds=round(outcome.seconds, 4),
        fingerprint=fingerprint,
    )


def _reusable(
    entry: ManifestEntry | None, path: Path, fingerprint: str, writer: _OutputWriter
) -> ManifestEntry | None:
    """The earlier entry, marked skipped, when its output is still valid for this content and configuration."""
    if entry is None or entry.status not in ("done", "skipped") or entry.fingerprint != fingerprint:
        return None
    if entry.output is None or not writer.exists(entry.output) or entry.sha256 != _file_sha256(path):
        return None
    return entry.model_copy(update={"status": "skipped", "usage": Usage(cached=True), "seconds": 0.0})


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _fingerprint(backend: Backend, fmt: str) -> str:
    """What must match for an existing output to be reused by ``--resume`` (never the API key)."""
    describe = getattr(backend, "fingerprint", None)
    parts = {
        "backend": backend.name,
        "backend_settings": describe() if callable(describe) else None,
        "format": fmt,
        "schema": SCHEMA_VERSION,
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _OutputWriter:
    """Names, writes and lists the files of one output folder (or does nothing without one)."""

    def __init__(self, out_dir: Path | None, fmt: OutputFormat, paths: list[Path]) -> None:
        self.out_dir = out_dir
        self.fmt = fmt
        self.names = _output_names(paths, EXTENSIONS[fmt])
        self._lock = threading.Lock()
        if out_dir is not None and out_dir.is_dir():
            for leftover in out_dir.glob(".*.tmp"):  # from a run killed mid-write
                leftover.unlink(missing_ok=True)

    def write(self, source: Path, summary: Summary) -> str | None:
        if self.out_dir is None:
            return None
        name = self.names[str(source)]
        write_atomic(self.out_dir / name, render(summary, self.fmt))
        return name

    def exists(self, name: str) -> bool:
        return self.out_dir is not None and (self.out_dir / name).is_file()

    def previous_entries(self) -> dict[str, ManifestEntry]:
        if self.out_dir is None or not (self.out_dir / MANIFEST_NAME).is_file():
            return {}
        try:
            manifest = Manifest.model_validate_json((self.out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        except ValueError:
            return {}
        return {entry.path: entry for entry in manifest.entries}

    def save_manifest(self, entries: list[ManifestEntry]) -> None:
        if self.out_dir is None:
            return
        manifest = Manifest(format=self.fmt, entries=entries)
        with self._lock:
            write_atomic(self.out_dir / MANIFEST_NAME, manifest.model_dump_json(indent=2) + "\n")

    def finish(self, entries: list[ManifestEntry]) -> None:
        """For CSV, join every document's table into one, which analysts open in a spreadsheet."""
        if self.out_dir is None or self.fmt != "csv":
            return
        header, *_ = csv_table([]).splitlines(keepends=True)
        rows = [header]
        for entry in sorted(entries, key=lambda e: e.path):
            if entry.output and self.exists(entry.output):
                rows += (self.out_dir / entry.output).read_text(encoding="utf-8").splitlines(keepends=True)[1:]
        write_atomic(self.out_dir / COMBINED_CSV_NAME, "".join(rows))


def _output_names(paths: list[Path], extension: str) -> dict[str, str]:
    """One file name per input: its stem, with a short hash of its path when two stems collide."""
    stems: dict[str, int] = {}
    for path in paths:
        stems[path.stem] = stems.get(path.stem, 0) + 1
    names = {}
    for path in paths:
        stem = path.stem
        if stems[stem] > 1 or stem in _RESERVED_STEMS:
            stem += "-" + hashlib.sha256(str(path).encode()).hexdigest()[:8]
        names[str(path)] = stem + extension
    return names

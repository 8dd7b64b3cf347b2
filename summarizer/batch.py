"""The batch runner: many input files, one output each, a manifest, atomic writes, resume.

A run killed at any moment leaves only whole files behind: every output and the manifest are
written to a temporary file and renamed into place, and progress in between is appended to a
journal that ``--resume`` reads (a torn last line is ignored).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from summarizer import __version__
from summarizer.api import BackendChoice, Outcome, resolve_backend, summarize_many
from summarizer.atomic import write_atomic
from summarizer.backends import Backend
from summarizer.config import Config
from summarizer.document import expand_inputs
from summarizer.render import EXTENSIONS, OutputFormat, csv_table, render
from summarizer.schema import SCHEMA_VERSION, Summary, Usage

MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = ".manifest.journal"  # progress of a running batch; folded into manifest.json at the end
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
    """Running totals of a batch; the entries themselves stream to the manifest, so memory stays flat."""

    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=lambda: {"done": 0, "failed": 0, "skipped": 0})
    usage: Usage = field(default_factory=Usage)
    failures: list[ManifestEntry] = field(default_factory=list)
    summaries: list[Summary] = field(default_factory=list)

    def add(self, entry: ManifestEntry) -> None:
        self.counts[entry.status] += 1
        self.usage = self.usage.add(entry.usage)
        if entry.status == "failed":
            self.failures.append(entry)

    def count(self, status: Status) -> int:
        return self.counts[status]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

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
    report = BatchReport()
    previous = writer.previous_entries() if options.resume else {}
    writer.start_journal()

    def record(entry: ManifestEntry) -> None:
        report.add(entry)
        writer.journal(entry)
        if listener is not None:
            listener(entry, report.total, total)

    for error in missing:
        record(ManifestEntry(path=error.path, status="failed", error=error.reason))
    todo: list[Path] = []
    for path in paths:
        reusable = _reusable(previous.pop(str(path), None), path, fingerprint, writer)
        if reusable is None:
            todo.append(path)
        else:
            record(reusable)
    previous.clear()

    outcomes = summarize_many(todo, backend=backend, config=config, concurrency=options.concurrency)
    try:
        for outcome in outcomes:
            entry = _record(outcome, writer, fingerprint)
            record(entry)
            if options.keep_summaries and outcome.summary is not None:
                report.summaries.append(outcome.summary)
            if options.fail_fast and entry.status == "failed":
                break
    finally:
        outcomes.close()
    writer.finish()
    report.seconds = time.perf_counter() - started
    return report


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
        """The last run's entries: its manifest, updated by the journal of a run that did not finish."""
        if self.out_dir is None:
            return {}
        entries: dict[str, ManifestEntry] = {}
        try:
            manifest = Manifest.model_validate_json((self.out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
            entries.update((entry.path, entry) for entry in manifest.entries)
        except (OSError, ValueError):
            pass
        try:
            lines = (self.out_dir / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        for line in lines:
            try:
                entry = ManifestEntry.model_validate_json(line)
            except ValueError:  # the line being written when the run was killed
                continue
            entries[entry.path] = entry
        return entries

    def start_journal(self) -> None:
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            (self.out_dir / JOURNAL_NAME).write_text("", encoding="utf-8")

    def journal(self, entry: ManifestEntry) -> None:
        """One line per finished document, appended: rewriting the manifest each time would be quadratic."""
        if self.out_dir is None:
            return
        with self._lock, (self.out_dir / JOURNAL_NAME).open("a", encoding="utf-8") as stream:
            stream.write(entry.model_dump_json() + "\n")

    def _journal_lines(self) -> Iterator[str]:
        assert self.out_dir is not None
        with (self.out_dir / JOURNAL_NAME).open(encoding="utf-8") as stream:
            yield from (line.rstrip("\n") for line in stream if line.strip())

    def finish(self) -> None:
        """Fold the journal into manifest.json (streamed, one entry a line); for CSV, also join the tables."""
        if self.out_dir is None:
            return
        if self.fmt == "csv":
            self._combined_csv()
        write_atomic(self.out_dir / MANIFEST_NAME, self._manifest_chunks())
        (self.out_dir / JOURNAL_NAME).unlink(missing_ok=True)

    def _manifest_chunks(self) -> Iterator[str]:
        yield Manifest(format=self.fmt).model_dump_json()[: -len("[]}")] + "[\n"
        for position, line in enumerate(self._journal_lines()):
            yield ("  " if position == 0 else ",\n  ") + line
        yield "\n]}\n"

    def _combined_csv(self) -> None:
        """Every document's table in one, which analysts open in a spreadsheet."""
        assert self.out_dir is not None
        outputs = sorted(
            (entry.path, entry.output)
            for entry in map(ManifestEntry.model_validate_json, self._journal_lines())
            if entry.output and self.exists(entry.output)
        )
        header, *_ = csv_table([]).splitlines(keepends=True)
        rows = [header]
        for _, output in outputs:
            rows += (self.out_dir / output).read_text(encoding="utf-8").splitlines(keepends=True)[1:]
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

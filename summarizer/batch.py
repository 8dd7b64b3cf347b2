"""The batch runner: many input files, one output each, a manifest, atomic writes, resume.

A run killed at any moment leaves only whole files behind: every output and the manifest are
written to a temporary file and renamed into place, and progress in between is appended to a
journal that ``--resume`` reads (a torn last line is ignored).

One writer per output folder: a run holds an exclusive lock on ``<out>/.summarizer.lock`` from
before it touches anything in the folder until it is done; a second run into the same folder is
refused at once (``OutputFolderError``), or waits for the lock with ``wait``. Temporary files carry
the run's id (``.<name>.run-<id>.<random>.tmp``); a run removes its own, and, holding the lock,
those a killed run left (no other run can be writing then); nothing else in the folder is ever
deleted. No symbolic link inside the folder is followed: the lock, the journal and the manifest
are opened with ``O_NOFOLLOW`` (a link there refuses the run), an output name that is a link fails
that document, and ``--resume`` reuses an output only when it is the very name this run would
write, a regular file inside the folder, and its SHA-256 is the one the manifest recorded.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import secrets
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, TypeGuard

from pydantic import BaseModel, Field

from summarizer import __version__
from summarizer.api import BackendChoice, Outcome, opened_backend, summarize_many
from summarizer.atomic import FILE_MODE, write_atomic
from summarizer.backends import Backend
from summarizer.config import Config
from summarizer.document import STDIN, expand_inputs, file_sha256
from summarizer.errors import SummarizerError
from summarizer.redact import scrub
from summarizer.render import EXTENSIONS, OutputFormat, csv_table, render
from summarizer.review_index import IndexedSummary, IndexEntry, index_page, indexed
from summarizer.schema import SCHEMA_VERSION, Summary, Usage

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; one writer is then up to the user
    fcntl = None  # type: ignore[assignment]

LOG = logging.getLogger("summarizer")
MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = ".manifest.journal"  # progress of a running batch; folded into manifest.json at the end
COMBINED_CSV_NAME = "all.csv"
INDEX_NAME = "index.html"  # the review index of every batch: documents, counts, all metrics
LOCK_NAME = ".summarizer.lock"  # held by the run writing into the folder
_RESERVED_STEMS = {Path(MANIFEST_NAME).stem, Path(COMBINED_CSV_NAME).stem, Path(INDEX_NAME).stem}
#: Output names are kept well under the usual 255-byte limit on one file name.
_STEM_BYTES = 120
#: A temporary file of some run: ``.<name>.run-<12 hex>.<mkstemp's 8 characters>.tmp``.
_RUN_TEMPORARY = re.compile(r"^\..*\.(run-[0-9a-f]{12})\.[a-z0-9_]{8}\.tmp$")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
Status = Literal["done", "failed", "skipped", "not_attempted"]


class OutputFolderError(SummarizerError):
    """The output folder cannot be used: it is a file, a link where a run writes, or another run holds it."""


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
    configuration: dict[str, Any] | None = Field(
        default=None, description="That configuration (backend, model, endpoint, mode, prompt and schema versions…)."
    )
    output_sha256: str | None = Field(default=None, description="Of the output file, checked before --resume reuses it.")
    counts: dict[str, int] | None = Field(
        default=None, description="Items of the summary written, per section and dropped: index.html shows them."
    )


class Manifest(BaseModel):
    summarizer_version: str = __version__
    format: str
    entries: list[ManifestEntry] = Field(default_factory=list)


@dataclass
class BatchReport:
    """Running totals of a batch; the entries themselves stream to the manifest, so memory stays flat."""

    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=lambda: {"done": 0, "failed": 0, "skipped": 0, "not_attempted": 0})
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
    concurrency: int | None = None  # None: the configuration's llm.concurrency
    resume: bool = False
    fail_fast: bool = False
    keep_summaries: bool = False
    wait: bool = False  # for another run writing into out_dir, instead of failing at once


@contextmanager
def output_folder(out_dir: Path, *, wait: bool = False) -> Iterator[Path]:
    """``out_dir``, made when missing and locked, for writing into it something other than
    summaries (a provider batch's requests and answers): no run writes into it meanwhile."""
    writer = _OutputWriter(out_dir, "json")
    writer.open(wait=wait)
    try:
        yield out_dir
    finally:
        writer.close()


def run_batch(
    inputs: Iterable[str],
    options: BatchOptions,
    config: Config,
    *,
    listener: Listener | None = None,
) -> BatchReport:
    """Summarise every input; failures are recorded, never raised, so the rest of the batch finishes.

    Raises ``OutputFolderError`` before doing anything when ``out_dir`` cannot be used.
    """
    started = time.perf_counter()
    writer = _StreamWriter(options.out_dir) if is_stream(options.out_dir) else _OutputWriter(options.out_dir, options.fmt)
    writer.open(wait=options.wait)
    try:
        with opened_backend(options.backend, config) as backend:  # a local model's server stops with the run
            report = _run(inputs, options, config, backend, writer, listener)
    finally:
        writer.close()
    report.seconds = time.perf_counter() - started
    return report


def _run(
    inputs: Iterable[str],
    options: BatchOptions,
    config: Config,
    backend: Backend,
    writer: _OutputWriter,
    listener: Listener | None,
) -> BatchReport:
    paths, missing = expand_inputs(inputs)
    configuration = _configuration(backend, options.fmt)
    writer.name_outputs(paths)
    total = len(paths) + len(missing)
    report = BatchReport()
    previous = writer.previous_entries() if options.resume else {}
    writer.start_journal()

    accounted: set[str] = set()  # documents whose entry is in the journal: the rest are not_attempted when stopped

    def record(entry: ManifestEntry) -> None:
        # Journal first and mark it at once: Ctrl-C lands mostly in the listener's printing, and a document
        # marked before its line is written would be lost, one marked late would be listed twice.
        writer.journal(entry)
        accounted.add(entry.path)
        report.add(entry)
        if listener is not None:
            listener(entry, report.total, total)

    for error in missing:
        record(ManifestEntry(path=error.path, status="failed", error=error.reason))
    todo: list[Path] = []
    changed: set[str] = set()  # settings that differ from those of earlier outputs
    rerun = 0
    for path in paths:
        earlier = previous.pop(str(path), None)
        reusable = _reusable(earlier, path, configuration, writer, config.max_bytes)
        if reusable is None:
            todo.append(path)
            differing = _changed_settings(earlier, configuration)
            changed.update(differing)
            rerun += bool(differing)
        else:
            record(reusable)
    previous.clear()
    if rerun:
        LOG.warning("--resume: %d document(s) summarised again: the configuration changed since their outputs "
                    "were written (%s)", rerun, ", ".join(sorted(changed)))

    concurrency = options.concurrency or config.llm.concurrency
    outcomes = summarize_many(todo, backend=backend, config=config, concurrency=concurrency)
    stopped = None  # an unreachable model server stops the run (issue 13)
    interrupted = False
    try:
        try:
            for outcome in outcomes:
                if (stopped := getattr(backend, "unreachable", None)) is not None:
                    break
                entry = _record(outcome, writer, configuration, config.max_bytes)
                record(entry)
                if options.keep_summaries and outcome.summary is not None:
                    report.summaries.append(outcome.summary)
                if options.fail_fast and entry.status == "failed":
                    break
        finally:
            outcomes.close()
    except KeyboardInterrupt:  # Ctrl-C: the manifest still accounts for every document, then it goes on up
        interrupted = True
    if stopped is not None or interrupted:
        why = str(stopped) if stopped is not None else "interrupted (Ctrl-C) before this document was done"
        for path in [p for p in todo if str(p) not in accounted]:
            entry = ManifestEntry(path=str(path), status="not_attempted", error=why)
            report.add(entry)
            writer.journal(entry)  # not through the listener: one message for the run, not one per document
    writer.finish()
    if stopped is not None:
        raise stopped  # a ConfigError: the command prints it once and exits 2; the manifest is complete
    if interrupted:
        raise KeyboardInterrupt
    return report


def _record(outcome: Outcome, writer: _OutputWriter, configuration: _Configuration, max_bytes: int) -> ManifestEntry:
    summary = outcome.summary
    if summary is None:
        return ManifestEntry(
            path=outcome.source,
            sha256=file_sha256(outcome.source, max_bytes=max_bytes) if _is_file_source(outcome.source) else None,
            status="failed",
            error=outcome.error,
            usage=outcome.usage or Usage(),
            seconds=round(outcome.seconds, 4),
        )
    diagnostics = summary.diagnostics
    try:
        output, output_sha256 = writer.write(Path(outcome.source), summary)
        writer.indexed[outcome.source] = digest = indexed(summary)
    except (OSError, ValueError, OutputFolderError) as error:
        return ManifestEntry(
            path=outcome.source,
            sha256=summary.source.sha256,
            status="failed",
            error=f"its output could not be written: {_write_reason(error)}",
            backend=diagnostics.backend,
            model=diagnostics.model,
            prompt_version=diagnostics.prompt_version,
            usage=diagnostics.usage,
            seconds=round(outcome.seconds, 4),
        )
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
        fingerprint=configuration.fingerprint,
        configuration=configuration.settings,
        output_sha256=output_sha256,
        counts=digest.counts,
    )


def _is_file_source(source: str) -> bool:
    """An Outcome's source names a file (not ``-``, not ``<text>`` or another in-memory source)."""
    return source != STDIN and not (source.startswith("<") and source.endswith(">"))


def _write_reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        if error.errno == errno.ENAMETOOLONG:
            return "name too long for the file system"
        return f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
    return str(error)


def _reusable(
    entry: ManifestEntry | None, path: Path, configuration: _Configuration, writer: _OutputWriter, max_bytes: int
) -> ManifestEntry | None:
    """The earlier entry, marked skipped, when its output is still valid for this content and configuration.

    Its output must be the name this run would write, a regular file inside the output folder
    whose SHA-256 is the recorded one; an edited manifest never makes the run read anything else.
    """
    if entry is None or entry.status not in ("done", "skipped") or entry.fingerprint != configuration.fingerprint:
        return None
    if entry.output is None or entry.output != writer.name_of(path) or entry.output_sha256 is None:
        return None
    if entry.sha256 is None or entry.sha256 != file_sha256(path, max_bytes=max_bytes):
        return None
    if not writer.reuse(entry):  # last: a stream copies the earlier line into the new file here
        return None
    return entry.model_copy(update={"status": "skipped", "usage": Usage(cached=True), "seconds": 0.0})


@dataclass(frozen=True)
class _Configuration:
    """What outputs are written under (never the API key), and its digest, worked out once per run."""

    settings: dict[str, Any]
    fingerprint: str


def _configuration(backend: Backend, fmt: str) -> _Configuration:
    """What must match for an existing output to be reused by ``--resume``."""
    describe = getattr(backend, "configuration", None)
    settings = {
        "backend": backend.name,
        **(describe() if callable(describe) else {}),
        "format": fmt,
        "schema": SCHEMA_VERSION,
        "version": __version__,
    }
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    return _Configuration(settings, digest)


def _changed_settings(entry: ManifestEntry | None, configuration: _Configuration) -> list[str]:
    """The settings that differ from those an earlier output was written under (an earlier entry
    without its settings recorded: every setting, as one)."""
    if entry is None or entry.status not in ("done", "skipped") or entry.fingerprint == configuration.fingerprint:
        return []
    if entry.configuration is None:
        return ["configuration"] if entry.fingerprint else []
    now = configuration.settings
    return sorted(key for key in set(entry.configuration) | set(now) if entry.configuration.get(key) != now.get(key))


class _OutputWriter:
    """Locks, names, writes and lists the files of one output folder (or does nothing without one)."""

    manifest_name = MANIFEST_NAME
    journal_name = JOURNAL_NAME
    lock_name = LOCK_NAME
    index_name = INDEX_NAME

    def __init__(self, out_dir: Path | None, fmt: OutputFormat) -> None:
        self.out_dir = out_dir
        self.fmt = fmt
        self.run_id = "run-" + secrets.token_hex(6)
        self.names: dict[str, str] = {}
        self._lock = threading.Lock()
        self._lock_handle: int | None = None
        self._journal: IO[str] | None = None
        self.indexed: dict[str, IndexedSummary] = {}  # what index.html shows of each summary written

    # --- the folder and its lock ---------------------------------------------------------------

    def open(self, *, wait: bool = False) -> None:
        """Make the folder, take its lock (or fail at once, or wait) and tidy what a killed run left."""
        out = self.out_dir
        if out is None:
            return
        if out.exists() and not out.is_dir():
            raise OutputFolderError(f"-o {out}: is a file, not a folder; give a folder for the outputs")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputFolderError(f"-o {out}: is a file, not a folder; give a folder for the outputs") from None
        except NotADirectoryError:
            raise OutputFolderError(f"-o {out}: a part of this path is a file, not a folder") from None
        except OSError as error:
            raise OutputFolderError(f"-o {out}: cannot create the folder ({_write_reason(error)})") from None
        self._take_lock(out, wait)
        try:
            for name in self.own_names:
                if (out / name).is_symlink():
                    raise OutputFolderError(
                        f"-o {out}: {name} is a symbolic link; refusing to follow it (remove it, or choose another folder)"
                    )
            self._remove_stale_temporaries(out)
        except BaseException:
            self.close()
            raise

    def _take_lock(self, out: Path, wait: bool) -> None:
        path = out / self.lock_name
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise OutputFolderError(f"-o {out}: {self.lock_name} is a symbolic link; refusing to follow it") from None
            raise OutputFolderError(
                f"-o {out}: cannot create the lock file {self.lock_name} ({_write_reason(error)})"
            ) from None
        self._lock_handle = handle
        if fcntl is None:
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder(handle)
            if not wait:
                self.close()
                raise OutputFolderError(
                    f"-o {out}: another summarizer run{holder} is writing into this folder; "
                    "wait for it to finish (or pass --wait), or choose another folder"
                ) from None
            LOG.warning("waiting for the run%s writing into %s/ to finish", holder, out)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except BaseException:
                self.close()
                raise
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()} {self.run_id}\n".encode(), 0)

    @staticmethod
    def _holder(handle: int) -> str:
        try:
            pid, _, run_id = os.pread(handle, 200, 0).decode("ascii", "replace").strip().partition(" ")
        except OSError:
            return ""
        return f" (pid {pid}, {run_id})" if pid.isdigit() else ""

    def _remove_stale_temporaries(self, out: Path) -> None:
        """Temporary files of runs that were killed mid-write; the lock says none of them still runs."""
        with os.scandir(out) as entries:
            for entry in entries:
                match = _RUN_TEMPORARY.match(entry.name)
                if (
                    match
                    and match.group(1) != self.run_id
                    and self._owns_temporary(entry.name)
                    and not entry.is_dir(follow_symlinks=False)
                ):
                    Path(entry.path).unlink(missing_ok=True)

    def close(self) -> None:
        """Release the lock (the lock file stays: removing it would let two runs lock two files)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock_handle is not None:
            os.close(self._lock_handle)  # closing releases the flock
            self._lock_handle = None

    @property
    def own_names(self) -> tuple[str, ...]:
        """The files of the run's own bookkeeping: never followed when they are links."""
        return self.manifest_name, self.journal_name, COMBINED_CSV_NAME, self.index_name

    def _owns_temporary(self, name: str) -> bool:
        """Whether a killed run's temporary file is this writer's to remove: in an output folder, all are."""
        return True

    # --- outputs --------------------------------------------------------------------------------

    def reuse(self, entry: ManifestEntry) -> bool:
        """Whether ``entry``'s output is still the one written (by its SHA-256), so ``--resume`` keeps it."""
        return entry.output is not None and self.output_sha256(entry.output) == entry.output_sha256

    def name_outputs(self, paths: list[Path]) -> None:
        self.names = _output_names(paths, EXTENSIONS[self.fmt])

    def name_of(self, source: Path) -> str | None:
        return self.names.get(str(source))

    def write(self, source: Path, summary: Summary) -> tuple[str | None, str | None]:
        """Write one output; its name and the SHA-256 of what was written."""
        if self.out_dir is None:
            return None, None
        name = self.names[str(source)]
        target = self.out_dir / name
        if target.is_symlink():
            raise OutputFolderError(f"{name} in the output folder is a symbolic link; it is not replaced")
        if target.is_dir():
            raise OutputFolderError(f"{name} in the output folder is a folder")
        return name, write_atomic(target, render(summary, self.fmt), tag=self.run_id)

    def _open_output(self, name: str) -> IO[bytes] | None:
        """An output file of this folder for reading: a plain name, a regular file, no link followed."""
        return self._open_own(name) if _plain_name(name) else None

    def _open_own(self, name: str) -> IO[bytes] | None:
        """A regular file directly in the folder, opened without following a link; None otherwise."""
        if self.out_dir is None:
            return None
        try:
            handle = os.open(self.out_dir / name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | os.O_NONBLOCK)
        except OSError:
            return None
        stream = os.fdopen(handle, "rb")
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            stream.close()
            return None
        return stream

    def output_sha256(self, name: str) -> str | None:
        stream = self._open_output(name)
        if stream is None:
            return None
        with stream:
            digest = hashlib.sha256()
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    # --- the journal and the manifest -----------------------------------------------------------

    def _read_own(self, name: str) -> str | None:
        """The text of the manifest or journal, never through a link."""
        stream = self._open_own(name)
        if stream is None:
            return None
        with stream:
            try:
                return stream.read().decode("utf-8")
            except UnicodeDecodeError:
                return None

    def previous_entries(self) -> dict[str, ManifestEntry]:
        """The last run's entries: its manifest, updated by the journal of a run that did not finish."""
        if self.out_dir is None:
            return {}
        entries: dict[str, ManifestEntry] = {}
        try:
            manifest = Manifest.model_validate_json(self._read_own(self.manifest_name) or "")
            entries.update((entry.path, entry) for entry in manifest.entries)
        except ValueError:
            pass
        for line in (self._read_own(self.journal_name) or "").splitlines():
            try:
                entry = ManifestEntry.model_validate_json(line)
            except ValueError:  # the line being written when the run was killed
                continue
            entries[entry.path] = entry
        return entries

    def start_journal(self) -> None:
        if self.out_dir is None:
            return
        path = self.out_dir / self.journal_name
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | _NOFOLLOW | _CLOEXEC, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise OutputFolderError(
                    f"-o {self.out_dir}: {self.journal_name} is a symbolic link; refusing to follow it"
                ) from None
            raise
        self._journal = os.fdopen(handle, "w", encoding="utf-8")

    def journal(self, entry: ManifestEntry) -> None:
        """One line per finished document, appended: rewriting the manifest each time would be quadratic."""
        if self._journal is None:
            return
        with self._lock:
            self._journal.write(entry.model_dump_json() + "\n")
            self._journal.flush()

    def _journal_lines(self) -> Iterator[str]:
        text = self._read_own(self.journal_name) or ""
        yield from (line for line in text.splitlines() if line.strip())

    def finish(self) -> None:
        """Fold the journal into manifest.json (streamed, one entry a line); for CSV, also join the tables."""
        if self.out_dir is None:
            return
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self.fmt == "csv":
            self._combined_csv()
        self._index()
        write_atomic(self.out_dir / self.manifest_name, self._manifest_chunks(), tag=self.run_id)
        (self.out_dir / self.journal_name).unlink(missing_ok=True)

    def _manifest_chunks(self) -> Iterator[str]:
        yield Manifest(format=self.fmt).model_dump_json()[: -len("[]}")] + "[\n"
        for position, line in enumerate(self._journal_lines()):
            yield ("  " if position == 0 else ",\n  ") + line
        yield "\n]}\n"

    def _index(self) -> None:
        """index.html: every document of the manifest, linked to its review page when it has one."""
        assert self.out_dir is not None
        entries = [
            IndexEntry(entry.path, entry.status, entry.error, entry.output, entry.seconds, entry.counts,
                       self.indexed.get(entry.path))  # fmt: skip
            for entry in map(ManifestEntry.model_validate_json, self._journal_lines())
        ]
        page = index_page(entries, fmt=self.fmt, manifest_name=self.manifest_name, pages=self.fmt == "html")
        write_atomic(self.out_dir / self.index_name, page, tag=self.run_id)

    def _combined_csv(self) -> None:
        """Every document's table in one, which analysts open in a spreadsheet."""
        assert self.out_dir is not None
        outputs = sorted(
            (entry.path, entry.output)
            for entry in map(ManifestEntry.model_validate_json, self._journal_lines())
            if entry.output and entry.status != "failed"
        )
        header, *_ = csv_table([]).splitlines(keepends=True)
        rows = [header]
        for _, output in outputs:
            stream = self._open_output(output)
            if stream is None:
                continue
            with stream:
                rows += stream.read().decode("utf-8", "replace").splitlines(keepends=True)[1:]
        write_atomic(self.out_dir / COMBINED_CSV_NAME, "".join(rows), tag=self.run_id)


def _plain_name(name: str) -> bool:
    """A file name directly inside the output folder: no separator, not hidden, not . or .."""
    separators = {os.sep, os.altsep or os.sep, "\x00"}
    return bool(name) and not name.startswith(".") and not any(char in separators for char in name)


def _output_names(paths: list[Path], extension: str) -> dict[str, str]:
    """One file name per input: its stem, with a short hash of its path when two stems collide.

    A stem too long for a file name (with the temporary file's additions) is cut, and hashed too.
    Standard input (``-``) is written as ``stdin``.
    """
    def stem_of(path: Path) -> str:
        return "stdin" if str(path) == STDIN else path.stem

    stems: dict[str, int] = {}
    for path in paths:
        stems[stem_of(path)] = stems.get(stem_of(path), 0) + 1
    names = {}
    for path in paths:
        stem = stem_of(path)
        hidden = stem.startswith(".")
        if hidden:  # ".notes.txt" given by name: its output is no hidden file
            stem = "_" + stem.lstrip(".")
        encoded = stem.encode("utf-8", "surrogateescape")
        long = len(encoded) > _STEM_BYTES
        if long:
            stem = encoded[:_STEM_BYTES].decode("utf-8", "ignore")
        if long or hidden or stems[stem_of(path)] > 1 or stem in _RESERVED_STEMS:
            stem += "-" + hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:8]
        names[str(path)] = stem + extension
    return names


def manifest_path(out: Path) -> Path:
    """Where a batch into ``out`` (a folder, or a ``.jsonl`` stream) keeps its manifest."""
    return out.with_name(_StreamWriter.manifest_name_for(out)) if is_stream(out) else out / MANIFEST_NAME


def index_path(out: Path) -> Path:
    """Where a batch into ``out`` writes its review index, ``index.html``."""
    return out.with_name(_StreamWriter.index_name_for(out)) if is_stream(out) else out / INDEX_NAME


def is_stream(out: Path | None) -> TypeGuard[Path]:
    """``-o FILE.jsonl``: every summary of the batch as one line of that file, not a file each."""
    return out is not None and out.suffix.lower() == ".jsonl" and not out.is_dir()


class _StreamWriter(_OutputWriter):
    """One JSON Lines file for the whole batch, with its manifest and lock beside it.

    Lines go to a temporary file of this run, renamed over the target when the batch ends (also
    after Ctrl-C: every line in it is whole), so a reader never sees the file half-written. With
    ``--resume`` a document's earlier line is copied over from the old file when its SHA-256 is the
    one the manifest recorded; the old file is read by offsets, never held in memory.
    """

    def __init__(self, target: Path) -> None:
        super().__init__(target.parent, "jsonl")
        self.target = target
        self.manifest_name = self.manifest_name_for(target)
        self.journal_name = f".{target.stem}.manifest.journal"
        self.lock_name = f".{target.name}.lock"
        self.index_name = self.index_name_for(target)
        self._stream: IO[bytes] | None = None
        self._temporary: Path | None = None
        self._earlier: dict[str, tuple[int, int]] = {}  # SHA-256 of a line of the old file -> (offset, length)

    @staticmethod
    def manifest_name_for(target: Path) -> str:
        return f"{target.stem}.manifest.json"

    @staticmethod
    def index_name_for(target: Path) -> str:
        return f"{target.stem}.index.html"

    @property
    def own_names(self) -> tuple[str, ...]:
        return self.target.name, self.manifest_name, self.journal_name, self.index_name

    def name_outputs(self, paths: list[Path]) -> None:
        self.names = dict.fromkeys(map(str, paths), self.target.name)

    def _owns_temporary(self, name: str) -> bool:
        """Only the stream's and its manifest's: the folder may hold other runs' streams, with their own locks."""
        return name.startswith((f".{self.target.name}.", f".{self.manifest_name}."))

    def previous_entries(self) -> dict[str, ManifestEntry]:
        entries = super().previous_entries()
        self._earlier = self._index_earlier_lines()
        return entries

    def _index_earlier_lines(self) -> dict[str, tuple[int, int]]:
        stream = self._open_own(self.target.name)
        if stream is None:
            return {}
        index, offset = {}, 0
        with stream:
            for line in stream:
                index[hashlib.sha256(line).hexdigest()] = (offset, len(line))
                offset += len(line)
        return index

    def reuse(self, entry: ManifestEntry) -> bool:
        place = self._earlier.get(entry.output_sha256 or "")
        stream = self._open_own(self.target.name) if place is not None else None
        if stream is None or place is None:
            return False
        with stream:
            stream.seek(place[0])
            line = stream.read(place[1])
        if hashlib.sha256(line).hexdigest() != entry.output_sha256:  # changed under us
            return False
        self._append(line)
        return True

    def write(self, source: Path, summary: Summary) -> tuple[str | None, str | None]:
        line = scrub(render(summary, "jsonl")).encode("utf-8")
        self._append(line)
        return self.target.name, hashlib.sha256(line).hexdigest()

    def _append(self, line: bytes) -> None:
        with self._lock:
            if self._stream is None:
                handle, name = tempfile.mkstemp(dir=self.target.parent, prefix=f".{self.target.name}.{self.run_id}.",
                                                suffix=".tmp")  # fmt: skip
                os.fchmod(handle, FILE_MODE)
                self._temporary, self._stream = Path(name), os.fdopen(handle, "wb")
            self._stream.write(line)

    def finish(self) -> None:
        """The stream in place (an empty batch writes an empty file), then the manifest."""
        if self.target.is_symlink() or self.target.is_dir():
            raise OutputFolderError(f"-o {self.target}: is a link or a folder now; the lines stay in a temporary file")
        self._append(b"")
        assert self._stream is not None and self._temporary is not None
        with self._lock:
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._stream.close()
            self._stream = None
            os.replace(self._temporary, self.target)
        super().finish()

    def close(self) -> None:
        if self._stream is not None:  # the run failed before finishing: its partial stream goes
            self._stream.close()
            self._stream = None
            if self._temporary is not None:
                self._temporary.unlink(missing_ok=True)
        super().close()

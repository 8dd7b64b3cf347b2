"""The library surface: one document in, one grounded Summary out; many documents, results as they finish.

The CLI calls exactly these functions. Notices (the rules backend standing in for a model, a wait
for another run's folder lock) go to the ``summarizer`` logger, never straight to a stream: the
command shows them on stderr, an application decides for itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Literal, Union

from summarizer import grounding, preparation
from summarizer.backends import Backend
from summarizer.collector import collector_paused
from summarizer.config import Config, endpoint_configured, load_config
from summarizer.document import Document, document_from_text, load_document
from summarizer.errors import ConfigError, SummarizerError
from summarizer.quantities import extract_quantities
from summarizer.schema import Quantity, Summary, Usage
from summarizer.script import in_written_script

Source = Union[str, "os.PathLike[str]", Document]
BackendChoice = Literal["auto", "rules", "llm", "baseline"]
LOG = logging.getLogger("summarizer")


@dataclass(frozen=True)
class Summarized:
    """A source summarised. ``index`` is its position among the sources given."""

    source: str
    index: int
    summary: Summary
    seconds: float
    error: None = None
    error_type: None = None

    @property
    def ok(self) -> Literal[True]:
        return True

    @property
    def usage(self) -> Usage:
        return self.summary.diagnostics.usage


@dataclass(frozen=True)
class Failed:
    """A source with no summary: ``error`` says what and why, ``error_type`` names the exception class
    (``DocumentError``, ``BackendError``…); ``usage`` is what the attempt spent."""

    source: str
    index: int
    error: str
    error_type: str
    seconds: float
    usage: Usage | None = None
    summary: None = None

    @property
    def ok(self) -> Literal[False]:
        return False


#: One source's result: ``if outcome.summary is not None`` (or ``isinstance(outcome, Summarized)``)
#: narrows it for type checkers.
Outcome = Union[Summarized, Failed]

#: A one-line str that reads like a file name: a caller who meant the file gets told, not a summary of the name.
_FILE_NAME = re.compile(r"[^\n\u3400-\u9fff]{0,4096}\.(?:txt|md|markdown|html?|pdf|docx?)", re.IGNORECASE)


def load(source: Source, *, config: Config | None = None) -> Document:
    """A ``Document`` from text, a path or a loaded document (text and paths honour ``config.max_bytes``).

    A ``str`` is always text. One that names an existing file, or reads like a file name
    (``reports/x.txt``), is refused rather than summarised as text: pass ``pathlib.Path`` to read a file.
    """
    if isinstance(source, Document):
        return source
    if isinstance(source, os.PathLike):
        cfg = config or load_config()
        return load_document(source, max_bytes=cfg.max_bytes)
    if isinstance(source, str):
        if _FILE_NAME.fullmatch(source.strip()) or _names_a_file(source):
            raise TypeError(f"cannot summarise {source!r} as text: it names a file; pass pathlib.Path({source!r})")
        cfg = config or load_config()
        return document_from_text(source, max_bytes=cfg.max_bytes)
    raise TypeError(f"cannot summarise a {type(source).__name__}: pass text, a pathlib.Path or a Document")


def _names_a_file(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):  # a NUL byte, a name too long for the system
        return False


def resolve_backend(backend: BackendChoice | Backend = "auto", config: Config | None = None) -> Backend:
    """The backend to use; ``auto`` picks the LLM only when an endpoint is configured."""
    if not isinstance(backend, str):
        return backend
    cfg = config or load_config()
    if backend == "auto":
        backend = "llm" if endpoint_configured(cfg) else "rules"
        if backend == "rules":
            _note_rules_fallback()
    if backend == "rules":
        from summarizer.backends.rules import RulesBackend

        return RulesBackend()
    if backend == "llm":
        if cfg.llm.provider == "local":
            from summarizer.backends.local import local_backend

            return local_backend(cfg.llm)
        from summarizer.backends.llm import LLMBackend

        return LLMBackend(cfg.llm)
    if backend == "baseline":
        from summarizer.evaluation.baseline import BaselineBackend

        return BaselineBackend()
    raise ConfigError(f"unknown backend {backend!r}: expected auto, rules, llm or baseline")


_rules_note_shown = False


def _note_rules_fallback() -> None:
    """Say once per process that no endpoint is configured, so offline output is never mistaken for a model's."""
    global _rules_note_shown
    if not _rules_note_shown:
        _rules_note_shown = True
        LOG.warning("no model endpoint configured; using the deterministic rules backend")


@contextmanager
def opened_backend(backend: BackendChoice | Backend = "auto", config: Config | None = None) -> Iterator[Backend]:
    """The backend to use, closed afterwards when it was made here: a local model's server stops
    at the end of the call, on error and on Ctrl-C too. A backend passed in stays the caller's."""
    chosen = resolve_backend(backend, config)
    try:
        yield chosen
    finally:
        close = getattr(chosen, "close", None) if chosen is not backend else None
        if close is not None:
            close()


@asynccontextmanager
async def _aopened_backend(backend: BackendChoice | Backend, config: Config) -> AsyncIterator[Backend]:
    """:func:`opened_backend` for async callers: a backend made here also closes its async client."""
    with opened_backend(backend, config) as chosen:
        try:
            yield chosen
        finally:
            aclose = getattr(chosen, "aclose", None) if chosen is not backend else None
            if aclose is not None:
                await aclose()


def summarize_document(document: Document, backend: Backend) -> Summary:
    """Pre-extract, run the backend, then ground: the one pipeline every entry point shares.

    The CPU-bound stages of a large document run with the cyclic collector paused
    (:mod:`summarizer.collector`): the whole pipeline when the backend computes its summary
    (``cpu_bound``: one pause, so the collector catches up once), else all but the wait for a model.
    """
    with collector_paused(document.text):
        quantities = extract_quantities(document.text)
        if getattr(backend, "cpu_bound", False):
            return _finished(backend.summarize(document, quantities), quantities, document)
    summary = backend.summarize(document, quantities)
    with collector_paused(document.text):
        return _finished(summary, quantities, document)


def _finished(summary: Summary, quantities: list[Quantity], document: Document) -> Summary:
    """Grounded against the cleaned text, then written in the document's own script."""
    return in_written_script(grounding.enforce(summary, quantities), document)


def summarize(
    source: Source,
    *,
    backend: BackendChoice | Backend = "auto",
    config: Config | None = None,
) -> Summary:
    """Summarise one document: ``str`` is text, ``pathlib.Path`` a file, ``Document`` used as is."""
    cfg = config or load_config()
    with opened_backend(backend, cfg) as chosen:
        return summarize_document(load(source, config=cfg), chosen)


def summarize_many(
    sources: Iterable[Source],
    *,
    backend: BackendChoice | Backend = "auto",
    config: Config | None = None,
    concurrency: int | None = None,
    ordered: bool = False,
) -> Generator[Outcome, None, None]:
    """Summarise many documents, yielding each ``Outcome`` as it finishes (``ordered``: in the order
    of ``sources``); one failure never stops the rest. Each outcome carries its source's ``index``.

    A source that cannot be summarised (a missing file, a bad document, something that is no
    source at all) yields a ``Failed`` outcome. When ``sources`` itself raises, the outcomes of
    the sources taken before are still yielded, then its error is raised. ``concurrency``
    defaults to the configuration's ``llm.concurrency``.
    """
    cfg = config or load_config()
    # Twice as many workers as slots: while some documents wait for their model answer, others are
    # loaded, pre-extracted and grounded, so the model's slots (its own limit) never sit idle.
    workers = 2 * max(1, concurrency or cfg.llm.concurrency)
    turns = preparation.Turns()  # one document prepared at a time
    pending: set[Future[Outcome]] = set()
    source_errors: list[BaseException] = []
    in_order = _InOrder(ordered)
    with opened_backend(backend, cfg) as chosen, ThreadPoolExecutor(max_workers=workers) as pool:
        for index, source in enumerate(_until_failure(sources, source_errors)):
            pending.add(pool.submit(_outcome, source, index, chosen, cfg, turns))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from in_order.release(future.result() for future in done)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from in_order.release(future.result() for future in done)
    if source_errors:
        raise source_errors[0]


class _InOrder:
    """Hands outcomes on as they finish, or, when ``ordered``, each once all before it have been."""

    def __init__(self, ordered: bool) -> None:
        self._ordered = ordered
        self._held: dict[int, Outcome] = {}
        self._next = 0

    def release(self, finished: Iterable[Outcome]) -> Iterator[Outcome]:
        if not self._ordered:
            yield from finished
            return
        self._held.update((outcome.index, outcome) for outcome in finished)
        while self._next in self._held:
            yield self._held.pop(self._next)
            self._next += 1


def _until_failure(sources: Iterable[Source], failures: list[BaseException]) -> Iterator[Source]:
    """The sources one by one; when the iterable itself raises, the error goes into ``failures`` and
    the sources end, so that what was started is finished (and delivered) before it is raised."""
    iterator = iter(sources)
    while True:
        try:
            yield next(iterator)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001 - the iterable's own failure, raised by the caller
            failures.append(error)
            return


def _outcome(source: Source, index: int, backend: Backend, config: Config, turns: preparation.Turns) -> Outcome:
    started = time.perf_counter()
    name = _source_name(source)
    try:
        with turns.turn():
            summary = summarize_document(load(source, config=config), backend)
    except Exception as error:  # noqa: BLE001 - one bad source must not stop the others
        return _failure(name, index, error, started)
    return Summarized(name, index, summary, time.perf_counter() - started)


def _failure(name: str, index: int, error: BaseException, started: float) -> Failed:
    if isinstance(error, SummarizerError):
        message = str(error)
    elif isinstance(error, TypeError) and str(error).startswith("cannot summarise"):  # from ``load``
        message = f"{name}: {error}"
    else:  # an unexpected failure: named, in one line, never a traceback in the middle of a batch
        detail = " ".join(str(error).split())[:300]
        message = f"{name}: internal error ({type(error).__name__}{': ' + detail if detail else ''})"
    usage = getattr(error, "usage", None)
    return Failed(name, index, message, type(error).__name__, time.perf_counter() - started, usage)


def _source_name(source: object) -> str:
    if isinstance(source, Document):
        return source.name
    if isinstance(source, os.PathLike):
        try:
            name: str = os.fspath(source)  # a Source's path-like is an os.PathLike[str]
            return name
        except Exception:  # noqa: BLE001 - a path-like that cannot even name itself
            return f"<{type(source).__name__}>"
    if isinstance(source, str):
        return "<text>"
    return f"<{type(source).__name__}>"


async def asummarize(
    source: Source,
    *,
    backend: BackendChoice | Backend = "auto",
    config: Config | None = None,
) -> Summary:
    """Async twin of ``summarize``: the LLM backend awaits its model; other work runs in a thread."""
    cfg = config or load_config()
    async with _aopened_backend(backend, cfg) as chosen:
        document = await asyncio.to_thread(load, source, config=cfg)
        quantities = await asyncio.to_thread(extract_quantities, document.text)
        asummarize_backend = getattr(chosen, "asummarize", None)
        if asummarize_backend is not None:
            summary = await asummarize_backend(document, quantities)
        else:
            summary = await asyncio.to_thread(chosen.summarize, document, quantities)
    return _finished(summary, quantities, document)


async def asummarize_many(
    sources: Iterable[Source],
    *,
    backend: BackendChoice | Backend = "auto",
    config: Config | None = None,
    concurrency: int | None = None,
    ordered: bool = False,
) -> AsyncIterator[Outcome]:
    """Async twin of ``summarize_many``: yields outcomes as they finish (or in order), with the same guarantees."""
    cfg = config or load_config()
    opened = AsyncExitStack()
    chosen = await opened.enter_async_context(_aopened_backend(backend, cfg))
    limit = asyncio.Semaphore(max(1, concurrency or cfg.llm.concurrency))

    async def one(source: Source, index: int) -> Outcome:
        async with limit:
            started = time.perf_counter()
            name = _source_name(source)
            try:
                summary = await asummarize(source, backend=chosen, config=cfg)
            except Exception as error:  # noqa: BLE001 - one bad source must not stop the others
                return _failure(name, index, error, started)
            return Summarized(name, index, summary, time.perf_counter() - started)

    tasks: list[asyncio.Future[Outcome]] = []
    source_errors: list[BaseException] = []
    for index, source in enumerate(_until_failure(sources, source_errors)):
        tasks.append(asyncio.ensure_future(one(source, index)))
    in_order = _InOrder(ordered)
    try:
        for finished in asyncio.as_completed(tasks):
            for outcome in in_order.release([await finished]):
                yield outcome
    finally:
        for task in tasks:
            task.cancel()
        await opened.aclose()
    if source_errors:
        raise source_errors[0]

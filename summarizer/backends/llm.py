"""The LLM backend: any OpenAI-compatible server, through the openai client wrapped by instructor.

The model is shown the document's clause table and candidates and asked for a draft (clause and
candidate ids, never offsets). Instructor validates the answer against ``grounding.GroundedDraft``
with the document, its candidates and its clause table as the grounding source (a context
variable, not instructor's templating ``context=``: a document is never a template) and re-asks with the
precise grounding errors; when the re-asks run out the last draft is grounded anyway, so
unsupported items are dropped and listed in the diagnostics instead of failing the document. HTTP faults are retried below, in ``_http``; modes a server rejects are skipped.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import hashlib
import json
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, cast

from pydantic import ConfigDict, ValidationError

from summarizer import preparation
from summarizer.cache import DiskCache, cache_key
from summarizer.chunking import merge_drafts, split_text
from summarizer.config import MODE_FALLBACK, NO_KEY, PROVIDERS, LLMSettings
from summarizer.document import Document
from summarizer.errors import (
    BackendError,
    ConfigError,
    EndpointUnreachable,
    ModelResponseError,
)
from summarizer.grounding import ITEM_SECTIONS, GroundedDraft, ground, grounding_source
from summarizer.prompting import Prompts, load_prompts
from summarizer.redact import display_url, register_secret, scrub
from summarizer.replay import Recorder, Replayer, ReplayMiss
from summarizer.schema import (
    SCHEMA_VERSION,
    ArticleInfo,
    Diagnostics,
    Meta,
    Quantity,
    Summary,
    SummaryDraft,
    Usage,
)
from summarizer.text.clauses import ClauseTable, document_clauses
from summarizer.usage import UsageMeter, tokens_in_usage

if TYPE_CHECKING:  # the SDKs load on the first real request: a fully cached run never pays for them
    import openai
    from concurrent.futures import Future

    import httpx2
    from openai.types.chat import ChatCompletion
    from instructor.core.exceptions import InstructorRetryException
    from tenacity import AsyncRetrying, Retrying

    from summarizer.backends._http import Attempts, Circuit, RetryingTransport

#: Our mode names -> instructor.Mode member names.
MODES: dict[str, str] = {
    "tools": "TOOLS",
    "json_schema": "JSON_SCHEMA",
    "json": "JSON",
    "md_json": "MD_JSON",
}
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)```", re.DOTALL)
# What a server says when it does not speak a structured-output mode (vLLM, Ollama, llama.cpp, proxies).
_MODE_REJECTED = re.compile(r"tool|function|response_format|json_schema|json_object|structured|grammar", re.IGNORECASE)


def _parse_errors() -> tuple[type[Exception], ...]:
    """Answers worth a re-ask: unparseable or invalid JSON, or no tool call where one was asked for."""
    from instructor.core.exceptions import ResponseParsingError

    return (ValidationError, json.JSONDecodeError, ResponseParsingError)

# Instructor logs every failed attempt at ERROR; with no logging configured Python would print them
# to stderr although they are expected and retried. The final outcome is reported by summarizer;
# an application that configures logging still receives these records.
logging.getLogger("instructor").addHandler(logging.NullHandler())
LOG = logging.getLogger("summarizer")


def answer_json(text: str) -> str:
    """The JSON in a model's answer: ``<think>`` blocks dropped, a Markdown fence or prose peeled off."""
    text = _THINK.sub("", text)
    if "</think>" in text.lower():  # a reasoning model whose opening tag was eaten by the template
        text = text[text.lower().rindex("</think>") + len("</think>") :]
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text.strip()


_CLOSERS = {"{": "}", "[": "]"}


def completed_part(text: str) -> str | None:
    """The JSON of an answer cut off mid-way, up to its last complete item, closed; None if no item is complete.

    Only whole values survive: the answer is cut back to where the meta object or an item of a
    section list had just ended (an item half-written, a number half-typed, never count), and the
    lists and objects still open there are closed.
    """
    text = _THINK.sub("", text)
    start = text.find("{")
    if start < 0:
        return None
    stack: list[str] = []
    in_string = escaped = False
    cut: str | None = None
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _CLOSERS:
            stack.append(char)
        elif char in "}]":
            if not stack or _CLOSERS[stack.pop()] != char:
                break
            if not stack:
                return text[start : index + 1]  # not cut at all
            if len(stack) <= 2:  # the meta object, a section list, or an item of one, has just ended
                cut = text[start : index + 1] + "".join(_CLOSERS[opener] for opener in reversed(stack))
    return cut


class ModelAnswer(GroundedDraft):
    """A summary draft: evidence cited by clause id, numbers by candidate id."""

    model_config = ConfigDict(title="SummaryDraft")

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> ModelAnswer:
        """Instructor parses every mode's answer here: the one place to strip reasoning and fences."""
        if isinstance(json_data, (bytes, bytearray)):
            json_data = json_data.decode("utf-8", "replace")
        return super().model_validate_json(answer_json(json_data), **kwargs)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The schema the model is shown: built once (instructor asks on every request in the JSON
        modes) and bounded (:func:`generation_bounds`); a copy, as instructor edits what it gets."""
        key = (cls, args, tuple(sorted(kwargs.items())))
        with _SHOWN_SCHEMAS_LOCK:  # the first documents all ask at once: built once, not by each
            if key not in _SHOWN_SCHEMAS:
                _SHOWN_SCHEMAS[key] = generation_bounds(super().model_json_schema(*args, **kwargs))
        return copy.deepcopy(_SHOWN_SCHEMAS[key])


_SHOWN_SCHEMAS: dict[Any, dict[str, Any]] = {}
_SHOWN_SCHEMAS_LOCK = threading.Lock()

#: The longest string the model may write, by property name (others: ``_STRING_BOUND``): a phrase
#: is asked to be about 40 characters, a quote one clause or two.
_STRING_BOUNDS = {"quote": 300, "text": 120, "name": 80, "clause_ids": 12, "quantity_ids": 12}
_STRING_BOUND = 60
#: The most entries of a list: ids cited by one item, and items of one section of one chunk.
_IDS_BOUND = 16
_ITEMS_BOUND = 40


def generation_bounds(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a ``maxLength`` on every string and a ``maxItems`` on every list.

    Shown to the model, not enforced on its answer: under a grammar (llama.cpp, vLLM) an unbounded
    string lets a small model write until ``max_tokens``; with the bounds the answer always ends.
    """

    def bound(node: Any, name: str | None) -> None:
        if isinstance(node, list):
            for child in node:
                bound(child, name)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "string" and "enum" not in node:
            node.setdefault("maxLength", _STRING_BOUNDS.get(name or "", _STRING_BOUND))
        elif kind == "array":
            items = node.get("items", {})
            node.setdefault("maxItems", _IDS_BOUND if items.get("type") == "string" else _ITEMS_BOUND)
        for key, child in node.items():
            if key == "properties" and isinstance(child, dict):
                for property_name, property_schema in child.items():
                    bound(property_schema, property_name)
            elif key in ("items", "anyOf", "oneOf", "allOf", "$defs"):
                bound(child if key != "$defs" else list(child.values()), name if key != "$defs" else None)

    bounded = copy.deepcopy(schema)
    bound(bounded, None)
    return bounded


@dataclass(frozen=True)
class _Job:
    """One request's worth: the messages for a document or a chunk, and the whole document to check against.

    ``document_sha`` and ``chunk`` name the request in a provider's batch (:mod:`summarizer.batch_api`);
    ``warnings`` collects what the reader of the summary should know about this request's answer.
    """

    messages: list[dict[str, Any]]
    text: str
    quantities: list[Quantity]
    clauses: ClauseTable
    document_sha: str
    chunk: int
    warnings: list[str] = field(default_factory=list)


class BatchAnswers(Protocol):
    """The answers a provider's batch engine gave, looked up by document text hash and chunk."""

    def completion(self, document_sha: str, chunk: int) -> dict[str, Any]:
        """The chat-completion body answering that request; raises ``BackendError`` when there is none."""
        ...


@functools.cache
def _answer_model() -> type[ModelAnswer]:
    """``ModelAnswer`` as instructor wants it, wrapped once: instructor caches a schema per class,
    and would otherwise wrap (and regenerate the schema) on every request."""
    import instructor

    return instructor.openai_schema(ModelAnswer)


_COMPLETIONS_PATH = "/chat/completions"
#: The modes whose first request :meth:`LLMBackend._send_ahead` can build without instructor.
ANSWER_FRAMES = ("tools", "json_schema")
#: Headers the openai client adds from the environment, added to a request sent ahead of it too.
_SDK_ENVIRONMENT_HEADERS = (("OPENAI_ORG_ID", "OpenAI-Organization"), ("OPENAI_PROJECT_ID", "OpenAI-Project"))


def answer_frame(mode: str) -> dict[str, Any]:
    """What instructor adds to a request's parameters in ``mode`` (tools, json_schema), built without
    instructor (whose import costs as much as the SDK's): the answer schema in the mode's form.

    A test keeps it equal to instructor's own (``handle_response_model``); were the two to differ,
    no request is answered twice, the early one is only spent.
    """
    with _FRAMES_LOCK:
        if mode not in _FRAMES:
            _FRAMES[mode] = _built_frame(mode)
        return _FRAMES[mode]


_FRAMES: dict[str, dict[str, Any]] = {}
_FRAMES_LOCK = threading.Lock()


def _built_frame(mode: str) -> dict[str, Any]:
    schema = ModelAnswer.model_json_schema()
    if mode == "json_schema":
        return {"response_format": {"type": "json_schema", "json_schema": {"name": ModelAnswer.__name__, "schema": schema}}}
    name = schema["title"]
    parameters = {key: value for key, value in schema.items() if key not in ("title", "description")}
    parameters["required"] = sorted(field for field, info in ModelAnswer.model_fields.items() if info.is_required())
    function = {"name": name, "description": schema.get("description", ""), "parameters": parameters}
    return {"tools": [{"type": "function", "function": function}], "tool_choice": {"type": "function", "function": {"name": name}}}


class _Connection:
    """A client (sync, or async for one event loop) and its instructor wrappers, one per mode.

    instructor wraps a create function that posts the body it builds with the client's own ``post``
    (the openai client's documented way to any endpoint), not ``client.chat.completions.create``:
    that attribute imports every resource module of the SDK (about 0.25 s of start-up, before the
    first request) and re-walks each body through the SDK's typed-dict transform, while the body
    instructor built is already the wire format. Errors, retries and the transport are the client's.
    """

    def __init__(self, client: Any) -> None:
        self.client = client  # openai.OpenAI, or openai.AsyncOpenAI
        self._structured: dict[str, Any] = {}
        self._lock = threading.Lock()

    def structured(self, mode: str) -> Any:
        with self._lock:
            if mode not in self._structured:
                import instructor
                import openai

                instructor_mode = _instructor_mode(mode)
                if isinstance(self.client, openai.OpenAI):
                    create = instructor.patch(create=self._create, mode=instructor_mode)
                    wrapper = instructor.Instructor(client=self.client, create=create, mode=instructor_mode)
                else:
                    create = instructor.patch(create=self._acreate, mode=instructor_mode)
                    wrapper = instructor.AsyncInstructor(client=self.client, create=create, mode=instructor_mode)
                self._structured[mode] = wrapper
            return self._structured[mode]

    def _create(self, **body: Any) -> ChatCompletion:
        from openai.types.chat import ChatCompletion

        return cast(ChatCompletion, self.client.post(_COMPLETIONS_PATH, body=body, cast_to=ChatCompletion))

    async def _acreate(self, **body: Any) -> ChatCompletion:
        from openai.types.chat import ChatCompletion

        return cast(ChatCompletion, await self.client.post(_COMPLETIONS_PATH, body=body, cast_to=ChatCompletion))


class _FellBack(Exception):
    """The server rejected a mode; the next one is now the run's mode."""


class LLMBackend:
    name = "llm"

    def __init__(
        self,
        settings: LLMSettings,
        *,
        prompts: Prompts | None = None,
        on_close: Callable[[], None] | None = None,
        batch_answers: BatchAnswers | None = None,
        offline: bool = False,
    ) -> None:
        """``batch_answers``: answer each request from a provider's batch output instead of asking;
        only the re-asks grounding still wants go to the server, directly. ``offline``: the backend
        never sends a request (it writes batch requests, or reads answers an engine wrote locally)."""
        _check(settings, needs_endpoint=not offline)
        self.settings = settings
        self._on_close = on_close  # what the backend owns and must stop: a local model's server
        self._batch_answers = batch_answers
        self._offline = offline
        try:
            self.prompts = prompts or load_prompts(settings.prompts_dir)
        except FileNotFoundError as error:
            raise ConfigError(str(error)) from None
        self._api_key = settings.api_key.get_secret_value() if settings.api_key else NO_KEY
        if self._api_key != NO_KEY:
            register_secret(self._api_key)  # masked wherever a string leaves the process, from now on
        self._run_meter = UsageMeter()
        self._mode = settings.resolved_mode
        self._lock = threading.Lock()
        self._documents = self._cached_documents = 0
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._cache = None
        if settings.use_cache and not (settings.record_dir or settings.replay_dir):
            self._cache = DiskCache(settings.cache_dir)
        self._recorder = Recorder(settings.record_dir) if settings.record_dir else None
        self._replayer = _replayer(settings)
        self._circuit: Circuit | None = None
        self._circuit_lock = threading.Lock()
        # Its own lock: making the first client imports the SDK (about a second), which must not hold
        # up cache lookups or usage reports meanwhile.
        self._connect_lock = threading.Lock()
        self._connection: _Connection | None = None
        self._transport_lock = threading.Lock()
        self._transport: RetryingTransport | None = None
        self._ahead_off = False
        self._async_connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Connection]
        self._async_connections = weakref.WeakKeyDictionary()
        from summarizer.backends._http import install_interrupt_handler

        install_interrupt_handler()  # Ctrl-C also abandons the requests worker threads are blocked in
        if not offline and self._replayer is None and batch_answers is None:
            # Made before any document is: its network stack takes a tenth of a second to import,
            # which the first document would spend sharing one interpreter with every other
            # document's preparation, holding up all the first requests (a cached run pays it too).
            self._sync_transport()

    def close(self) -> None:
        """Release what this backend holds for the run (its client, a local server); idempotent.

        Async clients of other event loops are left to the garbage collector: they cannot be
        closed from here (see :meth:`aclose`).
        """
        with self._connect_lock:
            connection, self._connection = self._connection, None
        with self._transport_lock:
            transport, self._transport = self._transport, None
        if connection is not None:
            connection.client.close()
        elif transport is not None:  # requests were sent ahead, the client never made
            transport.close()
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    def __repr__(self) -> str:
        url = display_url(self.settings.base_url)
        return f"LLMBackend(model={self.settings.model!r}, base_url={url!r}, mode={self.mode!r})"

    @property
    def unreachable(self) -> EndpointUnreachable | None:
        """Set once the server proved unreachable (connection refused, unknown host, several times in a row).

        Every further request then fails at once with this error; a batch runner stops on it and
        leaves the remaining documents not attempted.
        """
        return self._circuit.unreachable if self._circuit is not None else None

    def _shared_circuit(self) -> Circuit:
        from summarizer.backends._http import Circuit

        with self._circuit_lock:
            if self._circuit is None:
                self._circuit = Circuit(self.settings.base_url)
            return self._circuit

    def configuration(self) -> dict[str, Any]:
        """What the answers depend on, for ``--resume``: a document summarised under another model,
        endpoint, mode, prompt or request parameters is summarised again (never the API key)."""
        s = self.settings
        return {
            "provider": s.provider, "base_url": display_url(s.base_url), "model": s.model, "mode": s.resolved_mode,
            "prompt_version": self.prompts.version, "temperature": s.temperature, "max_tokens": s.max_tokens,
            "max_reasks": s.max_reasks, "chunk_chars": s.chunk_chars, "chunk_overlap": s.chunk_overlap,
            "model_path": str(s.model_path) if s.model_path else None,
        }  # fmt: skip

    @property
    def mode(self) -> str:
        """The mode in use for this run: the configured one until a server rejected it."""
        return self._mode

    @property
    def usage(self) -> Usage:
        """What the whole run spent so far (cached documents cost nothing)."""
        with self._lock:
            all_cached = self._documents > 0 and self._documents == self._cached_documents
        return self._run_meter.usage(self.settings.price(), cached=all_cached)

    # --- the sync and async twins ---------------------------------------------------------------

    def summarize(self, document: Document, quantities: list[Quantity]) -> Summary:
        clauses = document_clauses(document)
        key, cached = self._lookup(document, quantities, clauses)
        if cached is not None:
            return cached
        from summarizer.backends._http import metering

        meter = UsageMeter(parent=self._run_meter)
        jobs = self._jobs(document, quantities, clauses)
        try:
            with metering(meter):
                drafts = [self._answer(meter, job) for job in jobs]
        except BackendError as error:
            error.usage = meter.usage(self.settings.price())
            raise
        return self._finish(key, document, quantities, clauses, drafts, meter, _warnings(jobs))

    async def asummarize(self, document: Document, quantities: list[Quantity]) -> Summary:
        clauses = document_clauses(document)
        key, cached = self._lookup(document, quantities, clauses)
        if cached is not None:
            return cached
        from summarizer.backends._http import metering

        meter = UsageMeter(parent=self._run_meter)
        jobs = self._jobs(document, quantities, clauses)
        try:
            with metering(meter):
                drafts = [await self._aanswer(meter, job) for job in jobs]
        except BackendError as error:
            error.usage = meter.usage(self.settings.price())
            raise
        return self._finish(key, document, quantities, clauses, drafts, meter, _warnings(jobs))

    def _answer(self, meter: UsageMeter, job: _Job) -> SummaryDraft:
        if self._batch_answers is None:
            return self._ask(meter, job)
        draft, reask = self._batch_draft(meter, job)
        if reask is None:
            assert draft is not None  # _batch_draft answers a draft or a re-ask, never neither
            return draft
        return self._ask(meter, reask, self.settings.max_reasks - 1)

    async def _aanswer(self, meter: UsageMeter, job: _Job) -> SummaryDraft:
        if self._batch_answers is None:
            return await self._aask(meter, job)
        draft, reask = self._batch_draft(meter, job)
        if reask is None:
            assert draft is not None  # _batch_draft answers a draft or a re-ask, never neither
            return draft
        return await self._aask(meter, reask, self.settings.max_reasks - 1)

    def _ask(self, meter: UsageMeter, job: _Job, reasks: int | None = None) -> SummaryDraft:
        early = self._send_ahead(job, self.mode) if reasks is None else None
        preparation.ready()  # from here on this document waits for its model, or reads its answer
        if self._connection is None:
            self._let_first_requests_out()
        from tenacity import Retrying

        while True:
            mode = self.mode
            retrying = Retrying(**self._reask_policy(meter, mode, reasks))
            try:
                with grounding_source(job.text, job.quantities, job.clauses):
                    answer = self._sync_client().structured(mode).create(**self._request(job, retrying))
            except Exception as error:  # noqa: BLE001 - sorted out by _recover, unknown errors re-raised there
                try:
                    return self._recover(error, mode, job)
                except _FellBack:
                    continue
            finally:
                if early is not None:
                    self._unclaimed(early)
                    early = None
            return SummaryDraft.model_validate(answer.model_dump())

    async def _aask(self, meter: UsageMeter, job: _Job, reasks: int | None = None) -> SummaryDraft:
        from tenacity import AsyncRetrying

        while True:
            mode = self.mode
            retrying = AsyncRetrying(**self._reask_policy(meter, mode, reasks))
            try:
                with grounding_source(job.text, job.quantities, job.clauses):
                    answer = await self._loop_client().structured(mode).create(**self._request(job, retrying))
            except Exception as error:  # noqa: BLE001 - sorted out by _recover, unknown errors re-raised there
                try:
                    return self._recover(error, mode, job)
                except _FellBack:
                    continue
            return SummaryDraft.model_validate(answer.model_dump())

    # --- one client per run: building one costs more than a loopback request -------------------------

    def _sync_client(self) -> _Connection:
        """The run's client, made on the first request (a fully cached run never imports the SDK)."""
        transport = self._sync_transport()
        with self._connect_lock:
            if self._connection is None:
                import httpx2
                import openai

                self._connection = _Connection(
                    openai.OpenAI(
                        http_client=httpx2.Client(transport=transport, timeout=self.settings.timeout),
                        **self._client_options(),
                    )
                )
            return self._connection

    def _sync_transport(self) -> RetryingTransport:
        """The run's transport: made without the SDK, so that the first requests go out while it loads."""
        with self._transport_lock:
            if self._transport is None:
                from summarizer.backends._http import RetryingTransport

                self._transport = RetryingTransport(self._attempts(), self._slots, self.settings.concurrency)
            return self._transport

    def _let_first_requests_out(self) -> None:
        """Before the SDK's import (the longest piece of CPU work in a run, half a second, which the
        first answer needs but no request does): the documents started are prepared and their
        requests written first, waiting at most ``GIVE_WAY`` seconds for each."""
        from summarizer.backends._http import GIVE_WAY

        preparation.wait_settled(GIVE_WAY)
        self._sync_transport().give_way()

    def _send_ahead(self, job: _Job, mode: str) -> Future[httpx2.Response] | None:
        """Send ``job``'s first request now, as instructor will build it, before the SDK and instructor
        load (half a second of start-up): instructor's identical request then gets this answer.

        Only in the modes whose request is the parameters plus the answer schema (:func:`answer_frame`),
        and not while recording or replaying (their files name the client's own requests).
        """
        url = self.settings.base_url
        if not url or mode not in ANSWER_FRAMES or self._ahead_off or self._recorder or self._replayer:
            return None
        import httpx2

        headers = {"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json",
                   "Accept": "application/json"}  # fmt: skip
        for variable, header in _SDK_ENVIRONMENT_HEADERS:  # what the SDK would add from the environment
            if os.environ.get(variable):
                headers[header] = os.environ[variable]
        body = {**self._parameters(job), **answer_frame(mode)}
        request = httpx2.Request("POST", url.rstrip("/") + _COMPLETIONS_PATH, headers=headers, json=body)
        return self._sync_transport().send_ahead(request)

    def _unclaimed(self, early: Future[httpx2.Response]) -> None:
        """After the first attempt: a request sent ahead that instructor's did not claim was spent for
        nothing (instructor builds its requests otherwise than :func:`answer_frame`): said once, and
        no request of this run is sent ahead again."""
        if self._sync_transport().withdraw(early) and not self._ahead_off:
            self._ahead_off = True
            LOG.warning("a request sent ahead of the SDK differed from the one instructor built; "
                        "sending ahead is off for the rest of this run")  # fmt: skip

    def _loop_client(self) -> _Connection:
        """The async client of the running event loop (an async client cannot cross loops)."""
        loop = asyncio.get_running_loop()
        with self._connect_lock:
            connection = self._async_connections.get(loop)
            if connection is None:
                import httpx2
                import openai

                from summarizer.backends._http import AsyncRetryingTransport

                # The loop's concurrency limit lives with its client: both belong to that loop.
                transport = AsyncRetryingTransport(self._attempts(), asyncio.Semaphore(self.settings.concurrency))
                connection = self._async_connections[loop] = _Connection(
                    openai.AsyncOpenAI(
                        http_client=httpx2.AsyncClient(transport=transport, timeout=self.settings.timeout),
                        **self._client_options(),
                    )
                )
            return connection

    def batch_client(self) -> openai.OpenAI:
        """A plain client of this run's endpoint and key for the files and batches endpoints: their
        uploads and downloads are larger than any answer, so they bypass the answer-size cap."""
        import openai

        if self._offline:
            raise ConfigError("this run sends no requests (offline): there is no endpoint to reach")
        return openai.OpenAI(**{**self._client_options(), "max_retries": self.settings.max_retries})

    def _client_options(self) -> dict[str, Any]:
        # The transport retries; the client's own retries are off so that nothing retries twice.
        return {"api_key": self._api_key, "base_url": self.settings.base_url, "timeout": self.settings.timeout,
                "max_retries": 0}

    async def aclose(self) -> None:
        """Close the running loop's async client, then what :meth:`close` releases."""
        with self._connect_lock:
            connection = self._async_connections.pop(asyncio.get_running_loop(), None)
        if connection is not None:
            await connection.client.close()
        self.close()

    # --- shared by both twins ---------------------------------------------------------------------

    def _jobs(self, document: Document, quantities: list[Quantity], clauses: ClauseTable) -> list[_Job]:
        """One job per chunk (one chunk for most documents); every job is checked against the whole text.

        A chunk shows its own clauses and candidates, with the ids they have in the whole document.
        """
        chunks = split_text(document.text, self.settings.chunk_chars, self.settings.chunk_overlap)
        document_sha = text_sha256(document.text)
        return [
            _Job(
                messages=self.prompts.messages(
                    clauses.subset(chunk.start, chunk.end), [q for q in quantities if chunk.holds(q)]
                ),
                text=document.text,
                quantities=quantities,
                clauses=clauses,
                document_sha=document_sha,
                chunk=index,
            )
            for index, chunk in enumerate(chunks)
        ]

    def _attempts(self) -> Attempts:
        from summarizer.backends._http import MAX_RESPONSE_BYTES, Attempts, RetryPolicy

        s = self.settings
        # A setting of that name takes effect as soon as the configuration has one; until then the default cap.
        cap = getattr(s, "max_response_bytes", None) or MAX_RESPONSE_BYTES
        policy = RetryPolicy(s.max_retries, s.retry_backoff, s.timeout, cap)
        secret = self._api_key if self._api_key != NO_KEY else None
        plain = (s.base_url or "").lower().startswith("http://")
        return Attempts(policy, self._run_meter, self._recorder, self._replayer, secret, self._shared_circuit(), plain)

    def _request(self, job: _Job, retrying: Retrying | AsyncRetrying) -> dict[str, Any]:
        return {**self._parameters(job), "response_model": _answer_model(), "max_retries": retrying, "strict": False}

    def _parameters(self, job: _Job) -> dict[str, Any]:
        """The request's own parameters; instructor adds the answer schema in the mode's form."""
        return {
            "model": self.settings.model,
            "messages": [dict(message) for message in job.messages],
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }

    # --- a provider's batch engine: the same first requests, answered later ---------------------------

    def batch_requests(self, document: Document, quantities: list[Quantity]) -> list[tuple[str, int, dict[str, Any]]]:
        """``(document_sha, chunk, body)`` of each first request a direct run would send for ``document``:
        the body exactly as instructor would post it in this run's mode."""
        jobs = self._jobs(document, quantities, document_clauses(document))
        return [(job.document_sha, job.chunk, self._batch_body(job)) for job in jobs]

    def _batch_body(self, job: _Job) -> dict[str, Any]:
        """The body instructor posts for ``job`` in this run's mode: the batch line, and what a re-ask builds on."""
        from instructor.processing.response import handle_response_model

        return handle_response_model(_answer_model(), mode=_instructor_mode(self.mode), **self._parameters(job))[1]

    def _batch_draft(self, meter: UsageMeter, job: _Job) -> tuple[SummaryDraft, None] | tuple[None, _Job]:
        """The batch's answer to ``job``, validated and grounded as a direct answer would be; when
        grounding wants a re-ask, the job that asks it (sent directly), else the draft."""
        from instructor.core.exceptions import IncompleteOutputException
        from instructor.processing.response import handle_reask_kwargs, process_response
        from openai.types.chat import ChatCompletion

        assert self._batch_answers is not None
        body = self._batch_answers.completion(job.document_sha, job.chunk)
        meter.record(1, *tokens_in_usage(body.get("usage")), batch=True)
        try:
            completion = ChatCompletion.model_validate(body)
        except ValidationError as error:
            raise ModelResponseError(f"the batch's answer is no chat completion: {error.errors()[0]['msg']}") from None
        mode = _instructor_mode(self.mode)
        try:
            with grounding_source(job.text, job.quantities, job.clauses):
                answer = process_response(completion, response_model=_answer_model(), stream=False, mode=mode, strict=False)
        except IncompleteOutputException as error:
            return self._completed_items(error, job), None
        except _parse_errors() as error:
            if self._offline or self.settings.max_reasks == 0:
                return _unchecked_draft(completion, reasks=0), None
            asked = handle_reask_kwargs(self._batch_body(job), mode, completion, error)
            return None, replace(job, messages=asked["messages"])
        return SummaryDraft.model_validate(answer.model_dump()), None

    def _reask_policy(self, meter: UsageMeter, mode: str, reasks: int | None = None) -> dict[str, Any]:
        """Re-ask on parse and grounding errors, up to ``reasks`` (max_reasks) and within the token budget."""
        from tenacity import retry_if_exception, stop_after_attempt

        budget = self.settings.token_budget
        parse_errors = _parse_errors()

        def worth_reasking(error: BaseException) -> bool:
            if not isinstance(error, parse_errors) or _tools_ignored(error, mode):
                return False
            return budget is None or meter.total_tokens < budget

        return {
            "stop": stop_after_attempt((self.settings.max_reasks if reasks is None else reasks) + 1),
            "retry": retry_if_exception(worth_reasking),
            "reraise": True,
        }

    def _recover(self, error: Exception, mode: str, job: _Job) -> SummaryDraft:
        """After instructor gave up: fall back to another mode, keep the last draft, or fail clearly."""
        import openai
        from instructor.core.exceptions import (
            IncompleteOutputException,
            InstructorRetryException,
        )

        from summarizer.backends._http import TransportFailure

        # The transport's own verdicts first, however deep the client and instructor wrapped them.
        for link in _chain(error):
            if isinstance(link, EndpointUnreachable):
                raise EndpointUnreachable(link.url, link.reason, link.failures) from None
            if isinstance(link, (TransportFailure, ReplayMiss)):
                raise BackendError(scrub(str(link))) from None
        if isinstance(error, IncompleteOutputException):
            if mode == "tools" and not _called_a_tool(getattr(error, "last_completion", None)):
                self._fall_back(mode, "the server answered without calling the tool")  # free text until max_tokens
            return self._completed_items(error, job)
        if not isinstance(error, InstructorRetryException):
            raise error
        cause = error.__cause__
        if isinstance(cause, openai.APIStatusError):
            said = scrub(_server_message(cause))
            if cause.status_code in (400, 404, 405, 415, 422, 501) and _MODE_REJECTED.search(said):
                self._fall_back(mode, f"HTTP {cause.status_code}: {said}")
            raise BackendError(f"HTTP {cause.status_code} from the model server: {said}") from None
        if isinstance(cause, openai.APIError):
            raise BackendError(scrub(f"model server error: {cause}")) from None
        if cause is not None and _tools_ignored(cause, mode):
            self._fall_back(mode, "the server answered without calling the tool")
        if isinstance(cause, _parse_errors()):
            return self._last_draft(error)
        raise error

    def _completed_items(self, error: Exception, job: _Job) -> SummaryDraft:
        """An answer cut off at max_tokens keeps the items it completed (grounded like any others), and says so."""
        limit = self.settings.max_tokens
        completed = completed_part(_completion_text(getattr(error, "last_completion", None)))
        try:
            draft = SummaryDraft.model_validate_json(completed) if completed else None
        except ValidationError:
            draft = None
        if draft is None:
            raise ModelResponseError(f"model answer was cut off at max_tokens={limit} before any item was complete; "
                                     "raise max_tokens") from None
        items = sum(len(getattr(draft, section)) for section in ("metrics", "targets", *ITEM_SECTIONS))
        job.warnings.append(f"the model's answer was cut off at max_tokens={limit}: kept the complete items ({items}), "
                            "the rest of the answer is missing (raise max_tokens)")
        return draft

    def _fall_back(self, failed: str, why: str) -> None:
        position = MODE_FALLBACK.index(failed)
        if position + 1 >= len(MODE_FALLBACK):
            raise BackendError(f"the model server rejected every structured-output mode (last: {failed}, {why})")
        with self._lock:
            if self._mode == failed:  # another document may have moved on already
                self._mode = MODE_FALLBACK[position + 1]
        raise _FellBack

    def _last_draft(self, error: InstructorRetryException) -> SummaryDraft:
        """The last answer, read without grounding: grounding will drop what the document does not support."""
        attempts = error.failed_attempts or []
        completion = attempts[-1].completion if attempts else error.last_completion
        return _unchecked_draft(completion, reasks=max(0, (error.n_attempts or len(attempts)) - 1))

    # --- cache and the final Summary --------------------------------------------------------------

    def _lookup(
        self, document: Document, quantities: list[Quantity], clauses: ClauseTable
    ) -> tuple[str, Summary | None]:
        key = self._cache_key(document, quantities, clauses)
        entry = self._cache.get(key) if self._cache is not None else None
        with self._lock:
            self._documents += 1
            self._cached_documents += entry is not None
        if entry is None:
            return key, None
        draft = SummaryDraft.model_validate(entry["draft"])
        warnings = list(entry.get("warnings", []))
        return key, self._summary(document, quantities, clauses, draft, entry["mode"], Usage(cached=True), warnings)

    def _finish(
        self,
        key: str,
        document: Document,
        quantities: list[Quantity],
        clauses: ClauseTable,
        drafts: Sequence[SummaryDraft],
        meter: UsageMeter,
        warnings: list[str],
    ) -> Summary:
        draft = merge_drafts(drafts)
        usage = meter.usage(self.settings.price())
        if self._cache is not None:
            self._cache.put(key, {
                "draft": draft.model_dump(mode="json"), "mode": self.mode, "usage": usage.model_dump(),
                "warnings": warnings,
            })  # fmt: skip
        return self._summary(document, quantities, clauses, draft, self.mode, usage, warnings)

    def _cache_key(self, document: Document, quantities: list[Quantity], clauses: ClauseTable) -> str:
        s = self.settings
        return cache_key(
            backend=self.name,
            text=text_sha256(document.text),
            quantities=_digest([q.model_dump(mode="json") for q in quantities]),
            # The ids a cached draft cites mean the same clauses only under the same segmentation;
            # the rendered system prompt holds the worked example's table, segmented by code too.
            clauses=clauses.digest(),
            prompt_version=self.prompts.version,
            system=_digest(self.prompts.system),
            schema_version=SCHEMA_VERSION,
            base_url=s.base_url,
            model=s.model,
            mode=s.resolved_mode,
            parameters=[s.temperature, s.max_tokens, s.max_reasks, s.chunk_chars, s.chunk_overlap, s.token_budget],
        )

    def _summary(
        self,
        document: Document,
        quantities: list[Quantity],
        clauses: ClauseTable,
        draft: SummaryDraft,
        mode: str,
        usage: Usage,
        warnings: list[str],
    ) -> Summary:
        grounded = ground(draft, document.text, quantities, clauses)
        return Summary(
            source=document.source_info(),
            meta=_with_page_meta(grounded.meta, document),
            metrics=grounded.metrics,
            targets=grounded.targets,
            achievements=grounded.achievements,
            problems=grounded.problems,
            tasks=grounded.tasks,
            articles=[  # listed only for a page of several articles, as the schema says
                ArticleInfo(index=a.index, title=a.title, start=a.start, end=a.end) for a in document.articles
            ]
            if len(document.articles) > 1
            else [],
            diagnostics=Diagnostics(
                backend="llm",
                model=self.settings.model,
                prompt_version=self.prompts.version,
                mode=mode,
                usage=usage,
                dropped=grounded.dropped,
                warnings=warnings,
            ),
            text=document.text,
        )


def _warnings(jobs: Sequence[_Job]) -> list[str]:
    """The jobs' warnings, once each, chunk by chunk."""
    return list(dict.fromkeys(warning for job in jobs for warning in job.warnings))


def _unchecked_draft(completion: Any, reasks: int) -> SummaryDraft:
    """An answer read without grounding (grounding drops what the document does not support); an
    answer that is no summary at all fails the document."""
    try:
        return SummaryDraft.model_validate_json(answer_json(_completion_text(completion)))
    except ValidationError as problem:
        first = problem.errors()[0]
        if first["type"] == "json_invalid":
            raise ModelResponseError(f"model answer is not valid JSON after {reasks} re-asks: {first['msg']}") from None
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        raise ModelResponseError(
            f"model answer does not fit the summary schema after {reasks} re-asks: {where}: {first['msg']}"
        ) from None


def _instructor_mode(mode: str) -> Any:
    import instructor

    return instructor.Mode[MODES[mode]]


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check(settings: LLMSettings, *, needs_endpoint: bool = True) -> None:
    """``needs_endpoint``: the backend will send requests (not so when it only reads a batch's answers)."""
    if not settings.model:
        raise ConfigError(
            "the llm backend needs a model: pass --model NAME, set SUMMARIZER_MODEL, "
            "or choose a --provider that has a default model"
        )
    if settings.record_dir and settings.replay_dir:
        raise ConfigError("record and replay exclude each other: choose one folder")
    if needs_endpoint and settings.api_key is None and not settings.replay_dir:
        preset = PROVIDERS.get(settings.provider or "")
        if settings.base_url is None or (preset is not None and preset.needs_key):
            names = " or ".join((*(preset.key_env if preset else ()), "OPENAI_API_KEY"))
            raise ConfigError(f"no API key: set {names} in the environment (keys are never taken from flags)")


def _replayer(settings: LLMSettings) -> Replayer | None:
    if not settings.replay_dir:
        return None
    try:
        return Replayer(settings.replay_dir)
    except ReplayMiss as error:
        raise ConfigError(str(error)) from None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _tools_ignored(error: BaseException, mode: str) -> bool:
    """A server that accepts ``tools`` but answers in plain text will not call them on a re-ask either."""
    from instructor.core.exceptions import ResponseParsingError

    return mode == "tools" and isinstance(error, ResponseParsingError) and "No tool calls" in str(error)


def _server_message(error: openai.APIStatusError) -> str:
    """The server's own words (``error.message`` of an OpenAI-style body), else the client's summary."""
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else None
        if isinstance(message, str):
            return message
    return error.message


def _called_a_tool(completion: Any) -> bool:
    choices = getattr(completion, "choices", None) or []
    return bool(choices) and bool(getattr(choices[0].message, "tool_calls", None))


def _completion_text(completion: Any) -> str:
    """The raw answer of a chat completion: the tool call's arguments, else the message content."""
    choices = getattr(completion, "choices", None) or []
    if not choices:
        return ""
    message = choices[0].message
    for call in getattr(message, "tool_calls", None) or []:
        arguments = getattr(getattr(call, "function", None), "arguments", None)
        if arguments:
            return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return message.content or ""


def _with_page_meta(meta: Meta, document: Document) -> Meta:
    """The page's own title, date and source fill what the model left empty."""
    page = document.meta
    update = {
        name: value
        for name, value in (("title", page.title), ("publish_date", page.publish_date), ("source", page.source))
        if value is not None and getattr(meta, name) is None
    }
    return meta.model_copy(update=update) if update else meta


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

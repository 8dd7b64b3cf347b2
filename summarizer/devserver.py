"""A real OpenAI-compatible chat-completions server on 127.0.0.1, for tests and for trying the tool.

Tests drive the real ``openai`` client (through ``instructor``) against it, so every retry,
timeout, fallback and re-ask path runs over real HTTP instead of a mocked client. The server
answers in the shape each request asks for: a tool call when the request carries ``tools``
(instructor ``Mode.TOOLS``), JSON content for ``response_format`` ``json_schema``/``json_object``
(``JSON_SCHEMA``/``JSON``), and a fenced ```json block otherwise (``MD_JSON``).

Token counts are deterministic so that usage the client adds up can be compared with the
server's own count: ``prompt_tokens = characters of every message text // 2 + 1`` (message
contents, text parts and tool-call arguments) and ``completion_tokens = characters of the answer
// 2 + 1``. ``totals.requests`` counts every chat-completion request received, faults included,
and each line of a batch is one (it is answered exactly as that request sent live would be, so
the usage a batch reports adds up with the rest); tokens are counted only for answers actually
delivered (a client that timed out before a delayed answer never sees its usage, so neither does
the server's count), a batch line's when its answer is recorded for the output file.

The OpenAI Files and Batch APIs are served too, in memory, so the real client can run a whole
batch offline: ``POST /v1/files`` (multipart), ``GET /v1/files[/{id}[/content]]``, ``DELETE
/v1/files/{id}``, ``POST /v1/batches``, ``GET /v1/batches[/{id}]`` and ``POST
/v1/batches/{id}/cancel``. Those calls are logged in ``calls`` (method and path), not in
``requests``, which keeps the chat requests only, a batch's lines among them. A batch is checked
as it is created (bad lines fail it with OpenAI's ``errors`` list, each with its line number),
then runs in a background thread, its lines in input order through the same responder as live
requests; ``hold_batches`` keeps batches ``in_progress`` until :meth:`DevServer.release_batches`,
so that a test can watch one. The output file keeps the input order, which OpenAI does not
promise: a client must match lines by ``custom_id``.

Run ``summarizer dev-server`` (or ``python -m summarizer.devserver``) to try the pipeline without
a key: the default responder summarises the document in the prompt with the rules backend and
cites the prompt's clause ids, as the prompt asks a model to.

Hostile servers, for the hardening tests: ``Reply.drip`` answers one byte at a time (no read
timeout ever fires), ``Reply.huge`` streams a body of any size without holding it, ``Reply.hang``
never answers, and ``Reply.echo_key`` sends the request's own API key back in every encoding a
leak could take (:func:`key_echoes`), in an error body or inside a 200 answer's draft. The key is
read from the request only to build that answer; it is never stored.
"""

from __future__ import annotations

import base64
import email.policy
import json
import re
import select
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, cast
from urllib.parse import parse_qs, urlsplit

from summarizer.schema import MetricDraft, Summary, SummaryDraft, TargetDraft, Usage

RequestMode = Literal["tools", "json_schema", "json_object", "text"]


@dataclass(frozen=True)
class ChatRequest:
    """One request as the server saw it. The API key is never kept, only whether one was sent.

    A batch line is a request too: ``path`` is the line's ``url``, ``batch_id`` and ``custom_id``
    say where it came from, and ``has_authorization`` is whether the call that created the batch
    sent a key (the line itself carries none).
    """

    path: str
    body: dict[str, Any]
    has_authorization: bool
    batch_id: str | None = None
    custom_id: str | None = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def mode(self) -> RequestMode:
        """The answer shape the request asks for."""
        if self.body.get("tools"):
            return "tools"
        kind = (self.body.get("response_format") or {}).get("type")
        if kind in ("json_schema", "json_object"):
            return cast(RequestMode, kind)
        return "text"

    @property
    def tool_name(self) -> str:
        """The function the answer must call: the one ``tool_choice`` forces, else the first tool."""
        choice = self.body.get("tool_choice")
        if isinstance(choice, dict) and choice.get("function", {}).get("name"):
            return str(choice["function"]["name"])
        tools = self.body.get("tools") or [{}]
        return str(tools[0].get("function", {}).get("name", "answer"))

    def user_text(self) -> str:
        """Every user message's text, joined: where the prompt's clause table and candidates are."""
        return "\n".join(_message_text(m) for m in self.messages if m.get("role") == "user")

    def prompt_tokens(self) -> int:
        return sum(len(_message_text(m)) for m in self.messages) // 2 + 1


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        text = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    else:
        text = content or ""
    calls = message.get("tool_calls") or []
    return str(text) + "".join(str(call.get("function", {}).get("arguments", "")) for call in calls)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Build with the class methods; each is one behaviour of a real server."""

    kind: Literal["json", "text", "content", "error", "delay", "drop", "drip", "huge", "hang", "echo_key"]
    payload: Any = None
    status: int = 200
    retry_after: float | None = None
    seconds: float = 0.0
    then: Reply | None = None
    finish_reason: str = "stop"
    size: int = 0
    declare_length: bool = False
    chunk: int = 1 << 20

    @classmethod
    def json(cls, obj: Any) -> Reply:
        """An object formatted the way the request asks: tool-call arguments, JSON content or a fence.

        A schema-violating or hallucinating answer is just ``Reply.json`` of a bad object.
        """
        return cls("json", payload=obj)

    @classmethod
    def text(cls, text: str, *, finish_reason: str = "stop") -> Reply:
        """This exact string where the answer goes (tool-call arguments for a tools request, else content).

        For truncated or invalid JSON, ``<think>`` preambles and fenced JSON; ``finish_reason="length"``
        makes a truncation look like one that hit ``max_tokens``.
        """
        return cls("text", payload=text, finish_reason=finish_reason)

    @classmethod
    def content(cls, text: str) -> Reply:
        """Plain message content even when tools were requested: a model that ignores ``tool_choice``."""
        return cls("content", payload=text)

    @classmethod
    def error(cls, status: int, retry_after: float | None = None, message: str = "dev server error") -> Reply:
        """An HTTP error with an OpenAI-style body; ``retry_after`` sets ``Retry-After`` (fractional seconds)."""
        return cls("error", payload=message, status=status, retry_after=retry_after)

    @classmethod
    def delay(cls, seconds: float, then: Reply) -> Reply:
        """Answer ``then`` after ``seconds``: past a short client timeout this is a timeout."""
        return cls("delay", seconds=seconds, then=then)

    @classmethod
    def drop(cls) -> Reply:
        """Close the connection without any response."""
        return cls("drop")

    @classmethod
    def drip(cls, interval: float = 1.0, then: Reply | None = None) -> Reply:
        """Send ``then`` (default: a valid empty draft) one byte every ``interval`` seconds.

        The headers come at once and every read gets a byte before any read timeout: only an
        overall deadline stops it.
        """
        return cls("drip", seconds=interval, then=then)

    @classmethod
    def huge(cls, size: int, *, declare_length: bool = False, chunk: int = 1 << 20) -> Reply:
        """A 200 JSON-looking body of ``size`` bytes, streamed ``chunk`` bytes at a time (never held whole).

        Sent chunked unless ``declare_length``, which announces it in ``Content-Length`` first.
        The body is never valid JSON, so a client that read it all would re-ask for it.
        """
        return cls("huge", size=size, declare_length=declare_length, chunk=chunk)

    @classmethod
    def hang(cls) -> Reply:
        """Read the request and never answer, until the client leaves or the server stops."""
        return cls("hang")

    @classmethod
    def echo_key(cls, status: int = 200) -> Reply:
        """Send the request's API key back in every encoding of :func:`key_echoes`.

        ``status`` 200 answers the default responder's draft with the echoes in its meeting name
        and in an extra task; any other status is an error whose message holds them.
        """
        return cls("echo_key", status=status)


Responder = Callable[[ChatRequest], Reply]


@dataclass(frozen=True)
class ApiCall:
    """One files or batches call as the server saw it (``path`` with its query); the key is never kept."""

    method: str
    path: str
    has_authorization: bool


BatchStatus = Literal[
    "validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled"
]
_FINISHED: frozenset[BatchStatus] = frozenset({"failed", "completed", "expired", "cancelled"})
_PURPOSES = frozenset({"assistants", "batch", "fine-tune", "vision", "user_data", "evals"})
_BATCH_ENDPOINT = "/v1/chat/completions"


class _ApiError(Exception):
    """A files or batches call the server refuses: answered with ``status`` and an OpenAI-style error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _File:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.data),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }


@dataclass
class _Batch:
    """A batch's state; read and changed only under the server's lock."""

    id: str
    input_file_id: str
    metadata: dict[str, str] | None
    created_at: int
    has_authorization: bool
    status: BatchStatus = "validating"
    lines: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (custom_id, body), in input order
    errors: list[dict[str, Any]] = field(default_factory=list)
    times: dict[str, int] = field(default_factory=dict)  # "in_progress_at", "completed_at", ...
    completed: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None

    def move_to(self, status: BatchStatus) -> None:
        self.status = status
        if status != "validating":
            self.times[f"{status}_at"] = int(time.time())

    def to_json(self) -> dict[str, Any]:
        """The batch as OpenAI's ``Batch`` object, every timestamp field present (null until reached)."""
        moments = ("in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled")
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": _BATCH_ENDPOINT,
            "model": None,
            "errors": {"object": "list", "data": list(self.errors)} if self.errors else None,
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "expires_at": self.created_at + 24 * 3600,
            **{f"{moment}_at": self.times.get(f"{moment}_at") for moment in moments},
            "request_counts": {"total": len(self.lines), "completed": self.completed, "failed": self.failed},
            "usage": {
                "input_tokens": self.input_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": self.output_tokens,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": self.input_tokens + self.output_tokens,
            },
            "metadata": self.metadata,
        }


@dataclass
class _Totals:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Listener(ThreadingHTTPServer):
    """A listening socket with a real server's backlog: the standard library's 5 pending connections
    drop a burst of clients (32 documents at once) to the kernel's one-second SYN retry."""

    request_queue_size = 128


class DevServer:
    """A chat-completions server in a background thread; use as a context manager.

    ``script`` is a list of replies consumed one per chat request (the last one repeats once the
    list is exhausted, so ``[Reply.json(bad)]`` keeps answering badly), or a callable that
    answers each request, or ``None`` for the default responder (rules backend over the prompt's
    document). ``reject_tools``/``reject_json_schema`` answer 400 like servers without tool calling
    or structured outputs; ``latency`` is the time from a request's arrival to its answer.
    ``hold_batches`` keeps every batch ``in_progress``, none of its lines answered, until
    :meth:`release_batches`: the one state a test could otherwise only catch by luck.
    ``nodelay=False`` leaves Nagle's algorithm on, as Python's own HTTP server does: each answer's
    body then waits for the client to acknowledge its headers.
    """

    def __init__(
        self,
        script: Sequence[Reply] | Responder | None = None,
        *,
        reject_tools: bool = False,
        reject_json_schema: bool = False,
        latency: float = 0.0,
        hold_batches: bool = False,
        nodelay: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if script is None:
            self._responder: Responder = default_responder
        elif callable(script):
            self._responder = script
        else:
            replies = list(script)
            if not replies:
                raise ValueError("a scripted DevServer needs at least one reply")
            self._responder = _scripted(replies)
        self.reject_tools = reject_tools
        self.reject_json_schema = reject_json_schema
        self.latency = latency
        self.requests: list[ChatRequest] = []
        self.calls: list[ApiCall] = []
        self._totals = _Totals()
        self._lock = threading.Lock()
        # Notified whenever a request settles or a batch changes: what every wait here waits for.
        self._changed = threading.Condition(self._lock)
        self._in_flight = 0
        self._stopping = threading.Event()
        self._files: dict[str, _File] = {}
        self._batches: dict[str, _Batch] = {}
        self._released = not hold_batches
        self._batch_threads: list[threading.Thread] = []
        self._httpd = _Listener((host, port), _handler_for(self, nodelay))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # an AF_INET socket names its host as text; the stubs also allow bytes
        return f"http://{host}:{port}/v1"

    @property
    def totals(self) -> Usage:
        """Requests received (all, faults included) and tokens of the answers delivered."""
        with self._lock:
            return Usage(
                requests=self._totals.requests,
                prompt_tokens=self._totals.prompt_tokens,
                completion_tokens=self._totals.completion_tokens,
            )

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being answered (a delayed answer included); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._in_flight == 0, timeout)

    def wait_batches(self, timeout: float = 5.0) -> bool:
        """Wait until every batch has finished (completed, failed or cancelled); False on timeout.

        A held batch finishes only after :meth:`release_batches` (or a cancel).
        """
        with self._changed:
            return self._changed.wait_for(lambda: all(b.status in _FINISHED for b in self._batches.values()), timeout)

    def release_batches(self) -> None:
        """Let held batches run, and every later batch run at once."""
        with self._changed:
            self._released = True
            self._changed.notify_all()

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (Ctrl-C raises KeyboardInterrupt here)."""
        self._httpd.serve_forever()

    def start(self) -> DevServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="summarizer-devserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._changed:
            self._stopping.set()
            self._changed.notify_all()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        for thread in self._batch_threads:
            thread.join()
        self._httpd.server_close()

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- called from the handler threads --------------------------------------------------------

    def _receive(self, request: ChatRequest) -> Reply:
        arrived = time.monotonic()
        with self._lock:
            self.requests.append(request)
            self._totals.requests += 1
            self._in_flight += 1
        if self.reject_tools and request.mode == "tools":
            return Reply.error(400, message="tools are not supported")
        if self.reject_json_schema and request.mode == "json_schema":
            return Reply.error(400, message="response_format json_schema is not supported")
        if request.body.get("stream"):
            return Reply.error(400, message="streaming is not supported by the dev server")
        try:
            reply = self._responder(request)
        except Exception as error:  # noqa: BLE001 - a broken responder is the server's 500, as in production
            reply = Reply.error(500, message=f"dev server responder failed: {type(error).__name__}: {error}")
        # The latency is the server's whole answer time: the responder's own work counts towards it.
        remaining = self.latency - (time.monotonic() - arrived)
        return Reply.delay(remaining, reply) if remaining > 0 else reply

    def _count(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self._totals.prompt_tokens += prompt_tokens
            self._totals.completion_tokens += completion_tokens

    def _settle(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    # --- files and batches, called from the handler threads -------------------------------------

    def _note_call(self, call: ApiCall) -> None:
        with self._lock:
            self.calls.append(call)

    def _upload(self, fields: dict[str, tuple[str | None, bytes]]) -> dict[str, Any]:
        if "file" not in fields or "purpose" not in fields:
            raise _ApiError(400, "a file upload needs the form fields 'file' and 'purpose'")
        purpose = fields["purpose"][1].decode("utf-8", "replace")
        if purpose not in _PURPOSES:
            raise _ApiError(400, f"'{purpose}' is not a file purpose: one of {', '.join(sorted(_PURPOSES))}")
        filename, data = fields["file"]
        return self._store_file(filename or "file", purpose, data).to_json()

    def _store_file(self, filename: str, purpose: str, data: bytes) -> _File:
        stored = _File(_new_id("file-"), filename, purpose, data, int(time.time()))
        with self._lock:
            self._files[stored.id] = stored
        return stored

    def _file(self, file_id: str) -> _File:
        with self._lock:
            if file_id not in self._files:
                raise _ApiError(404, f"No such File object: {file_id}")
            return self._files[file_id]

    def _list_files(self, purpose: str | None) -> dict[str, Any]:
        with self._lock:
            chosen = [f.to_json() for f in self._files.values() if purpose is None or f.purpose == purpose]
        return {"object": "list", "data": chosen[::-1], "has_more": False}

    def _delete_file(self, file_id: str) -> dict[str, Any]:
        with self._lock:
            if self._files.pop(file_id, None) is None:
                raise _ApiError(404, f"No such File object: {file_id}")
        return {"id": file_id, "object": "file", "deleted": True}

    def _create_batch(self, body: dict[str, Any], has_authorization: bool) -> dict[str, Any]:
        """Create a batch and check its input file at once; the answer shows it ``validating``, as OpenAI's does.

        The check runs before the answer is sent, so the batch's first retrieval already finds it
        ``in_progress`` or ``failed``: a test never races the validation.
        """
        input_file_id, metadata = body.get("input_file_id"), body.get("metadata")
        if not isinstance(input_file_id, str) or not input_file_id:
            raise _ApiError(400, "input_file_id is required")
        if body.get("endpoint") != _BATCH_ENDPOINT:
            raise _ApiError(400, f"the dev server batches only {_BATCH_ENDPOINT}, not {body.get('endpoint')!r}")
        if body.get("completion_window") != "24h":
            raise _ApiError(400, f"completion_window must be '24h', not {body.get('completion_window')!r}")
        if metadata is not None and not (
            isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
        ):
            raise _ApiError(400, "metadata must be an object of strings")
        source = self._file(input_file_id)
        if source.purpose != "batch":
            raise _ApiError(400, f"file {input_file_id} has purpose '{source.purpose}', a batch needs 'batch'")
        batch = _Batch(_new_id("batch_"), input_file_id, metadata, int(time.time()), has_authorization)
        answer = batch.to_json()
        lines, errors = _batch_lines(source.data)
        if errors:
            batch.errors = errors
            batch.move_to("failed")
        else:
            batch.lines = lines
            batch.move_to("in_progress")
        with self._changed:
            self._batches[batch.id] = batch
            self._changed.notify_all()
            if not errors:
                thread = threading.Thread(target=self._run_batch, args=(batch,), name=f"devserver-{batch.id}")
                thread.daemon = True
                self._batch_threads.append(thread)
                thread.start()
        return answer

    def _batch_json(self, batch_id: str) -> dict[str, Any]:
        with self._lock:
            return self._batch(batch_id).to_json()

    def _batch(self, batch_id: str) -> _Batch:
        """The batch of that id; the caller holds the lock."""
        if batch_id not in self._batches:
            raise _ApiError(404, f"No such Batch object: {batch_id}")
        return self._batches[batch_id]

    def _list_batches(self) -> dict[str, Any]:
        """Every batch, newest first, on one page."""
        with self._lock:
            chosen = [b.to_json() for b in reversed(self._batches.values())]
        first, last = (chosen[0]["id"], chosen[-1]["id"]) if chosen else (None, None)
        return {"object": "list", "data": chosen, "first_id": first, "last_id": last, "has_more": False}

    def _cancel_batch(self, batch_id: str) -> dict[str, Any]:
        """Mark the batch ``cancelling``; its thread stops after the line it is on and makes it ``cancelled``.

        A finished batch has nothing to cancel: 400 (not 409, which the openai client would retry).
        """
        with self._changed:
            batch = self._batch(batch_id)
            if batch.status in _FINISHED:
                raise _ApiError(400, f"batch {batch_id} is {batch.status}: there is nothing to cancel")
            if batch.status != "cancelling":
                batch.move_to("cancelling")
                self._changed.notify_all()
            return batch.to_json()

    def _run_batch(self, batch: _Batch) -> None:
        """Answer the batch's lines in input order, each as a live chat request, then write its files.

        Each line goes through :meth:`_receive`, so it is logged in ``requests``, counted in
        ``totals`` and answered by the responder exactly as the same request sent live.
        """
        with self._changed:
            self._changed.wait_for(lambda: self._released or batch.status == "cancelling" or self._stopping.is_set())
        outputs: list[bytes] = []
        failures: list[bytes] = []
        for custom_id, body in batch.lines:
            with self._lock:
                if batch.status == "cancelling" or self._stopping.is_set():
                    break
            request = ChatRequest(_BATCH_ENDPOINT, body, batch.has_authorization, batch.id, custom_id)
            reply = self._receive(request)
            try:
                status, answer = _batch_answer(request, reply)
            finally:
                self._settle()
            encoded = _output_line(custom_id, status, answer)
            with self._changed:
                if status == 200:
                    usage = answer["usage"]
                    self._totals.prompt_tokens += usage["prompt_tokens"]
                    self._totals.completion_tokens += usage["completion_tokens"]
                    batch.input_tokens += usage["prompt_tokens"]
                    batch.output_tokens += usage["completion_tokens"]
                    batch.completed += 1
                    outputs.append(encoded)
                else:
                    batch.failed += 1
                    failures.append(encoded)
                self._changed.notify_all()
        if self._stopping.is_set():
            return
        with self._changed:
            if batch.status != "cancelling":
                batch.move_to("finalizing")
        output = self._store_file(f"{batch.id}_output.jsonl", "batch_output", b"".join(outputs)) if outputs else None
        error = self._store_file(f"{batch.id}_error.jsonl", "batch_output", b"".join(failures)) if failures else None
        with self._changed:
            batch.output_file_id = output.id if output else None
            batch.error_file_id = error.id if error else None
            # A cancel that came while finalizing still ends the batch cancelled (with every answer).
            batch.move_to("cancelled" if batch.status == "cancelling" else "completed")
            self._changed.notify_all()


def _scripted(replies: list[Reply]) -> Responder:
    position = 0
    lock = threading.Lock()

    def next_reply(_: ChatRequest) -> Reply:
        nonlocal position
        with lock:
            reply = replies[min(position, len(replies) - 1)]
            position += 1
        return reply

    return next_reply


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


def _batch_lines(data: bytes) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """A batch input file's requests as ``(custom_id, body)``, or the errors that fail the batch.

    Every bad line is reported (OpenAI's ``errors.data`` shape, ``line`` counted from 1); the codes
    are the dev server's own. A final newline ends the last line; any other empty line is bad.
    """
    rows = data.split(b"\n")
    if rows[-1] == b"":
        rows.pop()
    if not rows:
        return [], [{"code": "empty_file", "message": "the input file has no requests", "param": None, "line": None}]
    lines: list[tuple[str, dict[str, Any]]] = []
    errors: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for number, row in enumerate(rows, 1):
        read = _batch_request(row, first_line)
        if isinstance(read, dict):
            errors.append({**read, "line": number})
        else:
            first_line[read[0]] = number
            lines.append(read)
    return (lines, []) if not errors else ([], errors)


def _batch_request(row: bytes, first_line: dict[str, int]) -> tuple[str, dict[str, Any]] | dict[str, Any]:
    """One input line's request as ``(custom_id, body)``, or what is wrong with it: ``code``, ``message``, ``param``."""

    def wrong(code: str, message: str, param: str | None = None) -> dict[str, Any]:
        return {"code": code, "message": message, "param": param}

    try:
        item = json.loads(row)
    except ValueError:  # not UTF-8, or not JSON
        return wrong("invalid_json_line", "this line is not a JSON object")
    if not isinstance(item, dict):
        return wrong("invalid_json_line", "this line is not a JSON object")
    for name in ("custom_id", "method", "url", "body"):
        if name not in item:
            return wrong("missing_required_parameter", f"this line has no '{name}'", name)
    custom_id, body = item["custom_id"], item["body"]
    if not isinstance(custom_id, str) or not custom_id:
        return wrong("invalid_value", "custom_id must be a non-empty string", "custom_id")
    if item["method"] != "POST":
        return wrong("invalid_value", f"method must be 'POST', not {item['method']!r}", "method")
    if item["url"] != _BATCH_ENDPOINT:
        return wrong("invalid_value", f"url must be the batch's endpoint {_BATCH_ENDPOINT}, not {item['url']!r}", "url")
    if not isinstance(body, dict):
        return wrong("invalid_value", "body must be a JSON object", "body")
    if custom_id in first_line:
        first = first_line[custom_id]
        return wrong("duplicate_custom_id", f"custom_id {custom_id!r} is also on line {first}", "custom_id")
    return custom_id, body


def _batch_answer(request: ChatRequest, reply: Reply) -> tuple[int | None, dict[str, Any]]:
    """A batch line's answer to ``reply``: ``(HTTP status, body)``, or ``(None, error)`` for a non-HTTP failure.

    A batch line has no connection for a fault to act on, so: a delay is its final reply at once
    (a batch has no client timeout to miss), a drip is its answer whole; a dropped, hung or huge
    answer never yields a response body, so it is a non-HTTP failure (OpenAI's ``response`` null,
    ``error`` set), and so is ``echo_key``, whose key a batch line does not carry (the server
    never keeps it). An HTTP error keeps its status and OpenAI-style body; its ``Retry-After`` has
    no place in a line and is dropped.
    """
    while reply.kind == "delay":
        reply = reply.then or Reply.drop()
    if reply.kind == "drip":
        return 200, _completion_body(request, _dripped(reply))
    if reply.kind == "error":
        return reply.status, _error_body(reply.status, str(reply.payload))
    if reply.kind in ("drop", "hang", "huge", "echo_key"):
        return None, {"code": "server_error", "message": f"the dev server's Reply.{reply.kind} gives no batch answer"}
    return 200, _completion_body(request, reply)


def _output_line(custom_id: str, status: int | None, answer: dict[str, Any]) -> bytes:
    """One line of a batch's output or error file, in OpenAI's shape (``status`` None: a non-HTTP failure)."""
    response = None if status is None else {"status_code": status, "request_id": _new_id("req_"), "body": answer}
    line = {"id": _new_id("batch_req_"), "custom_id": custom_id, "response": response, "error": None}
    if status is None:
        line["error"] = answer
    return json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"


def _dripped(reply: Reply) -> Reply:
    """The answer a drip sends: its ``then``, else a valid empty draft."""
    return reply.then or Reply.json(SummaryDraft().model_dump(mode="json"))


def _form_fields(content_type: str, raw: bytes) -> dict[str, tuple[str | None, bytes]]:
    """A multipart/form-data body's fields by name, as ``(filename, bytes)``.

    The standard library's MIME parser keeps a part's bytes exactly (CRLFs, bytes that are not
    UTF-8), so an uploaded file is stored as sent.
    """
    if not content_type.lower().startswith("multipart/form-data"):
        raise _ApiError(400, f"a file upload is multipart/form-data, not {content_type or 'no content type'}")
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        raise _ApiError(400, "the multipart body has no parts")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.walk():  # the form's parts (the whole message has no field name)
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


def _handler_for(server: DevServer, nodelay: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        dev = server
        disable_nagle_algorithm = nodelay

    return Handler


_FILES_ROUTE = re.compile(r"/files(?:/(?P<id>[^/]+)(?P<content>/content)?)?$")
_BATCHES_ROUTE = re.compile(r"/batches(?:/(?P<id>[^/]+)(?P<cancel>/cancel)?)?$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the openai client's connection pool expects
    # TCP_NODELAY, as production servers set it: headers and body go out as two writes, and with
    # Nagle's algorithm the body waits for the client's acknowledgement of the headers.
    disable_nagle_algorithm = True
    dev: DevServer
    connection: socket.socket  # a TCP server's request is its socket (the base class types it Any)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: tests and the CLI print what matters themselves."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.rstrip("/").endswith("/models"):
            model = {"id": "summarizer-dev", "object": "model", "created": 0, "owned_by": "summarizer"}
            self._send_json(200, {"object": "list", "data": [model]})
        elif not self._api_call("GET", b""):
            self._send_error_body(404, f"no route for GET {self.path}")

    def do_DELETE(self) -> None:  # noqa: N802
        if not self._api_call("DELETE", self._read_body()):
            self._send_error_body(404, f"no route for DELETE {self.path}")

    def do_POST(self) -> None:  # noqa: N802
        raw = self._read_body()
        if not self.path.rstrip("/").endswith("/chat/completions"):
            if not self._api_call("POST", raw):
                self._send_error_body(404, f"no route for POST {self.path}")
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_error_body(400, "the request body is not JSON")
            return
        request = ChatRequest(self.path, body, has_authorization="Authorization" in self.headers)
        reply = self.dev._receive(request)
        try:
            self._answer(request, reply)
        finally:
            self.dev._settle()

    def _read_body(self) -> bytes:
        """The request body: ``Content-Length`` bytes, or every chunk of a chunked one (an upload of unknown size)."""
        if "chunked" not in (self.headers.get("Transfer-Encoding") or "").lower():
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""
        chunks: list[bytes] = []
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline().strip():  # trailers, up to the empty line
            pass
        return b"".join(chunks)

    def _api_call(self, method: str, raw: bytes) -> bool:
        """Answer a files or batches call; False when the path is neither (the caller answers 404)."""
        split = urlsplit(self.path)
        path = split.path.rstrip("/")
        files, batches = _FILES_ROUTE.search(path), _BATCHES_ROUTE.search(path)
        if files is None and batches is None:
            return False
        has_authorization = "Authorization" in self.headers
        self.dev._note_call(ApiCall(method, self.path, has_authorization))
        try:
            if files is not None:
                answer = self._files_call(method, files, split.query, raw)
            elif batches is not None:
                answer = self._batches_call(method, batches, raw, has_authorization)
        except _ApiError as error:
            self._send_error_body(error.status, error.message)
            return True
        if isinstance(answer, bytes):
            self._send_raw(200, answer, content_type="application/octet-stream")
        else:
            self._send_json(200, answer)
        return True

    def _files_call(self, method: str, route: re.Match[str], query: str, raw: bytes) -> dict[str, Any] | bytes:
        file_id, content = route["id"], route["content"]
        if method == "POST" and file_id is None:
            return self.dev._upload(_form_fields(self.headers.get("Content-Type") or "", raw))
        if method == "GET" and file_id is None:
            purposes = parse_qs(query).get("purpose")
            return self.dev._list_files(purposes[0] if purposes else None)
        if method == "GET" and file_id is not None:
            stored = self.dev._file(file_id)
            return stored.data if content else stored.to_json()
        if method == "DELETE" and file_id is not None and not content:
            return self.dev._delete_file(file_id)
        raise _ApiError(404, f"no route for {method} {self.path}")

    def _batches_call(self, method: str, route: re.Match[str], raw: bytes, has_authorization: bool) -> dict[str, Any]:
        batch_id, cancel = route["id"], route["cancel"]
        if method == "POST" and batch_id is None:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                raise _ApiError(400, "the request body is not JSON") from None
            if not isinstance(body, dict):
                raise _ApiError(400, "the request body is not a JSON object")
            return self.dev._create_batch(body, has_authorization)
        if method == "GET" and batch_id is None:
            return self.dev._list_batches()
        if method == "GET" and not cancel:
            return self.dev._batch_json(batch_id)
        if method == "POST" and cancel:
            return self.dev._cancel_batch(batch_id)
        raise _ApiError(404, f"no route for {method} {self.path}")

    def _answer(self, request: ChatRequest, reply: Reply) -> None:
        if reply.kind == "delay":
            if self._wait_or_leave(reply.seconds):
                self.close_connection = True
                return
            self._answer(request, reply.then or Reply.drop())
        elif reply.kind == "hang":
            while not self._wait_or_leave(0.2):
                pass
            self.close_connection = True
        elif reply.kind == "drip":
            self._drip(request, reply)
        elif reply.kind == "huge":
            self._huge(reply)
        elif reply.kind == "echo_key":
            self._echo_key(request, reply)
        elif reply.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif reply.kind == "error":
            headers = {}
            if reply.retry_after is not None:
                headers = {"Retry-After": f"{reply.retry_after:g}", "retry-after-ms": f"{reply.retry_after * 1000:g}"}
            self._send_error_body(reply.status, str(reply.payload), headers)
        else:
            self._send_completion(request, reply)

    def _wait_or_leave(self, seconds: float) -> bool:
        """Wait ``seconds``; True (early) when the server stops or the client closed the connection."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if self.dev._stopping.wait(max(0.0, min(remaining, 0.1))) or self._client_gone():
                return True
            if remaining <= 0.1:
                return False

    def _drip(self, request: ChatRequest, reply: Reply) -> None:
        data = json.dumps(_completion_body(request, _dripped(reply)), ensure_ascii=False).encode("utf-8")
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.flush()
            for position in range(len(data)):
                self.wfile.write(data[position : position + 1])
                self.wfile.flush()
                if self._wait_or_leave(reply.seconds):
                    return
        except OSError:
            return

    def _huge(self, reply: Reply) -> None:
        chunk = max(1, reply.chunk)
        opening = b'{"id": "chatcmpl-huge", "object": "chat.completion", "filler": "'
        filler = b"x" * chunk
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if reply.declare_length:
                self.send_header("Content-Length", str(reply.size))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            while sent < reply.size and not self.dev._stopping.is_set():
                piece = (opening + filler)[: min(chunk, reply.size - sent)] if sent == 0 else filler[: reply.size - sent]
                if reply.declare_length:
                    self.wfile.write(piece)
                else:
                    self.wfile.write(f"{len(piece):x}\r\n".encode("ascii") + piece + b"\r\n")
                sent += len(piece)
            if not reply.declare_length:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            return

    def _echo_key(self, request: ChatRequest, reply: Reply) -> None:
        authorization = self.headers.get("Authorization") or ""
        key = authorization.split(" ", 1)[1].strip() if " " in authorization else authorization
        echoes = key_echoes(key)
        marker = "@@echo-json-escaped@@"
        said = " | ".join([*echoes.values(), marker])
        if reply.status != 200:
            kind = "invalid_request_error" if reply.status < 500 else "server_error"
            body = {"error": {"message": f"invalid api key: {said}", "type": kind, "param": None, "code": None}}
            # One level of JSON: the escape decodes to the key itself in the client's parsed body.
            data = json.dumps(body, ensure_ascii=False).replace(marker, _json_escaped(key, 1))
            self._send_raw(reply.status, data.encode("utf-8"), authorization)
            return
        draft = default_responder(request).payload
        draft = dict(draft) if isinstance(draft, dict) else {}
        meta = dict(draft.get("meta") or {})
        meta["meeting_name"] = f"会议 {said}"
        draft["meta"] = meta
        anchor = next((item["clause_ids"] for item in draft.get("tasks") or [] if item.get("clause_ids")), ["c1"])
        draft["tasks"] = [*(draft.get("tasks") or []), {"text": f"联系 {said}", "clause_ids": anchor}]
        draft["problems"] = [*(draft.get("problems") or []), {"text": said, "clause_ids": anchor}]
        data = json.dumps(_completion_body(request, Reply.json(draft)), ensure_ascii=False)
        # Two levels: the answer's JSON sits inside the body's JSON, so the escape is escaped once more.
        self._send_raw(200, data.replace(marker, _json_escaped(key, 2)).encode("utf-8"), authorization)

    def _send_raw(self, status: int, data: bytes, echo: str = "", content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if echo:  # a header a careless client would keep with the answer
                self.send_header("X-Request-Authorization", echo)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _client_gone(self) -> bool:
        """True when the client closed the connection (it timed out) while the answer was delayed."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _send_completion(self, request: ChatRequest, reply: Reply) -> None:
        body = _completion_body(request, reply)
        prompt_tokens, completion_tokens = body["usage"]["prompt_tokens"], body["usage"]["completion_tokens"]
        # Counted before sending, so a client that has its answer always finds it in the totals.
        self.dev._count(prompt_tokens, completion_tokens)
        if not self._send_json(200, body):
            self.dev._count(-prompt_tokens, -completion_tokens)

    def _send_error_body(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send_json(status, _error_body(status, message), headers)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> bool:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
            return False
        return True


def _completion_body(request: ChatRequest, reply: Reply) -> dict[str, Any]:
    """The chat completion ``reply`` makes for ``request``: what a live answer and a batch line both carry."""
    text = _answer_text(request, reply)
    message: dict[str, Any] = {"role": "assistant", "content": text}
    finish_reason = reply.finish_reason
    if request.mode == "tools" and reply.kind != "content":
        call = {"id": "call_dev", "type": "function", "function": {"name": request.tool_name, "arguments": text}}
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish_reason = "tool_calls" if finish_reason == "stop" else finish_reason
    prompt_tokens, completion_tokens = request.prompt_tokens(), len(text) // 2 + 1
    return {
        "id": "chatcmpl-dev",
        "object": "chat.completion",
        "created": 0,
        "model": str(request.body.get("model", "summarizer-dev")),
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _error_body(status: int, message: str) -> dict[str, Any]:
    kind = "rate_limit_error" if status == 429 else "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def key_echoes(key: str) -> dict[str, str]:
    """The API key in every form a leak can take (what ``Reply.echo_key`` sends back).

    Besides these, the echo carries the key JSON-escaped (``\\u0073k-…``) in the body itself, so
    that it decodes to the bare key in the client.
    """
    data = key.encode("utf-8")
    prefix = re.match(r"[A-Za-z][A-Za-z0-9]{0,7}[-_]", key)
    middle = max(1, len(key) // 2)
    return {
        "raw": key,
        "json_escaped_text": "\\u" + f"{ord(key[0]):04x}" + key[1:] if key else "",
        "percent": "".join(f"%{byte:02X}" for byte in data),
        "base64_user_key": base64.b64encode(b"user:" + data).decode("ascii"),
        "base64_key": base64.b64encode(data).decode("ascii"),
        "basic_auth": "Basic " + base64.b64encode(b"apikey:" + data).decode("ascii"),
        "no_prefix": key[prefix.end() :] if prefix else key,
        "split_line": key[:middle] + "\n" + key[middle:],
    }


def _json_escaped(key: str, levels: int) -> str:
    """The key with every character as a JSON ``\\uXXXX`` escape, nested ``levels`` JSON strings deep."""
    backslashes = "\\" * (2 ** (levels - 1))
    return "".join(f"{backslashes}u{ord(c):04x}" for c in key)


def _answer_text(request: ChatRequest, reply: Reply) -> str:
    if reply.kind != "json":
        return str(reply.payload)
    encoded = json.dumps(reply.payload, ensure_ascii=False)
    return encoded if request.mode != "text" else f"```json\n{encoded}\n```"


# --- The default responder: a plausible draft for users trying the pipeline without a key --------

_CLAUSES = re.compile(r"^<clauses>\n(.*?)\n?</clauses>$", re.S | re.M)
_DOCUMENT = re.compile(r"^<document>\n(.*?)\n?</document>$", re.S | re.M)
_CANDIDATES = re.compile(r"^<candidates>\n(.*?)\n?</candidates>$", re.S | re.M)


def default_responder(request: ChatRequest) -> Reply:
    """Summarise the prompt's document with the rules backend, citing the prompt's clause and candidate ids.

    The document is read back from the prompt's ``<clauses>`` table (a ``<document>`` block, as
    older prompts sent, is read as it is, and the draft then quotes).
    """
    prompt = request.user_text()
    clauses, document = _CLAUSES.search(prompt), _DOCUMENT.search(prompt)
    if clauses:
        draft, surfaces = _rules_draft_from_table(clauses.group(1))
    elif document:
        draft, surfaces = _rules_draft(document.group(1))
    else:
        return Reply.json(SummaryDraft().model_dump(mode="json"))
    table = _CANDIDATES.search(prompt)
    if table:
        _cite_table_ids(draft, surfaces, table.group(1))
    return Reply.json(draft.model_dump(mode="json", exclude_none=True))


def _rules_draft(text: str) -> tuple[SummaryDraft, dict[str, str]]:
    """The rules backend's draft (quoting) and its candidates' surfaces by id; empty while that backend is missing."""
    try:
        from summarizer.backends.rules import RulesBackend
        from summarizer.document import document_from_text
        from summarizer.grounding import draft_from_summary, enforce
        from summarizer.quantities import extract_quantities
    except ImportError:
        return SummaryDraft(), {}
    quantities = extract_quantities(text)
    summary = enforce(RulesBackend().summarize(document_from_text(text), quantities), quantities)
    return draft_from_summary(summary), {q.id: q.text for q in quantities}


def _rules_draft_from_table(rendered: str) -> tuple[SummaryDraft, dict[str, str]]:
    """The rules backend's draft of the text the clause table shows, citing the table's clause ids.

    The rows are joined back into the text (a paragraph a line); the rules backend summarises that
    text, and each record's evidence span, mapped back through cleaning's offsets, cites the rows
    it overlaps. The ids are the prompt's, so they are the document's whatever chunk was shown.
    """
    try:
        from summarizer.backends.rules import RulesBackend
        from summarizer.document import document_from_text
        from summarizer.errors import DocumentError
        from summarizer.grounding import draft_from_summary, enforce
        from summarizer.prompting import read_clauses
        from summarizer.quantities import extract_quantities
        from summarizer.text.clauses import ClauseRow, ClauseTable
    except ImportError:
        return SummaryDraft(), {}
    shown = read_clauses(rendered)
    if not shown:
        return SummaryDraft(), {}
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for index, row in enumerate(shown):
        if index and row.paragraph != shown[index - 1].paragraph:
            parts.append("\n")
            position += 1
        spans.append((position, position + len(row.text)))
        parts.append(row.text)
        position += len(row.text)
    joined = "".join(parts)
    try:
        document = document_from_text(joined)
    except DocumentError:  # nothing left after cleaning: nothing to say
        return SummaryDraft(), {}
    quantities = extract_quantities(document.text)
    summary = enforce(RulesBackend().summarize(document, quantities), quantities)
    # Evidence of the cleaned text -> offsets of the joined rows, where each row's span is known.
    summary = _in_raw_offsets(summary, document.offsets)
    rows = tuple(
        ClauseRow(id=r.id, start=s, end=e, shown_end=e, section="other", heading=False, paragraph=r.paragraph)
        for r, (s, e) in zip(shown, spans)
    )
    return draft_from_summary(summary, ClauseTable(joined, rows)), {q.id: q.text for q in quantities}


def _in_raw_offsets(summary: Summary, offsets: Sequence[int]) -> Summary:
    """The summary with every record's evidence span moved to the raw text cleaning started from."""

    def moved(record: Any) -> Any:
        evidence = record.evidence
        if evidence.end <= evidence.start:
            return record
        start, end = offsets[evidence.start], offsets[evidence.end - 1] + 1
        return record.model_copy(update={"evidence": evidence.model_copy(update={"start": start, "end": end})})

    return summary.model_copy(
        update={
            section: [moved(record) for record in getattr(summary, section)]
            for section in ("metrics", "targets", "achievements", "problems", "tasks")
        }
    )


def _cite_table_ids(draft: SummaryDraft, surfaces: dict[str, str], table: str) -> None:
    """Cite the ids of the prompt's candidate table (rows ``id | surface | ...``).

    The prompt may show a chunk's candidates numbered over the whole document, so an id the rules
    backend computed over the chunk is kept only when the table gives it the same surface;
    otherwise the first row with that surface is cited.
    """
    rows: dict[str, str] = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) >= 2 and re.fullmatch(r"q\d+", cells[0]):
            rows[cells[0]] = cells[1]
    first_by_surface: dict[str, str] = {}
    for qid, surface in rows.items():
        first_by_surface.setdefault(surface, qid)
    items: list[MetricDraft | TargetDraft] = [*draft.metrics, *draft.targets]
    for item in items:
        cited: list[str] = []
        for qid in item.quantity_ids:
            own_surface = surfaces.get(qid)
            cited.append(
                qid
                if own_surface is None or rows.get(qid) == own_surface
                else first_by_surface.get(own_surface, qid)
            )
        item.quantity_ids = cited


def serve(host: str = "127.0.0.1", port: int = 8000, latency: float = 0.0) -> None:
    """Run the default responder until Ctrl-C: ``--base-url http://HOST:PORT/v1`` with any key."""
    server = DevServer(latency=latency, host=host, port=port)
    print(f"summarizer dev server at {server.base_url} (any API key; Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    serve()

"""A real OpenAI-compatible chat-completions server on 127.0.0.1, for tests and for trying the tool.

Tests drive the real ``openai`` client (through ``instructor``) against it, so every retry,
timeout, fallback and re-ask path runs over real HTTP instead of a mocked client. The server
answers in the shape each request asks for: a tool call when the request carries ``tools``
(instructor ``Mode.TOOLS``), JSON content for ``response_format`` ``json_schema``/``json_object``
(``JSON_SCHEMA``/``JSON``), and a fenced ```json block otherwise (``MD_JSON``).

Token counts are deterministic so that usage the client adds up can be compared with the
server's own count: ``prompt_tokens = characters of every message text // 2 + 1`` (message
contents, text parts and tool-call arguments) and ``completion_tokens = characters of the answer
// 2 + 1``. ``totals.requests`` counts every request received, faults included; tokens are
counted only for answers actually delivered (a client that timed out before a delayed answer
never sees its usage, so neither does the server's count).

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
import json
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from summarizer.schema import Summary, SummaryDraft, Usage

RequestMode = Literal["tools", "json_schema", "json_object", "text"]


@dataclass(frozen=True)
class ChatRequest:
    """One request as the server saw it. The API key is never kept, only whether one was sent."""

    path: str
    body: dict[str, Any]
    has_authorization: bool

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
            return kind
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


@dataclass
class _Totals:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class DevServer:
    """A chat-completions server in a background thread; use as a context manager.

    ``script`` is a list of replies consumed one per chat request (the last one repeats once the
    list is exhausted, so ``[Reply.json(bad)]`` keeps answering badly), or a callable that
    answers each request, or ``None`` for the default responder (rules backend over the prompt's
    document). ``reject_tools``/``reject_json_schema`` answer 400 like servers without tool calling
    or structured outputs; ``latency`` is the time from a request's arrival to its answer.
    """

    def __init__(
        self,
        script: Sequence[Reply] | Responder | None = None,
        *,
        reject_tools: bool = False,
        reject_json_schema: bool = False,
        latency: float = 0.0,
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
        self._totals = _Totals()
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._in_flight = 0
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
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
        with self._settled:
            return self._settled.wait_for(lambda: self._in_flight == 0, timeout)

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (Ctrl-C raises KeyboardInterrupt here)."""
        self._httpd.serve_forever()

    def start(self) -> DevServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="summarizer-devserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
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
        with self._settled:
            self._in_flight -= 1
            self._settled.notify_all()


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


def _handler_for(server: DevServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        dev = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the openai client's connection pool expects
    dev: DevServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: tests and the CLI print what matters themselves."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.rstrip("/").endswith("/models"):
            model = {"id": "summarizer-dev", "object": "model", "created": 0, "owned_by": "summarizer"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._send_error_body(404, f"no route for GET {self.path}")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.rstrip("/").endswith("/chat/completions"):
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
        then = reply.then or Reply.json(SummaryDraft().model_dump(mode="json"))
        data = json.dumps(self._completion_body(request, then), ensure_ascii=False).encode("utf-8")
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
        data = json.dumps(self._completion_body(request, Reply.json(draft)), ensure_ascii=False)
        # Two levels: the answer's JSON sits inside the body's JSON, so the escape is escaped once more.
        self._send_raw(200, data.replace(marker, _json_escaped(key, 2)).encode("utf-8"), authorization)

    def _send_raw(self, status: int, data: bytes, echo: str = "") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
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
        body = self._completion_body(request, reply)
        prompt_tokens, completion_tokens = body["usage"]["prompt_tokens"], body["usage"]["completion_tokens"]
        # Counted before sending, so a client that has its answer always finds it in the totals.
        self.dev._count(prompt_tokens, completion_tokens)
        if not self._send_json(200, body):
            self.dev._count(-prompt_tokens, -completion_tokens)

    def _completion_body(self, request: ChatRequest, reply: Reply) -> dict[str, Any]:
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

    def _send_error_body(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        kind = "rate_limit_error" if status == 429 else "invalid_request_error" if status < 500 else "server_error"
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": None}}, headers)

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
    for item in [*draft.metrics, *draft.targets]:
        cited = []
        for qid in item.quantity_ids:
            surface = surfaces.get(qid)
            cited.append(qid if surface is None or rows.get(qid) == surface else first_by_surface.get(surface, qid))
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

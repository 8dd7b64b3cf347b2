"""The one retry layer of the LLM backend, as an HTTP transport under the openai client.

Sitting at the transport, it sees every attempt: it counts each one and the tokens every response
body reports (failed attempts and re-asks included), retries 429 (honouring ``Retry-After``),
5xx, timeouts and dropped connections with exponential backoff and jitter, holds the batch-wide
concurrency limit per attempt, and records or replays raw responses. The openai client's own
retries are switched off (``max_retries=0``) so that nothing retries twice.

Every attempt is bounded: an overall deadline (``timeout``, from sending the request to the last
byte of the answer, so a server that drips a byte a second is cut there, not only one that goes
silent) and a size cap on the body (``max_response_bytes``: a larger answer is refused as it
streams in, never buffered whole, and never asked for again). Connection refused and unknown hosts
are not retried, and after a few such failures in a row (across documents) the :class:`Circuit`
opens: every further request fails at once with :class:`~summarizer.errors.EndpointUnreachable`.
Ctrl-C (:func:`interrupt`) abandons the requests in flight and refuses new ones within moments,
whatever the server does. Every response body is scrubbed of the API key before anything else
sees it, and none of its headers but its content type goes further.

Two things keep a fast server busy from a process that is still starting and holds one interpreter
lock: a request can be sent ahead (:meth:`RetryingTransport.send_ahead`, before the SDK has loaded)
and the client's identical request later gets its answer; and a thread holding an answer lets the
requests waiting for a slot go out before it parses it (:class:`_SendFirst`).
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import errno
import json
import random
import signal
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx2

from summarizer import redact, replay
from summarizer.errors import EndpointUnreachable
from summarizer.replay import Recorder, Replayer
from summarizer.usage import UsageMeter

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_DELAY = 60.0
MIN_SECRET_LENGTH = redact.MIN_SECRET_LENGTH
#: The largest response body accepted (decoded): a chat completion is a few kilobytes.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: Consecutive connection failures (no answer at all) after which a backend stops trying.
UNREACHABLE_AFTER = 3
#: The response headers that are read (and the only ones a response passed on to the client carries).
_KEPT_HEADERS = ("content-type", "retry-after", "retry-after-ms")


class TransportFailure(Exception):
    """The transport gave up on a request; the message is the user's reason (scrubbed)."""


class RetriesExhausted(TransportFailure):
    """Every attempt failed; the message says what and how often (it becomes the user's error)."""


class ResponseTooLarge(TransportFailure):
    """The answer is larger than the cap: refused while it streamed in, and not asked for again."""


class Interrupted(TransportFailure):
    """Ctrl-C: the request was abandoned, or refused because the run is stopping."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    backoff: float
    timeout: float
    max_response_bytes: int = MAX_RESPONSE_BYTES

    @property
    def attempts(self) -> int:
        return self.max_retries + 1

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): the server's word, else backoff."""
        if retry_after is not None:
            return min(retry_after, MAX_DELAY)
        ceiling: float = min(self.backoff * 2 ** (attempt - 1), MAX_DELAY)  # int ** int is Any in the stubs
        return ceiling / 2 + random.uniform(0, ceiling / 2)


# --- a backend's view of its server: consecutive connection failures, and Ctrl-C -----------------------

_circuits: weakref.WeakSet[Circuit] = weakref.WeakSet()


class Circuit:
    """Shared by every document of one backend: opens after ``threshold`` connection failures in a row.

    Any answer from the server (whatever its status) closes it again. ``cancel`` (Ctrl-C) wakes every
    request in flight and refuses new ones.
    """

    def __init__(self, url: str | None, threshold: int = UNREACHABLE_AFTER) -> None:
        self.url = redact.display_url(url) or "the configured base URL"
        self.threshold = max(1, threshold)
        self.cancelled = threading.Event()
        self._lock = threading.Lock()
        self._failures = 0
        self._last_reason = ""
        self._open = False
        self._waiting: set[threading.Event] = set()
        _circuits.add(self)

    @property
    def unreachable(self) -> EndpointUnreachable | None:
        """The error every request now fails with, once the server proved unreachable; else None."""
        with self._lock:
            if not self._open:
                return None
            return EndpointUnreachable(self.url, self._last_reason, self._failures)

    def check(self) -> None:
        """Raise at once when the run is being interrupted or the server is known to be unreachable."""
        if self.cancelled.is_set():
            raise Interrupted("interrupted (Ctrl-C)")
        error = self.unreachable
        if error is not None:
            raise error

    def reached(self) -> None:
        with self._lock:
            self._failures = 0
            self._open = False

    def connection_failed(self, reason: str) -> bool:
        """Count one failure to connect; True when that makes the server unreachable."""
        with self._lock:
            self._failures += 1
            self._last_reason = reason
            if self._failures >= self.threshold:
                self._open = True
            return self._open

    def cancel(self) -> None:
        """Abandon the requests in flight and refuse new ones (called from the SIGINT handler: no locks)."""
        self.cancelled.set()
        for event in list(self._waiting):
            event.set()

    def _watch(self, event: threading.Event) -> None:
        self._waiting.add(event)

    def _unwatch(self, event: threading.Event) -> None:
        self._waiting.discard(event)


def interrupt() -> None:
    """Cancel every live backend's requests: what Ctrl-C does (see :func:`install_interrupt_handler`)."""
    for circuit in list(_circuits):
        circuit.cancel()


def _on_sigint(signum: int, frame: Any) -> None:
    interrupt()
    signal.default_int_handler(signum, frame)  # KeyboardInterrupt in the main thread, as always


def install_interrupt_handler() -> None:
    """Make Ctrl-C also stop the requests in flight (worker threads blocked on a server never see it).

    Installed only from the main thread and only over Python's default handler, which it then calls:
    KeyboardInterrupt is raised as before, an application's own handler is left alone.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _on_sigint)
    except (ValueError, OSError):  # no signals here (an embedded interpreter)
        pass


# --- one attempt ----------------------------------------------------------------------------------------


@dataclass
class _Received:
    status: int
    headers: dict[str, str]
    body: bytes


class _DeadlineExceeded(Exception):
    pass


class _Abandoned(Exception):
    pass


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in _KEPT_HEADERS if name in headers}


def _too_large(limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"response too large: the server's answer exceeds {_size(limit)} (refused without reading the rest)"
    )


def _declared_too_large(headers: Mapping[str, str], limit: int) -> bool:
    declared = headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


def _read(
    network: httpx2.Client, request: httpx2.Request, limit: int, abandoned: threading.Event, sockets: list[Any]
) -> _Received:
    """Send and read the answer chunk by chunk, refusing it past ``limit`` bytes; runs in a helper thread."""
    response = network.send(request, stream=True)
    try:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            sockets.append(sock)
            acknowledge(sock)
        if _declared_too_large(response.headers, limit):
            raise _too_large(limit)
        body = bytearray()
        for chunk in response.iter_bytes():
            if abandoned.is_set():
                raise _Abandoned
            if sock is not None:
                acknowledge(sock)
            body += chunk
            if len(body) > limit:
                raise _too_large(limit)
        return _Received(response.status_code, _kept(response.headers), bytes(body))
    finally:
        response.close()


def acknowledge(sock: socket.socket) -> None:
    """Acknowledge at once what has arrived (Linux's TCP_QUICKACK; elsewhere nothing).

    A server that writes an answer's headers and its body apart, without TCP_NODELAY (Python's own
    HTTP server, some proxies), holds the body back until the headers are acknowledged, and the
    kernel delays that acknowledgement by 40 ms while the client has nothing to send: every answer
    would arrive 40 ms late, a whole batch's worth of slots idle meanwhile.
    """
    if _QUICKACK is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        except OSError:
            pass


_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


async def _aread(network: httpx2.AsyncClient, request: httpx2.Request, limit: int) -> _Received:
    response = await network.send(request, stream=True)
    try:
        if _declared_too_large(response.headers, limit):
            raise _too_large(limit)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise _too_large(limit)
        return _Received(response.status_code, _kept(response.headers), bytes(body))
    finally:
        await response.aclose()


def _bounded(
    work: Callable[[threading.Event, list[Any]], _Received], deadline: float, circuit: Circuit | None
) -> _Received:
    """Run one exchange in a daemon thread and wait for it until the deadline or Ctrl-C, whichever comes first.

    The socket reads of the exchange only know per-read timeouts; the wait here is the overall one.
    An abandoned exchange has its socket shut down (when the answer had begun) and ends on its own.
    """
    done = threading.Event()
    abandoned = threading.Event()
    sockets: list[Any] = []
    received: list[_Received] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            received.append(work(abandoned, sockets))
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            failed.append(error)
        finally:
            done.set()

    if circuit is not None:
        circuit._watch(done)
    try:
        threading.Thread(target=run, name="summarizer-http", daemon=True).start()
        done.wait(deadline)
    finally:
        if circuit is not None:
            circuit._unwatch(done)
    if received:
        return received[0]
    if failed:
        raise failed[0]
    abandoned.set()
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    if circuit is not None and circuit.cancelled.is_set():
        raise Interrupted("interrupted (Ctrl-C)")
    raise _DeadlineExceeded


# --- whose attempts: the document being summarised ------------------------------------------------------

_document_meter: ContextVar[UsageMeter | None] = ContextVar("summarizer_document_meter", default=None)


@contextmanager
def metering(meter: UsageMeter) -> Iterator[None]:
    """Count the attempts made in this thread or task (one document's requests) on ``meter``.

    One client serves every document of a run, so the transport cannot hold a document's meter;
    a context variable follows each document's requests instead (a worker thread, an asyncio task).
    """
    token = _document_meter.set(meter)
    try:
        yield
    finally:
        _document_meter.reset(token)


class Attempts:
    """What the sync and async transports share: classifying an outcome and building the answer."""

    def __init__(
        self,
        policy: RetryPolicy,
        meter: UsageMeter,
        recorder: Recorder | None = None,
        replayer: Replayer | None = None,
        secret: str | None = None,
        circuit: Circuit | None = None,
        plain_http: bool = False,
    ) -> None:
        self.policy = policy
        self.plain_http = plain_http
        self._meter = meter
        self.recorder = recorder
        self.replayer = replayer
        self.circuit = circuit
        # A real key is long; masking a short placeholder ("k", "EMPTY") would corrupt ordinary answers.
        redact.register_secret(secret)

    @property
    def meter(self) -> UsageMeter:
        """The meter of the document whose request this is (see :func:`metering`), else the one given."""
        return _document_meter.get() or self._meter

    @property
    def url(self) -> str:
        return self.circuit.url if self.circuit is not None else "the configured base URL"

    def redacted(self, body: bytes) -> bytes:
        """A server may echo the key, in any encoding; from here on (client, errors, logs, records) it is masked."""
        return redact.scrub_bytes(body)

    def check(self) -> None:
        if self.circuit is not None:
            self.circuit.check()

    def replayed(self, request: httpx2.Request) -> httpx2.Response:
        status, content_type, body = self.replayer.answer(request)  # type: ignore[union-attr]
        self.meter.record(requests=1)
        body = self.redacted(body)
        self.meter.record_response_body(body)
        replay.note_answer(status, body, replay.recording_name(request))
        return _response(request, status, content_type, body)

    def answered(self, request: httpx2.Request, received: _Received) -> httpx2.Response | None:
        """Count the answer; return it for the client, or None when it is worth another attempt."""
        if self.circuit is not None:
            self.circuit.reached()
        body = self.redacted(received.body)
        self.meter.record_response_body(body)
        if received.status in RETRY_STATUSES:
            return None
        content_type = received.headers.get("content-type")
        recorded = None
        if self.recorder is not None:
            recorded = self.recorder.save(request, received.status, content_type, body)
        replay.note_answer(received.status, body, recorded)
        return _response(request, received.status, content_type, body)

    def failed(self, error: Exception) -> tuple[str, bool]:
        """(reason, worth retrying) for an attempt that got no answer; raises when nothing more should be tried."""
        if isinstance(error, (ResponseTooLarge, Interrupted)):
            raise error
        if isinstance(error, _DeadlineExceeded):
            return self.timeout_reason(), True
        connection = _connection_failure(error)
        if connection is not None:
            why, retry = connection
            if self.circuit is not None and self.circuit.connection_failed(why):
                self.circuit.check()  # raises EndpointUnreachable
            return f"cannot connect to the model server at {self.url} ({why})", retry
        if isinstance(error, httpx2.TimeoutException):
            return self.timeout_reason(), True
        if isinstance(error, httpx2.TransportError):
            return (
                f"the model server at {self.url} dropped the connection before its answer was complete "
                f"({error.__class__.__name__})"
            ), True
        raise error

    def failure(self, attempt: int, reason: str, retry: bool = True) -> None:
        if attempt >= self.policy.attempts or not retry:
            plural = "s" if attempt > 1 else ""
            tail = f"; gave up after {attempt} attempt{plural}" if retry or attempt > 1 else ""
            raise RetriesExhausted(redact.scrub(reason + tail))

    def wait(self, seconds: float) -> None:
        """Back off, waking at once on Ctrl-C."""
        if self.circuit is None:
            time.sleep(seconds)
        elif self.circuit.cancelled.wait(seconds):
            raise Interrupted("interrupted (Ctrl-C)")

    def timeout_reason(self) -> str:
        return f"timed out after {self.policy.timeout:g} s"


class _SendFirst:
    """Requests before answers: a thread with an answer in hand lets waiting requests go out first.

    On a small machine one interpreter lock serves every thread. When a round of answers comes in
    at once, their parsing, grounding and rendering would otherwise take turns with the requests
    that wait for the slots those answers freed, and every slot would idle for part of that work.
    An answer waits (at most ``GIVE_WAY`` seconds) while a request holds a free slot, or could,
    and has not been written to its socket yet.
    """

    def __init__(self, capacity: int | None) -> None:
        self._capacity = capacity
        self._waiting = self._held = self._unsent = 0
        self._changed = threading.Condition()

    @contextmanager
    def slot(self, slots: threading.Semaphore | None, request: httpx2.Request) -> Iterator[Callable[[], None]]:
        """Hold one of ``slots`` for an attempt; yields the call that says its request is written
        (also made by the transport when the request is written, seen through httpcore's trace)."""
        self._change(waiting=1)
        with slots or nullcontext():
            self._change(waiting=-1, held=1, unsent=1)
            pending = [True]

            def sent() -> None:
                with self._changed:
                    if pending:
                        pending.clear()
                        self._unsent -= 1
                        self._changed.notify_all()

            request.extensions["trace"] = lambda event, info: sent() if event.endswith("receive_response_headers.started") else None
            try:
                yield sent
            finally:
                sent()
                self._change(held=-1)

    def _change(self, waiting: int = 0, held: int = 0, unsent: int = 0) -> None:
        with self._changed:
            self._waiting += waiting
            self._held += held
            self._unsent += unsent
            self._changed.notify_all()

    def give_way(self) -> None:
        capacity = self._capacity
        if capacity is None:
            return
        with self._changed:
            self._changed.wait_for(
                lambda: not (self._unsent or (self._waiting and self._held < capacity)), timeout=GIVE_WAY
            )


#: The longest an answer waits for requests to go out before it (:class:`_SendFirst`).
GIVE_WAY = 0.5


class RetryingTransport(httpx2.BaseTransport):
    def __init__(self, attempts: Attempts, slots: threading.Semaphore | None = None, capacity: int | None = None) -> None:
        self._attempts = attempts
        # A plain client underneath, so proxies from the environment (HTTPS_PROXY, NO_PROXY) still apply.
        self._network = (
            httpx2.Client(timeout=attempts.policy.timeout, verify=_verification(attempts))
            if attempts.replayer is None else None
        )  # fmt: skip
        self._slots = slots
        self._order = _SendFirst(capacity)
        # Requests sent ahead, by body, each with the meter of the document that sent it.
        self._ahead: dict[str, list[tuple[UsageMeter | None, Future[httpx2.Response]]]] = {}
        self._ahead_lock = threading.Lock()

    def send_ahead(self, request: httpx2.Request) -> Future[httpx2.Response]:
        """Start ``request`` now, in the background: the client's request with the same body, when it
        comes, is answered by this one instead of being sent again (see :meth:`withdraw`)."""
        future: Future[httpx2.Response] = Future()
        with self._ahead_lock:
            self._ahead.setdefault(_body_key(request.read()), []).append((_document_meter.get(), future))
        context = contextvars.copy_context()  # the document's meter and answer log go along

        def run() -> None:
            try:
                future.set_result(context.run(self._exchange, request))
            except BaseException as error:  # noqa: BLE001 - raised where the client asks for the answer
                future.set_exception(error)

        threading.Thread(target=run, name="summarizer-ahead", daemon=True).start()
        return future

    def withdraw(self, future: Future[httpx2.Response]) -> bool:
        """Forget a request sent ahead that no request of the client's claimed; True if it was so."""
        with self._ahead_lock:
            for key, waiting in self._ahead.items():
                for entry in waiting:
                    if entry[1] is future:
                        waiting.remove(entry)
                        if not waiting:
                            del self._ahead[key]
                        return True
        return False

    def _claim(self, body: bytes) -> Future[httpx2.Response] | None:
        if not self._ahead:
            return None
        key = _body_key(body)
        owner = _document_meter.get()  # identical documents at once: each claims the one it sent
        with self._ahead_lock:
            waiting = self._ahead.get(key, [])
            for entry in waiting:
                if entry[0] is owner:
                    waiting.remove(entry)
                    if not waiting:
                        del self._ahead[key]
                    return entry[1]
        return None

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        ahead = self._claim(request.content)
        if ahead is None:
            answer = self._exchange(request)
        else:
            sent = ahead.result()
            answer = _response(request, sent.status_code, sent.headers.get("content-type"), sent.content)
        self.give_way()
        return answer

    def give_way(self) -> None:
        """Wait (at most ``GIVE_WAY`` seconds) until the requests that hold a slot, or could take a
        free one, are written."""
        self._order.give_way()

    def _exchange(self, request: httpx2.Request) -> httpx2.Response:
        attempts = self._attempts
        if self._network is None:
            return attempts.replayed(request)
        network, limit = self._network, attempts.policy.max_response_bytes
        for attempt in range(1, attempts.policy.attempts + 1):
            retry_after = None
            attempts.check()
            with self._order.slot(self._slots, request) as sent:
                attempts.check()
                attempts.meter.record(requests=1)
                try:
                    received = _bounded(
                        lambda abandoned, sockets: _read(network, request, limit, abandoned, sockets),
                        attempts.policy.timeout,
                        attempts.circuit,
                    )
                except Exception as error:  # noqa: BLE001 - sorted out by Attempts.failed
                    sent()
                    reason, retry = attempts.failed(error)
                else:
                    sent()
                    answer = attempts.answered(request, received)
                    if answer is not None:
                        return answer
                    reason, retry = _status_reason(received.status), True
                    retry_after = _retry_after(received.headers)
            attempts.failure(attempt, reason, retry)
            attempts.wait(attempts.policy.delay(attempt, retry_after))
        raise AssertionError("unreachable: the last failed attempt raises")

    def close(self) -> None:
        if self._network is not None:
            self._network.close()


class AsyncRetryingTransport(httpx2.AsyncBaseTransport):
    def __init__(self, attempts: Attempts, slots: asyncio.Semaphore | None = None) -> None:
        self._attempts = attempts
        self._network = (
            httpx2.AsyncClient(timeout=attempts.policy.timeout, verify=_verification(attempts))
            if attempts.replayer is None else None
        )  # fmt: skip
        self._slots = slots

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        attempts = self._attempts
        if self._network is None:
            return attempts.replayed(request)
        for attempt in range(1, attempts.policy.attempts + 1):
            retry_after = None
            attempts.check()
            async with self._slots or nullcontext():
                attempts.check()
                attempts.meter.record(requests=1)
                try:
                    received = await asyncio.wait_for(
                        _aread(self._network, request, attempts.policy.max_response_bytes), attempts.policy.timeout
                    )
                except asyncio.TimeoutError:
                    reason, retry = attempts.timeout_reason(), True
                except Exception as error:  # noqa: BLE001 - sorted out by Attempts.failed
                    reason, retry = attempts.failed(error)
                else:
                    answer = attempts.answered(request, received)
                    if answer is not None:
                        return answer
                    reason, retry = _status_reason(received.status), True
                    retry_after = _retry_after(received.headers)
            attempts.failure(attempt, reason, retry)
            attempts.check()
            await asyncio.sleep(attempts.policy.delay(attempt, retry_after))
        raise AssertionError("unreachable: the last failed attempt raises")

    async def aclose(self) -> None:
        if self._network is not None:
            await self._network.aclose()


def _verification(attempts: Attempts) -> ssl.SSLContext | bool:
    """Certificates checked as usual, but for an http:// endpoint without loading the CA bundle (a
    twentieth of a second of start-up, before the first request): it needs no TLS, and were a
    redirect or proxy to want some, the connection fails for want of a trusted certificate."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT) if attempts.plain_http else True


def _body_key(body: bytes) -> str:
    """A request body as JSON with sorted keys: the same request however its client serialised it."""
    try:
        return json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False)
    except ValueError:
        return body.decode("utf-8", "replace")


def _response(request: httpx2.Request, status: int, content_type: str | None, body: bytes) -> httpx2.Response:
    """A fresh response holding the already-decoded body (so no Content-Encoding is applied twice).

    It carries no header but the content type: nothing a server sent back beyond the body reaches
    the client, its logs or its exceptions.
    """
    headers = {"content-type": content_type} if content_type else {}
    return httpx2.Response(status, headers=headers, content=body, request=request)


def _status_reason(status: int) -> str:
    if status == 429:
        return "HTTP 429 rate limited"
    if status >= 500:
        return f"HTTP {status} server error"
    return f"HTTP {status}"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, its causes and contexts, and the members of exception groups among them."""
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    while todo:
        link = todo.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo.extend(e for e in (link.__cause__, link.__context__) if e is not None)
        todo.extend(getattr(link, "exceptions", ()) or ())


def _connection_failure(error: BaseException) -> tuple[str, bool] | None:
    """(what happened, worth retrying) when the server could not be reached at all; else None.

    Connection refused and an unknown host do not change a second later: they are not retried.
    """
    if not isinstance(error, (httpx2.ConnectError, httpx2.ConnectTimeout)):
        return None
    for link in _causes(error):
        if isinstance(link, ConnectionRefusedError):
            return "connection refused", False
        if isinstance(link, socket.gaierror):
            return "host name not found", False
        if isinstance(link, OSError) and link.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "no route to the host", False
    if isinstance(error, httpx2.ConnectTimeout):
        return "connect timed out", True
    text = str(error).lower()
    if "refused" in text:
        return "connection refused", False
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "host name not found", False
    return f"{error.__class__.__name__}", True


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """The server's requested wait: ``retry-after-ms``, ``Retry-After`` seconds or an HTTP date."""
    if isinstance(headers, httpx2.Response):  # older callers passed the response
        headers = headers.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        return max(0.0, when.timestamp() - time.time())
    return None


def _size(count: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"


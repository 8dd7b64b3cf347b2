"""The one retry layer of the LLM backend, as an HTTP transport under the openai client.

Sitting at the transport, it sees every attempt: it counts each one and the tokens every response
body reports (failed attempts and re-asks included), retries 429 (honouring ``Retry-After``),
5xx, timeouts and dropped connections with exponential backoff and jitter, holds the batch-wide
concurrency limit per attempt, and records or replays raw responses. The openai client's own
retries are switched off (``max_retries=0``) so that nothing retries twice.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass

import httpx2

from summarizer.replay import Recorder, Replayer
from summarizer.usage import UsageMeter

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_DELAY = 60.0
MIN_SECRET_LENGTH = 8


class RetriesExhausted(Exception):
    """Every attempt failed; the message says what and how often (it becomes the user's error)."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    backoff: float
    timeout: float

    @property
    def attempts(self) -> int:
        return self.max_retries + 1

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): the server's word, else backoff."""
        if retry_after is not None:
            return min(retry_after, MAX_DELAY)
        ceiling = min(self.backoff * 2 ** (attempt - 1), MAX_DELAY)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class Attempts:
    """What the sync and async transports share: classifying an outcome and building the answer."""

    def __init__(
        self,
        policy: RetryPolicy,
        meter: UsageMeter,
        recorder: Recorder | None = None,
        replayer: Replayer | None = None,
        secret: str | None = None,
    ) -> None:
        self.policy = policy
        self.meter = meter
        self.recorder = recorder
        self.replayer = replayer
        # A real key is long; masking a short placeholder ("k", "EMPTY") would corrupt ordinary answers.
        self._secret = secret.encode("utf-8") if secret and len(secret) >= MIN_SECRET_LENGTH else None

    def redacted(self, body: bytes) -> bytes:
        """A server may echo the key in an error body; from here on (errors, logs, recordings) it is masked."""
        return body.replace(self._secret, b"***") if self._secret else body

    def replayed(self, request: httpx2.Request) -> httpx2.Response:
        status, content_type, body = self.replayer.answer(request)  # type: ignore[union-attr]
        self.meter.record(requests=1)
        self.meter.record_response_body(body)
        return _response(request, status, content_type, body)

    def answered(self, request: httpx2.Request, response: httpx2.Response, body: bytes) -> httpx2.Response | None:
        """Count the answer; return it for the client, or None when it is worth another attempt."""
        body = self.redacted(body)
        self.meter.record_response_body(body)
        if response.status_code in RETRY_STATUSES:
            return None
        content_type = response.headers.get("content-type")
        if self.recorder is not None:
            self.recorder.save(request, response.status_code, content_type, body)
        return _response(request, response.status_code, content_type, body)

    def failure(self, attempt: int, reason: str) -> None:
        if attempt >= self.policy.attempts:
            plural = "s" if attempt > 1 else ""
            raise RetriesExhausted(f"{reason}; gave up after {attempt} attempt{plural}")

    def timeout_reason(self) -> str:
        return f"timed out after {self.policy.timeout:g} s"


class RetryingTransport(httpx2.BaseTransport):
    def __init__(self, attempts: Attempts, slots: threading.Semaphore | None = None) -> None:
        self._attempts = attempts
        # A plain client underneath, so proxies from the environment (HTTPS_PROXY, NO_PROXY) still apply.
        self._network = httpx2.Client() if attempts.replayer is None else None
        self._slots = slots

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        if self._network is None:
            return self._attempts.replayed(request)
        for attempt in range(1, self._attempts.policy.attempts + 1):
            retry_after = None
            with self._slots or nullcontext():
                self._attempts.meter.record(requests=1)
                try:
                    response = self._network.send(request)
                except httpx2.TimeoutException:
                    reason = self._attempts.timeout_reason()
                except httpx2.TransportError as error:
                    reason = _connection_reason(error)
                else:
                    answer = self._attempts.answered(request, response, response.content)
                    if answer is not None:
                        return answer
                    reason, retry_after = _status_reason(response), _retry_after(response)
            self._attempts.failure(attempt, reason)
            time.sleep(self._attempts.policy.delay(attempt, retry_after))
        raise AssertionError("unreachable: the last failed attempt raises")

    def close(self) -> None:
        if self._network is not None:
            self._network.close()


class AsyncRetryingTransport(httpx2.AsyncBaseTransport):
    def __init__(self, attempts: Attempts, slots: asyncio.Semaphore | None = None) -> None:
        self._attempts = attempts
        self._network = httpx2.AsyncClient() if attempts.replayer is None else None
        self._slots = slots

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        if self._network is None:
            return self._attempts.replayed(request)
        for attempt in range(1, self._attempts.policy.attempts + 1):
            retry_after = None
            async with self._slots or nullcontext():
                self._attempts.meter.record(requests=1)
                try:
                    response = await self._network.send(request)
                except httpx2.TimeoutException:
                    reason = self._attempts.timeout_reason()
                except httpx2.TransportError as error:
                    reason = _connection_reason(error)
                else:
                    answer = self._attempts.answered(request, response, response.content)
                    if answer is not None:
                        return answer
                    reason, retry_after = _status_reason(response), _retry_after(response)
            self._attempts.failure(attempt, reason)
            await asyncio.sleep(self._attempts.policy.delay(attempt, retry_after))
        raise AssertionError("unreachable: the last failed attempt raises")

    async def aclose(self) -> None:
        if self._network is not None:
            await self._network.aclose()


def _response(request: httpx2.Request, status: int, content_type: str | None, body: bytes) -> httpx2.Response:
    """A fresh response holding the already-decoded body (so no Content-Encoding is applied twice)."""
    headers = {"content-type": content_type} if content_type else {}
    return httpx2.Response(status, headers=headers, content=body, request=request)


def _status_reason(response: httpx2.Response) -> str:
    if response.status_code == 429:
        return "HTTP 429 rate limited"
    if response.status_code >= 500:
        return f"HTTP {response.status_code} server error"
    return f"HTTP {response.status_code}"


def _connection_reason(error: httpx2.TransportError) -> str:
    if isinstance(error, httpx2.ConnectError):
        return f"cannot connect to the server ({error.__class__.__name__})"
    return f"connection dropped ({error.__class__.__name__})"


def _retry_after(response: httpx2.Response) -> float | None:
    """The server's requested wait: ``retry-after-ms``, ``Retry-After`` seconds or an HTTP date."""
    headers = response.headers
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


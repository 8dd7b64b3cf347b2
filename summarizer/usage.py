"""Counting what a run spends: every HTTP attempt, failed ones and re-asks included.

The numbers come from the HTTP layer (summarizer.backends.llm counts each attempt and reads the
``usage`` object of every response body), so they equal what the server itself billed.
"""

from __future__ import annotations

import json
import threading

from summarizer.config import Price
from summarizer.schema import Usage


class UsageMeter:
    """A thread-safe running count; a document's meter also feeds the run's meter it belongs to.

    Tokens answered by a provider's batch engine are kept apart: they cost the batch price.
    """

    def __init__(self, parent: UsageMeter | None = None) -> None:
        self._lock = threading.Lock()
        self._parent = parent
        self.requests = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._batch_tokens = (0, 0)

    def record(self, requests: int = 0, prompt_tokens: int = 0, completion_tokens: int = 0, *, batch: bool = False) -> None:
        with self._lock:
            self.requests += requests
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            if batch:
                prompt, completion = self._batch_tokens
                self._batch_tokens = (prompt + prompt_tokens, completion + completion_tokens)
        if self._parent is not None:
            self._parent.record(requests, prompt_tokens, completion_tokens, batch=batch)

    def record_response_body(self, body: bytes) -> None:
        """Add the tokens a chat-completions response body reports (error bodies usually report none)."""
        prompt, completion = tokens_in_body(body)
        self.record(prompt_tokens=prompt, completion_tokens=completion)

    @property
    def total_tokens(self) -> int:
        with self._lock:
            return self.prompt_tokens + self.completion_tokens

    def usage(self, price: Price | None = None, *, cached: bool = False) -> Usage:
        with self._lock:
            batch_prompt, batch_completion = self._batch_tokens
            direct = cost(self.prompt_tokens - batch_prompt, self.completion_tokens - batch_completion, price)
            batch = cost(batch_prompt, batch_completion, price, share=price.batch_share if price else 1.0)
            return Usage(
                requests=self.requests,
                prompt_tokens=self.prompt_tokens,
                completion_tokens=self.completion_tokens,
                cost=None if direct is None or batch is None else round(direct + batch, 8),
                cached=cached,
            )


def tokens_in_body(body: bytes) -> tuple[int, int]:
    """(prompt, completion) tokens of a response body; (0, 0) when it is not JSON or has no usage."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return 0, 0
    return tokens_in_usage(payload.get("usage") if isinstance(payload, dict) else None)


def tokens_in_usage(usage: object) -> tuple[int, int]:
    """(prompt, completion) tokens of a response's ``usage`` object; (0, 0) when there is none."""
    if not isinstance(usage, dict):
        return 0, 0
    return _int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens"))


def cost(prompt_tokens: int, completion_tokens: int, price: Price | None, *, share: float = 1.0) -> float | None:
    """What the tokens cost at ``price`` (``share`` of it: a batch engine's discount)."""
    if price is None:
        return None
    return round((prompt_tokens * price.prompt + completion_tokens * price.completion) * share / 1000, 8)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

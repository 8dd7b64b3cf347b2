"""Pieces of the LLM path that need no server: reading answers, backoff, Retry-After, record keys."""

from __future__ import annotations

import email.utils
import time

import httpx2
import pytest

from summarizer.backends._http import Attempts, RetryPolicy, _retry_after
from summarizer.backends.llm import answer_json
from summarizer.config import Price
from summarizer.replay import request_key
from summarizer.usage import UsageMeter, cost, tokens_in_body


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('  {"a": 1}\n', '{"a": 1}'),
        ('<think>想一想 {"b": 2}</think>\n{"a": 1}', '{"a": 1}'),
        ('<THINK>\n多行\n推理\n</THINK>{"a": 1}', '{"a": 1}'),
        ('推理没有开头标签</think>\n{"a": 1}', '{"a": 1}'),
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('结果如下：\n```\n{"a": 1}\n```\n以上。', '{"a": 1}'),
        ('结果是 {"a": {"b": 1}} 。', '{"a": {"b": 1}}'),
        ('{"a": [1, ', '{"a": [1,'),  # truncated: left for the parser to reject (and re-ask)
    ],
)
def test_answer_json(answer: str, expected: str) -> None:
    assert answer_json(answer) == expected


def test_backoff_grows_with_jitter_and_obeys_retry_after() -> None:
    policy = RetryPolicy(max_retries=4, backoff=1.0, timeout=5.0)
    for attempt in (1, 2, 3):
        ceiling = 2 ** (attempt - 1)
        assert all(ceiling / 2 <= policy.delay(attempt, None) <= ceiling for _ in range(50))
    assert policy.delay(3, 0.05) == 0.05
    assert policy.delay(1, 3600) == 60.0  # a server asking for an hour is capped
    assert policy.attempts == 5


def test_retry_after_forms() -> None:
    def parsed(**headers: str) -> float | None:
        return _retry_after(httpx2.Response(429, headers=headers))

    assert parsed() is None
    assert parsed(**{"retry-after": "2"}) == 2.0
    assert parsed(**{"retry-after": "0.25", "retry-after-ms": "250"}) == 0.25
    assert parsed(**{"retry-after": "soon"}) is None
    in_ten_seconds = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8 <= parsed(**{"retry-after": in_ten_seconds}) <= 10


def test_record_keys_ignore_formatting_and_host_but_not_content() -> None:
    key = request_key("POST", "/v1/chat/completions", b'{"model": "m", "messages": []}')
    assert key == request_key("post", "/v1/chat/completions", b'{"messages":[],"model":"m"}')
    assert key != request_key("POST", "/v1/chat/completions", b'{"model": "m2", "messages": []}')


def test_usage_meter_feeds_its_run_and_prices() -> None:
    run = UsageMeter()
    document = UsageMeter(parent=run)
    document.record(requests=1)
    document.record_response_body(b'{"usage": {"prompt_tokens": 1000, "completion_tokens": 500}}')
    document.record_response_body(b'{"error": {"message": "rate limited"}}')
    document.record_response_body(b"<html>bad gateway</html>")
    assert tokens_in_body(b'{"usage": {"prompt_tokens": -3, "completion_tokens": true}}') == (0, 0)
    price = Price(prompt=0.002, completion=0.006)
    assert document.usage(price).model_dump() == run.usage(price).model_dump() == {
        "requests": 1, "prompt_tokens": 1000, "completion_tokens": 500, "cost": 0.005, "cached": False,
    }  # fmt: skip
    assert cost(10, 10, None) is None


def test_an_echoed_key_is_masked_but_short_placeholders_are_not() -> None:
    policy = RetryPolicy(max_retries=0, backoff=0.0, timeout=1.0)
    masked = Attempts(policy, UsageMeter(), secret="sk-test-SECRET-123")
    assert masked.redacted(b'{"error": {"message": "bad key sk-test-SECRET-123"}}') == (
        b'{"error": {"message": "bad key ***"}}'
    )
    placeholder = Attempts(policy, UsageMeter(), secret="k")
    assert placeholder.redacted(b'{"tasks": []}') == b'{"tasks": []}'

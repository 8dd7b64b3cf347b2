"""The first request of a document goes out before the SDK loads, and answers wait for requests.

``LLMBackend`` sends a document's first request ahead of openai and instructor (their imports
take half a second); instructor's identical request then gets that answer instead of a second
one. Answers in hand let waiting requests go out first (``_SendFirst``). These tests hold the
request sent ahead to be instructor's own, sent once, and the ordering to let go in time.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarizer.backends import _http, llm
from summarizer.backends._http import GIVE_WAY, Attempts, RetryPolicy, _SendFirst, _verification
from summarizer.backends.llm import ANSWER_FRAMES, LLMBackend, answer_frame
from summarizer.config import load_config
from summarizer.devserver import DevServer
from summarizer.document import document_from_text
from summarizer.quantities import extract_quantities
from summarizer.usage import UsageMeter

TEXT = (
    "东湖新区召开一季度经济运行调度会\n"
    "4月12日，东湖新区召开一季度经济运行调度会。会议指出，一季度全区规模以上工业增加值同比增长9.4%，"
    "固定资产投资完成38.6亿元。会议要求，要抓紧重点项目开工，确保上半年完成投资80亿元以上。"
)
ROOT = Path(__file__).resolve().parents[1]


def settings(server: DevServer, tmp_path: Path, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "base_url": server.base_url, "model": "dev-model", "api_key": "sk-ahead-test-0123456789",
        "timeout": 5.0, "retry_backoff": 0.01, "cache_dir": tmp_path / "cache", "use_cache": False,
    }  # fmt: skip
    return load_config(**{**values, **overrides}).llm


@pytest.mark.parametrize("mode", ANSWER_FRAMES)
def test_the_frame_built_without_instructor_is_the_one_instructor_builds(mode: str) -> None:
    from instructor.processing.response import handle_response_model

    parameters = {"model": "m", "messages": [{"role": "user", "content": "正文"}], "temperature": 0.0}
    _, built = handle_response_model(llm._answer_model(), mode=llm._instructor_mode(mode), **parameters)
    theirs = {key: value for key, value in built.items() if key not in parameters}
    assert json.dumps(theirs, sort_keys=True) == json.dumps(answer_frame(mode), sort_keys=True)
    assert built["messages"] == parameters["messages"]  # these modes leave the messages as they are


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json", "md_json"])
def test_each_document_costs_one_request_in_every_mode(mode: str, tmp_path: Path) -> None:
    documents = [document_from_text(TEXT + "第" + str(n) + "次调度。", name=f"d{n}.txt") for n in range(6)]
    with DevServer() as server:
        backend = LLMBackend(settings(server, tmp_path, mode=mode, concurrency=3))
        with ThreadPoolExecutor(max_workers=6) as pool:
            summaries = list(pool.map(lambda d: backend.summarize(d, extract_quantities(d.text)), documents))
        server.wait_idle()
        backend.close()
    assert server.totals.requests == len(documents) == backend.usage.requests
    assert all(s.diagnostics.usage.requests == 1 and s.metrics for s in summaries)


def test_identical_documents_at_once_each_get_their_own_answer(tmp_path: Path) -> None:
    document = document_from_text(TEXT, name="same.txt")
    quantities = extract_quantities(document.text)
    with DevServer() as server:
        backend = LLMBackend(settings(server, tmp_path, concurrency=4))
        with ThreadPoolExecutor(max_workers=4) as pool:
            summaries = list(pool.map(lambda _: backend.summarize(document, quantities), range(4)))
        server.wait_idle()
    assert server.totals.requests == 4
    assert len({s.model_dump_json() for s in summaries}) == 1


def test_a_frame_that_differs_from_instructors_is_spent_once_said_and_not_sent_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    differing = {**answer_frame("tools"), "tool_choice": "auto"}
    monkeypatch.setattr(llm, "answer_frame", lambda mode: differing)
    documents = [document_from_text(TEXT + str(n), name=f"d{n}.txt") for n in range(3)]
    with DevServer() as server, caplog.at_level(logging.WARNING, logger="summarizer"):
        backend = LLMBackend(settings(server, tmp_path, mode="tools"))
        summaries = [backend.summarize(d, extract_quantities(d.text)) for d in documents]
        server.wait_idle()
    assert server.totals.requests == 4  # the first document's request twice, then one each
    assert [record.message for record in caplog.records].count(
        "a request sent ahead of the SDK differed from the one instructor built; sending ahead is off for the rest of this run"
    ) == 1
    assert all(s.metrics for s in summaries)


def test_the_first_request_leaves_before_the_sdk_is_imported(tmp_path: Path) -> None:
    script = f"""
import sys
from summarizer.backends import _http
from summarizer.backends.llm import LLMBackend
from summarizer.config import load_config
from summarizer.document import document_from_text
from summarizer.quantities import extract_quantities

seen = []
original = _http.RetryingTransport.send_ahead
def watched(self, request):
    seen.append("openai" in sys.modules or "instructor" in sys.modules)
    return original(self, request)
_http.RetryingTransport.send_ahead = watched
settings = load_config(base_url=sys.argv[1], model="m", api_key="sk-ahead-test-0123456789", use_cache=False).llm
document = document_from_text({TEXT!r})
summary = LLMBackend(settings).summarize(document, extract_quantities(document.text))
print(seen, len(summary.metrics))
"""
    with DevServer() as server:
        run = subprocess.run([sys.executable, "-c", script, server.base_url], capture_output=True, text=True, cwd=ROOT, timeout=60)
        server.wait_idle()
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["[False]", "2"]
    assert server.totals.requests == 1


def test_an_answer_waits_for_a_request_that_holds_a_free_slot_until_it_is_written() -> None:
    order = _SendFirst(capacity=2)
    slots = threading.BoundedSemaphore(2)
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    acquired, release = threading.Event(), threading.Event()

    def waiting_request() -> None:
        with order.slot(slots, request) as sent:
            acquired.set()
            release.wait(5)
            sent()

    thread = threading.Thread(target=waiting_request)
    thread.start()
    acquired.wait(5)
    threading.Timer(0.1, release.set).start()
    started = time.perf_counter()
    order.give_way()  # the other request has its slot and is not written yet
    waited = time.perf_counter() - started
    thread.join(5)
    assert 0.05 <= waited < GIVE_WAY
    started = time.perf_counter()
    order.give_way()  # nothing waits: no wait at all
    assert time.perf_counter() - started < 0.05


def test_a_request_is_written_when_httpcore_starts_reading_its_answer() -> None:
    order = _SendFirst(capacity=1)
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    with order.slot(threading.BoundedSemaphore(1), request):
        trace = request.extensions["trace"]
        trace("http11.send_request_body.complete", {})
        with pytest.raises(TimeoutError):
            _wait_given_way(order, 0.05)
        trace("http11.receive_response_headers.started", {})
        _wait_given_way(order, 1.0)


def _wait_given_way(order: _SendFirst, limit: float) -> None:
    done = threading.Event()
    threading.Thread(target=lambda: (order.give_way(), done.set()), daemon=True).start()
    if not done.wait(limit):
        raise TimeoutError


def test_a_plain_http_endpoint_loads_no_certificates_and_still_verifies() -> None:
    policy = RetryPolicy(max_retries=0, backoff=0.0, timeout=1.0)
    plain = _verification(Attempts(policy, UsageMeter(), plain_http=True))
    assert isinstance(plain, ssl.SSLContext)
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.cert_store_stats()["x509_ca"] == 0  # an https hop through it would fail, not pass unchecked
    assert _verification(Attempts(policy, UsageMeter())) is True


@pytest.mark.skipif(not hasattr(socket, "TCP_QUICKACK"), reason="TCP_QUICKACK is Linux's")
def test_an_answer_is_acknowledged_at_once_after_its_headers_and_each_piece(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Against a server that leaves Nagle's algorithm on, the body waits for the acknowledgement of
    the headers: the client sends it at once rather than after the kernel's 40 ms."""
    acknowledged: list[tuple[str, int]] = []
    real = _http.acknowledge

    def recording(sock: socket.socket) -> None:
        real(sock)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK) == 1
        acknowledged.append(sock.getpeername())

    monkeypatch.setattr(_http, "acknowledge", recording)
    document = document_from_text(TEXT, name="d.txt")
    with DevServer(nodelay=False) as server:
        backend = LLMBackend(settings(server, tmp_path))
        summary = backend.summarize(document, extract_quantities(document.text))
        backend.close()
        address = httpx2.URL(server.base_url)
    assert summary.metrics
    assert len(acknowledged) >= 2  # after the headers, and after each piece of the body
    assert set(acknowledged) == {(address.host, address.port)}

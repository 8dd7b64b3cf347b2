"""Every setting of the config file takes effect unless a flag overrides it; bad values exit 2 naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import summarizer.batch
from summarizer.batch import BatchReport
from summarizer.cli import app

REPORT = "临江高新区召开经济运行调度会\n一季度，全区地区生产总值完成86.4亿元，同比增长5.2%。\n"


@pytest.fixture(autouse=True)
def no_machine_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the CLI hands the batch runner, instead of running it."""
    seen: dict[str, Any] = {}

    def fake_run_batch(inputs: Any, options: Any, config: Any, *, listener: Any = None) -> BatchReport:
        seen.update(options=options, config=config)
        return BatchReport()

    monkeypatch.setattr(summarizer.batch, "run_batch", fake_run_batch)
    return seen


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "summarizer-config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def document(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def test_the_config_files_concurrency_is_used(tmp_path: Path, captured: dict[str, Any]) -> None:
    config = config_file(tmp_path, "llm:\n  concurrency: 1\n")
    result = invoke("summarize", str(document(tmp_path)), "--backend", "rules", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert captured["config"].llm.concurrency == 1
    assert captured["options"].concurrency == 1


def test_a_flag_overrides_the_config_file(tmp_path: Path, captured: dict[str, Any]) -> None:
    config = config_file(tmp_path, "llm:\n  concurrency: 1\n  timeout: 9\n")
    result = invoke("summarize", str(document(tmp_path)), "--backend", "rules", "--config", str(config),
                    "--concurrency", "3")
    assert result.exit_code == 0, result.output
    assert captured["config"].llm.concurrency == 3 and captured["options"].concurrency == 3
    assert captured["config"].llm.timeout == 9  # what no flag overrides stays the file's


def test_without_file_or_flag_the_default_concurrency_holds(tmp_path: Path, captured: dict[str, Any]) -> None:
    result = invoke("summarize", str(document(tmp_path)), "--backend", "rules")
    assert result.exit_code == 0, result.output
    assert captured["options"].concurrency == 4


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("llm:\n  concurrency: -3\n", "llm.concurrency"),
        ("llm:\n  concurrency: 0\n", "llm.concurrency"),
        ("llm:\n  timeout: soon\n", "llm.timeout"),
        ("llm:\n  use_cache: perhaps\n", "llm.use_cache"),
        ("max_bytes: 0\n", "max_bytes"),
        ("max_bytes: five megabytes\n", "max_bytes"),
    ],
)
def test_an_invalid_value_exits_2_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    config = config_file(tmp_path, text)
    result = invoke("summarize", str(document(tmp_path)), "--backend", "rules", "--config", str(config))
    assert result.exit_code == 2, result.output
    assert key in result.output


def test_extract_honours_the_config_files_max_bytes(tmp_path: Path) -> None:
    config = config_file(tmp_path, "max_bytes: 50\n")
    result = invoke("extract", str(document(tmp_path)), "--config", str(config))
    assert result.exit_code == 1
    assert "too large" in result.output
    flag_wins = invoke("extract", str(document(tmp_path)), "--config", str(config), "--max-bytes", "100000")
    assert flag_wins.exit_code == 0, flag_wins.output
    assert "86.4" in flag_wins.output

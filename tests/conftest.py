"""Shared fixtures: the real seeds (read in place, never copied) and the shipped examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.resources import data_dir, seeds_dir

_ENDPOINT_VARIABLES = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "DEEPSEEK_API_KEY", "DASHSCOPE_API_KEY", "VLLM_API_KEY",
    "SUMMARIZER_PROVIDER", "SUMMARIZER_MODEL", "SUMMARIZER_MODE", "SUMMARIZER_TIMEOUT",
    "SUMMARIZER_MAX_RETRIES", "SUMMARIZER_CONFIG",
)


@pytest.fixture(autouse=True)
def offline_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests see no endpoint or key of the machine's, and never write into the user's cache."""
    for variable in _ENDPOINT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "model-cache"))


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    folder = seeds_dir()
    paths = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not paths:
        pytest.skip(f"the real seed documents are not at {folder} (../shared/seeds beside the checkout)")
    return paths


@pytest.fixture(scope="session")
def example_paths() -> list[Path]:
    paths = sorted(
        p for p in data_dir("examples").iterdir() if p.suffix in {".txt", ".md", ".html"} and p.name != "README.md"
    )
    assert paths, "the shipped example documents are missing"
    return paths

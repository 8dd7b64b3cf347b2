"""Shared fixtures: the real seeds (read in place, never copied) and the shipped examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.resources import data_dir, seeds_dir


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

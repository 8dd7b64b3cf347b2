"""A non-editable install must carry prompts, schemas, fixtures and examples, and run from anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    return next(out.glob("summarizer-*.whl"))


def test_wheel_ships_the_data_folders(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "summarizer/py.typed" in names
    for folder in ("prompts", "schemas", "evals", "examples"):
        shipped = [n for n in names if n.startswith(f"summarizer/_data/{folder}/")]
        assert shipped, f"{folder}/ is not in the wheel"
    assert "summarizer/_data/schemas/summary.schema.json" in names
    assert "summarizer/indicators.yaml" in names
    templates = ("review.html.j2", "index.html.j2", "eval_report.html.j2", "highlight.js")
    assert {f"summarizer/templates/{name}" for name in templates} <= set(names)


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SUMMARIZER_PROVIDER")}
    env["PYTHONPATH"] = str(target)
    result = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", "--examples", "--backend", "rules", "-o", "out"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((elsewhere / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["entries"] and all(entry["status"] == "done" for entry in manifest["entries"])
    assert all(str(target) in entry["path"] for entry in manifest["entries"]), "examples must come from the wheel"

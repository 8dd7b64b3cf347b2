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


def test_installed_wheel_evaluates_the_clone_it_runs_in_and_never_writes_itself(wheel: Path, tmp_path: Path) -> None:
    """The issue's new user: a non-editable install, `summarizer eval` run inside a clone."""
    import shutil

    from summarizer.devserver import DevServer

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True)
    clone = tmp_path / "work" / "clone"  # no ../shared beside it: the seeds are absent
    for name in ("evals", "prompts", "examples", "schemas"):
        shutil.copytree(ROOT / name, clone / name)
    shipped = target / "summarizer" / "_data"
    before = {p: p.read_bytes() for p in shipped.rglob("*") if p.is_file()}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["PYTHONPATH"] = str(target)

    def summarizer(*args: str, cwd: Path = clone) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "summarizer", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)

    absent = summarizer("eval", "--backend", "rules")
    assert absent.returncode == 1 and "seed-000" in absent.stderr, absent.stderr
    blessed = summarizer("eval", "--backend", "rules", "--allow-missing", "--bless")
    assert blessed.returncode == 0 and "3 skipped" in blessed.stderr, blessed.stderr
    assert str(clone / "evals" / "baseline.json") in blessed.stderr
    system = clone / "prompts" / "summarize.system.md"
    system.write_text(system.read_text(encoding="utf-8") + "\n（克隆里改过的提示词）\n", encoding="utf-8")
    with DevServer() as server:
        llm = summarizer("eval", "--backend", "llm", "--base-url", server.base_url, "--model", "m", "--no-cache",
                         "--allow-missing", "--no-baseline", "--fixtures", str(clone / "evals" / "holdout"))
        sent = [str(r.messages[0]["content"]) for r in server.requests if r.messages]
    assert llm.returncode in (0, 1), llm.stderr  # the gate may judge the loopback answers; the prompt is the point
    assert sent and all("克隆里改过的提示词" in prompt for prompt in sent)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    refused = summarizer("eval", "--backend", "baseline", "--allow-missing", "--bless", cwd=elsewhere)
    assert refused.returncode == 2 and "installed summarizer package" in refused.stderr, refused.stderr
    schemas = summarizer("schemas", cwd=elsewhere)
    assert schemas.returncode == 2 and "schemas --out" in schemas.stderr, schemas.stderr
    assert {p: p.read_bytes() for p in shipped.rglob("*") if p.is_file()} == before

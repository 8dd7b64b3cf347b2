"""Hang guards: a long document, or one long line, costs linear time in every stage (issue 14).

Each input is built at test time by ``bench/hostile.py``'s generators and summarised by the CLI,
as a user runs it, in a subprocess with a deadline. No speed is asserted beyond the guard (the
figures belong to ``bench/hostile.py``): before the stages were made linear these inputs took
about a minute each (the support check of grounding, the clause floor, the per-piece scans of
the narrative, the lists of 分别 and the pre-extractor's goal words grew quadratically); now they
take a few seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hostile import count_numbers, many_numbers, one_line  # noqa: E402

DEADLINE = 30  # seconds: ten times what the inputs take now, half of what they took before


def summarize_within_deadline(path: Path, cwd: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", "summarize", str(path), "--backend", "rules"],
            cwd=cwd, capture_output=True, text=True, timeout=DEADLINE, env=env, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"summarize {path.name} did not finish within {DEADLINE} s: some stage is not linear")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_half_a_megabyte_of_figures_is_summarised_within_the_deadline(tmp_path: Path) -> None:
    text = many_numbers(0.5)
    assert text.count("\n") > 100 and count_numbers(text) > 9_000
    path = tmp_path / "figures.txt"
    path.write_text(text, encoding="utf-8")
    summary = summarize_within_deadline(path, tmp_path)
    # Every number was read: the generator draws its figures from few names and short value ranges,
    # so many coincide whole (name, value, unit, change, period), and a figure restated whole is
    # kept once; the 9,000+ numbers still give thousands of distinct results.
    figures = [(m["name"], m["value"], m["unit"], m["growth_pct"], m["growth_pp"], m["period"]) for m in summary["metrics"]]
    assert len(figures) > 3_000 and len(set(figures)) == len(figures)
    assert all(summary["text"][m["evidence"]["start"] : m["evidence"]["end"]] == m["evidence"]["quote"]
               for m in summary["metrics"][:200])  # fmt: skip


def test_a_line_of_300_thousand_bytes_is_summarised_within_the_deadline(tmp_path: Path) -> None:
    text = one_line(0.3)
    assert "\n" not in text and text.count("。") <= 4 and len(text.encode("utf-8")) >= 300_000
    path = tmp_path / "line.txt"
    path.write_text(text, encoding="utf-8")
    summary = summarize_within_deadline(path, tmp_path)
    assert len(summary["metrics"]) > 1_000

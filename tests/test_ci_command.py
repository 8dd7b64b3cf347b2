"""CI runs exactly the README's test command: the two never drift apart."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    heading = next(i for i, line in enumerate(readme) if line.startswith("Run the tests"))
    command = next(line.strip() for line in readme[heading + 1 :] if line.startswith("    "))
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "set -euo pipefail" in script
    assert script[-1] == command
    assert command.endswith("&& .venv/bin/python -m pytest"), "pytest's exit code must be the run's"

"""The library as a caller meets it: what a str means, outcomes that narrow and keep their index,
notices through logging, exports type checkers accept (the README's own examples, checked)."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import summarizer
from summarizer import Failed, Summarized, summarize, summarize_many

ROOT = Path(__file__).resolve().parents[1]
REPORT = "上半年，全区地区生产总值完成120.5亿元，同比增长6.2%。下半年要抓好项目建设。"


def test_a_str_naming_a_file_is_refused_not_summarised_as_its_name(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("report.txt", "reports/missing.txt", "C:\\data\\x.docx"):
        with pytest.raises(TypeError, match=re.escape(f"pass pathlib.Path({name!r})")):
            summarize(name, backend="rules")
    assert summarize(Path("report.txt"), backend="rules").metrics[0].value == 120.5
    text_about_a_file = "附件：2024年上半年经济运行情况.docx"  # words of a document, not a name to open
    assert summarize(text_about_a_file, backend="rules").text == text_about_a_file


def test_outcomes_carry_their_index_and_come_in_order_when_asked(tmp_path: Path) -> None:
    sources: list[object] = []
    for index in range(6):
        path = tmp_path / f"r{index}.txt"
        path.write_text(REPORT.replace("120.5", f"{100 + index}.5") * (1 + 30 * (index % 2)), encoding="utf-8")
        sources.append(path)
    sources.insert(3, 42)  # no source at all: a Failed outcome in its place
    outcomes = list(summarize_many(sources, backend="rules", concurrency=3, ordered=True))  # type: ignore[arg-type]
    assert [o.index for o in outcomes] == list(range(7))
    failed = outcomes[3]
    assert isinstance(failed, Failed) and failed.error_type == "TypeError" and "cannot summarise" in failed.error
    for outcome in outcomes[:3] + outcomes[4:]:
        assert isinstance(outcome, Summarized) and outcome.ok
        assert outcome.source == str(sources[outcome.index])
        assert outcome.usage == outcome.summary.diagnostics.usage
    unordered = list(summarize_many(sources, backend="rules", concurrency=3))  # type: ignore[arg-type]
    assert sorted(o.index for o in unordered) == list(range(7))


def test_notices_go_to_the_logger_not_to_a_stream(caplog: pytest.LogCaptureFixture, capsys) -> None:
    import summarizer.api as api

    api._rules_note_shown = False
    with caplog.at_level(logging.WARNING, logger="summarizer"):
        summarize(REPORT)  # auto, no endpoint: the rules backend, and a notice saying so
    assert any("rules backend" in record.getMessage() for record in caplog.records)
    assert capsys.readouterr().out == ""


def test_all_is_a_literal_list_of_every_export() -> None:
    source = (ROOT / "summarizer" / "__init__.py").read_text(encoding="utf-8")
    literal = re.search(r"^__all__ = \[(.*?)\]", source, re.DOTALL | re.MULTILINE)
    assert literal is not None and "*" not in literal.group(1)
    assert set(summarizer.__all__) == {"__version__", *summarizer._EXPORTS}
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None


def _readme_examples(tmp_path: Path) -> Path:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    library = readme[readme.index("## Library") : readme.index("## Using a model")]
    blocks = re.findall(r"```python\n(.*?)```", library, re.DOTALL)
    assert len(blocks) >= 2, "the README's library section lost its examples"
    folder = tmp_path / "examples"
    folder.mkdir()
    for number, block in enumerate(blocks):
        (folder / f"readme_example_{number}.py").write_text(block, encoding="utf-8")
    return folder


def test_readme_library_examples_pass_mypy_strict(tmp_path: Path) -> None:
    folder = _readme_examples(tmp_path)
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
         *map(str, sorted(folder.glob("*.py")))],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_whole_package_passes_mypy_strict(tmp_path: Path) -> None:
    """Not only the surface the README shows: every module, with the stubs and overrides of pyproject.toml."""
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), "summarizer"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_readme_library_examples_pass_pyright_strict(tmp_path: Path) -> None:
    folder = _readme_examples(tmp_path)
    (folder / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', encoding="utf-8")
    pyright = shutil.which("basedpyright", path=str(Path(sys.executable).parent)) or shutil.which("basedpyright")
    assert pyright is not None, "basedpyright is in the test extra"
    checked = subprocess.run(
        [pyright, "--pythonpath", sys.executable, "-p", str(folder / "pyrightconfig.json")],
        capture_output=True, text=True, timeout=600, cwd=folder,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout


def test_version_flag() -> None:
    shown = subprocess.run([sys.executable, "-m", "summarizer", "--version"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stdout.strip() == f"summarizer {summarizer.__version__}"

"""The batch command end to end, as a user runs it: bad input, formats, atomic writes, kill and resume."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.corpus import generate_corpus
from summarizer.batch import JOURNAL_NAME, BatchOptions, run_batch
from summarizer.config import load_config
from summarizer.schema import Summary

REPORT = (
    "临江高新区召开一季度经济运行调度会\n\n"
    "4月12日,临江高新区召开一季度经济运行调度会。一季度,全区地区生产总值完成86.4亿元,同比增长5.2%;"
    "规模以上工业增加值同比增长9.8%,居全市第二。\n\n"
    "会议要求,要加快重点项目建设,力争上半年固定资产投资增长12%左右。\n"
)
NO_NUMBERS = "东岭县召开经济工作推进会\n\n会议要求,各部门要压实责任,抓好项目建设,切实优化营商环境。\n"
HTML = (
    "<html><head><title>南塘高新区召开经济运行分析会</title></head><body>"
    "<div class='nav'>首页 > 新闻中心 > 工作动态</div>"
    "<h1>南塘高新区召开经济运行分析会</h1>"
    "<p>7月20日,南塘高新区召开上半年经济运行分析会。上半年,全区一般公共预算收入完成12.6亿元,同比增长8.1%。</p>"
    "<p>会议强调,下半年要全力以赴抓招商、扩投资,确保完成全年目标任务。</p>"
    "<div class='footer'>版权所有 南塘高新区管委会</div></body></html>"
)


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for variable in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SUMMARIZER_PROVIDER", "SUMMARIZER_CONFIG"):
        env.pop(variable, None)
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
    )


ROOT_READS_ANYTHING = os.geteuid() == 0


def write_matrix(folder: Path) -> dict[str, Path]:
    docs = folder / "docs"
    docs.mkdir()
    files = {
        "utf8": docs / "utf8.txt",
        "gbk": docs / "gbk.txt",
        "utf16": docs / "utf16.txt",
        "html": docs / "page.html",
        "no_numbers": docs / "no_numbers.md",
        "empty": docs / "empty.txt",
        "binary": docs / "binary.txt",
        "huge": docs / "huge.txt",
        "unreadable": docs / "unreadable.txt",
    }
    files["utf8"].write_text(REPORT, encoding="utf-8")
    files["gbk"].write_bytes(REPORT.replace("临江", "西坪").encode("gbk"))
    files["utf16"].write_bytes(REPORT.replace("临江", "北湖").encode("utf-16"))
    files["html"].write_text(HTML, encoding="utf-8")
    files["no_numbers"].write_text(NO_NUMBERS, encoding="utf-8")
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"%PDF-1.7\n\x00\x01\x02\xff\xfe" * 200)
    files["huge"].write_bytes(("经济运行平稳。" * 1_000_000).encode("utf-8")[: 20 * 1024 * 1024])
    if not ROOT_READS_ANYTHING:  # permissions cannot stop root; that case is covered in-process below
        files["unreadable"].write_text(REPORT, encoding="utf-8")
        files["unreadable"].chmod(0o000)
    return files


def test_bad_input_matrix(tmp_path: Path) -> None:
    files = write_matrix(tmp_path)
    out = tmp_path / "out"
    missing = tmp_path / "docs" / "not_there.txt"
    result = run_cli(
        "summarize", str(tmp_path / "docs"), str(missing), "--backend", "rules", "-o", str(out), cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {Path(entry["path"]).name: entry for entry in manifest["entries"]}
    expected_reasons = {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "huge.txt": "larger than",
        "unreadable.txt": "permission",
        "not_there.txt": "does not exist",
    }
    if ROOT_READS_ANYTHING:
        del expected_reasons["unreadable.txt"]
    for name, reason in expected_reasons.items():
        assert entries[name]["status"] == "failed", name
        assert reason in entries[name]["error"].lower(), entries[name]["error"]
        assert name in result.stderr
    for key in ("utf8", "gbk", "utf16", "html", "no_numbers"):
        entry = entries[files[key].name]
        assert entry["status"] == "done", entry
        summary = Summary.model_validate_json((out / entry["output"]).read_text(encoding="utf-8"))
        assert summary.diagnostics.backend == "rules"
        for item in [*summary.metrics, *summary.targets, *summary.achievements, *summary.problems, *summary.tasks]:
            assert summary.text[item.evidence.start : item.evidence.end] == item.evidence.quote
    for key in ("utf8", "gbk", "utf16"):
        summary = Summary.model_validate_json((out / entries[files[key].name]["output"]).read_text(encoding="utf-8"))
        values = {metric.value for metric in summary.metrics}
        assert 86.4 in values, (key, [m.model_dump() for m in summary.metrics])
    html_summary = Summary.model_validate_json((out / entries["page.html"]["output"]).read_text(encoding="utf-8"))
    assert "版权所有" not in html_summary.text
    assert any(metric.value == 12.6 for metric in html_summary.metrics)
    assert not list(out.glob(".*.tmp"))


def test_unreadable_file_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.txt"
    good.write_text(REPORT, encoding="utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text(REPORT, encoding="utf-8")
    locked.chmod(0o000)
    if ROOT_READS_ANYTHING:  # simulate what the permission bits do for everyone but root
        real_open = os.open

        def guarded_open(name: object, *args: object, **kwargs: object) -> int:
            if os.fspath(name) == str(locked):  # type: ignore[arg-type]
                raise PermissionError(13, "Permission denied", str(name))
            return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", guarded_open)
    report = run_batch([str(tmp_path)], BatchOptions(out_dir=tmp_path / "out", backend="rules"), load_config())
    assert report.count("done") == 1 and report.count("failed") == 1
    [failure] = report.failures
    assert Path(failure.path).name == "locked.txt" and "permission" in (failure.error or "").lower()
    assert report.exit_code == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert {Path(e["path"]).name: e["status"] for e in manifest["entries"]} == {"good.txt": "done", "locked.txt": "failed"}


def test_one_document_prints_its_summary(tmp_path: Path) -> None:
    doc = tmp_path / "report.txt"
    doc.write_text(REPORT, encoding="utf-8")
    result = run_cli("summarize", str(doc), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = Summary.model_validate_json(result.stdout)
    assert summary.meta.organization and "临江高新区" in summary.meta.organization
    assert "rules backend" in result.stderr  # auto without an endpoint says what it used


@pytest.mark.parametrize("fmt", ["md", "yaml", "jsonl", "csv"])
def test_every_format_is_written(tmp_path: Path, fmt: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(REPORT, encoding="utf-8")
    (docs / "b.txt").write_text(REPORT.replace("86.4", "91.3"), encoding="utf-8")
    result = run_cli("summarize", str(docs), "--backend", "rules", "--format", fmt, "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    outputs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert f"a.{fmt}" in outputs and f"b.{fmt}" in outputs and "manifest.json" in outputs
    text = (tmp_path / "out" / f"a.{fmt}").read_text(encoding="utf-8")
    if fmt == "md":
        assert "| 指标 |" in text and "86.4" in text
    if fmt == "csv":
        raw = (tmp_path / "out" / "all.csv").read_bytes()
        assert raw.startswith("\ufeff".encode()) and raw.count("\ufeff".encode()) == 1  # one BOM, for Excel
        with (tmp_path / "out" / "all.csv").open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
        assert {row["source"] for row in rows} == {str(docs / "a.txt"), str(docs / "b.txt")}
        assert {row["value"] for row in rows if row["name"] == "地区生产总值"} == {"86.4", "91.3"}
        assert {row["organization"] for row in rows} == {"临江高新区"} and {row["report_period"] for row in rows} == {"一季度"}


def _outputs(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.json") if p.name != "manifest.json"}


def _journalled(folder: Path) -> int:
    """Documents the running batch has recorded as finished."""
    try:
        return len((folder / JOURNAL_NAME).read_text(encoding="utf-8").splitlines())
    except OSError:
        return 0


def test_killed_batch_resumes_to_the_same_result(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for index, text in enumerate(generate_corpus(400, seed=11)):
        (docs / f"doc{index:04d}.txt").write_text(text, encoding="utf-8")
    reference = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(tmp_path / "whole"), cwd=tmp_path)
    assert reference.returncode == 0, reference.stderr

    interrupted = tmp_path / "interrupted"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "summarize", str(docs), "--backend", "rules", "--concurrency", "2", "-o", str(interrupted)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _journalled(interrupted) < 30:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    written_before_kill = _outputs(interrupted)
    assert 30 <= len(written_before_kill) < 400, "the run must be killed part-way"
    for name, text in written_before_kill.items():
        Summary.model_validate_json(text)  # every file left behind is whole

    resumed = run_cli("summarize", str(docs), "--backend", "rules", "--resume", "-o", str(interrupted), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert _outputs(interrupted) == _outputs(tmp_path / "whole")
    manifest = json.loads((interrupted / "manifest.json").read_text(encoding="utf-8"))
    statuses = [entry["status"] for entry in manifest["entries"]]
    assert statuses.count("skipped") >= 30 and statuses.count("done") + statuses.count("skipped") == 400
    assert not list(interrupted.glob(".*.tmp")) and not (interrupted / JOURNAL_NAME).exists()


def test_ctrl_c_writes_the_manifest_and_says_how_to_resume(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for index, text in enumerate(generate_corpus(300, seed=12)):
        (docs / f"doc{index:04d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "summarize", str(docs), "--backend", "rules", "--concurrency", "2", "-o", str(out)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _journalled(out) < 20:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted" in stderr and "--resume" in stderr and "not_attempted" in stderr
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["entries"]
    statuses = [entry["status"] for entry in entries]
    assert len(entries) == 300 and statuses.count("done") >= 20 and statuses.count("not_attempted") > 0
    assert {e["error"] for e in entries if e["status"] == "not_attempted"} == {
        "interrupted (Ctrl-C) before this document was done"}
    assert not (out / JOURNAL_NAME).exists()

    resumed = run_cli("summarize", str(docs), "--backend", "rules", "--resume", "-o", str(out), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    statuses = [e["status"] for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["entries"]]
    assert statuses.count("skipped") >= 20 and statuses.count("done") + statuses.count("skipped") == 300


def test_resume_redoes_a_changed_document(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(REPORT, encoding="utf-8")
    (docs / "b.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("summarize", str(docs), "--backend", "rules", "-o", str(out), cwd=tmp_path).returncode == 0
    (docs / "b.txt").write_text(REPORT.replace("86.4", "77.7"), encoding="utf-8")
    assert run_cli("summarize", str(docs), "--backend", "rules", "--resume", "-o", str(out), cwd=tmp_path).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    statuses = {Path(entry["path"]).name: entry["status"] for entry in manifest["entries"]}
    assert statuses == {"a.txt": "skipped", "b.txt": "done"}
    assert "77.7" in (out / "b.json").read_text(encoding="utf-8")


def test_resume_after_a_model_change_summarises_again_and_says_so(tmp_path: Path) -> None:
    from summarizer.devserver import DevServer

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    with DevServer() as server:
        def run(model: str) -> subprocess.CompletedProcess[str]:
            return run_cli("summarize", str(docs), "--provider", "vllm", "--base-url", server.base_url, "--model", model,
                           "--no-cache", "--resume", "-o", str(out), cwd=tmp_path)  # fmt: skip

        assert run("model-a").returncode == 0
        same = run("model-a")
        changed = run("model-b")
        requests = len(server.requests)
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["entries"]
    assert "configuration changed" not in same.stderr
    assert requests == 2  # the unchanged resume asked nothing; the changed one asked again
    assert "1 document(s) summarised again: the configuration changed" in changed.stderr and "(model)" in changed.stderr
    assert [(e["status"], e["model"], e["configuration"]["model"]) for e in entries] == [("done", "model-b", "model-b")]


def test_one_missing_file_fails_on_the_terminal_without_writing_anything(tmp_path: Path) -> None:
    result = run_cli("summarize", str(tmp_path / "gone.txt"), cwd=tmp_path)
    assert result.returncode == 1
    assert "gone.txt: does not exist" in result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_configuration_error_exits_2(tmp_path: Path) -> None:
    doc = tmp_path / "report.txt"
    doc.write_text(REPORT, encoding="utf-8")
    result = run_cli("summarize", str(doc), "--backend", "llm", "--provider", "no-such-provider", cwd=tmp_path)
    assert result.returncode == 2
    assert "no-such-provider" in result.stderr


def test_shipped_examples_all_summarise(example_paths: list[Path], tmp_path: Path) -> None:
    result = run_cli("summarize", "--examples", "--backend", "rules", "--format", "md", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    reports = sorted((tmp_path / "out").glob("*.md"))
    assert [p.stem for p in reports] == sorted(p.stem for p in example_paths)
    assert all("## 主要指标" in p.read_text(encoding="utf-8") for p in reports)

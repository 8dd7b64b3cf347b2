"""One writer per output folder: a lock, run-owned temporary files, no symlink followed, honest resume.

Built at test time in tmp_path; the two-runs case starts two real processes into one folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bench.corpus import generate_corpus
from summarizer.batch import (
    JOURNAL_NAME,
    LOCK_NAME,
    BatchOptions,
    OutputFolderError,
    run_batch,
)
from summarizer.config import load_config
from summarizer.schema import Summary

REPORT = (
    "临江高新区召开一季度经济运行调度会\n\n"
    "4月12日，临江高新区召开一季度经济运行调度会。一季度，全区地区生产总值完成86.4亿元，同比增长5.2%。\n\n"
    "会议要求，要加快重点项目建设，力争上半年固定资产投资增长12%左右。\n"
)
GUARD = 120  # seconds a subprocess may take before the test fails instead of hanging


def cli(*args: str, cwd: Path) -> list[str]:
    return [sys.executable, "-m", "summarizer", *args]


def environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for variable in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SUMMARIZER_PROVIDER", "SUMMARIZER_CONFIG"):
        env.pop(variable, None)
    return env


def run_cli(*args: str, cwd: Path, timeout: float = GUARD) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args, cwd=cwd), check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=environment(), stdin=subprocess.DEVNULL)


def entries(out: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {Path(entry["path"]).name: entry for entry in manifest["entries"]}


def two_documents(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(REPORT, encoding="utf-8")
    (docs / "b.txt").write_text(REPORT.replace("86.4", "77.7"), encoding="utf-8")
    return docs


def corpus(tmp_path: Path, count: int) -> Path:
    docs = tmp_path / "corpus"
    docs.mkdir()
    for index, text in enumerate(generate_corpus(count, seed=5)):
        (docs / f"doc{index:04d}.txt").write_text(text, encoding="utf-8")
    return docs


def journalled(out: Path) -> int:
    journal = out.with_name(f".{out.stem}.manifest.journal") if out.suffix == ".jsonl" else out / JOURNAL_NAME
    try:
        return len(journal.read_text(encoding="utf-8").splitlines())
    except OSError:
        return 0


def start_held_run(docs: Path, out: Path, cwd: Path) -> subprocess.Popen[str]:
    """A batch of ``docs`` and standard input that cannot finish before the test sends its stdin.

    It has taken the folder once it has journalled something; until ``release`` it keeps waiting
    for its last document, so what the test does meanwhile races with nothing.
    """
    process = subprocess.Popen(
        cli("summarize", str(docs), "-", "--backend", "rules", "--concurrency", "1", "-o", str(out), cwd=cwd),
        cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=environment(),
    )
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline and journalled(out) < 5 and process.poll() is None:
        time.sleep(0.02)
    assert process.poll() is None and journalled(out) >= 5, "the first run must be running, holding the folder"
    return process


def release(process: subprocess.Popen[str]) -> str:
    """Send the held run its last document and wait for it; its stderr."""
    _, err = process.communicate(REPORT.replace("临江", "东岭"), timeout=GUARD)
    return err


def first_line(stream: Any) -> str:
    """The next line of a child's output, or a test failure after GUARD seconds."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(GUARD)
    assert box, "no line in time"
    return box[0]


# --- one writer ------------------------------------------------------------------------------


def test_a_second_run_into_the_same_folder_is_refused_and_the_first_completes(tmp_path: Path) -> None:
    docs = corpus(tmp_path, 40)
    out = tmp_path / "out"
    first = start_held_run(docs, out, tmp_path)
    try:
        second = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(out), cwd=tmp_path)
    finally:
        first_err = release(first)
    assert second.returncode == 2, second.stderr
    assert "another summarizer run" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, first_err
    manifest = entries(out)
    assert len(manifest) == 41 and all(entry["status"] == "done" for entry in manifest.values())
    assert manifest["-"]["output"] == "stdin.json"
    assert not list(out.glob(".*.tmp")) and not (out / JOURNAL_NAME).exists()


def test_a_second_run_with_wait_runs_after_the_first(tmp_path: Path) -> None:
    docs = corpus(tmp_path, 30)
    out = tmp_path / "out"
    first = start_held_run(docs, out, tmp_path)
    second = subprocess.Popen(
        cli("summarize", str(docs), "--backend", "rules", "--resume", "--wait", "-o", str(out), cwd=tmp_path),
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment(),
        stdin=subprocess.DEVNULL,
    )
    try:
        assert "waiting for the run" in first_line(second.stderr)
        assert second.poll() is None
    finally:
        first_err = release(first)
        _, second_err = second.communicate(timeout=GUARD)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    manifest = entries(out)
    assert len(manifest) == 30  # the second run's manifest: whole, and written after the first's
    assert all(entry["status"] == "skipped" for entry in manifest.values())


def test_a_run_in_process_is_refused_while_the_folder_is_locked(tmp_path: Path) -> None:
    docs = corpus(tmp_path, 20)
    out = tmp_path / "out"
    first = start_held_run(docs, out, tmp_path)
    try:
        with pytest.raises(OutputFolderError, match="another summarizer run"):
            run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules"), load_config())
    finally:
        release(first)
    assert first.returncode == 0 and len(entries(out)) == 21
    assert (out / LOCK_NAME).is_file()  # stays, unlocked: the next run takes it
    report = run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules", resume=True), load_config())
    assert report.count("skipped") == 20


# --- temporary files -------------------------------------------------------------------------


def test_temporary_files_carry_the_run_id_and_a_users_tmp_files_survive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    own = [out / ".notes.tmp", out / ".a.json.k3j4h5g6.tmp", out / "draft.tmp"]  # the user's, and an old-style name
    for path in own:
        path.write_text("mine", encoding="utf-8")
    made: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def recording_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle, name = real_mkstemp(*args, **kwargs)
        made.append(Path(name).name)
        return handle, name

    monkeypatch.setattr(tempfile, "mkstemp", recording_mkstemp)
    report = run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules"), load_config())
    assert report.count("done") == 2
    assert all(path.read_text(encoding="utf-8") == "mine" for path in own)
    run_ids = {re.search(r"\.(run-[0-9a-f]{12})\.", name).group(1) for name in made}  # type: ignore[union-attr]
    assert len(run_ids) == 1 and len(made) == 4  # a.json, b.json, index.html and manifest.json, all by this run


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    leftover = out / ".a.json.run-0123456789ab.x1y2z3w4.tmp"
    leftover.write_text("{half", encoding="utf-8")
    run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules"), load_config())
    assert not leftover.exists()


# --- no symlink followed ---------------------------------------------------------------------


def test_a_journal_symlink_pointing_outside_is_refused_not_followed(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("precious data", encoding="utf-8")
    (out / JOURNAL_NAME).symlink_to(victim)
    result = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert victim.read_text(encoding="utf-8") == "precious data"


@pytest.mark.parametrize("name", ["manifest.json", "all.csv", LOCK_NAME])
def test_other_symlinks_where_the_run_writes_are_refused(tmp_path: Path, name: str) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("precious data", encoding="utf-8")
    (out / name).symlink_to(victim)
    with pytest.raises(OutputFolderError, match="symbolic link"):
        run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules", fmt="csv"), load_config())
    assert victim.read_text(encoding="utf-8") == "precious data"


def test_an_output_name_that_is_a_symlink_fails_that_document_only(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("precious data", encoding="utf-8")
    (out / "a.json").symlink_to(victim)
    report = run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules"), load_config())
    assert (report.count("done"), report.count("failed")) == (1, 1)
    assert "symbolic link" in (entries(out)["a.txt"]["error"] or "")
    assert victim.read_text(encoding="utf-8") == "precious data" and (out / "a.json").is_symlink()


# --- resume ----------------------------------------------------------------------------------


def test_resume_never_reads_an_output_outside_the_folder(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    assert run_cli("summarize", str(docs), "--backend", "rules", "--format", "csv", "-o", str(out), cwd=tmp_path).returncode == 0
    secret = tmp_path / "secret.csv"
    secret.write_text("document,section\nSECRET-ROW,x\n", encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["entries"]:
        if Path(entry["path"]).name == "a.txt":
            entry["output"] = "../secret.csv"
        else:
            entry["output"] = str(secret)  # absolute
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("summarize", str(docs), "--backend", "rules", "--format", "csv", "--resume", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "SECRET-ROW" not in (out / "all.csv").read_text(encoding="utf-8")
    assert {name: entry["status"] for name, entry in entries(out).items()} == {"a.txt": "done", "b.txt": "done"}
    assert {entry["output"] for entry in entries(out).values()} == {"a.csv", "b.csv"}


def test_resume_redoes_an_output_whose_content_changed(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules"), load_config())
    assert all(entry["output_sha256"] for entry in entries(out).values())
    (out / "a.json").write_text('{"tampered": true}', encoding="utf-8")
    report = run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules", resume=True), load_config())
    assert {name: entry["status"] for name, entry in entries(out).items()} == {"a.txt": "done", "b.txt": "skipped"}
    assert report.count("skipped") == 1
    assert "tampered" not in (out / "a.json").read_text(encoding="utf-8")


def test_resume_does_not_reuse_an_output_replaced_by_a_symlink(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules"), load_config())
    outside = tmp_path / "copy.json"
    (out / "a.json").rename(outside)
    (out / "a.json").symlink_to(outside)  # same content, but outside the folder
    report = run_batch([str(docs)], BatchOptions(out_dir=out, backend="rules", resume=True), load_config())
    assert report.count("skipped") == 1  # b only; a's output is a link: failed, never read or replaced
    assert entries(out)["a.txt"]["status"] == "failed"


# --- -o that is no folder --------------------------------------------------------------------


def test_o_naming_an_existing_file_is_a_usage_error(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    target = tmp_path / "results.json"
    target.write_text("keep me", encoding="utf-8")
    result = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(target), cwd=tmp_path)
    assert result.returncode == 2
    assert "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    inside = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(target / "sub"), cwd=tmp_path)
    assert inside.returncode == 2 and "Traceback" not in inside.stderr


def test_outputs_get_the_users_umask_not_a_private_mode(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    out = tmp_path / "out"
    script = (
        "import os, sys; os.umask(int(sys.argv[1], 8)); from summarizer.cli import main; "
        "sys.argv = ['summarizer', 'summarize', sys.argv[2], '--backend', 'rules', '--format', 'csv', '-o', sys.argv[3]]; main()"
    )
    for umask, expected in (("022", 0o644), ("027", 0o640)):
        shown = subprocess.run([sys.executable, "-c", script, umask, str(docs), str(out / umask)], env=environment(),
                               capture_output=True, text=True, timeout=GUARD)  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        written = [p for p in (out / umask).iterdir() if not p.name.startswith(".")]
        assert {p.name for p in written} >= {"a.csv", "b.csv", "all.csv", "manifest.json"}
        assert {oct(p.stat().st_mode & 0o777) for p in written} == {oct(expected)}



# --- one JSON Lines stream: -o FILE.jsonl ---------------------------------------------------------


def stream_lines(target: Path) -> dict[str, Summary]:
    """The stream's summaries by source file name; each line must be one whole summary."""
    summaries = [Summary.model_validate_json(line) for line in target.read_text(encoding="utf-8").splitlines()]
    return {Path(summary.source.path or "").name: summary for summary in summaries}


def test_o_file_jsonl_writes_one_stream_with_its_manifest_and_lock_beside_it(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    target = tmp_path / "results" / "all.jsonl"
    result = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.parent.iterdir()) == [".all.jsonl.lock", "all.index.html", "all.jsonl", "all.manifest.json"]
    lines = stream_lines(target)
    assert set(lines) == {"a.txt", "b.txt"} and lines["b.txt"].metrics[0].value == 77.7
    manifest = json.loads((target.parent / "all.manifest.json").read_text(encoding="utf-8"))
    assert {entry["output"] for entry in manifest["entries"]} == {"all.jsonl"} and manifest["format"] == "jsonl"
    refused = run_cli("summarize", str(docs), "--backend", "rules", "--format", "md", "-o", str(target), cwd=tmp_path)
    assert refused.returncode == 2 and "JSON Lines" in refused.stderr


def test_resume_into_a_stream_keeps_unchanged_lines_once_and_redoes_the_changed(tmp_path: Path) -> None:
    docs = two_documents(tmp_path)
    target = tmp_path / "all.jsonl"
    assert run_cli("summarize", str(docs), "--backend", "rules", "-o", str(target), cwd=tmp_path).returncode == 0
    before = stream_lines(target)
    (docs / "b.txt").write_text(REPORT.replace("86.4", "55.5"), encoding="utf-8")
    result = run_cli("summarize", str(docs), "--backend", "rules", "--resume", "-o", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = stream_lines(target)
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2
    assert after["a.txt"] == before["a.txt"] and after["b.txt"].metrics[0].value == 55.5
    manifest = json.loads((tmp_path / "all.manifest.json").read_text(encoding="utf-8"))
    assert sorted(entry["status"] for entry in manifest["entries"]) == ["done", "skipped"]


def test_a_second_run_into_the_same_stream_is_refused_and_the_first_completes(tmp_path: Path) -> None:
    docs = corpus(tmp_path, 20)
    target = tmp_path / "all.jsonl"
    left = tmp_path / ".other.jsonl.run-0123456789ab.abcdefgh.tmp"  # a killed run's, of another stream
    left.write_text("another stream's", encoding="utf-8")
    first = start_held_run(docs, target, tmp_path)
    try:
        assert left.exists()  # not this stream's to clean up: only other.jsonl's next run removes it
        second = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(target), cwd=tmp_path)
        other = run_cli("summarize", str(docs / "doc0000.txt"), "--backend", "rules", "-o", str(tmp_path / "other.jsonl"),
                        cwd=tmp_path)  # fmt: skip
    finally:
        release(first)
    assert second.returncode == 2 and "another summarizer run" in second.stderr
    assert other.returncode == 0, other.stderr  # a stream beside it has a lock of its own
    assert not left.exists()
    assert first.returncode == 0 and len(stream_lines(target)) == 21
    assert not list(tmp_path.glob(".all.jsonl.*.tmp"))

"""Hostile inputs, built at test time: nothing blocks, nothing is read unbounded, nothing is lost.

Each case is one a user met (issue 14): a FIFO or ``/dev/zero`` among the inputs, UTF-8 with a NUL
byte, Big5, symlink loops, folders named like files, unreadable folders, names too long, HTML
nested hundreds of levels deep. Whatever might hang runs in a subprocess with a timeout, or in a
thread joined with a timeout (the hang guard): the test fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summarizer import summarize, summarize_many
from summarizer.batch import BatchOptions, run_batch
from summarizer.config import load_config
from summarizer.document import (
    decode_bytes,
    document_from_text,
    expand_inputs,
    load_document,
)
from summarizer.errors import DocumentError
from summarizer.schema import Summary

REPORT = (
    "临江高新区召开一季度经济运行调度会\n\n"
    "4月12日，临江高新区召开一季度经济运行调度会。一季度，全区地区生产总值完成86.4亿元，同比增长5.2%；"
    "规模以上工业增加值同比增长9.8%，居全市第二。\n\n"
    "会议要求，要加快重点项目建设，力争上半年固定资产投资增长12%左右。\n"
)
#: The same report as a Taiwan or Hong Kong page would carry it, in traditional characters.
REPORT_TRADITIONAL = (
    "臨江高新區召開一季度經濟運行調度會\n\n"
    "4月12日，臨江高新區召開一季度經濟運行調度會。一季度，全區地區生產總值完成86.4億元，同比增長5.2%；"
    "規模以上工業增加值同比增長9.8%，居全市第二。\n\n"
    "會議要求，要加快重點項目建設，力爭上半年固定資產投資增長12%左右。\n"
)
HANG_GUARD = 60  # seconds; every case here takes well under one


def run_cli(*args: str, cwd: Path, stdin: str | None = None, timeout: float = HANG_GUARD) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for variable in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SUMMARIZER_PROVIDER", "SUMMARIZER_CONFIG"):
        env.pop(variable, None)
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args], check=False,
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def within(seconds: float, function: Callable[[], Any]) -> Any:
    """``function()``'s result or exception, or a test failure when it has not returned in ``seconds``."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds}s: it hangs or reads without bound"
    if "error" in result:
        raise result["error"]
    return result.get("value")


def manifest_entries(out: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in manifest["entries"]}


# --- bounded reading -------------------------------------------------------------------------


def test_a_fifo_given_directly_fails_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = run_cli("summarize", str(fifo), "--backend", "rules", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    entry = manifest_entries(tmp_path / "out")[str(fifo)]
    assert entry["status"] == "failed" and entry["error"] == "not a regular file"


def test_a_fifo_matched_by_a_glob_fails_and_the_rest_is_done(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    result = run_cli("summarize", str(tmp_path / "*.txt"), "--backend", "rules", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    entries = manifest_entries(tmp_path / "out")
    assert entries[str(tmp_path / "good.txt")]["status"] == "done"
    assert entries[str(tmp_path / "pipe.txt")] == {**entries[str(tmp_path / "pipe.txt")], "status": "failed", "error": "not a regular file"}


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_symlink_to_dev_zero_fails_fast(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(DocumentError) as caught:
        within(HANG_GUARD, lambda: load_document(link))
    assert caught.value.reason == "not a regular file"
    result = run_cli("summarize", str(link), "--backend", "rules", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert manifest_entries(tmp_path / "out")[str(link)]["error"] == "not a regular file"


def test_the_batch_never_opens_what_is_not_a_regular_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading and the manifest's content hash both look before they open."""
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    opened: list[str] = []
    real_os_open, real_io_open = os.open, __import__("io").open

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(name: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(name, (str, os.PathLike)) and os.fspath(name) == str(fifo):
                opened.append(os.fspath(name))
                raise OSError(f"the test refuses to open {name}")  # instead of blocking on it
            return real(name, *args, **kwargs)

        return guarded

    monkeypatch.setattr(os, "open", spy(real_os_open))
    monkeypatch.setattr("io.open", spy(real_io_open))
    monkeypatch.setattr("builtins.open", spy(real_io_open))
    report = within(HANG_GUARD, lambda: run_batch(
        [str(fifo), str(tmp_path / "good.txt")], BatchOptions(out_dir=tmp_path / "out", backend="rules"), load_config()
    ))
    assert opened == []
    assert report.count("done") == 1 and report.count("failed") == 1
    assert manifest_entries(tmp_path / "out")[str(fifo)]["sha256"] is None


def test_standard_input_is_read_when_the_input_is_a_dash(tmp_path: Path) -> None:
    result = run_cli("summarize", "-", "--backend", "rules", cwd=tmp_path, stdin=REPORT)
    assert result.returncode == 0, result.stderr
    summary = Summary.model_validate_json(result.stdout)
    assert any(metric.value == 86.4 for metric in summary.metrics)
    too_long = run_cli("summarize", "-", "--backend", "rules", "--max-bytes", "100", cwd=tmp_path, stdin=REPORT)
    assert too_long.returncode == 1 and "-: too large" in too_long.stderr


def test_a_text_given_to_the_library_has_the_same_size_limit(tmp_path: Path) -> None:
    config = load_config(max_bytes=2000)
    text = REPORT * 20  # about 6 KB of UTF-8, well over 2,000 bytes
    with pytest.raises(DocumentError, match="too large"):
        summarize(text, backend="rules", config=config)
    [outcome] = list(summarize_many([text], backend="rules", config=config))
    assert not outcome.ok and "too large" in (outcome.error or "")
    assert summarize(REPORT, backend="rules", config=config).metrics  # within the limit: fine
    with pytest.raises(DocumentError, match="too large"):
        document_from_text("增" * 700, max_bytes=2000)  # 700 characters, 2,100 bytes


# --- honest decoding -------------------------------------------------------------------------


def test_a_nul_byte_in_utf8_is_a_failure_at_its_position(tmp_path: Path) -> None:
    data = REPORT.encode("utf-8")
    at = data.index("地区".encode())
    payload = data[:at] + b"\x00" + data[at:]
    if len(payload) % 2:  # an even length is what made it pass for UTF-16 before
        payload += b"\n"
    path = tmp_path / "nul.txt"
    path.write_bytes(payload)
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert caught.value.reason == f"undecodable: a NUL byte at byte {at} of otherwise valid UTF-8 text"


def test_utf16_without_a_bom_still_loads() -> None:
    assert decode_bytes("Report 2023: growth 5.2%\n".encode("utf-16-le"), name="x")[1] == "utf-16-le"


def test_big5_is_read_as_big5(tmp_path: Path) -> None:
    path = tmp_path / "big5.txt"
    path.write_bytes(REPORT_TRADITIONAL.encode("big5"))
    document = load_document(path)
    assert document.encoding == "big5"
    assert "全区地区生产总值完成86.4亿元" in document.text  # simplified by cleaning, figures intact
    summary = summarize(path, backend="rules")
    assert any(metric.value == 86.4 and metric.unit == "億元" for metric in summary.metrics)  # as the page wrote it


@pytest.mark.parametrize("text", ["經濟運行", "臨江高新區", "召開調度會議", "全區生產總值", "力爭增長"])
def test_short_big5_is_right_or_uncertain_never_garbage(text: str) -> None:
    try:
        decoded, encoding = decode_bytes(text.encode("big5"), name="x")
    except DocumentError as error:
        assert "uncertain encoding" in error.reason
    else:
        assert (decoded, encoding) == (text, "big5")


def test_gbk_stays_gb18030() -> None:
    simplified = "临江高新区召开一季度经济运行调度会。全区地区生产总值完成86.4亿元。"
    assert decode_bytes(simplified.encode("gbk"), name="x") == (simplified, "gb18030")


# --- every input accounted for ---------------------------------------------------------------


def hostile_folder(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(REPORT, encoding="utf-8")
    (docs / "loop.txt").symlink_to("loop.txt")  # a link to itself
    os.mkfifo(docs / "pipe.txt")
    (docs / "folder.txt").mkdir()  # a directory named like a document
    (docs / "folder.txt" / "inner.txt").write_text(REPORT.replace("86.4", "91.3"), encoding="utf-8")
    (docs / "gone.md").symlink_to("nowhere.md")  # a broken link
    (docs / "sub").mkdir()
    (docs / "sub" / "up").symlink_to("..")  # a loop through a folder
    (docs / "locked").mkdir()
    (docs / "locked" / "secret.txt").write_text(REPORT, encoding="utf-8")
    if os.geteuid() != 0:  # root reads it anyway: the fixture below fakes the refusal for everyone
        (docs / "locked").chmod(0o000)
    return docs


@pytest.fixture()
def unreadable_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    """``docs/locked`` cannot be listed: chmod 000 where it bites, and faked for root, whom it does not stop."""
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(os.fspath(path)).name == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_every_path_a_folder_scan_meets_gets_an_entry(tmp_path: Path, unreadable_locked: None) -> None:
    docs = hostile_folder(tmp_path)
    report = within(HANG_GUARD, lambda: run_batch(
        [str(docs)], BatchOptions(out_dir=tmp_path / "out", backend="rules"), load_config()
    ))
    entries = manifest_entries(tmp_path / "out")
    relative = {Path(path).relative_to(docs).as_posix(): entry for path, entry in entries.items()}
    assert relative["good.txt"]["status"] == "done"
    assert relative["folder.txt/inner.txt"]["status"] == "done"
    reasons = {name: entry["error"] for name, entry in relative.items() if entry["status"] == "failed"}
    assert reasons == {
        "loop.txt": "symbolic link loop",
        "pipe.txt": "not a regular file",
        "folder.txt": "is a directory, not a file (the files inside it are read on their own)",
        "gone.md": "broken symbolic link: what it points to does not exist",
        "sub/up": "symbolic link loop: leads back to a folder that holds it",
        "locked": "unreadable folder: permission denied",
    }
    assert report.total == len(entries) == 8


def test_no_traceback_reaches_the_user_for_a_hostile_folder(tmp_path: Path) -> None:
    docs = hostile_folder(tmp_path)
    result = run_cli("summarize", str(docs), str(docs / "*.txt"), "--backend", "rules", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr
    entries = manifest_entries(tmp_path / "out")
    assert entries[str(docs / "good.txt")]["status"] == "done"
    assert entries[str(docs / "loop.txt")]["error"] == "symbolic link loop"


def test_a_loop_matched_by_a_glob_does_not_abort_the_batch(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    files, errors = expand_inputs([str(tmp_path / "*.txt")])
    assert files == [tmp_path / "good.txt"]
    assert [(Path(e.path).name, e.reason) for e in errors] == [("a.txt", "symbolic link loop"), ("b.txt", "symbolic link loop")]
    report = run_batch([str(tmp_path / "*.txt")], BatchOptions(out_dir=tmp_path / "out", backend="rules"), load_config())
    assert (report.count("done"), report.count("failed")) == (1, 2)


def test_a_name_near_the_limit_is_summarised_and_one_over_it_fails(tmp_path: Path) -> None:
    long_name = "经济运行" * 20 + "a" * 6 + ".txt"  # 250 bytes of UTF-8: allowed, but not with .tmp suffixes
    assert len(long_name.encode("utf-8")) == 250
    (tmp_path / long_name).write_text(REPORT, encoding="utf-8")
    too_long = tmp_path / ("b" * 300 + ".txt")
    result = run_cli("summarize", str(tmp_path / long_name), str(too_long), "--backend", "rules", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    entries = manifest_entries(tmp_path / "out")
    done = entries[str(tmp_path / long_name)]
    assert done["status"] == "done" and (tmp_path / "out" / done["output"]).is_file()
    assert len(done["output"].encode("utf-8")) < 200
    assert entries[str(too_long)] == {**entries[str(too_long)], "status": "failed", "error": "name too long for the file system"}


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_fails_with_its_reason(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(REPORT, encoding="utf-8")
    with open(os.fsencode(docs) + b"/\xff\xfe.txt", "wb") as stream:
        stream.write(REPORT.encode("utf-8"))
    result = run_cli("summarize", str(docs), "--backend", "rules", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    entries = manifest_entries(tmp_path / "out")
    assert entries[str(docs / "good.txt")]["status"] == "done"
    assert entries[str(docs / "\ufffd\ufffd.txt")]["error"] == "file name is not valid UTF-8; rename the file"


def test_a_folder_named_twice_is_read_once_without_a_spurious_error(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "alias").symlink_to(docs)
    files, errors = expand_inputs([str(docs), str(docs), str(tmp_path / "alias")])
    assert files == [docs / "a.txt"] and errors == []


# --- deep HTML -------------------------------------------------------------------------------


def nested_page(levels: int) -> str:
    return (
        "<html><head><title>南塘区经济运行分析会</title></head><body>" + "<div>" * levels
        + "<p>上半年，全区一般公共预算收入完成12.6亿元，同比增长8.1%。</p>" + "</div>" * levels + "</body></html>"
    )


@pytest.mark.parametrize("levels", [255, 300, 1500])
def test_html_nested_hundreds_of_levels_keeps_its_text(levels: int) -> None:
    document = within(HANG_GUARD, lambda: document_from_text(nested_page(levels), name="deep.html"))
    assert "一般公共预算收入完成12.6亿元" in document.text


def test_html_nested_beyond_what_can_be_read_fails_with_that_reason(tmp_path: Path) -> None:
    path = tmp_path / "deeper.html"
    path.write_text(nested_page(5000), encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        within(HANG_GUARD, lambda: load_document(path))
    assert caught.value.path == str(path)
    assert caught.value.reason.startswith("HTML nested too deeply")
    assert "site chrome" not in caught.value.reason

"""Bounded HTTP benchmark: the real CLI against hostile loopback servers (issues 13 and 14).

    python bench/http_limits.py            # every scenario
    python bench/http_limits.py --size-mb 600

For each scenario: the command's exit code, wall time, the child's peak RSS (``os.wait4``), the
requests the server received and the reason the manifest gives. Bars (issue 14): a 600 MB answer
is refused with memory under 500 MB and fetched once; a server that drips a byte a second is cut
at ``--timeout``; Ctrl-C while the server hangs stops the run within a few seconds; a closed port
with 500 documents fails within 10 s (issue 13).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.devserver import DevServer, Reply  # noqa: E402

REPORT = (
    "云溪高新区召开上半年经济运行分析会\n"
    "7月18日，云溪高新区召开上半年经济运行分析会。会议指出，上半年全区地区生产总值完成120.5亿元，"
    "同比增长6.2%。会议要求，下半年要抓项目建设。"
)
KEY = "sk-bench-0123456789abcdefghij"


def documents(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"d{index:04d}.txt").write_text(REPORT.replace("云溪", f"云溪{index}"), encoding="utf-8")
    return folder


def run(args: list[str], cwd: Path, *, interrupt_when: threading.Event | None = None) -> dict[str, object]:
    """Run the command; with ``interrupt_when``, send SIGINT once it is set. Returns the figures."""
    env = {**os.environ, "OPENAI_API_KEY": KEY, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(cwd / "no-config")}
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "summarizer", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        interrupted_at = None
        if interrupt_when is not None:
            interrupt_when.wait(120)
            time.sleep(0.3)
            interrupted_at = time.perf_counter()
            process.send_signal(signal.SIGINT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        ended = time.perf_counter()
        log.seek(0)
        errors = log.read().decode("utf-8", "replace")
    figures: dict[str, object] = {
        "exit": process.returncode,
        "seconds": round(ended - started, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        "last_line": " ".join(errors.split())[-160:],
    }
    if interrupted_at is not None:
        figures["stopped_after_ctrl_c_s"] = round(ended - interrupted_at, 2)
    return figures


def reason(out: Path) -> str | None:
    try:
        entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["entries"]
    except (OSError, ValueError, KeyError):
        return None
    return next((entry["error"] for entry in entries if entry.get("error")), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=600, help="Size of the huge answer.")
    options = parser.parse_args()
    size = options.size_mb * 2**20
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        one = documents(work / "one", 1)
        results: dict[str, dict[str, object]] = {}
        common = ["--backend", "llm", "--model", "bench", "--no-cache"]

        for name, reply in (
            (f"huge {options.size_mb} MB, chunked", Reply.huge(size)),
            (f"huge {options.size_mb} MB, Content-Length", Reply.huge(size, declare_length=True)),
        ):
            with DevServer([reply]) as server:
                out = work / name.replace(" ", "_").replace(",", "")
                figures = run(["summarize", str(one), "-o", str(out), "--base-url", server.base_url, *common], work)
                figures["server_requests"] = len(server.requests)
                figures["reason"] = reason(out)
                results[name] = figures

        with DevServer([Reply.drip(1.0)]) as server:
            out = work / "drip"
            figures = run(["summarize", str(one), "-o", str(out), "--base-url", server.base_url, "--timeout", "3",
                           "--max-retries", "0", *common], work)  # fmt: skip
            figures["server_requests"] = len(server.requests)
            figures["reason"] = reason(out)
            results["drip 1 byte/s, --timeout 3"] = figures

        many = documents(work / "many", 500)
        arrived = threading.Event()

        def hang(_request: object) -> Reply:
            arrived.set()
            return Reply.hang()

        with DevServer(hang) as server:
            figures = run(["summarize", str(many), "-o", str(work / "hang"), "--base-url", server.base_url,
                           "--timeout", "120", *common], work, interrupt_when=arrived)  # fmt: skip
            figures["server_requests"] = len(server.requests)
            results["Ctrl-C while the server hangs (500 docs)"] = figures

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        out = work / "closed"
        figures = run(["summarize", str(many), "-o", str(out), "--base-url", f"http://127.0.0.1:{port}/v1", *common], work)
        entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["entries"]
        figures["not_attempted"] = sum(entry["status"] == "not_attempted" for entry in entries)
        results["closed port, 500 docs"] = figures

    for name, figures in results.items():
        print(f"{name}:")
        for key, value in figures.items():
            print(f"    {key}: {value}")


if __name__ == "__main__":
    main()

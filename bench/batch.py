"""Batch benchmark: the real CLI against the loopback dev server, and the rules backend at scale.

    python bench/batch.py              # full run (several minutes)
    python bench/batch.py --quick      # smaller figures, same measurements

Prints:
- LLM path: wall time of N documents at concurrency C with a fixed per-request latency L, as a
  ratio to the ideal N*L/C (bar: <= 1.15); a cached re-run as a ratio to the first run (bar:
  <= 0.05, with zero requests).
- Rules backend: documents per second, and time and peak memory for 100 vs 10,000 documents
  (time should grow linearly, memory stay flat).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import generate_corpus  # noqa: E402
from summarizer.devserver import DevServer  # noqa: E402


def write_corpus(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, text in enumerate(generate_corpus(count)):
        (folder / f"doc{index:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB of the child, result)."""
    with tempfile.TemporaryFile() as log:  # a pipe nobody reads would fill and stall the child
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "summarizer", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            sys.exit(f"summarizer exited {os.waitstatus_to_exitcode(status)}: {log.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss


def bench_llm(work: Path, documents: int, latency: float, concurrency: int) -> None:
    docs = write_corpus(work / "llm-docs", documents)
    ideal = documents * latency / concurrency
    env = {**os.environ, "OPENAI_API_KEY": "bench-key-not-secret"}
    with DevServer(latency=latency) as server:
        common = [
            "summarize", str(docs), "--backend", "llm", "--base-url", server.base_url, "--model", "bench",
            "--concurrency", str(concurrency), "--cache-dir", str(work / "cache"),
        ]
        first, _ = run_cli([*common, "-o", str(work / "llm-out-1")], env)
        requests_first = server.totals.requests
        second, _ = run_cli([*common, "-o", str(work / "llm-out-2")], env)
        requests_second = server.totals.requests - requests_first
    manifest = json.loads((work / "llm-out-1" / "manifest.json").read_text(encoding="utf-8"))
    failed = sum(1 for entry in manifest["entries"] if entry["status"] != "done")
    print(f"LLM path: N={documents} documents, L={latency:.2f} s per request, C={concurrency}")
    print(f"  ideal N*L/C            {ideal:8.2f} s")
    print(f"  first run              {first:8.2f} s   ratio to ideal {first / ideal:.3f}   (bar <= 1.15)   requests {requests_first}, failed {failed}")
    print(f"  cached re-run          {second:8.2f} s   ratio to first {second / first:.3f}   (bar <= 0.05)   requests {requests_second}")


def bench_rules(work: Path, small: int, large: int) -> None:
    print(f"Rules backend (batch CLI, JSON outputs, concurrency 2): {small} vs {large} documents")
    env = dict(os.environ)
    figures = {}
    for count in (small, large):
        docs = write_corpus(work / f"rules-docs-{count}", count)
        seconds, peak_kib = run_cli(
            ["summarize", str(docs), "--backend", "rules", "--concurrency", "2", "-o", str(work / f"rules-out-{count}")], env
        )
        figures[count] = (seconds, peak_kib)
        print(f"  {count:6d} documents  {seconds:8.2f} s  {count / seconds:8.1f} docs/s  peak RSS {peak_kib / 1024:7.1f} MiB")
    (t_small, m_small), (t_large, m_large) = figures[small], figures[large]
    print(f"  time ratio {t_large / t_small:.1f} for {large // small}x the documents; peak memory ratio {m_large / m_small:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller runs (ideal LLM time 8 s, 2,000 rules documents)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="summarizer-bench-") as folder:
        work = Path(folder)
        # A one-second answer is quick for a hosted model; N*L/C is 30 s in the full run.
        if args.quick:
            bench_llm(work, documents=32, latency=1.0, concurrency=4)
            bench_rules(work, small=100, large=2_000)
        else:
            bench_llm(work, documents=120, latency=1.0, concurrency=4)
            bench_rules(work, small=100, large=10_000)


if __name__ == "__main__":
    main()

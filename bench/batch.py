"""Batch benchmark: the real CLI against the loopback dev server, and the rules backend at scale.

    python bench/batch.py              # full run (several minutes)
    python bench/batch.py --quick      # smaller figures, same measurements

Prints:
- LLM path: wall time of 96 documents, one request each, at concurrency C with a fixed per-request
  latency L of 1 s, start-up included, as a ratio to the ideal N*L/C (bars: <= 1.15 at C=8, <= 1.25
  at C=32); the time from launch to the first request (bar: <= 1.5 s); the client's CPU per
  document beyond a one-document run (bar: <= 25 ms); a cached re-run (bar: <= 2 s, zero requests);
  the full run also C=8 against a server that leaves Nagle's algorithm on.
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

from bench.corpus import generate_corpus
from summarizer.devserver import ChatRequest, DevServer, Reply, default_responder


def write_corpus(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, text in enumerate(generate_corpus(count)):
        (folder / f"doc{index:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def installed_like(env: dict[str, str], work: Path) -> dict[str, str]:
    """``env`` with bytecode cached, as an installed tool has it (pip compiles on install).

    Without it, a shell that sets PYTHONDONTWRITEBYTECODE (this sandbox's does) compiles every module
    of the package from source at each start, some 60 ms that no user pays. The bytecode goes to a
    folder of the benchmark's own, not into the checkout.
    """
    cached = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**cached, "PYTHONPYCACHEPREFIX": str(work / "bytecode")}


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in KiB, CPU seconds user+system) of one CLI run in a child process."""
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
    return seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


class _Answers:
    """The dev server's default answers, worked out once per prompt before the timed runs.

    The dev server runs in this process: were it to work out an answer during a timed run, its CPU
    would compete with the client's on a small machine and stretch the latency it promises.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], Reply] = {}
        self.first_request: float | None = None

    def __call__(self, request: ChatRequest) -> Reply:
        if self.first_request is None:
            self.first_request = time.perf_counter()
        key = (request.user_text(), request.mode)
        if key not in self._known:
            self._known[key] = default_responder(request)
        return self._known[key]


def _llm_options(server: DevServer) -> list[str]:
    return ["--backend", "llm", "--base-url", server.base_url, "--model", "bench"]


def bench_llm(work: Path, documents: int, latency: float, concurrencies: tuple[int, ...], nagle: bool = False) -> None:
    """``nagle``: also at the first concurrency against a server that leaves Nagle's algorithm on
    (as Python's own HTTP server does), where the client must acknowledge at once."""
    docs = write_corpus(work / "llm-docs", documents)
    one = write_corpus(work / "llm-one", 1)
    env = installed_like({**os.environ, "OPENAI_API_KEY": "bench-key-not-secret"}, work)
    answers = _Answers()
    print(f"LLM path: N={documents} documents, L={latency:.2f} s per request, one request each, start-up included")
    with DevServer(answers, latency=0.0) as server:  # the answers, worked out untimed
        base = [*_llm_options(server), "--no-cache"]
        run_cli(["summarize", str(docs), *base, "--concurrency", "8", "-o", str(work / "warm")], env)
        _, _, cpu_one = run_cli(["summarize", str(one), *base, "-o", str(work / "one")], env)
    cases = [(concurrency, True) for concurrency in concurrencies] + ([(concurrencies[0], False)] if nagle else [])
    for concurrency, nodelay in cases:
        ideal = documents * latency / concurrency
        cache = work / f"cache-{concurrency}-{nodelay}"
        with DevServer(answers, latency=latency, nodelay=nodelay) as server:
            common = ["summarize", str(docs), *_llm_options(server), "--concurrency", str(concurrency),
                      "--cache-dir", str(cache)]
            answers.first_request = None
            launched = time.perf_counter()
            first, _, cpu = run_cli([*common, "-o", str(work / f"llm-out-{concurrency}-{nodelay}")], env)
            startup = (answers.first_request or launched) - launched
            requests_first = server.totals.requests
            second, _, _ = run_cli([*common, "-o", str(work / f"llm-again-{concurrency}-{nodelay}")], env)
            requests_second = server.totals.requests - requests_first
        manifest = json.loads((work / f"llm-out-{concurrency}-{nodelay}" / "manifest.json").read_text(encoding="utf-8"))
        failed = sum(1 for entry in manifest["entries"] if entry["status"] != "done")
        per_document = (cpu - cpu_one) / (documents - 1) * 1000
        if not nodelay:
            print("  a server without TCP_NODELAY:")
        print(f"  C={concurrency:<3} ideal N*L/C {ideal:6.2f} s   first run {first:6.2f} s   ratio {first / ideal:.3f}"
              f"   requests {requests_first}, failed {failed}")
        print(f"        start-up to first request {startup:.2f} s (ratio from the first request {(first - startup) / ideal:.3f})"
              f"   client CPU {per_document:.1f} ms per document"
              f"   cached re-run {second:.2f} s with {requests_second} requests")
    print("  bars: ratio <= 1.15 at C=8 and <= 1.25 at C=32; <= 25 ms CPU per document; start-up <= 1.5 s;"
          " cached re-run <= 2 s with 0 requests")


def bench_rules(work: Path, small: int, large: int) -> None:
    print(f"Rules backend (batch CLI, JSON outputs, concurrency 2): {small} vs {large} documents")
    env = installed_like(dict(os.environ), work)
    figures = {}
    for count in (small, large):
        docs = write_corpus(work / f"rules-docs-{count}", count)
        seconds, peak_kib, _ = run_cli(
            ["summarize", str(docs), "--backend", "rules", "--concurrency", "2", "-o", str(work / f"rules-out-{count}")], env
        )
        figures[count] = (seconds, peak_kib)
        print(f"  {count:6d} documents  {seconds:8.2f} s  {count / seconds:8.1f} docs/s  peak RSS {peak_kib / 1024:7.1f} MiB")
    (t_small, m_small), (t_large, m_large) = figures[small], figures[large]
    print(f"  time ratio {t_large / t_small:.1f} for {large // small}x the documents; peak memory ratio {m_large / m_small:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="C=8 only, and 2,000 rules documents")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="summarizer-bench-") as folder:
        work = Path(folder)
        # A one-second answer is quick for a hosted model: the client's own costs show.
        if args.quick:
            bench_llm(work, documents=96, latency=1.0, concurrencies=(8,))
            bench_rules(work, small=100, large=2_000)
        else:
            bench_llm(work, documents=96, latency=1.0, concurrencies=(8, 32), nagle=True)
            bench_rules(work, small=100, large=10_000)


if __name__ == "__main__":
    main()

"""Eval concurrency: the holdout suite scored by the LLM backend against the loopback dev server.

    python bench/eval_concurrency.py [--latency 1.0]

Prints the wall time of ``run_eval`` at --concurrency 1, 2 and 5 with a fixed per-request latency,
and the ratio to the serial run: fixtures scored concurrently should approach 1/C of it (the
rules-side work per fixture and the scoring stay serial under the GIL).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.config import load_config
from summarizer.devserver import DevServer
from summarizer.evaluation import run_eval


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=1.0)
    args = parser.parse_args()
    serial = None
    for workers in (1, 2, 5):
        with DevServer(latency=args.latency) as server, tempfile.TemporaryDirectory() as cache:
            config = load_config(base_url=server.base_url, model="bench", cache_dir=Path(cache),
                                 use_cache=False, concurrency=workers)
            started = time.perf_counter()
            code = run_eval("llm", suite="holdout", project=ROOT, config=config, concurrency=workers,
                            stdout=io.StringIO(), stderr=io.StringIO())
            seconds = time.perf_counter() - started
            requests = server.totals.requests
        serial = serial or seconds
        print(f"concurrency {workers}: {seconds:.2f} s, {requests} requests, exit {code}, "
              f"{serial / seconds:.2f}x the serial run")


if __name__ == "__main__":
    main()

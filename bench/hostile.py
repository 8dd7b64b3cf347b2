"""Hostile-but-valid inputs for the rules pipeline: every stage must stay linear (or n·log n).

    python bench/hostile.py                  # 5 MB / 100,000 numbers, and a 1 MB single line
    python bench/hostile.py --mb 1 --line-mb 0.2   # smaller, same shapes
    python bench/hostile.py --stages         # and the seconds of each stage, in-process
    python bench/hostile.py --profile many   # cProfile of one input, in-process (top 25 by cumulative time)

Two invented documents, built here at run time:

* **many numbers**: about 5 MB of UTF-8 in paragraphs of genre sentences (levels, growth, ranks,
  targets, counts, lists), dense enough for about 100,000 numbers (issue 14: a 474 KB file with
  20,000 numbers did not finish in 10 minutes);
* **one line**: about 1 MB of UTF-8 with no line break and only a few full stops: clause after
  clause joined by commas (issue 14: a 200,000-character line took 212 s in the clause floor).

Each runs as ``summarizer summarize FILE --backend rules`` in a child process (what a user runs),
and the figures are its wall time, its CPU time (user + system: what the wall time would be on a
core of its own, whatever else the machine runs) and its peak RSS. The bar: each under 10 s on one core.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ORGS = ("临江高新区", "青川经开区", "东岭县", "南塘示范区", "北湖高新区", "西坪开发区")
LEVELS = ("地区生产总值", "一般公共预算收入", "社会消费品零售总额", "进出口总额", "工业投资", "税收收入")
GROWTHS = ("规上工业增加值", "固定资产投资", "规上服务业营业收入", "高新技术产业增加值", "技改投资")
COUNTS = ("市场主体", "高新技术企业", "科技型中小企业", "签约项目", "新开工项目", "省级研发平台")
PROSE = (
    "会议强调，要坚持稳字当头、稳中求进，抓好项目建设和招商引资工作。",
    "同时也要清醒看到，部分指标增速放缓，项目储备不足的问题依然存在。",
    "要持续深化放管服改革，优化营商环境，切实解决企业急难愁盼问题。",
)


def _sentence(rng: random.Random, prose: float) -> str:
    """One genre sentence: a sentence of prose with probability ``prose``, else one with numbers."""
    if rng.random() < prose:
        return rng.choice(PROSE)
    org, roll = rng.choice(ORGS), rng.random()
    if roll < 0.30:
        return (f"上半年，{org}{rng.choice(LEVELS)}完成{rng.uniform(1, 500):.2f}亿元，"
                f"同比增长{rng.uniform(0.1, 20):.1f}%，居全市第{rng.choice('一二三四五')}。")
    if roll < 0.50:
        return (f"其中，{rng.choice(GROWTHS)}同比{rng.choice(('增长', '下降'))}{rng.uniform(0.1, 15):.1f}%，"
                f"高于全省平均{rng.uniform(0.1, 6):.1f}个百分点。")
    if roll < 0.68:
        return (f"新增{rng.choice(COUNTS)}{rng.randint(2, 900)}家、{rng.choice(COUNTS)}{rng.randint(2, 90)}个，"
                f"累计服务企业{rng.randint(10, 90)}家、{rng.uniform(0.5, 9):.1f}万人次。")
    if roll < 0.82:
        return (f"下半年，{org}力争{rng.choice(GROWTHS)}增长{rng.randint(5, 15)}%左右，"
                f"新签约亿元以上项目{rng.randint(10, 60)}个以上。")
    if roll < 0.92:
        a, b = rng.sample(LEVELS, 2)
        return f"{a}、{b}分别增长{rng.uniform(1, 9):.1f}%、{rng.uniform(1, 9):.1f}%。"
    return rng.choice(PROSE)


#: Share of number-free sentences that makes 5 MB hold the issue's 100,000 numbers (20 per KB).
PROSE_SHARE = 0.24


def many_numbers(megabytes: float = 5.0, seed: int = 14, prose: float = PROSE_SHARE) -> str:
    """Paragraphs of genre sentences until the UTF-8 size reaches ``megabytes`` (about 20 numbers per KB)."""
    rng = random.Random(seed)
    parts = ["临江高新区召开上半年经济运行分析会\n\n"]
    size, goal = len(parts[0].encode("utf-8")), int(megabytes * 1_000_000)
    while size < goal:
        paragraph = "".join(_sentence(rng, prose) for _ in range(rng.randint(2, 6))) + "\n\n"
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    return "".join(parts)


def one_line(megabytes: float = 1.0, seed: int = 15, full_stops: int = 3) -> str:
    """About ``megabytes`` of UTF-8 on one line: clauses joined by commas, ``full_stops`` 。 in all."""
    rng = random.Random(seed)
    clauses: list[str] = []
    size, goal = 0, int(megabytes * 1_000_000)
    while size < goal:
        roll = rng.random()
        if roll < 0.4:
            clause = f"{rng.choice(LEVELS)}完成{rng.uniform(1, 500):.2f}亿元"
        elif roll < 0.6:
            clause = f"同比增长{rng.uniform(0.1, 20):.1f}%"
        elif roll < 0.75:
            clause = f"新增{rng.choice(COUNTS)}{rng.randint(2, 900)}家"
        else:
            clause = rng.choice(("持续优化营商环境", "加快推进项目建设", "全力以赴抓招商（含线上、线下）", "稳住经济基本盘"))
        clauses.append(clause)
        size += len(clause.encode("utf-8")) + 3
    stops = {len(clauses) * (k + 1) // (full_stops + 1) for k in range(full_stops)}
    return "".join(c + ("。" if i in stops else "，") for i, c in enumerate(clauses))[:-1] + "。"


def count_numbers(text: str) -> int:
    from summarizer.quantities import extract_quantities

    return sum(1 for q in extract_quantities(text) if not q.is_time)


def run_cli(path: Path, timeout: float) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in KiB) of ``summarizer summarize PATH --backend rules``; inf if killed."""
    with tempfile.TemporaryFile() as log:  # a pipe nobody reads would fill and stall the child
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "summarizer", "summarize", str(path), "--backend", "rules"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
        )
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        killer.cancel()
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        if code == -signal.SIGKILL:
            return float("inf"), cpu, usage.ru_maxrss
        if code != 0:
            log.seek(0)
            sys.exit(f"summarizer exited {code}: {log.read().decode()[-2000:]}")
    return seconds, cpu, usage.ru_maxrss


def profile(text: str, top: int = 25) -> None:
    import cProfile
    import pstats

    from summarizer.api import summarize_document
    from summarizer.backends.rules import RulesBackend
    from summarizer.document import document_from_text

    backend = RulesBackend()
    summarize_document(document_from_text("上半年，全区地区生产总值完成1亿元。"), backend)  # warm-up: jieba, lexicons
    profiler = cProfile.Profile()
    profiler.enable()
    summarize_document(document_from_text(text), backend)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def stages(path: Path) -> None:
    """Seconds per stage of the pipeline, in-process (the rules backend's stages one by one)."""
    import functools

    from summarizer import grounding
    from summarizer.backends.rules import RulesBackend
    from summarizer.backends.rules import backend as rules
    from summarizer.document import document_from_text, load_document
    from summarizer.quantities import extract_quantities
    from summarizer.render import render

    seconds: dict[str, float] = {}

    def timed(name: str, label: str) -> None:
        function = getattr(rules, name)

        @functools.wraps(function)
        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - started

        setattr(rules, name, wrapper)

    backend = RulesBackend()
    warm = "上半年，临江高新区地区生产总值完成1亿元。"
    grounding.enforce(backend.summarize(document_from_text(warm), extract_quantities(warm)), extract_quantities(warm))
    for name, label in (("extract_meta", "meta"), ("segment", "segmentation"), ("extract_narrative", "narrative"),
                        ("extract_metrics", "metrics"), ("extract_targets", "targets")):
        timed(name, label)

    def step(label: str, function, *args):  # noqa: ANN001, ANN202
        started = time.perf_counter()
        result = function(*args)
        seconds[label] = time.perf_counter() - started
        return result

    document = step("loading", load_document, path)
    quantities = step("pre-extraction", extract_quantities, document.text)
    summary = step("rules backend", backend.summarize, document, quantities)
    summary = step("grounding", grounding.enforce, summary, quantities)
    step("rendering", render, summary, "json")
    for label in ("loading", "pre-extraction", "meta", "segmentation", "narrative", "metrics", "targets",
                  "rules backend", "grounding", "rendering"):
        print(f"  {label:15} {seconds.get(label, 0.0):6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of the many-numbers document (default 5 MB)")
    parser.add_argument("--line-mb", type=float, default=1.0, help="size of the single line (default 1 MB)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on a run after this many seconds")
    parser.add_argument("--profile", choices=("many", "line"), help="profile one input in-process instead")
    parser.add_argument("--stages", action="store_true", help="also print the seconds of each stage (in-process)")
    args = parser.parse_args()
    inputs = {"many": many_numbers(args.mb), "line": one_line(args.line_mb)}
    if args.profile:
        profile(inputs[args.profile])
        return
    with tempfile.TemporaryDirectory() as work:
        # Every child runs before this process does any work of its own: a child's peak RSS starts
        # from its parent's (fork), so the figures are the CLI's alone.
        runs = {}
        for label, text in inputs.items():
            path = Path(work) / f"{label}.txt"
            path.write_text(text, encoding="utf-8")
            runs[label] = run_cli(path, args.timeout)
        print("input                      size      chars   numbers    wall      CPU     peak RSS   bar (< 10 s)")
        for label, text in inputs.items():
            seconds, cpu, peak = runs[label]
            shown = "timeout" if seconds == float("inf") else f"{seconds:6.2f} s"
            verdict = "PASS" if seconds < 10 else "FAIL"
            name = {"many": "many numbers (paragraphs)", "line": "one line (few 。)"}[label]
            size = len(text.encode("utf-8")) / 1e6
            print(f"{name:25} {size:5.2f} MB {len(text):9,} {count_numbers(text):9,} {shown:>9} {cpu:6.2f} s "
                  f"{peak / 1024:8.0f} MB   {verdict}")
        if args.stages:
            for label in inputs:
                print(f"stages of {label}:")
                stages(Path(work) / f"{label}.txt")


if __name__ == "__main__":
    main()

"""The library's batch calls: a bad item is one failed Outcome; a failing source iterable loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import asummarize_many, summarize_many
from summarizer.backends.rules import RulesBackend
from summarizer.document import Document
from summarizer.schema import Quantity, Summary

REPORT = (
    "临江高新区召开一季度经济运行调度会\n\n"
    "一季度，全区地区生产总值完成86.4亿元，同比增长5.2%；规模以上工业增加值同比增长9.8%。\n"
)


class SourceBroke(RuntimeError):
    pass


def sources_that_break(good: list[Any], *, after: int) -> Iterator[Any]:
    yield from good[:after]
    raise SourceBroke("the database went away")


def reports(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        path = tmp_path / f"r{index}.txt"
        path.write_text(REPORT.replace("86.4", f"{80 + index}.5"), encoding="utf-8")
        paths.append(path)
    return paths


class ExplodingBackend:
    """The rules backend, but one document makes it fail the way no one planned for."""

    name = "rules"

    def summarize(self, document: Document, quantities: list[Quantity]) -> Summary:
        if "爆" in document.text:
            raise ZeroDivisionError("division by zero")
        return RulesBackend().summarize(document, quantities)


BAD_ITEMS: list[Any] = [42, None, b"bytes are not text", ["a", "list"]]


def test_bad_items_are_failed_outcomes_and_the_rest_go_on(tmp_path: Path) -> None:
    good = reports(tmp_path, 2)
    outcomes = list(summarize_many([good[0], *BAD_ITEMS, REPORT, good[1]], backend="rules"))
    assert len(outcomes) == 2 + len(BAD_ITEMS) + 1
    failed = [o for o in outcomes if not o.ok]
    assert sorted(o.source for o in failed) == sorted(["<int>", "<NoneType>", "<bytes>", "<list>"])
    assert all(o.error and "cannot summarise" in o.error and "\n" not in o.error for o in failed)
    assert sum(o.ok for o in outcomes) == 3


def test_an_unexpected_backend_error_is_one_failed_outcome(tmp_path: Path) -> None:
    good = reports(tmp_path, 2)
    boom = tmp_path / "boom.txt"
    boom.write_text(REPORT + "爆\n", encoding="utf-8")
    outcomes = {Path(o.source).name: o for o in summarize_many([good[0], boom, good[1]], backend=ExplodingBackend())}
    assert outcomes["r0.txt"].ok and outcomes["r1.txt"].ok
    assert not outcomes["boom.txt"].ok
    assert outcomes["boom.txt"].error == f"{boom}: internal error (ZeroDivisionError: division by zero)"


def test_outcomes_finished_before_the_source_breaks_are_delivered_then_it_raises(tmp_path: Path) -> None:
    good = reports(tmp_path, 3)
    delivered: list[Any] = []
    with pytest.raises(SourceBroke, match="database"):
        delivered.extend(summarize_many(sources_that_break(good, after=3), backend="rules", concurrency=1))
    assert sorted(Path(o.source).name for o in delivered) == ["r0.txt", "r1.txt", "r2.txt"]
    assert all(o.ok for o in delivered)


def test_async_bad_items_are_failed_outcomes_and_the_rest_go_on(tmp_path: Path) -> None:
    good = reports(tmp_path, 2)

    async def run() -> list[Any]:
        return [o async for o in asummarize_many([good[0], *BAD_ITEMS, good[1]], backend="rules")]

    outcomes = asyncio.run(run())
    assert len(outcomes) == 2 + len(BAD_ITEMS)
    assert sum(o.ok for o in outcomes) == 2
    assert all("cannot summarise" in (o.error or "") for o in outcomes if not o.ok)


def test_async_outcomes_before_the_source_breaks_are_delivered_then_it_raises(tmp_path: Path) -> None:
    good = reports(tmp_path, 3)
    delivered: list[Any] = []

    async def run() -> None:
        async for outcome in asummarize_many(sources_that_break(good, after=3), backend="rules"):
            delivered.append(outcome)

    with pytest.raises(SourceBroke):
        asyncio.run(run())
    assert sorted(Path(o.source).name for o in delivered) == ["r0.txt", "r1.txt", "r2.txt"]


def test_the_config_concurrency_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer import api
    from summarizer.config import load_config

    workers: list[int] = []
    real_pool = api.ThreadPoolExecutor

    def counting_pool(max_workers: int) -> Any:
        workers.append(max_workers)
        return real_pool(max_workers=max_workers)

    monkeypatch.setattr(api, "ThreadPoolExecutor", counting_pool)
    config = load_config(concurrency=1)
    list(summarize_many(reports(tmp_path, 1), backend="rules", config=config))
    assert workers == [2]  # two workers per model slot

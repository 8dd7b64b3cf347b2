"""The library surface a user calls: text, paths and loaded documents in; grounded summaries out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import summarizer
from summarizer import Summary, document_from_text, summarize, summarize_many

REPORT = (
    "青川经开区召开上半年经济运行分析会\n\n"
    "7月18日,青川经开区召开上半年经济运行分析会。上半年,全区地区生产总值完成152.8亿元,同比增长6.4%;"
    "一般公共预算收入完成9.6亿元,同比下降2.1%。\n\n"
    "会议要求,下半年要加快项目建设,力争全年地区生产总值增长7%左右。\n"
)


def evidence_is_exact(summary: Summary) -> bool:
    items = [*summary.metrics, *summary.targets, *summary.achievements, *summary.problems, *summary.tasks]
    return all(summary.text[i.evidence.start : i.evidence.end] == i.evidence.quote for i in items)


def test_text_in_summary_out(capsys) -> None:
    summary = summarize(REPORT)
    assert summary.diagnostics.backend == "rules"
    assert "rules backend" in capsys.readouterr().err or summary.diagnostics.backend == "rules"
    gdp = next(m for m in summary.metrics if m.canonical_name == "地区生产总值")
    assert (gdp.value, gdp.unit, gdp.growth_pct) == (152.8, "亿元", 6.4)
    revenue = next(m for m in summary.metrics if m.canonical_name == "一般公共预算收入")
    assert revenue.growth_pct == -2.1
    assert any(t.value == 7 and t.measure == "growth" for t in summary.targets)
    assert evidence_is_exact(summary)


def test_a_path_and_a_document_give_the_same_summary(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    from_path = summarize(path, backend="rules")
    from_document = summarize(document_from_text(REPORT), backend="rules")
    assert from_path.metrics == from_document.metrics
    assert from_path.source.path == str(path)


def test_many_yields_every_outcome_and_keeps_going(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(REPORT, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    outcomes = {Path(o.source).name: o for o in summarize_many([good, empty, tmp_path / "gone.txt"], backend="rules")}
    assert outcomes["good.txt"].ok and outcomes["good.txt"].summary is not None
    assert not outcomes["empty.txt"].ok and "empty" in (outcomes["empty.txt"].error or "")
    assert not outcomes["gone.txt"].ok


def test_async_twin_matches_sync() -> None:
    async def run() -> Summary:
        return await summarizer.asummarize(REPORT, backend="rules")

    assert asyncio.run(run()).metrics == summarize(REPORT, backend="rules").metrics


def test_public_surface_is_small_and_importable() -> None:
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None


def test_quotes_of_a_traditional_page_are_also_given_as_the_page_wrote_them() -> None:
    """Cleaning reads 億元 as 亿元; the evidence keeps the cleaned quote (its span holds it) and
    adds the page's own characters, which the Markdown report shows."""
    from summarizer.render import render

    page = "縣委召開經濟運行分析會。前三季度全縣地區生產總值達88.6億元，同比增長6.1%。"
    summary = summarize(page, backend="rules")
    (metric,) = [m for m in summary.metrics if m.value == 88.6]
    evidence = metric.evidence
    assert summary.text[evidence.start : evidence.end] == evidence.quote
    assert "亿元" in evidence.quote and evidence.written is not None
    assert "億元" in evidence.written and len(evidence.written) == len(evidence.quote)
    assert "88.6億元" in render(summary, "md")
    assert metric.unit == "億元" and "生產總值" in metric.name and metric.canonical_name != metric.name

    simplified = summarize("前三季度全县地区生产总值达88.6亿元，同比增长6.1%。", backend="rules")
    assert simplified.metrics and all(m.evidence.written is None for m in simplified.metrics)


def test_a_simplified_page_quoting_a_few_traditional_characters_stays_simplified() -> None:
    """The page's table restores a character only where the page mostly wrote it another way."""
    from summarizer.script import written_characters

    document = document_from_text("全县经济运行平稳，经济总量稳步增长。題詞“經濟”两字。经济结构持续优化。")
    assert document.script_changed
    table = written_characters(document)
    assert "经" not in table and "济" not in table  # written 经济 three times, 經濟 once
    assert table.get("题") == "題"

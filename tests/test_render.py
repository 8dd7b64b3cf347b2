"""What a reader sees in the Markdown report and the CSV table: each item under its own article,
ranks as the text words them, no raw spans or JSON."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from summarizer import summarize
from summarizer.render import CSV_BOM, render


@pytest.fixture(scope="module")
def newspaper_page(example_paths: list[Path]):
    """The shipped newspaper page: three short articles of three different bodies."""
    page = next(path for path in example_paths if path.name == "linjiang_daily_page3.txt")
    summary = summarize(page, backend="rules")
    assert len(summary.articles) >= 3, "the example page holds several articles"
    return summary


def test_csv_rows_name_the_article_and_its_own_body(newspaper_page) -> None:
    table = render(newspaper_page, "csv")
    assert table.startswith(CSV_BOM)
    rows = list(csv.DictReader(io.StringIO(table.removeprefix(CSV_BOM))))
    assert rows and all(row["article"] for row in rows)
    by_article: dict[str, set[str]] = {}
    for row in rows:
        by_article.setdefault(row["article"], set()).add(row["organization"])
    assert len(by_article) >= 2  # the metrics of more than one article
    assert all(len(bodies) == 1 for bodies in by_article.values())
    for summary_article in newspaper_page.articles:
        label = next((label for label in by_article if label.startswith(f"{summary_article.index + 1} ")), None)
        if label is not None:
            assert by_article[label] == {summary_article.meta.organization or ""}
    for row in rows:  # each quote lies inside the article it is listed under
        article = newspaper_page.articles[int(row["article"].split()[0]) - 1]
        assert article.start <= int(row["start"]) < article.end


def test_markdown_puts_each_item_under_its_article(newspaper_page) -> None:
    report = render(newspaper_page, "md")
    parts = report.split("\n## ")[1:]
    assert len(parts) == len(newspaper_page.articles)
    for article, part in zip(newspaper_page.articles, parts):
        own = [m for m in newspaper_page.metrics if article.start <= m.evidence.start < article.end]
        others = [m for m in newspaper_page.metrics if m not in own]
        assert all(m.evidence.quote in part for m in own)
        assert not any(m.evidence.quote in part for m in others)


def test_markdown_shows_ranks_as_worded_and_no_raw_spans_or_json() -> None:
    summary = summarize("上半年，全区规上工业增加值增速居全市第二，综合排名进入全省前三。", backend="rules")
    report = render(summary, "md")
    assert "第2名" in report and "前3名" in report
    assert "| 2名 |" not in report and "| 3名 |" not in report
    assert "[" not in report.replace("[rules]", "")  # no [start:end] spans, no raw JSON lists


def test_dropped_items_are_listed_by_what_they_claimed() -> None:
    from summarizer.schema import DroppedItem

    summary = summarize("上半年，全区地区生产总值完成120.5亿元。", backend="rules")
    dropped = DroppedItem(section="metrics", item={"name": "地区生产总值", "value": 9999.0, "unit": "亿元", "clause_ids": ["c1"]},
                          reasons=["the document states no 9999"])  # fmt: skip
    report = render(summary.model_copy(update={"diagnostics": summary.diagnostics.model_copy(update={"dropped": [dropped]})}), "md")
    assert "- [指标] 地区生产总值 9999亿元: the document states no 9999" in report
    assert "clause_ids" not in report and "{" not in report


def test_a_shipped_example_is_named_as_an_example_not_by_its_install_path(tmp_path: Path) -> None:
    from summarizer.resources import data_dir

    example = (data_dir("examples") / "linjiang_half_year.txt").resolve()
    report = render(summarize(example, backend="rules"), "md")
    assert "examples/linjiang_half_year.txt (shipped with summarizer)" in report
    assert str(example) not in report
    own = tmp_path / "report.txt"
    own.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    assert str(own) in render(summarize(own, backend="rules"), "md")  # a user's own file keeps its path

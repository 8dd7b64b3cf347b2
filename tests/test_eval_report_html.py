"""``eval --report html``: the scorers' own pairs shown side by side, each outcome marked, all escaped."""

from __future__ import annotations

from pathlib import Path

import yaml

from summarizer.evaluation.report import render_report
from summarizer.evaluation.runner import evaluate

DOCUMENT = (
    "上半年，全区实现地区生产总值88.2亿元，同比增长6.5%；新增市场主体1200户。"
    "<script>window.pwned=1</script>但也要看到，部分企业订单不足。"
)


def _suite(tmp_path: Path) -> Path:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "report.txt").write_text(DOCUMENT, encoding="utf-8")
    fixture = {
        "id": "made-here",
        "document": "report.txt",
        "summary": {
            "metrics": [
                {"name": "地区生产总值", "value": 88.2, "unit": "亿元", "growth_pct": 7.5, "period": "上半年"},
                {"name": "一般公共预算收入", "value": 9.9, "unit": "亿元"},
            ],
            "problems": ["部分企业订单不足"],
        },
    }
    (folder / "made_here.yaml").write_text(yaml.safe_dump(fixture, allow_unicode=True), encoding="utf-8")
    return folder


def test_the_page_pairs_gold_and_predicted_and_marks_each_outcome(tmp_path: Path) -> None:
    run = evaluate("rules", _suite(tmp_path))
    [result] = run.documents
    assert result.summary is not None
    page = render_report(run, None, "html")
    gdp = next(metric for metric in result.summary.metrics if metric.name == "地区生产总值")
    assert gdp.growth_pct == 6.5  # so the label's 7.5 is a wrong value
    assert '<tr class="item wrong_value"' in page and "growth_pct" in page.split('class="item wrong_value"')[1].split("</tr>")[0]
    missed = page.split('<tr class="item missed"')[1].split("</tr>")[0]
    assert "一般公共预算收入" in missed and "data-start" not in missed  # a label has no span
    assert '<tr class="item extra"' in page  # 新增市场主体 is not labelled
    assert '<tr class="item correct"' in page  # the problem phrase pairs
    assert f'data-start="{gdp.evidence.start}" data-end="{gdp.evidence.end}"' in page
    assert page.count("<script") == 1 and "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page

"""Every number of an item is stated in that item's own evidence, not merely somewhere in the document.

``enforce`` is the last check for every backend: a metric's value and growth, a target's value and
every number written in an achievement, problem or task must be stated inside the item's evidence
span (issue 14). The document below states each number once, in its own sentence, so an item
that borrows a number from another sentence is caught. Every sentence is invented.
"""

from __future__ import annotations

import pytest

from summarizer.grounding import draft_errors, enforce, ground
from summarizer.quantities import extract_quantities
from summarizer.schema import (
    Diagnostics,
    Evidence,
    Item,
    ItemDraft,
    Metric,
    MetricDraft,
    SourceInfo,
    Summary,
    SummaryDraft,
    Target,
)

TEXT = (
    "南塘示范区召开半年经济运行分析会\n"
    "上半年，全市地区生产总值达到9999亿元，同比增长6.1%。\n"
    "南塘示范区规上工业增加值完成45.6亿元，同比增长8.3%。\n"
    "新签约项目36个，总投资超80亿元。\n"
    "2024年，力争新增规上工业企业15家以上。\n"
    "要狠抓项目建设，加快推进智能装备产业园。\n"
)
QUANTITIES = extract_quantities(TEXT)
BACKENDS = ["rules", "llm", "baseline"]


def span(quote: str) -> Evidence:
    start = TEXT.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote))


def enforced(backend: str, **sections: list) -> Summary:  # type: ignore[type-arg]
    summary = Summary(source=SourceInfo(sha256="0" * 64), diagnostics=Diagnostics(backend=backend), text=TEXT, **sections)
    return enforce(summary, QUANTITIES)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_achievement_with_the_evidence_of_another_sentence_is_dropped(backend: str) -> None:
    borrowed = Item(text="地区生产总值达到9999亿元", evidence=span("新签约项目36个，总投资超80亿元"))
    own = Item(text="地区生产总值达到9999亿元", evidence=span("全市地区生产总值达到9999亿元"))
    result = enforced(backend, achievements=[borrowed, own])
    assert result.achievements == [own]
    (dropped,) = result.diagnostics.dropped
    assert dropped.section == "achievements"
    (reason,) = dropped.reasons
    assert reason.startswith("achievements[0].text: 9999亿元 is not stated in its evidence (text[")
    assert "only elsewhere in the text" in reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_bare_numbers_and_dates_of_a_phrase_are_looked_for_in_its_evidence(backend: str) -> None:
    dated = Item(text="2024年狠抓项目建设", evidence=span("要狠抓项目建设"))
    bare = Item(text="狠抓36个项目建设", evidence=span("要狠抓项目建设"))
    kept = Item(text="狠抓项目建设", evidence=span("要狠抓项目建设"))
    result = enforced(backend, tasks=[dated, bare, kept])
    assert result.tasks == [kept]
    assert [d.reasons[0].split(":")[1].strip().split(" ")[0] for d in result.diagnostics.dropped] == ["2024年", "36个"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_metric_and_target_numbers_come_from_their_own_evidence(backend: str) -> None:
    growth_elsewhere = Metric(name="规上工业增加值", value=45.6, unit="亿元", growth_pct=6.1,
                              evidence=span("南塘示范区规上工业增加值完成45.6亿元，同比增长8.3%"))
    value_elsewhere = Metric(name="新签约项目", value=15, unit="家", evidence=span("新签约项目36个"))
    good = Metric(name="规上工业增加值", value=45.6, unit="亿元", growth_pct=8.3,
                  evidence=span("南塘示范区规上工业增加值完成45.6亿元，同比增长8.3%"))
    target_elsewhere = Target(name="新签约项目", value=36, unit="个", evidence=span("力争新增规上工业企业15家以上"))
    result = enforced(backend, metrics=[growth_elsewhere, value_elsewhere, good], targets=[target_elsewhere])
    assert result.metrics == [good] and result.targets == []
    reasons = [d.reasons for d in result.diagnostics.dropped]
    assert reasons[0] == [
        f"metrics[0].growth_pct: a change of 6.1% is not stated in its evidence (text[{growth_elsewhere.evidence.start}:"
        f"{growth_elsewhere.evidence.end}]), only elsewhere in the text"
    ]
    assert reasons[1][0].startswith("metrics[1].value: 15家 (exact) is not stated in its evidence")
    assert reasons[2][0].startswith("targets[0].value: 36个 (exact) is not stated in its evidence")


def test_a_model_citing_a_candidate_of_another_sentence_is_told_so_and_dropped() -> None:
    gdp = next(q for q in QUANTITIES if q.text == "9999亿元")
    draft = SummaryDraft(
        metrics=[MetricDraft(name="地区生产总值", value=9999, unit="亿元", quote="新签约项目36个", quantity_ids=[gdp.id])]
    )
    (message,) = draft_errors(draft, TEXT, QUANTITIES)
    assert message.startswith(f"metrics[0] (地区生产总值).value: 9999亿元 is stated by {gdp.id} 9999亿元 outside the quoted sentence")
    grounded = ground(draft, TEXT, QUANTITIES)
    assert grounded.metrics == [] and grounded.dropped[0].reasons == [message]


def test_a_quote_that_leaves_out_a_number_of_its_sentence_gets_evidence_that_states_it() -> None:
    draft = SummaryDraft(metrics=[MetricDraft(name="规上工业增加值", value=45.6, unit="亿元", growth_pct=8.3,
                                              quote="规上工业增加值完成45.6亿元")])  # fmt: skip
    (metric,) = ground(draft, TEXT, QUANTITIES).metrics
    assert metric.evidence.quote == "规上工业增加值完成45.6亿元，同比增长8.3%"  # widened over the growth it used
    summary = Summary(source=SourceInfo(sha256="0" * 64), diagnostics=Diagnostics(backend="llm"), text=TEXT,
                      metrics=[metric])  # fmt: skip
    assert enforce(summary, QUANTITIES).metrics == [metric]


def test_a_quoted_phrase_states_only_what_it_quotes() -> None:
    draft = SummaryDraft(
        achievements=[
            ItemDraft(text="新签约项目36个，总投资超80亿元", quote="新签约项目36个"),
            ItemDraft(text="新签约项目36个", quote="新签约项目36个"),
        ]
    )
    grounded = ground(draft, TEXT, QUANTITIES)
    assert [a.text for a in grounded.achievements] == ["新签约项目36个"]
    assert "80亿元 is not stated in its evidence" in grounded.dropped[0].reasons[0]

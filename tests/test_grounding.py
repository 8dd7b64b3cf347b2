"""Grounding: quotes get exact spans, numbers come from the document, the rest is dropped with reasons."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import instructor
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from summarizer.devserver import DevServer, Reply
from summarizer.grounding import (
    GroundedDraft,
    draft_errors,
    draft_from_summary,
    enforce,
    ground,
    locate_quote,
    supported,
    unsupported_numbers_in,
)
from summarizer.numerals import parse_chinese_number
from summarizer.quantities import extract_quantities
from summarizer.schema import (
    Diagnostics,
    Evidence,
    Item,
    ItemDraft,
    Meta,
    MetaDraft,
    Metric,
    MetricDraft,
    Quantity,
    SourceInfo,
    Summary,
    SummaryDraft,
    Target,
    TargetDraft,
)
from summarizer.text.clauses import clause_table

TEXT = (Path(__file__).parent / "data" / "grounding_report.txt").read_text(encoding="utf-8")
QUANTITIES = extract_quantities(TEXT)
CLAUSES = clause_table(TEXT)
NOT_STATED = "is not stated in the text; write numbers exactly as the text states them, or leave them out"


def cand(surface: str) -> Quantity:
    """The candidate with this surface (tests name candidates by what the text says, not by id)."""
    return next(q for q in QUANTITIES if q.text == surface)


def ids(*surfaces: str) -> list[str]:
    return [cand(s).id for s in surfaces]


# --- locate_quote ------------------------------------------------------------------------------------


def test_exact_quote_gets_its_code_point_span() -> None:
    quote = "社会消费品零售总额21.36亿元"
    start, end = locate_quote(quote, TEXT)
    assert TEXT[start:end] == quote
    assert start == TEXT.index(quote)


def test_offsets_count_code_points_even_past_astral_characters() -> None:
    text = "𠀀𠀁园区新增企业12家。"
    assert locate_quote("新增企业12家", text) == (4, 11)  # UTF-16 would say 6, UTF-8 bytes 14
    assert text[4:11] == "新增企业12家"


def test_repeated_quote_is_the_occurrence_nearest_the_hint() -> None:
    first = TEXT.index("前三季度")
    last = TEXT.rindex("前三季度")
    assert locate_quote("前三季度", TEXT) == (first, first + 4)
    assert locate_quote("前三季度", TEXT, hint=last - 3) == (last, last + 4)


def test_quote_matches_across_line_breaks_bold_and_punctuation_variants() -> None:
    # The text breaks this sentence across a line and bolds the number; the quote uses ASCII punctuation.
    quote = "固定资产投资完成48.5亿元, 同比下降2.7%"
    start, end = locate_quote(quote, TEXT)
    assert TEXT[start:end] == "固定资产投资完成48.5亿元，\n同比下降2.7%"
    bold = locate_quote("地区生产总值完成156.8亿元", TEXT)
    assert TEXT[bold[0] : bold[1]] == "地区生产总值完成**156.8亿元"
    dash = locate_quote("通报1-9月主要经济指标", TEXT)
    assert TEXT[dash[0] : dash[1]] == "通报1—9月主要经济指标"


def test_missing_or_empty_quote_is_none() -> None:
    assert locate_quote("地区生产总值完成160亿元", TEXT) is None
    assert locate_quote("  ", TEXT) is None


# --- number support ------------------------------------------------------------------------------------


def test_scale_prefixes_convert_but_percent_and_points_do_not() -> None:
    assert supported(156.8, "亿元", "exact", QUANTITIES) == cand("156.8亿元")
    assert supported(1568000, "万元", "exact", QUANTITIES) == cand("156.8亿元")
    assert supported(15680000000, "元", "exact", QUANTITIES) == cand("156.8亿元")
    assert supported(156.8, "万元", "exact", QUANTITIES) is None
    assert supported(0.4, "个百分点", "exact", QUANTITIES) == cand("0.4个百分点")
    assert supported(0.4, "%", "exact", QUANTITIES) is None
    assert supported(157, "亿元", "exact", QUANTITIES) is None  # rounded: not what the text says


def test_a_fall_states_a_negative_value_and_ranks_accept_either_unit() -> None:
    assert supported(-2.7, "%", "exact", QUANTITIES) == cand("2.7%")
    assert supported(-6.4, "%", "exact", QUANTITIES) is None  # 6.4% is a rise
    assert supported(2, "位", "exact", QUANTITIES) == cand("第二")


@pytest.mark.parametrize(
    ("claimed", "surface", "agrees"),
    [
        ("exact", "80亿元", True),  # left out: grounding copies the document's more_than
        ("more_than", "80亿元", True),
        ("less_than", "80亿元", False),
        ("approx", "80亿元", False),
        ("approx", "156.8亿元", True),  # about an exact number is still true
        ("more_than", "156.8亿元", False),  # claims more than the text says
    ],
)
def test_qualifiers_agree_loosely(claimed: str, surface: str, agrees: bool) -> None:
    quantity = cand(surface)
    found = supported(quantity.value, quantity.unit, claimed, QUANTITIES)
    assert (found == quantity) is agrees


def test_numbers_inside_phrases_must_be_stated() -> None:
    assert unsupported_numbers_in("签约项目36个，总投资超80亿元", QUANTITIES, TEXT) == []
    assert unsupported_numbers_in("签约项目40个，总投资超800000万元", QUANTITIES, TEXT) == ["40个"]
    assert unsupported_numbers_in("研发投入强度提高0.4%", QUANTITIES, TEXT) == ["0.4%"]
    assert unsupported_numbers_in("产值156", QUANTITIES, TEXT) == ["156"]  # a bare number counts too
    assert unsupported_numbers_in("10月16日召开调度会", QUANTITIES, TEXT) == []
    assert unsupported_numbers_in("10月26日召开调度会", QUANTITIES, TEXT) == ["10月26日"]
    assert unsupported_numbers_in("2024年前三季度", QUANTITIES, TEXT) == []  # the text dates itself 2024-10-18
    assert unsupported_numbers_in("2023年前三季度", QUANTITIES, TEXT) == ["2023年"]
    assert unsupported_numbers_in("稳增长压力较大", QUANTITIES, TEXT) == []


# --- draft_errors and GroundedDraft -------------------------------------------------------------------


def good_draft() -> SummaryDraft:
    return SummaryDraft(
        meta=MetaDraft(organization="云溪经开区", meeting_date="2024-10-16", meeting_name="前三季度经济运行调度会"),
        metrics=[
            MetricDraft(
                name="地区生产总值", value=156.8, unit="亿元", growth_pct=6.4,
                quote="地区生产总值完成**156.8亿元**，同比增长6.4%", quantity_ids=ids("156.8亿元", "6.4%"),
            ),  # fmt: skip
            MetricDraft(name="固定资产投资", growth_pct=-2.7, quote="同比下降2.7%", quantity_ids=ids("2.7%")),
            MetricDraft(name="研发投入强度", value=3.8, unit="%", growth_pp=0.4, quote="研发投入强度达3.8%，提高0.4个百分点"),
        ],
        targets=[
            TargetDraft(
                name="地区生产总值增速", value=7, unit="%", measure="growth", qualifier="approx", horizon="全年",
                quote="全年力争地区生产总值增长7%左右", quantity_ids=ids("7%左右"),
            ),  # fmt: skip
        ],
        achievements=[ItemDraft(text="新签约项目36个", quote="新签约项目36个，总投资超80亿元")],
        problems=[ItemDraft(text="工业投资增长乏力", quote="工业投资增长乏力")],
        tasks=[ItemDraft(text="推进12亿元智能装备产业园", quote="加快推进总投资12亿元的智能装备产业园建设")],
    )


def test_a_faithful_draft_has_no_errors() -> None:
    assert draft_errors(good_draft(), TEXT, QUANTITIES) == []


def messages_for(**changes: object) -> list[str]:
    draft = good_draft().model_copy(update=changes)
    return draft_errors(draft, TEXT, QUANTITIES)


def test_errors_name_section_index_and_field_and_say_what_the_text_states() -> None:
    metric = good_draft().metrics[0].model_copy(update={"value": 160.0})
    (message,) = messages_for(metrics=[metric])
    assert message.startswith("metrics[0] (地区生产总值).value: 160亿元 is not stated")
    assert cand("156.8亿元").id in message and "156.8亿元" in message  # the candidates of that indicator


def test_quote_not_in_the_text_and_unknown_ids_are_reported() -> None:
    item = ItemDraft(text="签约项目36个", quote="签约项目达到三十六个")
    metric = good_draft().metrics[1].model_copy(update={"quantity_ids": ["q999"]})
    errors = messages_for(achievements=[item], metrics=[metric])
    assert any(e.startswith("achievements[0].quote: not found in the text") for e in errors)
    assert any(e.startswith("metrics[0] (固定资产投资).quantity_ids: q999 does not exist") for e in errors)


def test_percent_versus_points_and_growth_versus_level_are_told_apart() -> None:
    pp_as_pct = MetricDraft(name="研发投入强度", growth_pct=0.4, quote="研发投入强度达3.8%，提高0.4个百分点")
    growth_as_level = MetricDraft(name="规模以上工业增加值", value=9.2, unit="%", quote="规模以上工业增加值增长9.2%")
    first, second = messages_for(metrics=[pp_as_pct, growth_as_level])
    assert first.startswith("metrics[0] (研发投入强度).growth_pct: unit mismatch") and "growth_pp" in first
    assert second.startswith("metrics[1] (规模以上工业增加值).value: growth confused with level")


def test_a_rise_written_as_a_fall_is_corrected() -> None:
    wrong_sign = MetricDraft(name="固定资产投资", growth_pct=2.7, quote="同比下降2.7%")
    (message,) = messages_for(metrics=[wrong_sign])
    assert "is a fall: write -2.7" in message
    grounded = ground(good_draft().model_copy(update={"metrics": [wrong_sign]}), TEXT, QUANTITIES)
    assert grounded.metrics[0].growth_pct == -2.7


def test_targets_need_target_sentences_and_metrics_result_sentences() -> None:
    result_as_target = TargetDraft(name="地区生产总值", value=156.8, unit="亿元", quote="地区生产总值完成**156.8亿元**")
    no_cue = TargetDraft(name="工业投资", quote="工业投资增长乏力")
    goal_as_metric = MetricDraft(name="固定资产投资", value=70, unit="亿元", quote="确保固定资产投资突破70亿元")
    errors = messages_for(targets=[result_as_target, no_cue], metrics=[goal_as_metric])
    assert any(e.startswith("targets[0] (地区生产总值).value:") and "is a result, not a goal" in e for e in errors)
    assert any(e.startswith("targets[1] (工业投资).quote: not a target-cued sentence") for e in errors)
    assert any(e.startswith("metrics[0] (固定资产投资).value:") and "is a goal (确保)" in e for e in errors)


def test_numbers_in_names_phrases_and_meta_are_checked() -> None:
    errors = messages_for(
        meta=MetaDraft(meeting_name="2023年前三季度经济运行调度会", meeting_date="2024-10-17"),
        problems=[ItemDraft(text="3家企业订单不足", quote="部分企业订单不足")],
    )
    assert f"meta.meeting_name: 2023年 {NOT_STATED}" in errors
    assert "meta.meeting_date: 10月17日 is not stated in the text" in errors
    assert any(e.startswith("problems[0].text: 3家 is not stated") for e in errors)


def test_grounded_draft_raises_every_error_only_with_a_context() -> None:
    bad = good_draft().model_copy(update={"achievements": [ItemDraft(text="签约项目50个", quote="新签约项目36个")]})
    payload = bad.model_dump(mode="json")
    assert GroundedDraft.model_validate(payload).achievements[0].text == "签约项目50个"
    with pytest.raises(ValidationError) as caught:
        GroundedDraft.model_validate(payload, context={"text": TEXT, "quantities": QUANTITIES})
    assert "achievements[0].text: 50个 is not stated" in str(caught.value)


def test_instructor_reasks_with_grounding_errors_through_a_real_server() -> None:
    hallucinated = good_draft().model_copy(update={"tasks": [ItemDraft(text="推进15亿元产业园", quote="智能装备产业园建设")]})
    script = [Reply.json(hallucinated.model_dump(mode="json")), Reply.json(good_draft().model_dump(mode="json"))]
    with DevServer(script) as server:
        client = instructor.from_openai(
            openai.OpenAI(base_url=server.base_url, api_key="sk-test", timeout=5, max_retries=0),
            mode=instructor.Mode.TOOLS,
        )
        draft = client.chat.completions.create(
            model="dev",
            response_model=GroundedDraft,
            messages=[{"role": "user", "content": TEXT}],
            context={"text": TEXT, "quantities": QUANTITIES},
            max_retries=2,
        )
        assert draft.tasks[0].text == "推进12亿元智能装备产业园"
        reask = json.dumps(server.requests[1].messages, ensure_ascii=False)
    assert "tasks[0].text: 15亿元 is not stated in the text" in reask


# --- clause ids ------------------------------------------------------------------------------------------


def clause(words: str) -> str:
    """The id of the clause holding these words (tests name clauses by what they say)."""
    return next(row.id for row in CLAUSES.rows if words in TEXT[row.start : row.end])


def span_of(*ids: str) -> str:
    rows = [CLAUSES.by_id[cid] for cid in ids]
    return TEXT[min(r.start for r in rows) : max(r.end for r in rows)]


def test_cited_clauses_give_the_span_from_the_first_to_the_last() -> None:
    first, last = clause("新签约项目36个"), clause("总投资超80亿元")
    draft = SummaryDraft(
        achievements=[ItemDraft(text="新签约项目36个，总投资超80亿元", clause_ids=[last, first])],  # any order
        problems=[ItemDraft(text="企业订单不足", clause_ids=[clause("部分企业订单不足")], quote="与原文无关的摘录")],
        tasks=[ItemDraft(text="推进12亿元智能装备产业园", clause_ids=[clause("智能装备产业园")])],
    )
    assert draft_errors(draft, TEXT, QUANTITIES, CLAUSES) == []
    grounded = ground(draft, TEXT, QUANTITIES, CLAUSES)
    assert grounded.dropped == []
    (achievement,) = grounded.achievements
    assert achievement.evidence.quote == "新签约项目36个，总投资超80亿元" == span_of(first, last)
    assert (achievement.evidence.start, achievement.evidence.end) == (CLAUSES.by_id[first].start, CLAUSES.by_id[last].end)
    assert grounded.problems[0].evidence.quote == "部分企业订单不足"  # with ids, a quote is not looked for
    assert grounded.tasks[0].evidence.quote == "加快推进总投资12亿元的智能装备产业园建设"


def test_metrics_and_targets_may_cite_clauses_too() -> None:
    draft = SummaryDraft(
        metrics=[
            MetricDraft(name="地区生产总值", value=156.8, unit="亿元", growth_pct=6.4,
                        clause_ids=[clause("156.8亿元"), clause("同比增长6.4%")]),
            MetricDraft(name="固定资产投资", growth_pct=-2.7, clause_ids=[clause("同比下降2.7%")]),
        ],
        targets=[TargetDraft(name="地区生产总值增速", value=7, unit="%", measure="growth", qualifier="approx",
                             clause_ids=[clause("7%左右")])],
    )  # fmt: skip
    grounded = ground(draft, TEXT, QUANTITIES, CLAUSES)
    assert grounded.dropped == []
    gdp, investment = grounded.metrics
    assert gdp.evidence.quote == "地区生产总值完成**156.8亿元**，同比增长6.4%"
    assert gdp.evidence.quantity_ids == ids("156.8亿元", "6.4%")  # found in the cited clauses' sentence
    assert investment.growth_pct == -2.7 and investment.evidence.quote == "同比下降2.7%"
    assert grounded.targets[0].evidence.quote == "全年力争地区生产总值增长7%左右"


def test_an_unknown_clause_id_is_an_error_and_the_item_is_dropped_with_it() -> None:
    known = clause("工业投资增长乏力")
    draft = SummaryDraft(
        problems=[ItemDraft(text="工业投资增长乏力", clause_ids=[known, "c999"], quote="工业投资增长乏力")],
        metrics=[MetricDraft(name="固定资产投资", growth_pct=-2.7, clause_ids=["c0"])],
    )
    errors = draft_errors(draft, TEXT, QUANTITIES, CLAUSES)
    last = CLAUSES.rows[-1].id
    assert errors == [
        f"metrics[0] (固定资产投资).clause_ids: c0 not in the clause table (c1 … {last}); cite ids of rows of the table",
        f"metrics[0] (固定资产投资).growth_pct: -2.7% is stated by {cand('2.7%').id} 2.7% outside the cited clauses' "
        f"sentence; cite its clause {clause('同比下降2.7%')} and {cand('2.7%').id}",
        f"problems[0].clause_ids: c999 not in the clause table (c1 … {last}); cite ids of rows of the table",
    ]
    grounded = ground(draft, TEXT, QUANTITIES, CLAUSES)
    assert grounded.problems == [] and grounded.metrics == []  # a right quote does not save a wrong id
    assert [(d.section, d.reasons) for d in grounded.dropped] == [("metrics", errors[:2]), ("problems", errors[2:])]


def test_an_item_without_clause_ids_or_quote_has_no_evidence() -> None:
    draft = SummaryDraft(tasks=[ItemDraft(text="狠抓项目建设")])
    assert draft_errors(draft, TEXT, QUANTITIES, CLAUSES) == [
        "tasks[0].clause_ids: missing; cite the ids of the clauses this item rests on"
    ]
    assert ground(draft, TEXT, QUANTITIES, CLAUSES).dropped[0].section == "tasks"


def test_a_phrase_citing_clauses_states_only_their_numbers() -> None:
    """80亿元 and 2024年 are in the document, but not in the clauses the phrase cites."""
    task = clause("狠抓项目建设")
    draft = SummaryDraft(
        tasks=[
            ItemDraft(text="狠抓项目建设，总投资超80亿元", clause_ids=[task]),
            ItemDraft(text="2024年狠抓项目建设", clause_ids=[task]),
            ItemDraft(text="推进12亿元智能装备产业园", clause_ids=[task, clause("智能装备产业园")]),
        ],
        achievements=[ItemDraft(text="1—9月新签约项目36个", clause_ids=[clause("通报1—9月"), clause("新签约项目36个")])],
    )
    errors = draft_errors(draft, TEXT, QUANTITIES, CLAUSES)
    assert errors == [
        f"tasks[0].text: 80亿元 is not stated in the cited clauses ({task}); 80亿元 is in {clause('总投资超80亿元')}; "
        "cite the clause that states it, or leave the number out",
        f"tasks[1].text: 2024年 is not stated in the cited clauses ({task}); cite the clause that states it, "
        "or leave the number out",
    ]
    grounded = ground(draft, TEXT, QUANTITIES, CLAUSES)
    assert [t.text for t in grounded.tasks] == ["推进12亿元智能装备产业园"]
    assert [a.text for a in grounded.achievements] == ["1—9月新签约项目36个"]
    # A phrase with only a quote states only the numbers of what it quotes, too (issue 14).
    quoted = SummaryDraft(tasks=[ItemDraft(text="狠抓项目建设，总投资超80亿元", quote="要狠抓项目建设")])
    (error,) = draft_errors(quoted, TEXT, QUANTITIES, CLAUSES)
    assert error.startswith("tasks[0].text: 80亿元 is not stated in its evidence (text[")
    assert ground(quoted, TEXT, QUANTITIES, CLAUSES).tasks == []


def test_without_a_table_the_whole_text_is_segmented_once() -> None:
    draft = SummaryDraft(problems=[ItemDraft(text="企业订单不足", clause_ids=[clause("部分企业订单不足")])])
    assert ground(draft, TEXT, QUANTITIES).problems == ground(draft, TEXT, QUANTITIES, CLAUSES).problems
    payload = draft.model_dump(mode="json")
    bad = {**payload, "problems": [{"text": "企业订单不足", "clause_ids": ["c404"]}]}
    with pytest.raises(ValidationError, match="c404 not in the clause table"):
        GroundedDraft.model_validate(bad, context={"text": TEXT, "quantities": QUANTITIES, "clauses": CLAUSES})
    assert GroundedDraft.model_validate(payload, context={"text": TEXT, "quantities": QUANTITIES, "clauses": CLAUSES})


def test_draft_from_summary_cites_the_clauses_each_span_covers() -> None:
    grounded = ground(good_draft(), TEXT, QUANTITIES)
    summary = summary_of(grounded.metrics, grounded.targets, grounded.achievements, meta=grounded.meta)
    draft = draft_from_summary(summary, CLAUSES)
    assert all(r.clause_ids and r.quote is None for r in [*draft.metrics, *draft.targets, *draft.achievements])
    assert draft.achievements[0].clause_ids == [clause("新签约项目36个"), clause("总投资超80亿元")]
    again = ground(draft, TEXT, QUANTITIES, CLAUSES)
    assert again.dropped == []
    assert [m.model_dump(exclude={"evidence"}) for m in again.metrics] == [
        m.model_dump(exclude={"evidence"}) for m in grounded.metrics
    ]
    for before, after in zip([*grounded.metrics, *grounded.achievements], [*again.metrics, *again.achievements]):
        assert after.evidence.start <= before.evidence.start and before.evidence.end <= after.evidence.end


# --- ground ----------------------------------------------------------------------------------------------


def test_ground_takes_spans_from_quotes_and_numbers_from_candidates() -> None:
    draft = good_draft()
    draft.metrics[0] = draft.metrics[0].model_copy(update={"value": 1568000.0, "unit": "万元", "quantity_ids": []})
    grounded = ground(draft, TEXT, QUANTITIES)
    assert grounded.dropped == []
    gdp, investment, research = grounded.metrics
    assert (gdp.value, gdp.unit, gdp.growth_pct) == (156.8, "亿元", 6.4)  # in the text's unit
    assert gdp.evidence.quantity_ids == ids("156.8亿元", "6.4%")  # found in the quoted sentence
    assert (investment.growth_pct, research.growth_pp) == (-2.7, 0.4)
    (target,) = grounded.targets
    assert (target.value, target.qualifier, target.cue, target.canonical_name) == (7.0, "approx", "力争", "地区生产总值")
    assert grounded.meta == Meta(
        organization="云溪经开区",
        meeting_date="2024-10-16",
        meeting_name="前三季度经济运行调度会",
        evidence=grounded.meta.evidence,
    )
    for item in [*grounded.metrics, *grounded.targets, *grounded.achievements, *grounded.problems, *grounded.tasks]:
        assert TEXT[item.evidence.start : item.evidence.end] == item.evidence.quote


def test_ground_drops_what_it_cannot_support_and_says_why() -> None:
    draft = good_draft()
    draft.metrics.append(MetricDraft(name="税收收入", value=9.9, unit="亿元", quote="稳增长压力依然较大"))
    draft.tasks.append(ItemDraft(text="引进项目50个", quote="狠抓项目建设"))
    draft.meta = MetaDraft(organization="云溪经开区", meeting_date="2024-10-20")
    grounded = ground(draft, TEXT, QUANTITIES)
    assert [m.name for m in grounded.metrics] == ["地区生产总值", "固定资产投资", "研发投入强度"]
    assert [t.text for t in grounded.tasks] == ["推进12亿元智能装备产业园"]
    assert grounded.meta.meeting_date is None and grounded.meta.organization == "云溪经开区"
    reasons = {(d.section, d.reasons[0].split(":")[0]) for d in grounded.dropped}
    assert reasons == {
        ("metrics", "metrics[3] (税收收入).value"),
        ("tasks", "tasks[1].text"),
        ("meta", "meta.meeting_date"),
    }
    (metric,) = [d.item for d in grounded.dropped if d.section == "metrics"]
    assert metric["value"] == 9.9 and metric["quote"] == "稳增长压力依然较大"  # kept whole for the report


def test_ground_is_the_inverse_of_draft_from_summary() -> None:
    grounded = ground(good_draft(), TEXT, QUANTITIES)
    summary = summary_of(grounded.metrics, grounded.targets, grounded.achievements, meta=grounded.meta)
    again = ground(draft_from_summary(summary), TEXT, QUANTITIES)
    assert (again.metrics, again.targets, again.achievements, again.dropped) == (
        grounded.metrics,
        grounded.targets,
        grounded.achievements,
        [],
    )


# --- enforce ---------------------------------------------------------------------------------------------


def summary_of(metrics=(), targets=(), achievements=(), *, meta: Meta | None = None) -> Summary:  # noqa: ANN001
    return Summary(
        source=SourceInfo(sha256="0" * 64),
        meta=meta or Meta(),
        metrics=list(metrics),
        targets=list(targets),
        achievements=list(achievements),
        diagnostics=Diagnostics(backend="rules"),
        text=TEXT,
    )


def evidence(quote: str, *surfaces: str) -> Evidence:
    start = TEXT.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote), quantity_ids=ids(*surfaces))


def test_enforce_keeps_the_supported_and_drops_the_rest_with_reasons() -> None:
    good = Metric(
        name="社会消费品零售总额", value=21.36, unit="亿元", growth_pct=5.1,
        evidence=evidence("社会消费品零售总额21.36亿元，增长5.1%"),
    )  # fmt: skip
    wrong_span = evidence("新签约项目36个").model_copy(update={"start": 1, "end": 10})
    shifted = Metric(name="新签约项目", value=36, unit="个", evidence=wrong_span)
    invented = Target(name="新增规上工业企业", value=20, unit="家", evidence=evidence("年内新增规上工业企业15家以上"))
    phrase = Item(text="总投资超90亿元", evidence=evidence("总投资超80亿元"))
    meta = Meta(organization="云溪经开区", meeting_name="第4次调度会")
    result = enforce(summary_of([good, shifted], [invented], [phrase], meta=meta), QUANTITIES)
    assert result.metrics == [good] and result.targets == [] and result.achievements == []
    assert result.meta.organization == "云溪经开区" and result.meta.meeting_name is None
    reasons = [d.reasons[0] for d in result.diagnostics.dropped]
    assert reasons == [
        "metrics[1].evidence: text[1:10] does not hold the quote '新签约项目36个'",
        "targets[0].value: 20家 (exact) is not stated in the text",
        f"achievements[0].text: 90亿元 {NOT_STATED}",
        f"meta.meeting_name: 4 {NOT_STATED}",
    ]


# --- the guarantee, whatever the draft says -------------------------------------------------------------

_SCALE = {"亿": 1e8, "万": 1e4}
_NUMBER_WITH_SCALE = re.compile(r"(\d+(?:\.\d+)?)(亿|万)?")


def document_numbers(text: str) -> list[float]:
    """An independent oracle: every number of the text (Arabic, raw and with 万/亿; Chinese numerals)."""
    found = []
    for number, scale in _NUMBER_WITH_SCALE.findall(text):
        found += [float(number), float(number) * _SCALE.get(scale, 1)]
    for numeral in re.findall(r"[〇零一二两三四五六七八九十百千万亿]+", text):
        value = parse_chinese_number(numeral)
        if value is not None:
            found.append(value)
    return found


DOCUMENT_NUMBERS = document_numbers(TEXT)
_UNIT_SCALE = {"亿元": 1e8, "万元": 1e4, "元": 1}


def in_document(*candidates: float) -> bool:
    return any(math.isclose(abs(c), n, rel_tol=1e-9) for c in candidates for n in DOCUMENT_NUMBERS)


def stated(value: float, unit: str | None) -> bool:
    return in_document(value, value * _UNIT_SCALE.get(unit or "", 1))


def phrase_numbers_stated_in(phrase: str | None, evidence: str) -> bool:
    numbers = document_numbers(evidence)
    return all(
        any(math.isclose(float(n) * _SCALE.get(s, 1), m, rel_tol=1e-9) or math.isclose(float(n), m, rel_tol=1e-9)
            for m in numbers)
        for n, s in _NUMBER_WITH_SCALE.findall(phrase or "")
    )  # fmt: skip


def phrase_numbers_stated(phrase: str | None) -> bool:
    return all(in_document(float(n), float(n) * _SCALE.get(s, 1)) for n, s in _NUMBER_WITH_SCALE.findall(phrase or ""))


numbers = st.one_of(
    st.sampled_from([156.8, 6.4, 0.9, 9.2, 48.5, 2.7, -2.7, 21.36, 5.1, 36, 80, 1200, 3.8, 0.4, 7, 70, 15, 1568000]),
    st.integers(1, 3000).map(float),
    st.decimals(0, 500, places=1).map(float),
)
units = st.sampled_from(["亿元", "万元", "元", "%", "个百分点", "个", "家", "名", None])
qualifiers = st.sampled_from(["exact", "approx", "more_than", "less_than", "range"])
phrases = st.builds(
    lambda word, number, unit: f"{word}{number:g}{unit or ''}" if number is not None else word,
    st.sampled_from(["地区生产总值", "新签约项目", "总投资", "新增市场主体", "工业投资", "研发投入强度"]),
    st.none() | numbers,
    units,
)
quotes = st.one_of(
    st.sampled_from([line for line in TEXT.splitlines() if line]),
    st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 40)).map(lambda p: TEXT[p[0] : p[0] + p[1]]),
    phrases,
)
candidate_ids = st.lists(st.sampled_from([q.id for q in QUANTITIES] + ["q0", "q999"]), max_size=3)
metric_drafts = st.builds(
    MetricDraft, name=phrases, value=st.none() | numbers, unit=units, growth_pct=st.none() | numbers,
    growth_pp=st.none() | numbers, period=st.none() | phrases, qualifier=qualifiers, quote=quotes,
    quantity_ids=candidate_ids,
)  # fmt: skip
target_drafts = st.builds(
    TargetDraft, name=phrases, value=st.none() | numbers, unit=units, low=st.none() | numbers, high=st.none() | numbers,
    qualifier=qualifiers, horizon=st.none() | phrases, quote=quotes, quantity_ids=candidate_ids,
)  # fmt: skip
NUMBERS = [q for q in QUANTITIES if not q.is_time]


@st.composite
def near_truths(draw: st.DrawFn) -> tuple[Quantity, float, str | None, str]:
    """A candidate and a claim about it that is right, rescaled, or slightly wrong, with a plausible quote."""
    quantity = draw(st.sampled_from(NUMBERS))
    value, unit = draw(
        st.sampled_from(
            [
                (quantity.value, quantity.unit),
                (quantity.value * 10_000, "万元") if quantity.unit == "亿元" else (quantity.value, None),
                (-quantity.value, quantity.unit),
                (quantity.value + 1, quantity.unit),
                (quantity.value, "%" if quantity.unit != "%" else "个百分点"),
            ]
        )
    )
    sentence = TEXT[quantity.sentence_start : quantity.sentence_end]
    quote = draw(st.sampled_from([sentence, quantity.text, TEXT[quantity.start - 6 : quantity.end]]))
    return quantity, value, unit, quote


@st.composite
def near_true_metrics(draw: st.DrawFn) -> MetricDraft:
    quantity, value, unit, quote = draw(near_truths())
    as_growth = quantity.kind in ("percent", "percentage_point") and draw(st.booleans())
    return MetricDraft(
        name=quantity.indicator or "指标",
        value=None if as_growth else value,
        unit=None if as_growth else unit,
        growth_pct=value if as_growth and unit == "%" else None,
        growth_pp=value if as_growth and unit != "%" else None,
        qualifier=draw(qualifiers),
        quote=quote,
        quantity_ids=draw(st.sampled_from([[quantity.id], [], ["q999"]])),
    )


@st.composite
def near_true_targets(draw: st.DrawFn) -> TargetDraft:
    quantity, value, unit, quote = draw(near_truths())
    return TargetDraft(name=quantity.indicator or "目标", value=value, unit=unit, qualifier=draw(qualifiers), quote=quote,
                       quantity_ids=draw(st.sampled_from([[quantity.id], []])))  # fmt: skip


clause_ids = st.lists(st.sampled_from([row.id for row in CLAUSES.rows] + ["c0", "c999"]), max_size=3)
item_drafts = st.builds(ItemDraft, text=phrases, quote=quotes) | st.builds(
    ItemDraft, text=phrases, quote=st.none() | quotes, clause_ids=clause_ids
)
drafts = st.builds(
    SummaryDraft,
    meta=st.builds(MetaDraft, organization=st.none() | phrases, meeting_name=st.none() | phrases),
    metrics=st.lists(metric_drafts | near_true_metrics(), max_size=4),
    targets=st.lists(target_drafts | near_true_targets(), max_size=3),
    achievements=st.lists(item_drafts, max_size=3),
    tasks=st.lists(item_drafts, max_size=2),
)


def assert_states_only_the_document(summary: Summary | object) -> None:
    meta = summary.meta
    assert all(phrase_numbers_stated(getattr(meta, key)) for key in ("organization", "meeting_name"))
    for metric in summary.metrics:
        assert metric.value is None or stated(metric.value, metric.unit)
        assert all(g is None or stated(g, None) for g in (metric.growth_pct, metric.growth_pp))
        assert phrase_numbers_stated(metric.name) and phrase_numbers_stated(metric.period)
    for target in summary.targets:
        assert all(v is None or stated(v, target.unit) for v in (target.value, target.low, target.high))
        assert phrase_numbers_stated(target.name) and phrase_numbers_stated(target.horizon)
    for item in [*summary.metrics, *summary.targets, *summary.achievements, *summary.problems, *summary.tasks]:
        assert TEXT[item.evidence.start : item.evidence.end] == item.evidence.quote
    for item in [*summary.achievements, *summary.problems, *summary.tasks]:
        assert phrase_numbers_stated(item.text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts)
def test_whatever_the_draft_says_ground_states_no_number_the_document_does_not(draft: SummaryDraft) -> None:
    grounded = ground(draft, TEXT, QUANTITIES, CLAUSES)
    assert_states_only_the_document(grounded)
    for section in ("metrics", "targets", "achievements", "tasks"):  # nothing silently lost
        dropped = sum(d.section == section for d in grounded.dropped)
        assert len(getattr(grounded, section)) + dropped == len(getattr(draft, section))
    kept = iter([*grounded.achievements, *grounded.tasks])
    for item in [*draft.achievements, *draft.tasks]:
        if any(d.item == item.model_dump(mode="json") for d in grounded.dropped):
            continue
        record = next(kept)
        if item.clause_ids:  # a phrase citing clauses states only numbers of its own evidence
            assert phrase_numbers_stated_in(record.text, record.evidence.quote), (record.text, record.evidence.quote)


spans = st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 30)).map(lambda p: (p[0], min(len(TEXT), p[0] + p[1])))


@st.composite
def evidences(draw: st.DrawFn) -> Evidence:
    start, end = draw(spans)
    quote = TEXT[start:end] if draw(st.booleans()) else draw(quotes)
    return Evidence(quote=quote, start=start, end=end, quantity_ids=draw(candidate_ids))


@st.composite
def near_true_summary_metrics(draw: st.DrawFn) -> Metric:
    draft = draw(near_true_metrics())
    span = locate_quote(draft.quote, TEXT) or (0, 1)
    shift = draw(st.sampled_from([0, 0, 1]))
    start, end = span[0] + shift, span[1] + shift
    return Metric(
        name=draft.name, value=draft.value, unit=draft.unit, growth_pct=draft.growth_pct, growth_pp=draft.growth_pp,
        qualifier=draft.qualifier, evidence=Evidence(quote=TEXT[span[0] : span[1]], start=start, end=end),
    )  # fmt: skip


summaries = st.builds(
    summary_of,
    st.lists(st.builds(Metric, name=phrases, value=st.none() | numbers, unit=units, growth_pct=st.none() | numbers,
                       growth_pp=st.none() | numbers, qualifier=qualifiers, evidence=evidences())
             | near_true_summary_metrics(), max_size=4),
    st.lists(st.builds(Target, name=phrases, value=st.none() | numbers, unit=units, low=st.none() | numbers,
                       qualifier=qualifiers, horizon=st.none() | phrases, evidence=evidences()), max_size=3),
    st.lists(st.builds(Item, text=phrases, evidence=evidences()), max_size=3),
    meta=st.builds(Meta, organization=st.none() | phrases, meeting_name=st.none() | phrases),
)  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries)
def test_whatever_a_backend_says_enforce_states_no_number_the_document_does_not(summary: Summary) -> None:
    result = enforce(summary, QUANTITIES)
    assert_states_only_the_document(result)
    kept = len(result.metrics) + len(result.targets) + len(result.achievements)
    lost = sum(d.section in ("metrics", "targets", "achievements") for d in result.diagnostics.dropped)
    assert kept + lost == len(summary.metrics) + len(summary.targets) + len(summary.achievements)


# --- the seeds, read in place -----------------------------------------------------------------------------


def test_rules_summaries_of_the_seeds_survive_a_round_trip_through_a_draft(seed_paths: list[Path]) -> None:
    """An oracle model answering the rules summary as a draft gets exactly that summary back."""
    rules = pytest.importorskip("summarizer.backends.rules")
    from summarizer.document import load_document

    for path in seed_paths:
        document = load_document(path)
        quantities = extract_quantities(document.text)
        summary = enforce(rules.RulesBackend().summarize(document, quantities), quantities)
        grounded = ground(draft_from_summary(summary), document.text, quantities)
        assert grounded.dropped == [], path.name
        for section in ("metrics", "targets", "achievements", "problems", "tasks"):
            # A quote the text repeats, with no candidate to place it, may land on another copy.
            assert [unplaced(i, document.text) for i in getattr(grounded, section)] == [
                unplaced(i, document.text) for i in getattr(summary, section)
            ], (path.name, section)


def unplaced(item: Metric | Target | Item, text: str) -> Metric | Target | Item:
    quote = item.evidence.quote
    if text.count(quote) == 1:
        return item
    return item.model_copy(update={"evidence": item.evidence.model_copy(update={"start": 0, "end": 0})})


def test_hallucinated_numbers_in_seed_drafts_are_dropped_with_reasons(seed_paths: list[Path]) -> None:
    rules = pytest.importorskip("summarizer.backends.rules")
    from summarizer.document import load_document

    for path in seed_paths:
        document = load_document(path)
        quantities = extract_quantities(document.text)
        draft = draft_from_summary(enforce(rules.RulesBackend().summarize(document, quantities), quantities))
        for metric in draft.metrics:  # every level off by a little (by an amount no seed states)
            metric.value = None if metric.value is None else metric.value + 0.013
        for task in draft.tasks:
            task.text += "，新增项目987个"
        grounded = ground(draft, document.text, quantities)
        with_values = [m for m in draft.metrics if m.value is not None]
        assert not any(m.value is not None for m in grounded.metrics), path.name
        assert grounded.tasks == [], path.name
        dropped = [d for d in grounded.dropped if d.section in ("metrics", "tasks")]
        assert len(dropped) == len(with_values) + len(draft.tasks), path.name
        assert all("is not stated" in " ".join(d.reasons) for d in dropped), path.name

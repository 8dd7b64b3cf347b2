"""The evaluation's building blocks: unit scaling, the number scanner, pairing and each scorer."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

import pytest

from summarizer.document import Document
from summarizer.evaluation.baseline import BaselineBackend, evidence, summary_shell
from summarizer.evaluation.fixtures import GoldMeta, GoldMetric, GoldQuantity, GoldTarget
from summarizer.evaluation.matching import char_ngram_f1, match, name_similarity
from summarizer.evaluation.numbers import same_quantity, scan_numbers, supported, unit_base
from summarizer.evaluation.scorers import (
    Counts,
    score_faithfulness,
    score_meta,
    score_metrics,
    score_phrases,
    score_quantities,
    score_targets,
)
from summarizer.schema import Item, Meta, Metric, Quantity, Target


def plain_document(text: str, raw_text: str | None = None, offsets: tuple[int, ...] | None = None) -> Document:
    raw = text if raw_text is None else raw_text
    return Document(
        name="test.txt",
        text=text,
        raw_text=raw,
        offsets=offsets or tuple(range(len(text) + 1)),
        sha256=hashlib.sha256(raw.encode()).hexdigest(),
    )


def metric(name: str, text: str = "x", **fields: object) -> Metric:
    return Metric(name=name, evidence=evidence(text, 0, 1), **fields)


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("亿元", (1e8, "元")), ("万元", (1e4, "元")), ("%", (1.0, "%")), ("个百分点", (1.0, "pp")),
     ("万人次", (1e4, "人次")), ("亿千瓦时", (1e8, "千瓦时")), ("位", (1.0, "rank")), ("名", (1.0, "rank")),
     (None, (1.0, ""))],
)
def test_unit_base_splits_scale_from_the_dimension(unit: str | None, expected: tuple[float, str]) -> None:
    assert unit_base(unit) == expected


def test_quantities_are_equal_across_scales_but_percent_is_never_a_point() -> None:
    assert same_quantity(302.3, "亿元", 3023000, "万元")
    assert not same_quantity(302.3, "亿元", 302.3, "万元")
    assert not same_quantity(1, "%", 1, "个百分点")


def test_the_scanner_reads_genre_number_forms_and_marks_time() -> None:
    found = {(n.surface, n.value, n.base, n.is_time) for n in scan_numbers(
        "8月11日,完成**302.3亿元**,增长7.5%,高于全市1.5个百分点,居全市第一,三百亿元,百分之三十,1—6月,10-15%"
    )}
    assert ("302.3", 302.3e8, "元", False) in found
    assert ("7.5", 7.5, "%", False) in found
    assert ("1.5", 1.5, "pp", False) in found
    assert ("一", 1.0, "rank", False) in found
    assert ("三百亿", 3e10, "元", False) in found
    assert ("百分之三十", 30.0, "%", False) in found
    assert ("10", 10.0, "%", False) in found  # a range's first bound takes the unit after the second
    assert {("8", True), ("11", True), ("1", True), ("6", True)} <= {(s, t) for s, _, _, t in found}


def test_support_needs_the_same_scaled_number_and_unit_class() -> None:
    source = scan_numbers("税收完成31.16亿元,占比80.55%,比去年同期提高1个百分点。")
    assert supported(311600, "万元", source)
    assert supported(80.55, "%", source)
    assert not supported(1, "%", source)  # the source says 1 percentage point, not 1%
    assert not supported(31.16, "万元", source)


# ------------------------------------------------------------------ pairing and similarity


def test_char_similarity_is_chinese_safe_and_ignores_punctuation() -> None:
    assert char_ngram_f1("消费市场恢复偏慢", "消费市场,恢复偏慢") == 1.0
    assert char_ngram_f1("消费市场恢复偏慢", "重大项目储备不足") == 0.0
    assert 0.0 < char_ngram_f1("培育新兴产业", "加快培育新兴产业") < 1.0


def test_canonical_names_count_as_the_same_indicator() -> None:
    assert name_similarity("规上工业增加值", "规模以上工业增加值") == 1.0
    assert name_similarity("GDP", "全区地区生产总值") == 1.0
    assert name_similarity("GDP", "社会消费品零售总额") < 0.5
    assert name_similarity("第二产业增加值", "第三产业增加值") < 0.5  # alike, but other indicators


def test_matching_maximises_total_similarity_one_to_one() -> None:
    # Greedy would pair "ab" with "ab" and leave "abc" alone; so would the optimum here, but
    # "abd" must then take "abc", never pairing one prediction twice.
    result = match(["ab", "abd"], ["ab", "abc"], lambda g, p: char_ngram_f1(g, p, n=1), 0.5)
    assert {(p.gold, p.predicted) for p in result.pairs} == {("ab", "ab"), ("abd", "abc")}
    assert result.missed == [] and result.extra == []


def test_pairs_below_the_threshold_are_missed_and_extra() -> None:
    result = match(["消费市场恢复偏慢"], ["重大项目储备不足"], char_ngram_f1, 0.4)
    assert result.pairs == [] and result.missed == ["消费市场恢复偏慢"] and result.extra == ["重大项目储备不足"]


# ------------------------------------------------------------------ metrics and targets


def test_metric_outcomes_are_tp_wrong_value_extra_and_missed() -> None:
    gold = [
        GoldMetric(name="地区生产总值", value=302.3, unit="亿元", growth_pct=7.5),
        GoldMetric(name="固定资产投资", growth_pct=1.2),
        GoldMetric(name="社会消费品零售总额", growth_pct=13.1),
    ]
    predicted = [
        metric("GDP", value=3023000, unit="万元", growth_pct=7.5),  # TP: same quantity in other units
        metric("固定资产投资", growth_pct=2.1),  # wrong value
        metric("研发投入", value=5, unit="亿元"),  # extra
    ]
    scores = score_metrics(gold, predicted)
    assert scores.counts["metrics"] == Counts(tp=1, fp=2, fn=2)
    assert scores.counts["metrics.value"] == Counts(tp=1, fp=1, fn=0)
    assert scores.counts["metrics.growth_pct"] == Counts(tp=1, fp=1, fn=2)
    outcomes = sorted(d.outcome for d in scores.diffs)
    assert outcomes == ["extra", "missed", "wrong_value"]
    wrong = next(d for d in scores.diffs if d.outcome == "wrong_value")
    assert "growth_pct" in (wrong.detail or "") and wrong.evidence == "x"


def test_qualifier_matters_for_a_targets_outcome() -> None:
    gold = [GoldTarget(name="生产总值增速", value=10, unit="%", measure="growth", qualifier="approx")]
    exact = [Target(name="生产总值增速", value=10, unit="%", measure="growth", evidence=evidence("x", 0, 1))]
    scores = score_targets(gold, exact)
    assert scores.counts["targets"] == Counts(tp=0, fp=1, fn=1)
    assert scores.counts["targets.value"] == Counts(tp=1)
    assert scores.counts["targets.qualifier"] == Counts(fn=1)


def test_a_rank_metric_pairs_with_its_own_label_not_with_the_level() -> None:
    gold = [
        GoldMetric(name="地区生产总值", value=86.4, unit="亿元"),
        GoldMetric(name="地区生产总值增速全市排名", value=2, unit="名"),
    ]
    predicted = [metric("GDP增速全市排名", value=2, unit="位"), metric("地区生产总值", value=86.4, unit="亿元")]
    assert score_metrics(gold, predicted).counts["metrics"] == Counts(tp=2)


# ------------------------------------------------------------------ phrases, meta


def test_phrases_pair_on_character_similarity() -> None:
    gold = ["消费市场恢复偏慢", "重大项目储备不足"]
    predicted = [Item(text="消费市场恢复仍偏慢", evidence=evidence("x", 0, 1)),
                 Item(text="安全生产", evidence=evidence("x", 0, 1))]
    scores = score_phrases("problems", gold, predicted)
    assert scores.counts["problems"] == Counts(tp=1, fp=1, fn=1)


def test_meta_accuracy_normalises_names_and_counts_unlabelled_fills_as_wrong() -> None:
    import datetime as dt

    gold = GoldMeta(organization="郑州高新区", city="郑州", meeting_date=dt.date(2023, 8, 11))
    predicted = Meta(organization="高新区", city="郑州市", meeting_date=dt.date(2023, 8, 12), report_period="上半年")
    ratios = score_meta(gold, predicted).ratios
    assert (ratios["meta.organization.accuracy"].value, ratios["meta.city.accuracy"].value) == (1.0, 1.0)
    assert ratios["meta.meeting_date.accuracy"].value == 0.0
    assert ratios["meta.report_period.accuracy"].value == 0.0  # filled, but the labels say not stated
    assert ratios["meta.meeting_name.accuracy"].total == 0


# ------------------------------------------------------------------ quantities


def quantity(text: str, start: int, kind: str = "amount", value: float = 1, unit: str = "", **extra: object) -> Quantity:
    return Quantity(id=f"q{start}", text=text, start=start, end=start + len(text), sentence_start=0, sentence_end=1,
                    kind=kind, value=value, unit=unit, scaled_value=value, base_unit=unit, **extra)  # type: ignore[arg-type]


def test_quantities_pair_by_raw_offset_through_the_cleaning_map() -> None:
    raw = "**完成8亿元**,增长5%"
    text = "完成8亿元,增长5%"
    offsets = (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14)  # the ** pairs were removed
    document = plain_document(text, raw, offsets)
    gold = [GoldQuantity(surface="8亿元", kind="amount", value=8, unit="亿元", offset=4),
            GoldQuantity(surface="5%", kind="percent", value=5, unit="%", direction="increase", offset=12)]
    predicted = [quantity("8亿元", 2, value=8, unit="亿元"), quantity("5%", 8, kind="percent", value=5, unit="%"),
                 quantity("8月", 0, kind="date", value=8, unit="月")]  # time kinds are never scored
    scores = score_quantities(gold, predicted, document)
    assert scores.counts["quantities"] == Counts(tp=1, fp=1, fn=1)  # 5% lacks its direction
    assert scores.counts["quantities.direction"] == Counts(fn=1)
    assert scores.counts["quantities.surface"] == Counts(tp=2)


def test_a_label_without_offset_pairs_by_surface_in_order() -> None:
    document = plain_document("新增3家,再增3家")
    gold = [GoldQuantity(surface="3家", kind="count", value=3, unit="家"),
            GoldQuantity(surface="3家", kind="count", value=3, unit="家")]
    predicted = [quantity("3家", 2, kind="count", value=3, unit="家"), quantity("3家", 7, kind="count", value=3, unit="家")]
    assert score_quantities(gold, predicted, document).counts["quantities"] == Counts(tp=2)


# ------------------------------------------------------------------ faithfulness


def test_faithfulness_counts_numbers_in_fields_and_inside_phrases() -> None:
    document = plain_document("一季度,全县生产总值完成64.8亿元,同比增长5.3%。")
    summary = summary_shell(document, "baseline")
    summary.metrics.append(metric("生产总值", document.text, value=64.8, unit="亿元", growth_pct=5.3))
    summary.achievements.append(Item(text="经济增长5.3%,新增企业37家", evidence=evidence(document.text, 0, 3)))
    scores = score_faithfulness(summary, document)
    assert scores.ratios["faithfulness.numbers"].hits == 3
    assert scores.ratios["faithfulness.numbers"].total == 4
    assert [d.predicted for d in scores.diffs] == ["37"]


def test_span_accuracy_checks_the_quote_against_the_documents_text() -> None:
    document = plain_document("全区经济稳中向好。")
    summary = summary_shell(document, "baseline")
    summary.achievements.append(Item(text="稳中向好", evidence=evidence(document.text, 4, 8)))
    summary.achievements.append(Item(text="稳中向好", evidence=evidence(document.text, 4, 8).model_copy(update={"start": 3})))
    ratio = score_faithfulness(summary, document).ratios["faithfulness.spans"]
    assert (ratio.hits, ratio.total) == (1, 2)


# ------------------------------------------------------------------ baseline


def test_the_baseline_is_naive_but_its_output_is_well_formed() -> None:
    text = "一季度,全区规上工业增加值同比增长9.2%。存在的问题是消费恢复偏慢。要加快项目建设。全年力争增长7%左右。"
    summary = BaselineBackend().summarize(plain_document(text))
    assert [m.growth_pct for m in summary.metrics] == [9.2]
    assert [(t.value, t.unit, t.cue) for t in summary.targets] == [(7.0, "%", "力争")]
    assert [i.text for i in summary.problems] == ["存在的问题是消费恢复偏慢"]
    assert [i.text for i in summary.tasks] == ["要加快项目建设"]
    spans = score_faithfulness(summary, plain_document(text)).ratios["faithfulness.spans"]
    assert spans.hits == spans.total > 0


def test_junit_is_valid_xml() -> None:
    from summarizer.evaluation.junit import render_junit
    from summarizer.evaluation.runner import EvalRun

    root = ET.fromstring(render_junit(EvalRun("baseline", [])).split("\n", 1)[1])
    assert root.tag == "testsuite" and root.get("tests") == "0"

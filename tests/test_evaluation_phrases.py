"""Achievements, problems and tasks: one-to-one F1 on the external scorer's bigram measure, coverage
and item counts; bare number surfaces (the realdev labels); labels in traditional characters.
Every phrase here is invented."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from summarizer.evaluation.baseline import evidence
from summarizer.evaluation.fixtures import GoldMeta
from summarizer.evaluation.matching import (
    char_ngram_f1,
    name_similarity,
    phrase_containment,
    phrase_similarity,
    same_surface,
)
from summarizer.evaluation.numbers import same_quantity
from summarizer.evaluation.report import item_counts
from summarizer.evaluation.scorers import PHRASE_THRESHOLD, Counts, score_meta, score_number_surfaces, score_phrases
from summarizer.resources import realdev_dir
from summarizer.schema import Item, Meta, Quantity


def items(*texts: str) -> list[Item]:
    return [Item(text=t, evidence=evidence("x", 0, 1)) for t in texts]


def external_scorer() -> ModuleType | None:
    """``shared/tools/score.py`` beside the realdev folder, imported when present."""
    path = realdev_dir().parent / "tools" / "score.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("external_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("external_score", module)
    spec.loader.exec_module(module)
    return module


# (gold, predicted) pairs, invented: each decides the threshold one way or the other.
PAIRS = [
    ("加快建设物流园区", "加快建设物流园区"),  # the same phrase
    ("加快建设物流园区", "加快建设物流园区,完善冷链体系"),  # twice as long: the external scorer keeps it
    ("加快建设物流园区", "加快建设人才公寓"),  # 3 of 7 bigrams: Dice 0.43 passed the old 0.4, not 0.5
    ("持续优化营商环境提升服务效能", "优化营商环境"),  # a short fragment: Dice 0.56, external 0.38
    ("GDP增速", "gdp增速"),  # letter case is not folded by the external scorer
    ("工业投资增长乏力", "工业投资增長乏力"),  # traditional characters are read as simplified
    ("推进老旧小区改造", "推进 老旧小区(xiǎo)改造。"),  # spaces, pinyin and punctuation are dropped
    ("新增就业5%以上", "新增就业5以上"),  # % is not punctuation: it stays between the characters
    ("开展安全生产大检查", "开展安全生产大检查大排查大整治专项行动"),  # over twice as long: a small loss
]


@pytest.mark.parametrize(("gold", "predicted"), PAIRS)
def test_phrases_pair_only_where_the_external_scorer_pairs_them(gold: str, predicted: str) -> None:
    external = external_scorer()
    if external is None:
        pytest.skip(f"the external scorer is not at {realdev_dir().parent / 'tools' / 'score.py'}")
    assert phrase_similarity(gold, predicted) == pytest.approx(external.phrase_sim(predicted, gold))
    ours = score_phrases("tasks", [gold], items(predicted)).counts["tasks"].tp
    theirs = external.greedy([predicted], [gold], external.phrase_sim, 0.5)
    assert ours <= theirs


def test_the_phrase_measure_is_the_external_one_without_the_external_scorer() -> None:
    assert PHRASE_THRESHOLD == 0.5
    assert phrase_similarity("加快建设物流园区", "加快建设物流园区") == 1.0
    assert phrase_similarity("加快建设物流园区", "加快建设物流园区,完善冷链体系") == 1.0
    # Where the old measure (character-bigram F1 at 0.4) was more lenient, this one is not.
    assert char_ngram_f1("加快建设物流园区", "加快建设人才公寓") >= 0.4
    assert phrase_similarity("加快建设物流园区", "加快建设人才公寓") == pytest.approx(3 / 7)
    assert char_ngram_f1("持续优化营商环境提升服务效能", "优化营商环境") > 0.5
    assert phrase_similarity("持续优化营商环境提升服务效能", "优化营商环境") == pytest.approx(5 / 13)
    assert phrase_similarity("GDP增速", "gdp增速") < 0.5 < char_ngram_f1("GDP增速", "gdp增速")
    assert phrase_similarity("新增就业5%以上", "新增就业5以上") < 1.0 == char_ngram_f1("新增就业5%以上", "新增就业5以上")
    # Not symmetric: a long prediction of a short label passes, a short prediction of a long one fails.
    assert phrase_similarity("建设物流园区", "加快建设物流园区") == 1.0
    assert phrase_similarity("加快建设物流园区", "建设物流园区") == pytest.approx(5 / 7)


def test_coverage_finds_labels_inside_merged_items_and_counts_show_the_merge() -> None:
    gold = ["加快建设物流园区", "全力抓好春耕生产", "深化国企改革攻坚"]
    merged = items("加快建设物流园区,全力抓好春耕生产,深化国企改革攻坚,确保完成全年目标")
    scores = score_phrases("tasks", gold, merged)
    assert scores.counts["tasks"] == Counts(tp=0, fp=1, fn=3)  # far longer than any label: no pair
    assert scores.ratios["tasks.coverage"].hits == 3 and scores.ratios["tasks.coverage"].total == 3
    assert item_counts(scores)["tasks"] == {"predicted": 1, "gold": 3, "tp": 0, "covered": 3, "coverage": 1.0}
    assert all(d.detail == "covered by a longer item" for d in scores.diffs if d.outcome == "missed")


def test_split_items_lose_coverage_and_counts_show_the_split() -> None:
    gold = ["加快建设物流园区完善冷链配送体系"]
    split = items("加快建设", "物流园区", "完善冷链", "配送体系")
    scores = score_phrases("tasks", gold, split)
    assert scores.counts["tasks"] == Counts(tp=0, fp=4, fn=1)
    assert scores.ratios["tasks.coverage"].hits == 0
    assert item_counts(scores)["tasks"] == {"predicted": 4, "gold": 1, "tp": 0, "covered": 0, "coverage": 0.0}


def test_coverage_is_not_one_to_one_and_is_at_least_recall() -> None:
    gold = ["培育新兴产业集群", "培育新兴产业集群", "稳住外贸基本盘"]
    scores = score_phrases("achievements", gold, items("培育新兴产业集群", "招商引资成效明显"))
    assert scores.counts["achievements"] == Counts(tp=1, fp=1, fn=2)
    coverage = scores.ratios["achievements.coverage"]
    assert (coverage.hits, coverage.total) == (2, 3)  # one item covers both copies of its label
    assert phrase_containment("稳住外贸基本盘", "招商引资成效明显") == 0.0


def test_nothing_to_find_covers_everything_and_nothing_found_covers_nothing() -> None:
    assert score_phrases("problems", [], items("招商引资成效明显")).ratios["problems.coverage"].value == 1.0
    assert score_phrases("problems", ["融资渠道不畅"], []).ratios["problems.coverage"].value == 0.0


def quantity(text: str, kind: str = "amount", index: int = 0) -> Quantity:
    return Quantity(id=f"q{index}", text=text, start=index, end=index + len(text), sentence_start=0, sentence_end=99,
                    kind=kind, value=None, unit="", scaled_value=None, base_unit="")  # type: ignore[arg-type]


def test_number_surfaces_match_in_text_order_with_hedges_aside() -> None:
    assert same_surface("40个", "40多个") and same_surface("第一", "居全市第一") and same_surface("12億元", "12亿元")
    assert not same_surface("40个", "41个") and not same_surface("第二", "居全市第一")
    predicted = [quantity("2024年", "year", 0), quantity("12亿元", index=1), quantity("40个", "count", 2),
                 quantity("3.5%", "percent", 3), quantity("12亿元", index=4)]
    scores = score_number_surfaces(["12亿元", "40多个", "12亿元", "8%"], predicted)
    assert scores.counts["numbers"] == Counts(tp=3, fp=1, fn=1)  # the year is never a candidate
    assert [d.gold for d in scores.diffs if d.outcome == "missed"] == ["8%"]
    assert [d.predicted.split(" ")[0] for d in scores.diffs if d.outcome == "extra"] == ["3.5%"]  # type: ignore[union-attr]


def test_number_surfaces_agree_with_the_external_scorer() -> None:
    external = external_scorer()
    if external is None:
        pytest.skip("the external scorer is not present")
    gold = ["12亿元", "40多个", "居全市第一", "8%", "12亿元"]
    predicted = [quantity("12亿元", index=1), quantity("40个", "count", 2), quantity("第一", "rank", 3),
                 quantity("3.5%", "percent", 4)]
    ours = score_number_surfaces(gold, predicted).counts["numbers"]
    theirs = external.score_numbers({"numbers": gold}, [{"text": q.text, "kind": q.kind} for q in predicted])
    assert (ours.tp, ours.tp + ours.fp, ours.tp + ours.fn) == (theirs["tp"], theirs["pred"], theirs["gold"])



def test_labels_in_traditional_characters_compare_equal_to_the_simplified_output() -> None:
    # The documents are read in simplified characters; labels may keep a page's traditional ones.
    assert name_similarity("規上工業增加值", "规上工业增加值") == 1.0
    assert same_quantity(12, "億元", 120000, "万元")
    ratios = score_meta(GoldMeta(organization="青禾縣", report_period="上半年"),
                        Meta(organization="青禾县", report_period="上半年")).ratios
    assert ratios["meta.organization.accuracy"].hits == 1 and ratios["meta.report_period.accuracy"].hits == 1


def test_a_body_named_only_generically_is_right_when_named_so() -> None:
    assert score_meta(GoldMeta(organization="市"), Meta(organization="市")).ratios["meta.organization.accuracy"].hits == 1
    assert score_meta(GoldMeta(organization="市"), Meta(organization="青禾市")).ratios["meta.organization.accuracy"].hits == 0

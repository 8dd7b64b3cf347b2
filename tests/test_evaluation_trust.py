"""Trust in the harness: the gold labels score 1.0, each perturbation moves exactly its score, and
the scores behave (bounded, symmetric, independent of order) on arbitrary inputs."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.document import Document
from summarizer.evaluation.baseline import evidence
from summarizer.evaluation.fixtures import GoldQuantity, LoadedFixture, discover
from summarizer.evaluation.matching import char_ngram_f1, match
from summarizer.evaluation.runner import oracle_summary
from summarizer.evaluation.scorers import score_metrics, score_phrases, score_quantities, score_summary
from summarizer.schema import Item, Metric, Quantity, Summary

FIXTURES = Path(__file__).parent / "data" / "eval" / "fixtures"


def loaded_document(loaded: LoadedFixture) -> Document:
    """The fixture's document with an identity cleaning map (the test documents need no cleaning)."""
    assert loaded.document_path is not None
    raw = loaded.document_path.read_text(encoding="utf-8")
    sha = hashlib.sha256(loaded.document_path.read_bytes()).hexdigest()
    return Document(name=str(loaded.document_path), text=raw, raw_text=raw, offsets=tuple(range(len(raw) + 1)), sha256=sha)


@pytest.fixture(scope="module")
def binhe() -> tuple[LoadedFixture, Document]:
    loaded = next(f for f in discover(FIXTURES) if f.fixture.id == "binhe-q1")
    return loaded, loaded_document(loaded)


def gold_as_candidates(gold: list[GoldQuantity], document: Document) -> list[Quantity]:
    """The labelled mentions as if the pre-extractor had found them (located by surface when unplaced)."""
    candidates = []
    for index, label in enumerate(gold):
        start = label.offset if label.offset is not None else document.text.index(label.surface)
        candidates.append(Quantity(
            id=f"q{index}", text=label.surface, start=start, end=start + len(label.surface), sentence_start=0,
            sentence_end=len(document.text), kind=label.kind, value=label.value, unit=label.unit, scaled_value=None,
            base_unit="", qualifier=label.qualifier, low=label.low, high=label.high, direction=label.direction,
        ))
    return candidates


@pytest.mark.parametrize("fixture_id", ["binhe-q1", "quiet-meeting"])
def test_the_oracle_scores_one_everywhere(fixture_id: str) -> None:
    loaded = next(f for f in discover(FIXTURES) if f.fixture.id == fixture_id)
    document = loaded_document(loaded)
    scores = score_summary(loaded.fixture, oracle_summary(loaded.fixture, document), document)
    scores += score_quantities(loaded.fixture.quantities, gold_as_candidates(loaded.fixture.quantities, document), document)
    assert scores.diffs == []
    assert {name: value for name, value in scores.flat().items() if value != 1.0} == {}


# ------------------------------------------------------------------ perturbations

Perturbation = Callable[[Summary, Document], None]


def drop_first_metric(summary: Summary, document: Document) -> None:
    del summary.metrics[0]  # 地区生产总值: value, unit, growth_pct and period


def value_up_ten_percent(summary: Summary, document: Document) -> None:
    summary.metrics[0].value = round(summary.metrics[0].value * 1.1, 4)  # type: ignore[operator]


def yi_to_wan(summary: Summary, document: Document) -> None:
    summary.metrics[0].unit = "万元"  # same dimension, a 10,000-fold smaller amount


def percent_to_points(summary: Summary, document: Document) -> None:
    summary.targets[0].unit = "个百分点"


def invented_metric(summary: Summary, document: Document) -> None:
    summary.metrics.append(Metric(name="研发投入", value=3.7, unit="亿元", evidence=evidence(document.text, 0, 2)))


def number_inside_a_phrase(summary: Summary, document: Document) -> None:
    item = summary.achievements[0]
    summary.achievements[0] = Item(text=item.text + ",营收增长37%", evidence=item.evidence)


def shortened_phrase(summary: Summary, document: Document) -> None:
    item = summary.tasks[1]
    summary.tasks[1] = Item(text=item.text[:2], evidence=item.evidence)


def prf(section: str, p: float, r: float) -> dict[str, float]:
    return {f"{section}.precision": p, f"{section}.recall": r, f"{section}.f1": 2 * p * r / (p + r) if p + r else 0.0}


# binhe-q1: 6 metrics (5 with a value, 3 with growth, 3 with a period), 2 targets, 3 tasks, and
# 10 numbers stated in values and growths; no number inside any labelled phrase or name.
PERTURBATIONS: list[tuple[Perturbation, dict[str, float]]] = [
    (drop_first_metric, {**prf("metrics", 1, 5 / 6), **prf("metrics.name", 1, 5 / 6), **prf("metrics.value", 1, 4 / 5),
                         **prf("metrics.unit", 1, 4 / 5), **prf("metrics.growth_pct", 1, 2 / 3),
                         **prf("metrics.period", 1, 2 / 3)}),
    (value_up_ten_percent, {**prf("metrics", 5 / 6, 5 / 6), **prf("metrics.value", 4 / 5, 4 / 5),
                            "faithfulness.numbers": 9 / 10}),
    (yi_to_wan, {**prf("metrics", 5 / 6, 5 / 6), **prf("metrics.value", 4 / 5, 4 / 5), "faithfulness.numbers": 9 / 10}),
    (percent_to_points, {**prf("targets", 1 / 2, 1 / 2), **prf("targets.value", 1 / 2, 1 / 2),
                         **prf("targets.unit", 1 / 2, 1 / 2), "faithfulness.numbers": 9 / 10}),
    (invented_metric, {**prf("metrics", 6 / 7, 1), **prf("metrics.name", 6 / 7, 1), **prf("metrics.value", 5 / 6, 1),
                       **prf("metrics.unit", 5 / 6, 1), "faithfulness.numbers": 10 / 11}),
    (number_inside_a_phrase, {"faithfulness.numbers": 10 / 11}),
    (shortened_phrase, {**prf("tasks", 2 / 3, 2 / 3), "tasks.coverage": 2 / 3}),
]


@pytest.mark.parametrize(("perturb", "expected"), PERTURBATIONS, ids=[p.__name__ for p, _ in PERTURBATIONS])
def test_a_perturbation_moves_exactly_its_scores(
    binhe: tuple[LoadedFixture, Document], perturb: Perturbation, expected: dict[str, float]
) -> None:
    loaded, document = binhe
    gold = oracle_summary(loaded.fixture, document)
    perturbed = gold.model_copy(deep=True)
    perturb(perturbed, document)
    before = score_summary(loaded.fixture, gold, document).flat()
    after = score_summary(loaded.fixture, perturbed, document).flat()
    assert set(expected) <= set(after)
    assert after == pytest.approx({name: expected.get(name, value) for name, value in before.items()})
    assert any(before[name] != pytest.approx(value) for name, value in expected.items())


# ------------------------------------------------------------------ properties

phrases = st.lists(st.text(alphabet="经济增长项目投资消费企业创新", min_size=1, max_size=8), max_size=6)
names = st.sampled_from(["地区生产总值", "GDP", "固定资产投资", "社零", "税收收入", "规上工业增加值", "研发投入"])
numbers = st.one_of(st.none(), st.sampled_from([1.0, 7.5, 10.0, 302.3]))
metrics = st.lists(
    st.builds(
        lambda name, value, unit, growth: Metric(name=name, value=value, unit=unit if value is not None else None,
                                                 growth_pct=growth, evidence=evidence("x", 0, 1)),
        names, numbers, st.sampled_from(["亿元", "万元", "%"]), numbers,
    ),
    max_size=5,
)


def items(texts: list[str]) -> list[Item]:
    return [Item(text=t, evidence=evidence("x", 0, 1)) for t in texts]


@settings(max_examples=60, deadline=None)
@given(phrases, phrases, st.randoms(use_true_random=False))
def test_phrase_scores_are_bounded_order_independent_and_count_every_item(
    gold: list[str], predicted: list[str], rng: random.Random
) -> None:
    # Not symmetric in gold and predicted, on purpose: the measure is the external scorer's, which
    # lets a prediction run up to twice its label's length (test_evaluation_scorers checks it).
    scores = score_phrases("tasks", gold, items(predicted))
    counts, coverage = scores.counts["tasks"], scores.ratios["tasks.coverage"]
    assert 0.0 <= counts.f1 <= 1.0 and 0.0 <= counts.precision <= 1.0 and 0.0 <= counts.recall <= 1.0
    assert (counts.tp + counts.fp, counts.tp + counts.fn) == (len(predicted), len(gold))
    assert counts.tp <= coverage.hits <= coverage.total == len(gold)  # a pair always covers its label
    shuffled_gold, shuffled_predicted = list(gold), list(predicted)
    rng.shuffle(shuffled_gold)
    rng.shuffle(shuffled_predicted)
    again = score_phrases("tasks", shuffled_gold, items(shuffled_predicted))
    assert again.flat() == scores.flat()


@settings(max_examples=60, deadline=None)
@given(metrics, metrics, st.randoms(use_true_random=False))
def test_metric_scores_are_bounded_symmetric_and_order_independent(
    gold: list[Metric], predicted: list[Metric], rng: random.Random
) -> None:
    scores = score_metrics(gold, predicted)
    assert all(0.0 <= value <= 1.0 for value in scores.flat().values())
    swapped = score_metrics(predicted, gold)
    for key, counts in scores.counts.items():
        assert (counts.tp, counts.fp, counts.fn) == (swapped.counts[key].tp, swapped.counts[key].fn, swapped.counts[key].fp)
    shuffled_gold, shuffled_predicted = list(gold), list(predicted)
    rng.shuffle(shuffled_gold)
    rng.shuffle(shuffled_predicted)
    assert score_metrics(shuffled_gold, shuffled_predicted).flat() == scores.flat()


@settings(max_examples=60, deadline=None)
@given(phrases, phrases, st.randoms(use_true_random=False))
def test_pairing_is_a_one_to_one_matching_independent_of_order(
    gold: list[str], predicted: list[str], rng: random.Random
) -> None:
    result = match(gold, predicted, char_ngram_f1, 0.4)
    assert len(result.pairs) + len(result.missed) == len(gold)
    assert len(result.pairs) + len(result.extra) == len(predicted)
    assert all(0.4 <= pair.similarity <= 1.0 for pair in result.pairs)
    shuffled = list(predicted)
    rng.shuffle(shuffled)
    again = match(gold, shuffled, char_ngram_f1, 0.4)
    assert sorted((p.gold, p.predicted) for p in again.pairs) == sorted((p.gold, p.predicted) for p in result.pairs)

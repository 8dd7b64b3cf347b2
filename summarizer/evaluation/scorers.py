"""Field-level scorers: one document's prediction against its labels, as counts and ratios.

Scores are kept as counts (TP/FP/FN, hits/total) per document and summed over documents
(micro-average) before any ratio is taken, so a short document weighs what its items weigh.
Conventions: precision is 1.0 when nothing was predicted, recall is 1.0 when nothing was to be
found; so "no numbers in, no metrics out" scores 1.0 and "found nothing" scores F1 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from summarizer.document import Document
from summarizer.evaluation.fixtures import Fixture, GoldMeta, GoldMetric, GoldQuantity, GoldTarget
from summarizer.evaluation.matching import (
    Matching,
    Pair,
    char_ngram_f1,
    match,
    name_similarity,
    normalize_text,
    phrase_containment,
    phrase_similarity,
    same_surface,
    to_simplified,
)
from summarizer.evaluation.numbers import close, same_quantity, scan_numbers, scanned_supported, supported, unit_base
from summarizer.schema import Evidence, Item, Meta, Metric, Quantity, Summary, Target

#: A name at least this similar (canonical names equal -> 1.0) counts as the right name.
NAME_OK = 0.75
#: Names this similar may pair on their own; weaker names pair only when every number agrees.
NAME_PAIRS = 0.5
NAME_PAIRS_WITH_NUMBERS = 0.3
#: Phrase similarity (the external scorer's bigram measure) at which a predicted phrase counts as
#: the labelled one: the external scorer's threshold, so the project is never more lenient.
PHRASE_THRESHOLD = 0.5
#: Share of a labelled phrase's bigrams inside one predicted item for the label to count as covered.
COVERAGE_THRESHOLD = 0.5
#: meeting_name similarity (character bigram F1) that counts as the same name.
MEETING_NAME_OK = 0.6

Outcome = Literal["missed", "extra", "wrong_value", "unsupported_number", "bad_span", "wrong_meta"]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Ratio:
    hits: int = 0
    total: int = 0

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.hits + other.hits, self.total + other.total)

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0


@dataclass(frozen=True)
class Diff:
    """One difference a person should look at: what was expected, what came out, and the evidence."""

    section: str
    outcome: Outcome
    gold: str | None = None
    predicted: str | None = None
    evidence: str | None = None
    detail: str | None = None


@dataclass
class Scores:
    """Counts keyed ``section`` or ``section.field``, ratios keyed by score name, and the diffs."""

    counts: dict[str, Counts] = field(default_factory=dict)
    ratios: dict[str, Ratio] = field(default_factory=dict)
    diffs: list[Diff] = field(default_factory=list)

    def __add__(self, other: Scores) -> Scores:
        counts = dict(self.counts)
        for key, value in other.counts.items():
            counts[key] = counts.get(key, Counts()) + value
        ratios = dict(self.ratios)
        for key, ratio in other.ratios.items():
            ratios[key] = ratios.get(key, Ratio()) + ratio
        return Scores(counts, ratios, self.diffs + other.diffs)

    def flat(self) -> dict[str, float]:
        """Every score as ``name -> value in [0, 1]``: ``metrics.value.f1``, ``faithfulness.numbers`` ..."""
        flat: dict[str, float] = {}
        for key, counts in sorted(self.counts.items()):
            flat[f"{key}.precision"] = counts.precision
            flat[f"{key}.recall"] = counts.recall
            flat[f"{key}.f1"] = counts.f1
        for key, ratio in sorted(self.ratios.items()):
            flat[key] = ratio.value
        return flat


# ---------------------------------------------------------------- metrics and targets


@dataclass(frozen=True)
class _Field:
    """One scored field of a record: whether it is stated, and whether two statements agree."""

    name: str
    stated: Callable[[Any], bool]
    agree: Callable[[Any, Any], bool]
    numeric: bool  # part of "the numbers are right" for the TP / wrong-value outcome


def _value_field(attribute: str) -> _Field:
    return _Field(
        attribute,
        lambda r: getattr(r, attribute) is not None,
        lambda g, p: same_quantity(getattr(g, attribute), g.unit, getattr(p, attribute), p.unit),
        numeric=True,
    )


def _number_field(attribute: str) -> _Field:
    """A number compared as written (growth rates, quantity values and bounds)."""

    def agree(g: Any, p: Any) -> bool:
        a, b = getattr(g, attribute), getattr(p, attribute)
        return a is not None and b is not None and close(a, b)

    return _Field(attribute, lambda r: getattr(r, attribute) is not None, agree, numeric=True)


_NAME = _Field("name", lambda r: True, lambda g, p: name_similarity(g.name, p.name) >= NAME_OK, numeric=False)
_UNIT = _Field(
    "unit",
    lambda r: bool(r.unit),
    lambda g, p: unit_base(g.unit)[1] == unit_base(p.unit)[1],
    numeric=False,
)
_QUALIFIER = _Field(
    "qualifier", lambda r: r.qualifier != "exact", lambda g, p: g.qualifier == p.qualifier, numeric=True
)
METRIC_FIELDS: tuple[_Field, ...] = (
    _NAME,
    _value_field("value"),
    _UNIT,
    _number_field("growth_pct"),
    _number_field("growth_pp"),
    _Field("period", lambda r: bool(r.period), lambda g, p: _period(g.period) == _period(p.period), False),
    _QUALIFIER,
)
TARGET_FIELDS: tuple[_Field, ...] = (
    _NAME,
    _value_field("value"),
    _UNIT,
    _Field("measure", lambda r: True, lambda g, p: g.measure == p.measure, numeric=False),
    _QUALIFIER,
    _value_field("low"),
    _value_field("high"),
    _Field("horizon", lambda r: bool(r.horizon), lambda g, p: _period(g.horizon) == _period(p.horizon), False),
)

_PERIOD_SYNONYMS = {
    "1-6月": "上半年", "1-3月": "一季度", "1-9月": "前三季度", "1-12月": "全年", "年内": "全年"
}


def _period(text: str | None) -> str:
    normal = re.sub(r"[—–~至到－]", "-", to_simplified(unicodedata.normalize("NFKC", text or ""))).strip()
    normal = normal.replace("今年", "").replace("年度", "年") or normal
    return _PERIOD_SYNONYMS.get(normal, normal)


def _wrong_numbers(gold: Any, predicted: Any, fields: Sequence[_Field]) -> tuple[list[str], int]:
    """(numeric fields that disagree, numeric fields stated on either side) of a pair."""
    stated = [f for f in fields if f.numeric and (f.stated(gold) or f.stated(predicted))]
    wrong = [f.name for f in stated if not (f.stated(gold) and f.stated(predicted) and f.agree(gold, predicted))]
    return wrong, len(stated)


def record_similarity(gold: Any, predicted: Any, fields: Sequence[_Field] = METRIC_FIELDS) -> float:
    """How well two metrics (or targets) correspond: mostly name, partly numbers; 0 = never pair."""
    name = name_similarity(gold.name, predicted.name)
    wrong, stated = _wrong_numbers(gold, predicted, fields)
    if name < NAME_PAIRS and not (name >= NAME_PAIRS_WITH_NUMBERS and stated and not wrong):
        return 0.0
    return 0.7 * name + 0.3 * ((stated - len(wrong)) / stated if stated else 1.0)


def score_records(
    section: str,
    gold: Sequence[GoldMetric | GoldTarget],
    predicted: Sequence[Metric | Target],
    fields: Sequence[_Field],
) -> Scores:
    """Pair records, then count each field and the item outcome (TP / wrong value / extra / missed)."""
    return _score_matching(section, pair_records(gold, predicted, fields), fields, describe_record)


def pair_records(
    gold: Sequence[GoldMetric | GoldTarget], predicted: Sequence[Metric | Target], fields: Sequence[_Field]
) -> Matching[Any, Any]:
    """The one-to-one pairing every record score (and the HTML report's side-by-side view) is made from."""
    return match(gold, predicted, lambda g, p: record_similarity(g, p, fields), 1e-6, key=describe_record)


def record_fields(section: str, unlabelled: Sequence[str] = ()) -> tuple[_Field, ...]:
    """The fields compared in ``section`` (metrics or targets), less those the labels do not carry."""
    return _labelled(METRIC_FIELDS if section == "metrics" else TARGET_FIELDS, unlabelled)


def wrong_fields(gold: Any, predicted: Any, fields: Sequence[_Field]) -> list[str]:
    """The numeric fields on which a pair disagrees (none: the pair is a true positive)."""
    return _wrong_numbers(gold, predicted, fields)[0]


def _score_matching(
    section: str, matching: Matching[Any, Any], fields: Sequence[_Field], describe: Callable[[Any], str]
) -> Scores:
    """Per-field counts, and per item: TP when every numeric field agrees, else a wrong value."""
    scores = Scores()
    for f in fields:
        scores.counts[f"{section}.{f.name}"] = _field_counts(matching, f)
    items = Counts(fn=len(matching.missed), fp=len(matching.extra))
    for pair in matching.pairs:
        wrong, _ = _wrong_numbers(pair.gold, pair.predicted, fields)
        if not wrong:
            items.tp += 1
            continue
        items.fp += 1
        items.fn += 1
        scores.diffs.append(
            Diff(section, "wrong_value", describe(pair.gold), describe(pair.predicted),
                 _quote(pair.predicted), "differs in " + ", ".join(wrong))
        )
    scores.counts[section] = items
    scores.diffs += [Diff(section, "missed", gold=describe(g)) for g in matching.missed]
    scores.diffs += [
        Diff(section, "extra", predicted=describe(p), evidence=_quote(p)) for p in matching.extra
    ]
    return scores


def _field_counts(matching: Matching[Any, Any], f: _Field) -> Counts:
    counts = Counts()
    for pair in matching.pairs:
        gold_stated, predicted_stated = f.stated(pair.gold), f.stated(pair.predicted)
        if gold_stated and predicted_stated and f.agree(pair.gold, pair.predicted):
            counts.tp += 1
            continue
        counts.fn += gold_stated
        counts.fp += predicted_stated
    counts.fn += sum(f.stated(g) for g in matching.missed)
    counts.fp += sum(f.stated(p) for p in matching.extra)
    return counts


_DESCRIBED = ("value", "unit", "growth_pct", "growth_pp", "low", "high", "measure", "horizon", "period")


def describe_record(record: Any) -> str:
    """A record as the reports write it: its name with its stated numbers."""
    parts = [f"{name}={getattr(record, name)}" for name in _DESCRIBED if getattr(record, name, None) is not None]
    if getattr(record, "qualifier", "exact") != "exact":
        parts.append(f"qualifier={record.qualifier}")
    return f"{record.name} ({', '.join(parts)})" if parts else str(record.name)


def _quote(record: Any) -> str | None:
    evidence = getattr(record, "evidence", None)
    return evidence.quote if isinstance(evidence, Evidence) else getattr(record, "text", None)


def score_metrics(gold: Sequence[GoldMetric], predicted: Sequence[Metric], unlabelled: Sequence[str] = ()) -> Scores:
    """``unlabelled``: field names the labels do not carry, neither compared nor counted."""
    return score_records("metrics", gold, predicted, record_fields("metrics", unlabelled))


def score_targets(gold: Sequence[GoldTarget], predicted: Sequence[Target], unlabelled: Sequence[str] = ()) -> Scores:
    """``unlabelled``: field names the labels do not carry, neither compared nor counted."""
    return score_records("targets", gold, predicted, record_fields("targets", unlabelled))


def _labelled(fields: tuple[_Field, ...], unlabelled: Sequence[str]) -> tuple[_Field, ...]:
    if "name" in unlabelled:
        raise ValueError("a record's name is always labelled: it is what pairs records")
    return tuple(f for f in fields if f.name not in unlabelled)


# ---------------------------------------------------------------- achievements, problems, tasks


def score_phrases(section: str, gold: Sequence[str], predicted: Sequence[Item]) -> Scores:
    """Pair phrases one-to-one on :func:`phrase_similarity` at or above PHRASE_THRESHOLD, and
    measure coverage.

    ``<section>`` counts the one-to-one pairs (TP + FP = items predicted, TP + FN = items labelled).
    ``<section>.coverage`` is the share of labelled phrases at least COVERAGE_THRESHOLD of whose
    bigrams sit inside *some* predicted item, one item covering any number of labels: merged items
    keep coverage but lose F1, split ones lose both, and the item counts tell which happened.
    """
    matching = pair_phrases(gold, predicted)
    counts = Counts(tp=len(matching.pairs), fp=len(matching.extra), fn=len(matching.missed))
    covered = [g for g in gold if any(phrase_containment(g, p.text) >= COVERAGE_THRESHOLD for p in predicted)]
    coverage = Ratio(hits=len(covered), total=len(gold))
    diffs = [
        Diff(section, "missed", gold=g, detail="covered by a longer item" if g in covered else None)
        for g in matching.missed
    ]
    diffs += [Diff(section, "extra", predicted=p.text, evidence=p.evidence.quote) for p in matching.extra]
    return Scores({section: counts}, {f"{section}.coverage": coverage}, diffs)


def pair_phrases(gold: Sequence[str], predicted: Sequence[Item]) -> Matching[str, Item]:
    """The one-to-one pairing of labelled and predicted phrases that ``score_phrases`` counts."""
    return match(gold, predicted, lambda g, p: phrase_similarity(g, p.text), PHRASE_THRESHOLD, key=_phrase_key)


def _phrase_key(item: object) -> str:
    return item.text if isinstance(item, Item) else str(item)


# ---------------------------------------------------------------- quantities (the pre-extractor)


def _same_written(attribute: str) -> Callable[[Any, Any], bool]:
    return lambda g, p: unicodedata.normalize("NFKC", getattr(g, attribute)) == unicodedata.normalize(
        "NFKC", getattr(p, attribute)
    )


QUANTITY_FIELDS: tuple[_Field, ...] = (
    _Field("surface", lambda q: True, lambda g, p: _surface(g) == _surface(p), numeric=True),
    _Field("kind", lambda q: True, lambda g, p: g.kind == p.kind, numeric=True),
    _number_field("value"),
    _Field("unit", lambda q: bool(q.unit), _same_written("unit"), numeric=True),
    _Field("qualifier", lambda q: True, lambda g, p: g.qualifier == p.qualifier, numeric=True),
    _number_field("low"),
    _number_field("high"),
    _Field("direction", lambda q: q.direction is not None, lambda g, p: g.direction == p.direction, numeric=True),
)


def score_quantities(gold: Sequence[GoldQuantity], predicted: Sequence[Quantity], document: Document) -> Scores:
    """The pre-extractor's non-time candidates against every labelled mention.

    Labels carry raw-file offsets; candidates carry cleaned-text spans, mapped back with
    ``Document.raw_offset``. Mentions pair when their raw spans overlap; a label without an
    offset pairs with the same surface, in text order. A TP needs every field right.
    """
    candidates = [q for q in predicted if not q.is_time]
    labels = [g for g in gold if g.kind not in ("date", "period", "year")]
    # The end maps through its last character: cleaning may have removed markup right after it (**).
    spans = {
        id(q): (document.raw_offset(q.start), document.raw_offset(max(q.start, q.end - 1)) + 1) for q in candidates
    }

    def overlap(g: GoldQuantity, p: Quantity) -> float:
        assert g.offset is not None
        start, end = spans[id(p)]
        g_start, g_end = g.offset, g.offset + len(g.surface)
        common = min(end, g_end) - max(start, g_start)
        if common <= 0:
            return 0.0
        return 0.5 + 0.5 * common / (max(end, g_end) - min(start, g_start))

    located = [g for g in labels if g.offset is not None]
    matching = match(located, candidates, overlap, 1e-6, key=_describe_quantity)
    pairs, missed, extra = list(matching.pairs), list(matching.missed), list(matching.extra)
    for g in (g for g in labels if g.offset is None):
        same = next((p for p in extra if _surface(p) == _surface(g)), None)
        if same is None:
            missed.append(g)
        else:
            extra.remove(same)
            pairs.append(Pair(g, same, 1.0))
    return _score_matching("quantities", Matching(pairs, missed, extra), QUANTITY_FIELDS, _describe_quantity)


def score_number_surfaces(gold: Sequence[str], predicted: Sequence[Quantity]) -> Scores:
    """The pre-extractor against bare labelled surfaces (no kind, value or offset): section ``numbers``.

    The external scorer's rule: in text order, each label takes the first unused non-time
    candidate whose surface is the same (:func:`same_surface`, hedges and rank framing aside).
    Kinds, values and units cannot be checked against such labels, so a TP is a surface only.
    """
    candidates = [q for q in predicted if not q.is_time]
    used = [False] * len(candidates)
    counts = Counts()
    diffs: list[Diff] = []
    for label in gold:
        index = next((i for i, q in enumerate(candidates) if not used[i] and same_surface(q.text, label)), None)
        if index is None:
            counts.fn += 1
            diffs.append(Diff("numbers", "missed", gold=label))
        else:
            used[index] = True
            counts.tp += 1
    for quantity, was_used in zip(candidates, used, strict=True):
        if not was_used:
            counts.fp += 1
            diffs.append(Diff("numbers", "extra", predicted=_describe_quantity(quantity)))
    return Scores({"numbers": counts}, {}, diffs)


def _surface(quantity: GoldQuantity | Quantity) -> str:
    return unicodedata.normalize("NFKC", quantity.surface if isinstance(quantity, GoldQuantity) else quantity.text)


def _describe_quantity(quantity: object) -> str:
    assert isinstance(quantity, (GoldQuantity, Quantity))
    if isinstance(quantity, GoldQuantity):
        where = "raw offset ?" if quantity.offset is None else f"raw offset {quantity.offset}"
    else:
        where = f"text[{quantity.start}:{quantity.end}]"
    direction = f", {quantity.direction}" if quantity.direction else ""
    return (
        f"{_surface(quantity)} at {where} ({quantity.kind}, value={quantity.value}, unit={quantity.unit}, "
        f"{quantity.qualifier}{direction})"
    )


# ---------------------------------------------------------------- faithfulness and spans


def stated_values(summary: Summary) -> list[tuple[str, float, str | None]]:
    """Every number a field states, as (where, value, unit): values, growths and bounds."""
    stated: list[tuple[str, float, str | None]] = []
    for metric in summary.metrics:
        where = f"metric {metric.name}"
        if metric.value is not None:
            stated.append((where, metric.value, metric.unit))
        if metric.growth_pct is not None:
            stated.append((where, metric.growth_pct, "%"))
        if metric.growth_pp is not None:
            stated.append((where, metric.growth_pp, "个百分点"))
    for target in summary.targets:
        bounds = (target.value, target.low, target.high)
        stated += [(f"target {target.name}", value, target.unit) for value in bounds if value is not None]
    return stated


def stated_phrases(summary: Summary) -> list[tuple[str, str]]:
    """Every free text whose numbers must be supported too: names and phrases, as (where, text)."""
    phrases = [(f"metric {m.name}", m.name) for m in summary.metrics]
    phrases += [(f"target {t.name}", t.name) for t in summary.targets]
    for section in ("achievements", "problems", "tasks"):
        phrases += [(section, item.text) for item in getattr(summary, section)]
    return phrases


def score_faithfulness(summary: Summary, document: Document) -> Scores:
    """Share of stated numbers the source supports, and share of evidence spans that quote the text.

    The numbers inside names and phrases are found by the evaluation's own scanner, so that none
    escapes the check; the source's numbers come from the same scanner over the cleaned text.
    Spans are checked against the document's cleaned text, not the summary's own copy of it.
    """
    source = scan_numbers(document.text)
    numbers = Ratio()
    diffs: list[Diff] = []
    for where, value, unit in stated_values(summary):
        numbers.total += 1
        if supported(value, unit, source):
            numbers.hits += 1
        else:
            diffs.append(Diff("faithfulness", "unsupported_number", predicted=f"{value:g}{unit or ''}", detail=where))
    for where, phrase in stated_phrases(summary):
        for number in (n for n in scan_numbers(phrase) if not n.is_time):
            numbers.total += 1
            if scanned_supported(number, source):
                numbers.hits += 1
            else:
                diffs.append(
                    Diff("faithfulness", "unsupported_number", predicted=number.surface, evidence=phrase, detail=where)
                )
    spans = Ratio()
    for where, evidence in _evidences(summary):
        spans.total += 1
        found = document.text[evidence.start : evidence.end]
        if evidence.quote and found == evidence.quote:
            spans.hits += 1
        else:
            diffs.append(
                Diff("faithfulness", "bad_span", predicted=evidence.quote, evidence=found,
                     detail=f"{where} [{evidence.start}:{evidence.end}]")
            )
    return Scores({}, {"faithfulness.numbers": numbers, "faithfulness.spans": spans}, diffs)


def _evidences(summary: Summary) -> list[tuple[str, Evidence]]:
    found = [(f"meta.{name}", evidence) for name, evidence in summary.meta.evidence.items()]
    for article in summary.articles:
        found += [(f"article {article.index} meta.{name}", e) for name, e in article.meta.evidence.items()]
    found += [(f"metric {m.name}", m.evidence) for m in summary.metrics]
    found += [(f"target {t.name}", t.evidence) for t in summary.targets]
    for section in ("achievements", "problems", "tasks"):
        found += [(section, item.evidence) for item in getattr(summary, section)]
    return found


# ---------------------------------------------------------------- meta


def _meta_equal(name: str, gold: Any, predicted: Any) -> bool:
    if name == "meeting_date":
        return bool(gold == predicted)
    if name == "report_period":
        return _period(gold) == _period(predicted)
    if name == "meeting_name":
        return char_ngram_f1(gold, predicted) >= MEETING_NAME_OK
    # organization, city: 郑州高新区 and 高新区 name the same body; 郑州 and 郑州市 the same city.
    # A body named only generically (市, 县) is right when named so, never by containment.
    if normalize_text(gold) == normalize_text(predicted):
        return bool(normalize_text(gold))
    a, b = normalize_text(gold).removesuffix("市"), normalize_text(predicted).removesuffix("市")
    return bool(a and b) and (a in b or b in a)


META_FIELDS = ("organization", "city", "meeting_date", "meeting_name", "report_period")


def score_meta(gold: GoldMeta, predicted: Meta) -> Scores:
    """Accuracy per field over the fields either side fills: a filled field the labels lack is wrong."""
    scores = Scores()
    for name in META_FIELDS:
        expected, got = getattr(gold, name), getattr(predicted, name)
        ratio = Ratio()
        if expected is not None or got is not None:
            ratio.total = 1
            if expected is not None and got is not None and _meta_equal(name, expected, got):
                ratio.hits = 1
            else:
                scores.diffs.append(Diff("meta", "wrong_meta", str(expected), str(got), detail=name))
        scores.ratios[f"meta.{name}.accuracy"] = ratio
    return scores


# ---------------------------------------------------------------- one document


def score_summary(fixture: Fixture, summary: Summary, document: Document) -> Scores:
    """Every backend-dependent score of one document (quantities are scored separately)."""
    gold = fixture.summary
    scores = score_meta(gold.meta, summary.meta)
    scores += score_metrics(gold.metrics, summary.metrics, fixture.unlabelled_fields("metrics"))
    scores += score_targets(gold.targets, summary.targets, fixture.unlabelled_fields("targets"))
    for section in ("achievements", "problems", "tasks"):
        scores += score_phrases(section, getattr(gold, section), getattr(summary, section))
    scores += score_faithfulness(summary, document)
    return scores

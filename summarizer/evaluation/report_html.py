"""``summarizer eval --report html``: per fixture, the source beside gold and predicted items, paired.

The pairs are the scorers' own (``pair_records``, ``pair_phrases``), so the page shows exactly what
the scores counted: a pair whose numbers agree is correct, one that differs is a wrong value, an
unpaired label is missed and an unpaired prediction extra. Labels carry no spans, so the source marks
the predicted items' evidence, coloured by outcome; clicking a predicted item highlights its span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from summarizer.evaluation.fixtures import Fixture, FixtureError, load_fixture
from summarizer.evaluation.gate import GateResult
from summarizer.evaluation.runner import DocumentResult, EvalRun
from summarizer.evaluation.scorers import (
    describe_record,
    pair_phrases,
    pair_records,
    record_fields,
    wrong_fields,
)
from summarizer.review import Segment, environment, review_items, segments
from summarizer.schema import Evidence, Summary

SECTIONS = ("metrics", "targets", "achievements", "problems", "tasks")


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side table: a label, a prediction or a pair of both."""

    outcome: str  # correct, wrong_value, missed, extra
    gold: str
    predicted: str
    detail: str
    evidence: Evidence | None


@dataclass(frozen=True)
class MarkedSegment:
    segment: Segment
    outcomes: tuple[str, ...]  # of the predicted items whose evidence covers it


@dataclass(frozen=True)
class FixtureView:
    result: DocumentResult
    sections: list[tuple[str, list[Row]]]
    source: list[MarkedSegment]
    tally: dict[str, int]


def render_html(run: EvalRun, gate: GateResult | None = None) -> str:
    views = [_view(result) for result in run.documents]
    return environment().get_template("eval_report.html.j2").render(
        backend=run.backend, notes=run.notes, gate=gate, views=views, usage=run.usage(),
    )  # fmt: skip


def _view(result: DocumentResult) -> FixtureView:
    summary = result.summary
    fixture = _fixture(result)
    if summary is None or fixture is None:
        return FixtureView(result, [], [], {})
    sections = [(section, _rows(section, fixture, summary)) for section in SECTIONS]
    rows = [row for _, section_rows in sections for row in section_rows]
    tally = {outcome: sum(row.outcome == outcome for row in rows) for outcome in ("correct", "wrong_value", "missed", "extra")}
    return FixtureView(result, sections, _marked_source(summary, rows), tally)


def _fixture(result: DocumentResult) -> Fixture | None:
    try:
        return load_fixture(result.fixture_path)
    except FixtureError:
        return None


def _rows(section: str, fixture: Fixture, summary: Summary) -> list[Row]:
    gold: Any = getattr(fixture.summary, section)
    predicted: Any = getattr(summary, section)
    if section in ("metrics", "targets"):
        fields = record_fields(section, fixture.unlabelled_fields(section))
        records = pair_records(gold, predicted, fields)
        rows = []
        for pair in records.pairs:
            wrong = wrong_fields(pair.gold, pair.predicted, fields)
            rows.append(Row("wrong_value" if wrong else "correct", describe_record(pair.gold),
                            describe_record(pair.predicted), ", ".join(wrong), pair.predicted.evidence))  # fmt: skip
        rows += [Row("missed", describe_record(g), "", "", None) for g in records.missed]
        rows += [Row("extra", "", describe_record(p), "", p.evidence) for p in records.extra]
        return rows
    phrases = pair_phrases(gold, predicted)
    rows = [Row("correct", pair.gold, pair.predicted.text, "", pair.predicted.evidence) for pair in phrases.pairs]
    rows += [Row("missed", g, "", "", None) for g in phrases.missed]
    rows += [Row("extra", "", p.text, "", p.evidence) for p in phrases.extra]
    return rows


def _marked_source(summary: Summary, rows: list[Row]) -> list[MarkedSegment]:
    marked = [row for row in rows if row.evidence is not None]
    pieces = segments(summary.text, [], review_items(summary))
    return [
        MarkedSegment(piece, tuple(sorted({
            row.outcome for row in marked
            if row.evidence is not None and row.evidence.start <= piece.start and piece.end <= row.evidence.end
        })))  # fmt: skip
        for piece in pieces
    ]

"""An oracle model passes through the LLM path unchanged, field for field.

The oracle's answer is built at test time from the hand labels and the document, as the prompt
asks a model to answer: every record cites clause ids of the document's clause table. A labelled
metric or target cites the candidates that state its numbers and their clauses; a phrase cites
the clauses its words come from, and the clauses that state its numbers. A second oracle answers
the rules backend's own summary, each record citing the clauses its span covers. The real openai
client and instructor talk to the loopback server, grounding checks the answer, and the summary
must say exactly what the oracle said. Garbled quotes beside right clause ids cost nothing.
This proves the plumbing keeps a faithful answer intact, not that any model is good.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from summarizer.backends.llm import LLMBackend
from summarizer.backends.rules import RulesBackend
from summarizer.config import ENV_FIELDS, load_config
from summarizer.devserver import DevServer, Reply
from summarizer.document import Document, load_document
from summarizer.evaluation.fixtures import GoldMetric, GoldTarget, LoadedFixture, default_fixtures_dir, discover
from summarizer.grounding import draft_from_summary, enforce
from summarizer.quantities import extract_quantities
from summarizer.schema import Quantity, Summary
from summarizer.text.clauses import ClauseRow, ClauseTable, document_clauses

_UNIT_OF = {"growth_pct": "%", "growth_pp": "个百分点"}
_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
SECTIONS = ("metrics", "targets", "achievements", "problems", "tasks")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*ENV_FIELDS, "OPENAI_API_KEY", "SUMMARIZER_CONFIG"]:
        monkeypatch.delenv(name, raising=False)


Number = tuple[float, "str | None", "str | None"]  # value, unit, qualifier (levels only)


def stated_numbers(label: GoldMetric | GoldTarget) -> list[Number]:
    numbers: list[Number] = []
    for field in ("value", "low", "high"):
        if getattr(label, field, None) is not None:
            numbers.append((abs(getattr(label, field)), label.unit, label.qualifier))
    for field, unit in _UNIT_OF.items():
        if getattr(label, field, None) is not None:
            numbers.append((abs(getattr(label, field)), unit, None))
    return numbers


def cites(quantity: Quantity, number: Number) -> bool:
    value, unit, qualifier = number
    return (
        not quantity.is_time
        and quantity.qualifier == (qualifier or quantity.qualifier)
        and quantity.unit == (unit or quantity.unit)
        and value in (quantity.value, quantity.low, quantity.high)
    )


def numeric_answer(
    label: GoldMetric | GoldTarget, quantities: list[Quantity], table: ClauseTable, targets: bool
) -> dict[str, Any]:
    """Cite the sentence's candidates that state every number of the label (target sentences for
    targets), and the clauses they stand in."""
    numbers = stated_numbers(label)
    sentences = sorted({(q.sentence_start, q.sentence_end) for q in quantities if not q.is_time})
    for start, _ in sentences:
        inside = [q for q in quantities if q.sentence_start == start and (q.is_target == targets or not numbers)]
        chosen = [next((q for q in inside if cites(q, n)), None) for n in numbers]
        if numbers and all(chosen):
            answer = label.model_dump(exclude_none=True)
            answer["quantity_ids"] = sorted({q.id for q in chosen if q is not None})
            rows = {row for q in chosen if q is not None for row in table.overlapping(q.start, q.end)}
            answer["clause_ids"] = [row.id for row in sorted(rows, key=lambda row: row.start)]
            return answer
    raise AssertionError(f"no sentence states {label}")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _words_of_numbers(label: str) -> list[str]:
    """What the label writes as numbers: the pre-extractor's mentions (dates too) and bare numbers."""
    mentions = [m.text for m in extract_quantities(label)]
    covered = "".join(mentions)
    return mentions + [n for n in _BARE_NUMBER.findall(label) if n not in covered]


def phrase_clauses(label: str, table: ClauseTable) -> list[ClauseRow]:
    """The clauses a labelled phrase condenses: the best-matching clause, its neighbours in the
    paragraph that share the label's words, and the nearest clause writing each of its numbers."""
    text, rows = table.text, list(table.rows)
    wanted = _bigrams(label)

    def score(row: ClauseRow) -> int:
        return len(_bigrams(text[row.start : row.end]) & wanted)

    anchor = max(range(len(rows)), key=lambda i: (score(rows[i]), -i))
    first = last = anchor
    while first > 0 and rows[first - 1].paragraph == rows[anchor].paragraph and score(rows[first - 1]) >= 2:
        first -= 1
    while last + 1 < len(rows) and rows[last + 1].paragraph == rows[anchor].paragraph and score(rows[last + 1]) >= 2:
        last += 1
    cited = rows[first : last + 1]
    for number in _words_of_numbers(label):
        if any(number in text[row.start : row.end] for row in cited):
            continue
        holding = [i for i, row in enumerate(rows) if number in text[row.start : row.end]]
        assert holding, f"{number} of {label!r} is in no clause"
        cited.append(rows[min(holding, key=lambda i: abs(i - anchor))])
    return sorted(set(cited), key=lambda row: row.start)


def oracle_answer(loaded: LoadedFixture, document: Document, quantities: list[Quantity]) -> dict[str, Any]:
    gold = loaded.fixture.summary
    table = document_clauses(document)

    def phrase(label: str) -> dict[str, Any]:
        return {"text": label, "clause_ids": [row.id for row in phrase_clauses(label, table)]}

    return {
        "meta": gold.meta.model_dump(mode="json", exclude_none=True),
        "metrics": [numeric_answer(m, quantities, table, targets=False) for m in gold.metrics],
        "targets": [numeric_answer(t, quantities, table, targets=True) for t in gold.targets],
        "achievements": [phrase(p) for p in gold.achievements],
        "problems": [phrase(p) for p in gold.problems],
        "tasks": [phrase(p) for p in gold.tasks],
    }


def garbled(answer: dict[str, Any], text: str, table: ClauseTable) -> dict[str, Any]:
    """Every record also quotes its clauses, punctuation changed (，→, ；→; 。→.) and spaces put in:
    a quote no exact match finds, beside the right clause ids."""
    changed = dict(answer)
    for section in SECTIONS:
        records = []
        for record in answer[section]:
            rows = [table.by_id[cid] for cid in record["clause_ids"]]
            quote = text[rows[0].start : max(row.end for row in rows)]
            quote = " ".join(quote.replace("，", ",").replace("；", ";").replace("。", ".").replace("、", ","))
            assert quote not in text
            records.append({**record, "quote": quote})
        changed[section] = records
    return changed


def fixtures_with_documents() -> list[LoadedFixture]:
    return [f for f in discover(default_fixtures_dir()) if f.document_path is not None and f.skip_reason is None]


def through_the_llm_path(document: Document, quantities: list[Quantity], answer: dict[str, Any]) -> Summary:
    with DevServer([Reply.json(answer)]) as server:
        settings = load_config(base_url=server.base_url, model="oracle", api_key="k", use_cache=False, max_reasks=0).llm
        summary = LLMBackend(settings).summarize(document, quantities)
    assert len(server.requests) == 1
    return summary


def assert_spans_are_the_cited_clauses(summary: Summary, answer: dict[str, Any], table: ClauseTable) -> None:
    for section in SECTIONS:
        for record, cited in zip(getattr(summary, section), answer[section], strict=True):
            rows = [table.by_id[cid] for cid in cited["clause_ids"]]
            assert (record.evidence.start, record.evidence.end) == (min(r.start for r in rows), max(r.end for r in rows))
            assert summary.text[record.evidence.start : record.evidence.end] == record.evidence.quote


@pytest.mark.parametrize("garble", [False, True], ids=["clause-ids", "garbled-quotes"])
@pytest.mark.parametrize("loaded", fixtures_with_documents(), ids=lambda f: f.fixture.id)
def test_an_oracle_answer_comes_out_field_for_field(loaded: LoadedFixture, garble: bool, tmp_path: Path) -> None:
    assert loaded.document_path is not None
    document = load_document(loaded.document_path)
    quantities = extract_quantities(document.text)
    table = document_clauses(document)
    answer = oracle_answer(loaded, document, quantities)
    if garble:
        answer = garbled(answer, document.text, table)
    summary = through_the_llm_path(document, quantities, answer)
    gold = loaded.fixture.summary
    assert summary.diagnostics.dropped == []
    metric_fields = ("name", "value", "unit", "growth_pct", "growth_pp", "period", "qualifier")
    assert [m.model_dump(include=set(metric_fields)) for m in summary.metrics] == [
        m.model_dump(include=set(metric_fields)) for m in gold.metrics
    ]
    target_fields = ("name", "value", "unit", "measure", "qualifier", "low", "high", "horizon", "cue")
    assert [t.model_dump(include=set(target_fields)) for t in summary.targets] == [
        t.model_dump(include=set(target_fields)) for t in gold.targets
    ]
    for section in ("achievements", "problems", "tasks"):
        assert [i.text for i in getattr(summary, section)] == getattr(gold, section)
    for field, value in gold.meta.model_dump(exclude_none=True).items():
        assert getattr(summary.meta, field) == value, field
    assert_spans_are_the_cited_clauses(summary, answer, table)


@pytest.mark.parametrize("loaded", fixtures_with_documents(), ids=lambda f: f.fixture.id)
def test_the_rules_summary_cited_by_clause_comes_out_field_for_field(loaded: LoadedFixture) -> None:
    """The rules backend's summary as a model would answer it: every record kept, its fields intact,
    its span its cited clauses' (which hold the rules backend's own span)."""
    assert loaded.document_path is not None
    document = load_document(loaded.document_path)
    quantities = extract_quantities(document.text)
    table = document_clauses(document)
    rules = enforce(RulesBackend().summarize(document, quantities), quantities)
    draft = draft_from_summary(rules, table)
    answer = draft.model_dump(mode="json", exclude_none=True)
    assert all(record.get("clause_ids") and "quote" not in record for s in SECTIONS for record in answer[s])
    summary = through_the_llm_path(document, quantities, answer)
    assert summary.diagnostics.dropped == []
    fields = {
        "metrics": {"name", "value", "unit", "growth_pct", "growth_pp", "period", "qualifier"},
        "targets": {"name", "value", "unit", "measure", "qualifier", "low", "high", "horizon", "cue"},
        "achievements": {"text"},
        "problems": {"text"},
        "tasks": {"text"},
    }
    for section, names in fields.items():
        assert [r.model_dump(include=names) for r in getattr(summary, section)] == [
            r.model_dump(include=names) for r in getattr(rules, section)
        ], section
        for record, original in zip(getattr(summary, section), getattr(rules, section), strict=True):
            assert record.evidence.start <= original.evidence.start < original.evidence.end <= record.evidence.end
    assert_spans_are_the_cited_clauses(summary, answer, table)

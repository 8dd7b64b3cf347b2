"""An oracle model passes through the LLM path unchanged, field for field.

The oracle's answer is built at test time from the hand labels and the document: each labelled
metric or target cites the candidates that state its numbers and quotes their sentence; each
phrase quotes where its words are. The real openai client and instructor talk to the loopback
server, grounding checks the answer, and the summary must say exactly what the labels say.
This proves the plumbing keeps a faithful answer intact, not that any model is good.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from summarizer.backends.llm import LLMBackend
from summarizer.config import ENV_FIELDS, load_config
from summarizer.devserver import DevServer, Reply
from summarizer.document import Document, load_document
from summarizer.evaluation.fixtures import GoldMetric, GoldTarget, LoadedFixture, default_fixtures_dir, discover
from summarizer.quantities import extract_quantities
from summarizer.schema import Quantity

_UNIT_OF = {"growth_pct": "%", "growth_pp": "个百分点"}


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


def numeric_answer(label: GoldMetric | GoldTarget, text: str, quantities: list[Quantity], targets: bool) -> dict[str, Any]:
    """Quote the sentence whose candidates state every number of the label (target sentences for targets)."""
    numbers = stated_numbers(label)
    sentences = sorted({(q.sentence_start, q.sentence_end) for q in quantities if not q.is_time})
    for start, end in sentences:
        inside = [q for q in quantities if q.sentence_start == start and (q.is_target == targets or not numbers)]
        chosen = [next((q for q in inside if cites(q, n)), None) for n in numbers]
        if numbers and all(chosen):
            answer = label.model_dump(exclude_none=True)
            answer["quote"] = text[start:end]
            answer["quantity_ids"] = sorted({q.id for q in chosen if q is not None})
            return answer
    raise AssertionError(f"no sentence states {label}")


def oracle_answer(loaded: LoadedFixture, document: Document, quantities: list[Quantity]) -> dict[str, Any]:
    gold = loaded.fixture.summary
    text = document.text

    def phrase(label: str) -> dict[str, str]:
        for length in (len(label), 6, 4, 2):
            start = text.find(label[:length])
            if start >= 0:
                return {"text": label, "quote": text[start : start + length]}
        return {"text": label, "quote": text[:1]}

    meta = gold.meta.model_dump(mode="json", exclude_none=True)
    return {
        "meta": meta,
        "metrics": [numeric_answer(m, text, quantities, targets=False) for m in gold.metrics],
        "targets": [numeric_answer(t, text, quantities, targets=True) for t in gold.targets],
        "achievements": [phrase(p) for p in gold.achievements],
        "problems": [phrase(p) for p in gold.problems],
        "tasks": [phrase(p) for p in gold.tasks],
    }


def fixtures_with_documents() -> list[LoadedFixture]:
    return [f for f in discover(default_fixtures_dir()) if f.document_path is not None and f.skip_reason is None]


@pytest.mark.parametrize("loaded", fixtures_with_documents(), ids=lambda f: f.fixture.id)
def test_an_oracle_answer_comes_out_field_for_field(loaded: LoadedFixture, tmp_path: Path) -> None:
    assert loaded.document_path is not None
    document = load_document(loaded.document_path)
    quantities = extract_quantities(document.text)
    answer = oracle_answer(loaded, document, quantities)
    with DevServer([Reply.json(answer)]) as server:
        settings = load_config(base_url=server.base_url, model="oracle", api_key="k", use_cache=False, max_reasks=0).llm
        summary = LLMBackend(settings).summarize(document, quantities)
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
    for record in [*summary.metrics, *summary.targets, *summary.achievements, *summary.problems, *summary.tasks]:
        assert summary.text[record.evidence.start : record.evidence.end] == record.evidence.quote

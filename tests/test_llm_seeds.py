"""The seeds and the shipped examples through the LLM backend and a server that hallucinates.

The server answers the dev server's own draft of each seed with invented numbers mixed in (a level
changed by 10%, a metric the report never states, a number inside a task phrase), however often it
is re-asked. These tests prove the plumbing and the guarantee, not a model's quality.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from summarizer.backends.llm import LLMBackend
from summarizer.config import ENV_FIELDS, load_config
from summarizer.devserver import ChatRequest, DevServer, Reply, default_responder
from summarizer.document import load_document
from summarizer.quantities import extract_quantities

INVENTED_LEVEL = 4321.5
INVENTED_COUNT = "987"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*ENV_FIELDS, "OPENAI_API_KEY", "SUMMARIZER_CONFIG"]:
        monkeypatch.delenv(name, raising=False)


def hallucinating(request: ChatRequest) -> Reply:
    honest = default_responder(request)
    draft: dict[str, Any] = copy.deepcopy(honest.payload)
    cited = [i["clause_ids"] for section in ("metrics", "tasks", "achievements", "problems") for i in draft.get(section, [])]
    assert cited and all(cited), "the dev server's draft cites clause ids for every record"
    evidence = cited[0]
    for metric in draft.get("metrics", []):
        if metric.get("value"):
            metric["value"] = round(metric["value"] * 1.1, 2)
            break
    draft.setdefault("metrics", []).append(
        {"name": "高新技术企业营业收入", "value": INVENTED_LEVEL, "unit": "亿元", "clause_ids": evidence, "quantity_ids": []}
    )
    draft.setdefault("tasks", []).append({"text": f"新增市场主体{INVENTED_COUNT}家", "clause_ids": evidence})
    return Reply.json(draft)


def assert_nothing_invented_gets_out(paths: list[Path]) -> None:
    with DevServer(hallucinating) as server:
        settings = load_config(
            base_url=server.base_url, model="dev", api_key="k", use_cache=False, max_reasks=1, timeout=30
        ).llm
        backend = LLMBackend(settings)
        for path in paths:
            document = load_document(path)
            quantities = extract_quantities(document.text)
            summary = backend.summarize(document, quantities)

            stated = {abs(v) for q in quantities for v in (q.value, q.low, q.high) if v is not None}
            numbers = [
                abs(n)
                for record in [*summary.metrics, *summary.targets]
                for n in (getattr(record, name, None) for name in ("value", "growth_pct", "growth_pp", "low", "high"))
                if n is not None
            ]
            assert all(n in stated for n in numbers), path.name
            phrases = [i.text for i in [*summary.achievements, *summary.problems, *summary.tasks]]
            assert not [p for p in phrases if INVENTED_COUNT in p], path.name
            dropped = summary.diagnostics.dropped
            assert any(d.item.get("value") == INVENTED_LEVEL for d in dropped), path.name
            assert any(INVENTED_COUNT in str(d.item.get("text")) for d in dropped), path.name
            for record in [*summary.metrics, *summary.targets, *summary.tasks]:
                evidence = record.evidence
                assert summary.text[evidence.start : evidence.end] == evidence.quote
    assert len(server.requests) == 2 * len(paths)  # each document: the answer and one re-ask


@pytest.mark.seeds
def test_the_seeds_state_only_what_they_state(seed_paths: list[Path]) -> None:
    assert_nothing_invented_gets_out(seed_paths)


def test_unseen_documents_state_only_what_they_state(example_paths: list[Path]) -> None:
    assert_nothing_invented_gets_out(example_paths)

"""The LLM backend against a real HTTP server: modes, fallbacks, faults, re-asks, usage, cache, secrets.

The real openai client and instructor run unmocked against ``summarizer.devserver.DevServer`` on
127.0.0.1. These tests prove the plumbing and the guarantees, not a model's quality.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from summarizer.backends.llm import LLMBackend
from summarizer.config import ENV_FIELDS, LLMSettings, load_config
from summarizer.devserver import ChatRequest, DevServer, Reply
from summarizer.document import Document, document_from_text
from summarizer.errors import BackendError, ConfigError, ModelResponseError
from summarizer.prompting import load_prompts, read_clauses, render_clauses
from summarizer.quantities import extract_quantities
from summarizer.schema import Quantity, Summary
from summarizer.text.clauses import document_clauses

SECRET = "sk-test-SECRET-123"
TEXT = (
    "云溪高新区召开上半年经济运行分析会\n"
    "7月18日，云溪高新区召开上半年经济运行分析会。会议指出，上半年全区地区生产总值完成120.5亿元，"
    "同比增长6.2%；规模以上工业增加值同比增长8.1%。但也要看到，部分企业生产经营压力较大。"
    "会议要求，下半年要抓项目建设，力争全年地区生产总值增长7%以上。"
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [*ENV_FIELDS, "OPENAI_API_KEY", "DEEPSEEK_API_KEY", "DASHSCOPE_API_KEY", "SUMMARIZER_CONFIG"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def document() -> Document:
    return document_from_text(TEXT, name="yunxi.txt")


@pytest.fixture
def quantities(document: Document) -> list[Quantity]:
    return extract_quantities(document.text)


def ids(quantities: list[Quantity], *surfaces: str) -> list[str]:
    by_surface = {q.text: q.id for q in quantities}
    return [by_surface[surface] for surface in surfaces]


def good_draft(quantities: list[Quantity]) -> dict[str, Any]:
    """What a faithful model answers: every number cited, every quote copied."""
    return {
        "meta": {"organization": "云溪高新区", "report_period": "上半年"},
        "metrics": [
            {
                "name": "地区生产总值", "value": 120.5, "unit": "亿元", "growth_pct": 6.2, "period": "上半年",
                "quote": "上半年全区地区生产总值完成120.5亿元，同比增长6.2%",
                "quantity_ids": ids(quantities, "120.5亿元", "6.2%"),
            },
            {
                "name": "规模以上工业增加值", "growth_pct": 8.1, "period": "上半年",
                "quote": "规模以上工业增加值同比增长8.1%", "quantity_ids": ids(quantities, "8.1%"),
            },
        ],
        "targets": [
            {
                "name": "地区生产总值", "value": 7, "unit": "%", "measure": "growth", "qualifier": "more_than",
                "horizon": "全年", "cue": "力争", "quote": "力争全年地区生产总值增长7%以上",
                "quantity_ids": ids(quantities, "7%以上"),
            }
        ],
        "problems": [{"text": "部分企业生产经营压力较大", "quote": "部分企业生产经营压力较大"}],
        "tasks": [{"text": "抓项目建设", "quote": "下半年要抓项目建设"}],
    }  # fmt: skip


def cited_draft(document: Document, quantities: list[Quantity]) -> dict[str, Any]:
    """The faithful draft as the prompt asks for it: clause ids instead of quotes."""
    table = document_clauses(document)
    draft = good_draft(quantities)
    for section in ("metrics", "targets", "problems", "tasks"):
        for item in draft[section]:
            start = document.text.index(item.pop("quote"))
            item["clause_ids"] = [row.id for row in table.overlapping(start, start + 1)]
    draft["metrics"][0]["clause_ids"] = ["c5", "c6"]  # 120.5亿元 and 6.2%: two clauses
    return draft


def hallucinating_draft(quantities: list[Quantity]) -> dict[str, Any]:
    """A model that invents a level (130亿元) the document never states."""
    draft = good_draft(quantities)
    draft["metrics"][0] = {**draft["metrics"][0], "value": 130.0}
    return draft


def settings(server: DevServer | None, tmp_path: Path, **overrides: Any) -> LLMSettings:
    values: dict[str, Any] = {
        "base_url": server.base_url if server else "http://127.0.0.1:9/v1",
        "model": "dev-model",
        "api_key": SECRET,
        "timeout": 2.0,
        "retry_backoff": 0.01,
        "cache_dir": tmp_path / "cache",
        "use_cache": False,
    }
    values.update(overrides)
    return load_config(**values).llm


def numbers_stated(summary: Summary) -> set[float]:
    found: set[float] = set()
    for metric in summary.metrics:
        found.update(v for v in (metric.value, metric.growth_pct, metric.growth_pp) if v is not None)
    for target in summary.targets:
        found.update(v for v in (target.value, target.low, target.high) if v is not None)
    return found


def assert_usage_matches(backend: LLMBackend, server: DevServer) -> None:
    server.wait_idle()
    mine, theirs = backend.usage, server.totals
    assert (mine.requests, mine.prompt_tokens, mine.completion_tokens) == (
        theirs.requests, theirs.prompt_tokens, theirs.completion_tokens
    )  # fmt: skip


# --- modes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "shape"), [("tools", "tools"), ("json_schema", "json_schema"), ("json", "json_object"), ("md_json", "text")]
)
def test_every_mode_passes_a_faithful_answer_through(
    mode: str, shape: str, document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.json(good_draft(quantities))]) as server:
        backend = LLMBackend(settings(server, tmp_path, mode=mode))
        summary = backend.summarize(document, quantities)
    assert [request.mode for request in server.requests] == [shape]
    assert [(m.name, m.value, m.unit, m.growth_pct) for m in summary.metrics] == [
        ("地区生产总值", 120.5, "亿元", 6.2), ("规模以上工业增加值", None, None, 8.1)
    ]  # fmt: skip
    assert [(t.value, t.unit, t.measure, t.cue) for t in summary.targets] == [(7, "%", "growth", "力争")]
    assert [p.text for p in summary.problems] == ["部分企业生产经营压力较大"]
    assert [t.text for t in summary.tasks] == ["抓项目建设"]
    for item in [*summary.metrics, *summary.targets, *summary.problems, *summary.tasks]:
        assert summary.text[item.evidence.start : item.evidence.end] == item.evidence.quote
    assert summary.meta.organization == "云溪高新区"
    assert summary.diagnostics.backend == "llm" and summary.diagnostics.mode == mode
    assert summary.diagnostics.model == "dev-model"
    assert summary.diagnostics.prompt_version == load_prompts().version
    assert summary.diagnostics.dropped == []
    assert summary.text == document.text and summary.source.sha256 == document.sha256


def test_the_model_sees_the_clause_table_and_the_candidates(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.json(good_draft(quantities))]) as server:
        LLMBackend(settings(server, tmp_path)).summarize(document, quantities)
    body = server.requests[0].body  # the request as the server received it
    (user,) = [m["content"] for m in body["messages"] if m["role"] == "user"]
    table = document_clauses(document)
    assert f"<clauses>\n{render_clauses(table)}\n</clauses>" in user
    assert "<document>" not in user  # the text is sent once, in the table
    shown = read_clauses(user.split("<clauses>\n", 1)[1].split("\n</clauses>", 1)[0])
    assert [row.id for row in shown] == [row.id for row in table.rows] == [f"c{i}" for i in range(1, 13)]
    assert ("c5", "成效", "上半年全区地区生产总值完成120.5亿元，") in [(r.id, r.section, r.text) for r in shown]
    assert "".join(row.text for row in shown) == TEXT.replace("\n", "")
    for quantity in quantities:
        assert (f"\n{quantity.id} | {quantity.text} |" in user) != quantity.is_time
    assert body["temperature"] == 0.0 and server.requests[0].has_authorization


def test_a_draft_citing_clause_ids_comes_out_with_exact_spans(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.json(cited_draft(document, quantities))]) as server:
        summary = LLMBackend(settings(server, tmp_path)).summarize(document, quantities)
    assert len(server.requests) == 1 and summary.diagnostics.dropped == []
    assert [(m.name, m.value, m.growth_pct) for m in summary.metrics] == [
        ("地区生产总值", 120.5, 6.2), ("规模以上工业增加值", None, 8.1)
    ]  # fmt: skip
    assert [m.evidence.quote for m in summary.metrics] == ["上半年全区地区生产总值完成120.5亿元，同比增长6.2%", "规模以上工业增加值同比增长8.1%"]
    assert [t.evidence.quote for t in summary.tasks] == ["下半年要抓项目建设"]
    assert [p.evidence.quote for p in summary.problems] == ["部分企业生产经营压力较大"]


def test_an_unknown_clause_id_is_reasked_then_dropped_with_its_reason(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    draft = cited_draft(document, quantities)
    draft["tasks"].append({"text": "优化营商环境", "clause_ids": ["c11", "c999"]})
    with DevServer([Reply.json(draft)]) as server:
        summary = LLMBackend(settings(server, tmp_path, max_reasks=2)).summarize(document, quantities)
    assert len(server.requests) == 3  # the answer and two re-asks, each told which id is unknown
    reask = str(server.requests[1].messages[-1]["content"])
    assert "tasks[1].clause_ids: c999 not in the clause table (c1 … c12)" in reask
    assert [t.text for t in summary.tasks] == ["抓项目建设"]
    (dropped,) = summary.diagnostics.dropped
    assert dropped.section == "tasks" and dropped.item["clause_ids"] == ["c11", "c999"]
    assert dropped.reasons == ["tasks[1].clause_ids: c999 not in the clause table (c1 … c12); cite ids of rows of the table"]
    assert len(summary.metrics) == 2 and len(summary.problems) == 1  # the rest is kept


def test_a_number_from_outside_the_cited_clauses_is_dropped(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    """120.5亿元 is stated by the document (c5) but not by the clause the task cites (c11)."""
    draft = cited_draft(document, quantities)
    draft["tasks"] = [{"text": "抓项目建设，冲刺120.5亿元", "clause_ids": ["c11"]}]
    draft["achievements"] = [{"text": "地区生产总值完成120.5亿元", "clause_ids": ["c5"]}]
    with DevServer([Reply.json(draft)]) as server:
        summary = LLMBackend(settings(server, tmp_path, max_reasks=1)).summarize(document, quantities)
    assert len(server.requests) == 2
    assert "tasks[0].text: 120.5亿元 is not stated in the cited clauses (c11); 120.5亿元 is in c5" in str(
        server.requests[1].messages[-1]["content"]
    )
    assert summary.tasks == [] and [a.text for a in summary.achievements] == ["地区生产总值完成120.5亿元"]
    (dropped,) = summary.diagnostics.dropped
    assert dropped.section == "tasks" and "not stated in the cited clauses" in dropped.reasons[0]


def test_falls_back_when_the_server_rejects_tools_and_json_schema(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.json(good_draft(quantities))], reject_tools=True, reject_json_schema=True) as server:
        backend = LLMBackend(settings(server, tmp_path))
        first = backend.summarize(document, quantities)
        assert [r.mode for r in server.requests] == ["tools", "json_schema", "json_object"]
        second = backend.summarize(document, quantities)  # the working mode is remembered for the run
        assert [r.mode for r in server.requests][3:] == ["json_object"]
    assert backend.mode == "json" and first.diagnostics.mode == second.diagnostics.mode == "json"
    assert first.metrics == second.metrics and len(first.metrics) == 2
    assert_usage_matches(backend, server)


def test_falls_back_when_the_server_ignores_tools(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.content(json.dumps(good_draft(quantities), ensure_ascii=False))]) as server:
        backend = LLMBackend(settings(server, tmp_path))
        summary = backend.summarize(document, quantities)
    assert [r.mode for r in server.requests] == ["tools", "json_schema"]
    assert backend.mode == "json_schema" and len(summary.metrics) == 2


def test_falls_back_when_the_server_writes_text_until_max_tokens_instead_of_calling_the_tool(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    """llama.cpp under tool_choice 'auto' lets a small model ramble: that is a server ignoring tools."""
    rambling = Reply("content", payload="请整理下面这篇报道" * 40, finish_reason="length")
    with DevServer([rambling, Reply.json(good_draft(quantities))]) as server:
        backend = LLMBackend(settings(server, tmp_path))
        summary = backend.summarize(document, quantities)
    assert [r.mode for r in server.requests] == ["tools", "json_schema"]
    assert backend.mode == "json_schema" and len(summary.metrics) == 2


def test_every_mode_rejected_is_a_clear_error(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    with DevServer([Reply.error(400, message="tools and response_format are not supported")]) as server:
        backend = LLMBackend(settings(server, tmp_path))
        with pytest.raises(BackendError, match="rejected every structured-output mode"):
            backend.summarize(document, quantities)
    assert len(server.requests) == 4


def test_think_blocks_and_fences_are_peeled_off(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    answer = json.dumps(good_draft(quantities), ensure_ascii=False)
    reasoning = "<think>\n先看数字：也许是999亿元？不，正文写的是120.5亿元。\n</think>\n"
    with DevServer([Reply.text(f"{reasoning}好的，结果如下：\n```json\n{answer}\n```\n")]) as server:
        backend = LLMBackend(settings(server, tmp_path, mode="json"))
        summary = backend.summarize(document, quantities)
    assert len(server.requests) == 1
    assert len(summary.metrics) == 2 and 999 not in numbers_stated(summary)


# --- re-asks ----------------------------------------------------------------------------------------


def test_invalid_json_is_reasked_then_accepted(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    with DevServer([Reply.text("这不是JSON"), Reply.json(good_draft(quantities))]) as server:
        backend = LLMBackend(settings(server, tmp_path, mode="json"))
        summary = backend.summarize(document, quantities)
    assert len(server.requests) == 2 and len(summary.metrics) == 2
    assert len(server.requests[1].messages) > len(server.requests[0].messages)  # the error was fed back
    assert_usage_matches(backend, server)


def test_truncated_json_fails_clearly_after_the_reasks(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.text('{"metrics": [{"name": "地区生产总值", "va')]) as server:
        backend = LLMBackend(settings(server, tmp_path, max_reasks=2))
        with pytest.raises(ModelResponseError, match=r"not valid JSON after 2 re-asks"):
            backend.summarize(document, quantities)
    assert len(server.requests) == 3
    assert_usage_matches(backend, server)


def test_an_answer_cut_off_before_any_item_says_so(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.text('{"metrics": [{"name": "地区生', finish_reason="length")]) as server:
        with pytest.raises(ModelResponseError, match="max_tokens=.*before any item was complete"):
            LLMBackend(settings(server, tmp_path, mode="json")).summarize(document, quantities)


@pytest.mark.parametrize("mode", ["json", "tools"])
def test_an_answer_cut_off_keeps_its_complete_items_and_says_so(
    mode: str, document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    """A small model under a grammar often writes until max_tokens: what it finished still counts,
    the item it was writing (here a metric whose value stops at '12' of 120.5) does not."""
    draft = cited_draft(document, quantities)
    whole = json.dumps({"meta": draft["meta"], "tasks": draft["tasks"], "metrics": draft["metrics"]}, ensure_ascii=False)
    cut = whole[: whole.index('"value": 120.5') + len('"value": 12')]
    with DevServer([Reply.text(cut, finish_reason="length")]) as server:
        backend = LLMBackend(settings(server, tmp_path, mode=mode, use_cache=True))
        summary = backend.summarize(document, quantities)
        again = LLMBackend(settings(server, tmp_path, mode=mode, use_cache=True)).summarize(document, quantities)
    assert [item.text for item in summary.tasks] == ["抓项目建设"]
    assert summary.meta.organization == "云溪高新区"
    assert summary.metrics == []  # the half-written one is not guessed at
    (warning,) = summary.diagnostics.warnings
    assert "cut off at max_tokens=4096" in warning and "complete items (1)" in warning
    assert again.diagnostics.usage.cached and again.diagnostics.warnings == [warning]


def test_schema_violations_that_persist_fail_clearly(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.json({"metrics": [{"name": "地区生产总值", "value": "很多"}]})]) as server:
        with pytest.raises(ModelResponseError, match=r"does not fit the summary schema after 1 re-asks: metrics"):
            LLMBackend(settings(server, tmp_path, max_reasks=1)).summarize(document, quantities)


def test_a_hallucinated_number_is_reasked_then_dropped_and_reported(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.json(hallucinating_draft(quantities))]) as server:
        backend = LLMBackend(settings(server, tmp_path, max_reasks=2))
        summary = backend.summarize(document, quantities)
    assert len(server.requests) == 3  # the first answer and two re-asks, each told what was wrong
    assert "130" in str(server.requests[1].messages[-1]["content"])  # the re-ask names the unsupported value
    assert 130.0 not in numbers_stated(summary)
    assert [d.section for d in summary.diagnostics.dropped] == ["metrics"]
    assert summary.diagnostics.dropped[0].item["value"] == 130.0
    assert len(summary.metrics) == 1 and len(summary.targets) == 1  # the supported items are kept
    assert_usage_matches(backend, server)


def test_the_token_budget_stops_reasking(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    with DevServer([Reply.json(hallucinating_draft(quantities))]) as server:
        backend = LLMBackend(settings(server, tmp_path, max_reasks=3, token_budget=10))
        summary = backend.summarize(document, quantities)
    assert len(server.requests) == 1
    assert 130.0 not in numbers_stated(summary) and summary.diagnostics.dropped


# --- HTTP faults ------------------------------------------------------------------------------------


def test_429_waits_as_told_then_succeeds(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    # The backoff would be 60 s; finishing at all shows the 0.05 s Retry-After was used instead.
    script = [Reply.error(429, retry_after=0.05), Reply.json(good_draft(quantities))]
    with DevServer(script) as server:
        backend = LLMBackend(settings(server, tmp_path, retry_backoff=120.0))
        summary = backend.summarize(document, quantities)
    assert len(server.requests) == 2 and len(summary.metrics) == 2
    assert summary.diagnostics.usage.requests == 2
    assert_usage_matches(backend, server)


def test_429_gives_up_with_the_reason_and_the_count(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.error(429, retry_after=0.01)]) as server:
        backend = LLMBackend(settings(server, tmp_path, max_retries=3))
        with pytest.raises(BackendError, match=r"^HTTP 429 rate limited; gave up after 4 attempts$"):
            backend.summarize(document, quantities)
    assert len(server.requests) == 4
    assert_usage_matches(backend, server)


def test_server_errors_and_dropped_connections_are_retried(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    script = [Reply.error(500), Reply.drop(), Reply.error(503), Reply.json(good_draft(quantities))]
    with DevServer(script) as server:
        backend = LLMBackend(settings(server, tmp_path, max_retries=3))
        summary = backend.summarize(document, quantities)
    assert len(server.requests) == 4 and len(summary.metrics) == 2
    assert_usage_matches(backend, server)


def test_a_dropped_connection_names_the_server(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    with DevServer([Reply.drop()]) as server:
        with pytest.raises(BackendError, match=r"model server at http://127\.0\.0\.1:\d+/v1 dropped the connection"):
            LLMBackend(settings(server, tmp_path, max_retries=0)).summarize(document, quantities)


def test_a_slow_answer_times_out_clearly(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    with DevServer([Reply.delay(1.5, Reply.json(good_draft(quantities)))]) as server:
        backend = LLMBackend(settings(server, tmp_path, timeout=0.3, max_retries=1))
        with pytest.raises(BackendError, match=r"^timed out after 0.3 s; gave up after 2 attempts$"):
            backend.summarize(document, quantities)
        assert len(server.requests) == 2


def test_an_unreachable_server_is_a_clear_error(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    """Connection refused does not change a second later: one attempt, and the message names the URL."""
    backend = LLMBackend(settings(None, tmp_path, max_retries=3))
    started = time.monotonic()
    with pytest.raises(BackendError, match=r"^cannot connect to the model server at http://127\.0\.0\.1:9/v1 \(connection refused\)$"):
        backend.summarize(document, quantities)
    assert time.monotonic() - started < 1.5 and backend.usage.requests == 1


def test_a_client_error_is_reported_with_the_server_message(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.error(404, message="model 'dev-model' not found")]) as server:
        with pytest.raises(BackendError, match=r"HTTP 404 .*model 'dev-model' not found"):
            LLMBackend(settings(server, tmp_path)).summarize(document, quantities)
        assert len(server.requests) == 1


# --- usage, cache, record and replay ------------------------------------------------------------------


def test_usage_is_exact_across_faults_and_reasks_and_priced(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    script = [
        Reply.error(429, retry_after=0.01),
        Reply.error(500),
        Reply.drop(),
        Reply.delay(0.8, Reply.json(good_draft(quantities))),  # past the timeout: the client never sees it
        Reply.json(hallucinating_draft(quantities)),
        Reply.json(good_draft(quantities)),
    ]
    prices = {"dev-model": {"prompt": 0.5, "completion": 2.0}}
    with DevServer(script) as server:
        backend = LLMBackend(settings(server, tmp_path, prices=prices, timeout=0.3, max_retries=4))
        summary = backend.summarize(document, quantities)
        assert_usage_matches(backend, server)
    assert summary.diagnostics.usage.requests == 6
    usage = backend.usage
    assert usage.cost == pytest.approx((usage.prompt_tokens * 0.5 + usage.completion_tokens * 2.0) / 1000)
    assert summary.diagnostics.usage == usage  # one document: its usage is the run's


def test_a_cached_rerun_sends_no_request(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    with DevServer([Reply.json(good_draft(quantities))]) as server:
        first = LLMBackend(settings(server, tmp_path, use_cache=True)).summarize(document, quantities)
        rerun = LLMBackend(settings(server, tmp_path, use_cache=True))
        second = rerun.summarize(document, quantities)
        assert len(server.requests) == 1
    assert second.diagnostics.usage.cached and second.diagnostics.usage.requests == 0
    assert rerun.usage.cached and rerun.usage.requests == 0
    assert second.model_dump(exclude={"diagnostics"}) == first.model_dump(exclude={"diagnostics"})
    assert second.diagnostics.mode == first.diagnostics.mode


def test_the_cache_key_follows_the_model_and_the_text(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    with DevServer([Reply.json(good_draft(quantities))]) as server:
        LLMBackend(settings(server, tmp_path, use_cache=True)).summarize(document, quantities)
        LLMBackend(settings(server, tmp_path, use_cache=True, model="other")).summarize(document, quantities)
        edited = document_from_text(TEXT + "会议强调，要优化营商环境。")
        LLMBackend(settings(server, tmp_path, use_cache=True)).summarize(edited, extract_quantities(edited.text))
    assert len(server.requests) == 3


def test_errors_are_never_cached(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    with DevServer([Reply.text("不是JSON")]) as server:
        with pytest.raises(ModelResponseError):
            LLMBackend(settings(server, tmp_path, use_cache=True, max_reasks=0)).summarize(document, quantities)
    with DevServer([Reply.json(good_draft(quantities))]) as server:
        LLMBackend(settings(server, tmp_path, use_cache=True)).summarize(document, quantities)
        assert len(server.requests) == 1


def test_record_then_replay_without_a_server(document: Document, quantities: list[Quantity], tmp_path: Path) -> None:
    records = tmp_path / "records"
    with DevServer([Reply.error(500), Reply.json(hallucinating_draft(quantities)), Reply.json(good_draft(quantities))]) as server:
        recorded = LLMBackend(settings(server, tmp_path, record_dir=records)).summarize(document, quantities)
    assert len(list(records.glob("*.json"))) == 2  # the 500 was retried, not recorded
    replaying = LLMBackend(settings(None, tmp_path, replay_dir=records, api_key=None))
    replayed = replaying.summarize(document, quantities)
    assert replayed.model_dump(exclude={"diagnostics"}) == recorded.model_dump(exclude={"diagnostics"})
    assert replaying.usage.requests == 2
    assert replaying.usage.completion_tokens == recorded.diagnostics.usage.completion_tokens
    other = document_from_text("上半年，全区实现税收收入9.9亿元。")
    with pytest.raises(BackendError, match="no recorded answer"):
        replaying.summarize(other, extract_quantities(other.text))


# --- the key, concurrency, async ---------------------------------------------------------------------


def test_the_key_is_in_no_file_log_or_error(
    document: Document, quantities: list[Quantity], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    with DevServer([Reply.json(hallucinating_draft(quantities))]) as server:
        backend = LLMBackend(settings(server, tmp_path, use_cache=True, record_dir=tmp_path / "records"))
        summary = backend.summarize(document, quantities)
        (tmp_path / "out.json").write_text(summary.model_dump_json(), encoding="utf-8")
        messages.append(repr(backend))
    assert all(request.has_authorization for request in server.requests)  # the key was really sent
    with DevServer([Reply.error(401, message=f"invalid key {SECRET}")]) as server:
        with pytest.raises(BackendError) as failure:
            LLMBackend(settings(server, tmp_path)).summarize(document, quantities)
        messages.append(str(failure.value))
    assert "invalid key ***" in messages[-1]
    messages.extend(record.getMessage() for record in caplog.records)
    assert not [m for m in messages if SECRET in m]
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 3
    assert not [p for p in written if SECRET.encode() in p.read_bytes()]


def test_no_key_no_model_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs a model"):
        LLMBackend(load_config(base_url="http://127.0.0.1:9/v1").llm)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        LLMBackend(load_config(model="gpt-4o-mini").llm)
    with pytest.raises(ConfigError, match="DEEPSEEK_API_KEY or OPENAI_API_KEY"):
        LLMBackend(load_config(provider="deepseek").llm)
    assert LLMBackend(load_config(base_url="http://127.0.0.1:9/v1", model="local").llm)  # local: no key needed


class InFlight:
    """A responder that holds each answer a moment and remembers the most requests it held at once."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.lock = threading.Lock()
        self.now = self.most = 0

    def __call__(self, request: ChatRequest) -> Reply:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.15)
        with self.lock:
            self.now -= 1
        return Reply.json(self.answer)


def test_one_concurrency_limit_for_a_threaded_batch(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    responder = InFlight(good_draft(quantities))
    with DevServer(responder) as server:
        backend = LLMBackend(settings(server, tmp_path, concurrency=2))
        with ThreadPoolExecutor(max_workers=6) as pool:
            summaries = list(pool.map(lambda _: backend.summarize(document, quantities), range(6)))
    assert responder.most == 2
    assert all(len(s.metrics) == 2 for s in summaries)
    assert backend.usage.requests == 6
    assert_usage_matches(backend, server)


def test_the_async_twin_shares_the_limit_and_the_result(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    responder = InFlight(good_draft(quantities))
    with DevServer(responder) as server:
        backend = LLMBackend(settings(server, tmp_path, concurrency=2))
        expected = backend.summarize(document, quantities)

        async def batch() -> list[Summary]:
            return await asyncio.gather(*(backend.asummarize(document, quantities) for _ in range(5)))

        summaries = asyncio.run(batch())
    assert responder.most == 2
    assert all(s.model_dump(exclude={"diagnostics"}) == expected.model_dump(exclude={"diagnostics"}) for s in summaries)
    assert_usage_matches(backend, server)


def test_async_faults_are_retried_like_sync_ones(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    script = [Reply.error(429, retry_after=0.01), Reply.drop(), Reply.text("{"), Reply.json(good_draft(quantities))]
    with DevServer(script) as server:
        backend = LLMBackend(settings(server, tmp_path))
        summary = asyncio.run(backend.asummarize(document, quantities))
    assert len(summary.metrics) == 2 and summary.diagnostics.usage.requests == 4
    assert_usage_matches(backend, server)


# --- long documents -----------------------------------------------------------------------------------


def test_a_long_document_is_summarised_in_chunks_and_merged(tmp_path: Path) -> None:
    paragraphs = [
        f"{name}同比增长{rate}%。" + "会议强调，要坚持稳中求进，狠抓工作落实，确保各项任务顺利推进。" * 3
        for name, rate in [("规模以上工业增加值", "8.1"), ("固定资产投资", "12.4"), ("社会消费品零售总额", "6.3")]
    ]
    text = "\n".join(paragraphs)
    document = document_from_text(text)
    quantities = extract_quantities(text)

    table = document_clauses(document)
    shown_ids: list[list[str]] = []

    def per_chunk(request: ChatRequest) -> Reply:
        """Answer from the chunk shown: its growth figure, and the shared task that overlapping chunks repeat."""
        rows = read_clauses(request.user_text().split("<clauses>\n", 1)[1].split("\n</clauses>", 1)[0])
        shown_ids.append([row.id for row in rows])
        chunk = "".join(row.text for row in rows)
        metrics = [
            {
                "name": q.indicator or "指标", "growth_pct": q.value, "quantity_ids": [q.id],
                "clause_ids": [row.id for row in table.overlapping(q.start, q.end)],
            }
            for q in quantities
            if q.text in chunk
        ]
        repeated = next(row for row in rows if row.text.startswith("要坚持稳中求进"))
        task = {"text": "坚持稳中求进，狠抓工作落实", "clause_ids": [repeated.id]}
        return Reply.json({"metrics": metrics, "tasks": [task]})

    with DevServer(per_chunk) as server:
        backend = LLMBackend(settings(server, tmp_path, chunk_chars=200, chunk_overlap=60))
        summary = backend.summarize(document, quantities)
    assert len(server.requests) >= 2
    # Each chunk shows its own rows, numbered over the whole document, and together they show all.
    assert all(ids == sorted(ids, key=lambda cid: int(cid[1:])) for ids in shown_ids)
    assert {cid for ids in shown_ids for cid in ids} == {row.id for row in table.rows}
    assert shown_ids[1][0] != "c1"
    assert sorted(m.growth_pct for m in summary.metrics) == [6.3, 8.1, 12.4]
    assert [t.text for t in summary.tasks] == ["坚持稳中求进，狠抓工作落实"]
    assert summary.diagnostics.dropped == []


# --- the command -------------------------------------------------------------------------------------


def test_the_summarize_command_speaks_to_the_server_and_caches(
    quantities: list[Quantity], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    source = tmp_path / "yunxi.txt"
    source.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    flags = ["--backend", "llm", "--model", "dev-model", "--mode", "json", "--timeout", "5", "--max-retries", "1",
             "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    with DevServer([Reply.error(503), Reply.json(good_draft(quantities))]) as server:
        runs = [
            CliRunner().invoke(app, ["summarize", str(source), "--base-url", server.base_url, "-o", str(tmp_path / out), *flags])
            for out in ("first", "second")
        ]
        assert [r.exit_code for r in runs] == [0, 0], [r.output for r in runs]
        assert [r.mode for r in server.requests] == ["json_object", "json_object"]  # the 503, then the answer
    first, second = (json.loads((tmp_path / out / "yunxi.json").read_text(encoding="utf-8")) for out in ("first", "second"))
    assert first["diagnostics"]["backend"] == "llm" and first["diagnostics"]["mode"] == "json"
    assert first["diagnostics"]["usage"]["requests"] == 2 and second["diagnostics"]["usage"]["cached"]
    assert len(first["metrics"]) == 2
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]


def test_a_document_is_never_read_as_a_template(tmp_path: Path) -> None:
    """Jinja markup in a report ({% 注 %}, {{ 1 + 1 }}, {#) reaches the model exactly as written,
    and the document is summarised like any other: grounding data never goes through templating."""
    text = TEXT.replace("会议指出，", "会议指出（{% 注 %}，{{ 1 + 1 }}，{# 未完），")
    document = document_from_text(text, name="template.txt")
    quantities = extract_quantities(document.text)
    with DevServer([Reply.json(good_draft(quantities))]) as server:
        summary = LLMBackend(settings(server, tmp_path)).summarize(document, quantities)
    (user,) = [m["content"] for m in server.requests[0].body["messages"] if m["role"] == "user"]
    assert "{% 注 %}" in user and "{{ 1 + 1 }}" in user and "{# 未完" in user
    assert [m.value for m in summary.metrics] == [120.5, None] and summary.diagnostics.dropped == []


def test_grounding_still_reasks_without_a_templating_context(
    document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    """The grounding source reaches instructor's parsing: an invented number is re-asked."""
    with DevServer([Reply.json(hallucinating_draft(quantities)), Reply.json(good_draft(quantities))]) as server:
        summary = LLMBackend(settings(server, tmp_path)).summarize(document, quantities)
    assert len(server.requests) == 2 and 130.0 not in numbers_stated(summary)
    reask = json.dumps(server.requests[1].body["messages"], ensure_ascii=False)
    assert "130" in reask


# --- one client per run -----------------------------------------------------------------------------


def test_one_client_serves_the_run_and_each_document_keeps_its_own_usage(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import openai

    made: list[str] = []

    class CountedSync(openai.OpenAI):
        def __init__(self, **options: Any) -> None:
            made.append("sync")
            super().__init__(**options)

    class CountedAsync(openai.AsyncOpenAI):
        def __init__(self, **options: Any) -> None:
            made.append("async")
            super().__init__(**options)

    monkeypatch.setattr(openai, "OpenAI", CountedSync)
    monkeypatch.setattr(openai, "AsyncOpenAI", CountedAsync)
    short = document_from_text(TEXT, name="short.txt")
    long = document_from_text(TEXT + "会议强调，要坚持稳中求进，狠抓工作落实。" * 20, name="long.txt")
    jobs = [(doc, extract_quantities(doc.text)) for doc in (short, long) * 3]
    with DevServer() as server:
        backend = LLMBackend(settings(server, tmp_path, concurrency=3))
        with ThreadPoolExecutor(max_workers=6) as pool:
            threaded = list(pool.map(lambda job: backend.summarize(*job), jobs))

        async def batch() -> list[Summary]:
            return await asyncio.gather(*(backend.asummarize(*job) for job in jobs))

        awaited = asyncio.run(batch())
        assert_usage_matches(backend, server)
    assert made == ["sync", "async"]
    for summaries in (threaded, awaited):
        usages = [(s.diagnostics.usage.requests, s.diagnostics.usage.prompt_tokens) for s in summaries]
        assert all(requests == 1 for requests, _ in usages)
        assert len(set(usages[0::2])) == 1 and len(set(usages[1::2])) == 1  # each document its own count
        assert usages[0][1] < usages[1][1]


@pytest.mark.parametrize("mode", ["json_schema", "json", "tools"])
def test_the_answer_schema_is_built_once_per_run(
    monkeypatch: pytest.MonkeyPatch, mode: str, document: Document, quantities: list[Quantity], tmp_path: Path
) -> None:
    from pydantic import BaseModel

    from summarizer.backends import llm
    from summarizer.grounding import GroundedDraft

    built: list[str] = []

    def counted(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
        built.append(cls.__name__)
        return BaseModel.model_json_schema.__func__(cls, *args, **kwargs)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(GroundedDraft, "model_json_schema", classmethod(counted))
    monkeypatch.setattr(llm, "_SHOWN_SCHEMAS", {})
    with DevServer([Reply.json(good_draft(quantities))]) as server:
        backend = LLMBackend(settings(server, tmp_path, mode=mode))
        summaries = [backend.summarize(document, quantities) for _ in range(4)]
    assert all(len(s.metrics) == 2 for s in summaries)
    assert len(built) <= 1
    shown = server.requests[-1].body
    schema = shown["tools"][0]["function"]["parameters"] if mode == "tools" else None
    if mode == "json_schema":
        schema = shown["response_format"]["json_schema"]["schema"]
    if schema is not None:  # the bounds that make a grammar-constrained answer end
        item = schema["$defs"]["ItemDraft"]["properties"]
        assert item["text"]["maxLength"] == 120 and item["clause_ids"]["maxItems"] == 16
        assert schema["properties"]["tasks"]["maxItems"] == 40

"""The dev server speaks chat-completions well enough for the real openai client and instructor.

No mocking: every test sends real HTTP to 127.0.0.1 through ``openai`` (and ``instructor``).
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import instructor
import openai
import pytest
from pydantic import BaseModel

from summarizer.backends.llm import LLMBackend
from summarizer.config import load_config
from summarizer.devserver import ChatRequest, DevServer, Reply
from summarizer.document import load_document
from summarizer.grounding import draft_errors, ground
from summarizer.prompting import load_prompts
from summarizer.quantities import extract_quantities
from summarizer.schema import SummaryDraft
from summarizer.text.clauses import document_clauses

SECRET = "sk-dev-test-SECRET-4242"
MESSAGES = [
    {"role": "system", "content": "整理报道。"},
    {"role": "user", "content": "全区地区生产总值302.3亿元。"},
]


class Answer(BaseModel):
    name: str
    value: float


ANSWER = {"name": "地区生产总值", "value": 302.3}


def client_for(server: DevServer, *, timeout: float = 5.0, max_retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key=SECRET, timeout=timeout, max_retries=max_retries)


def chat(client: openai.OpenAI, **extra: object):  # noqa: ANN201 - openai's ChatCompletion
    return client.chat.completions.create(model="dev", messages=MESSAGES, **extra)


@pytest.mark.parametrize(
    ("mode", "shape"),
    [
        (instructor.Mode.TOOLS, "tools"),
        (instructor.Mode.JSON_SCHEMA, "json_schema"),
        (instructor.Mode.JSON, "json_object"),
        (instructor.Mode.MD_JSON, "text"),
    ],
)
def test_instructor_gets_the_object_in_every_mode(mode: instructor.Mode, shape: str) -> None:
    with DevServer([Reply.json(ANSWER)]) as server:
        client = instructor.from_openai(client_for(server), mode=mode)
        answer, completion = client.chat.completions.create_with_completion(
            model="dev", response_model=Answer, messages=MESSAGES, max_retries=1
        )
        assert answer.model_dump() == ANSWER
        assert server.requests[0].mode == shape
        assert completion.model == "dev"
        if shape == "tools":
            call = completion.choices[0].message.tool_calls[0]
            assert call.function.name == server.requests[0].tool_name == "Answer"
            assert completion.choices[0].finish_reason == "tool_calls"
            assert json.loads(call.function.arguments) == ANSWER
        elif shape == "text":
            assert completion.choices[0].message.content.startswith("```json\n")


def test_instructor_reasks_with_the_validation_error_until_the_answer_is_valid() -> None:
    script = [Reply.json({"name": "地区生产总值"}), Reply.json(ANSWER)]
    with DevServer(script) as server:
        client = instructor.from_openai(client_for(server), mode=instructor.Mode.TOOLS)
        answer = client.chat.completions.create(model="dev", response_model=Answer, messages=MESSAGES, max_retries=2)
        assert answer.value == 302.3
        assert len(server.requests) == 2
        reask = json.dumps(server.requests[1].messages, ensure_ascii=False)
        assert "value" in reask and "Field required" in reask


@pytest.mark.parametrize("broken", ['{"name": "地区生产总值", "value": 30', "<think>想一想</think> 不是 JSON"])
def test_truncated_or_invalid_json_fails_parsing_and_is_reasked(broken: str) -> None:
    with DevServer([Reply.text(broken), Reply.json(ANSWER)]) as server:
        client = instructor.from_openai(client_for(server), mode=instructor.Mode.JSON)
        answer = client.chat.completions.create(model="dev", response_model=Answer, messages=MESSAGES, max_retries=2)
        assert answer.value == 302.3
        assert server.totals.requests == 2


def test_the_last_scripted_reply_repeats() -> None:
    with DevServer([Reply.text("first"), Reply.text("again")]) as server:
        client = client_for(server)
        contents = [chat(client).choices[0].message.content for _ in range(3)]
    assert contents == ["first", "again", "again"]


def test_a_callable_script_sees_each_request() -> None:
    with DevServer(lambda request: Reply.text(f"{len(request.messages)} messages")) as server:
        assert chat(client_for(server)).choices[0].message.content == "2 messages"


def test_text_replies_arrive_verbatim_where_the_request_expects_its_answer() -> None:
    raw = '<think>先想一想</think>\n```json\n{"name": "地区生产总值", "value": 30'
    with DevServer([Reply.text(raw, finish_reason="length")]) as server:
        client = client_for(server)
        plain = chat(client)
        assert plain.choices[0].message.content == raw
        assert plain.choices[0].finish_reason == "length"
        tools = [{"type": "function", "function": {"name": "Answer", "parameters": Answer.model_json_schema()}}]
        called = chat(client, tools=tools)
        assert called.choices[0].message.tool_calls[0].function.arguments == raw


def test_content_reply_ignores_the_requested_tool() -> None:
    tools = [{"type": "function", "function": {"name": "Answer", "parameters": {}}}]
    with DevServer([Reply.content("我不调用工具")]) as server:
        message = chat(client_for(server), tools=tools).choices[0].message
    assert message.tool_calls is None and message.content == "我不调用工具"


def test_429_carries_retry_after_and_the_client_retries_after_it() -> None:
    with DevServer([Reply.error(429, retry_after=0.05, message="slow down"), Reply.text("ok")]) as server:
        with pytest.raises(openai.RateLimitError) as caught:
            chat(client_for(server))
        assert caught.value.response.headers["retry-after"] == "0.05"
        assert "slow down" in str(caught.value)
        # openai's own retry layer honours the header: the second attempt gets the answer.
        assert chat(client_for(server, max_retries=1)).choices[0].message.content == "ok"


def test_500_is_a_server_error() -> None:
    with DevServer([Reply.error(500)]) as server, pytest.raises(openai.InternalServerError):
        chat(client_for(server))


def test_a_delay_past_the_client_timeout_is_a_timeout_and_its_usage_is_never_counted() -> None:
    with DevServer([Reply.delay(1.0, Reply.text("late")), Reply.text("on time")]) as server:
        client = client_for(server, timeout=0.2)
        with pytest.raises(openai.APITimeoutError):
            chat(client)
        assert server.wait_idle()
        assert server.totals.completion_tokens == 0
        answer = chat(client)
        assert answer.choices[0].message.content == "on time"
        assert server.totals.requests == 2


def test_a_dropped_connection_is_a_connection_error() -> None:
    with DevServer([Reply.drop(), Reply.text("back")]) as server:
        client = client_for(server)
        with pytest.raises(openai.APIConnectionError):
            chat(client)
        assert chat(client).choices[0].message.content == "back"


def test_servers_without_tool_calling_or_structured_outputs_answer_400() -> None:
    with DevServer([Reply.json(ANSWER)], reject_tools=True, reject_json_schema=True) as server:
        for mode in (instructor.Mode.TOOLS, instructor.Mode.JSON_SCHEMA):
            client = instructor.from_openai(client_for(server), mode=mode)
            with pytest.raises(Exception) as caught:
                client.chat.completions.create(model="dev", response_model=Answer, messages=MESSAGES, max_retries=1)
            assert "not supported" in str(caught.value)
        client = instructor.from_openai(client_for(server), mode=instructor.Mode.JSON)
        answer = client.chat.completions.create(model="dev", response_model=Answer, messages=MESSAGES, max_retries=1)
        assert answer.name == "地区生产总值"
        with pytest.raises(openai.BadRequestError) as caught:
            chat(client_for(server), tools=[{"type": "function", "function": {"name": "Answer", "parameters": {}}}])
        assert caught.value.status_code == 400 and "tools are not supported" in str(caught.value)


def test_usage_counted_by_the_client_equals_the_servers_totals() -> None:
    script = [Reply.error(429, retry_after=0.05), Reply.json(ANSWER), Reply.drop(), Reply.text("短答")]
    with DevServer(script) as server:
        client = client_for(server)
        prompt = completion = 0
        for _ in range(4):
            try:
                usage = chat(client).usage
            except openai.APIError:
                continue
            prompt, completion = prompt + usage.prompt_tokens, completion + usage.completion_tokens
        totals = server.totals
    assert (totals.requests, totals.prompt_tokens, totals.completion_tokens) == (4, prompt, completion)
    assert prompt == 2 * (sum(len(m["content"]) for m in MESSAGES) // 2 + 1)


def test_the_api_key_is_noted_but_never_stored() -> None:
    with DevServer([Reply.text("ok")]) as server:
        chat(client_for(server))
        stored = repr(server.requests) + json.dumps([r.body for r in server.requests], ensure_ascii=False)
    assert server.requests[0].has_authorization
    assert SECRET not in stored


def test_models_listing_and_async_client() -> None:
    async def ask(base_url: str) -> str:
        client = openai.AsyncOpenAI(base_url=base_url, api_key=SECRET, timeout=5, max_retries=0)
        completion = await client.chat.completions.create(model="dev", messages=MESSAGES)
        await client.close()
        return completion.choices[0].message.content or ""

    with DevServer([Reply.text("异步")]) as server:
        assert [m.id for m in client_for(server).models.list()] == ["summarizer-dev"]
        assert asyncio.run(ask(server.base_url)) == "异步"


def ask_for_draft(server: DevServer, messages: list[dict[str, str]]) -> SummaryDraft:
    client = instructor.from_openai(client_for(server), mode=instructor.Mode.TOOLS)
    return client.chat.completions.create(model="dev", response_model=SummaryDraft, messages=messages, max_retries=1)


def test_default_responder_answers_the_real_prompt_with_a_grounded_draft(example_paths: list[Path]) -> None:
    document = load_document(next(p for p in example_paths if p.suffix == ".txt"))
    quantities = extract_quantities(document.text)
    with DevServer() as server:
        draft = ask_for_draft(server, load_prompts().messages(document.text, quantities))
    assert draft.metrics or draft.tasks, "the rules backend found nothing to say"
    records = [*draft.metrics, *draft.targets, *draft.achievements, *draft.problems, *draft.tasks]
    assert all(r.clause_ids and r.quote is None for r in records), "the answer cites clause ids, as the prompt asks"
    assert draft_errors(draft, document.text, quantities) == []
    assert ground(draft, document.text, quantities).dropped == []


def test_default_responder_cites_the_clauses_of_the_rules_backends_spans(example_paths: list[Path]) -> None:
    """Through the LLM backend (the document's own table, per article), every example, nothing dropped."""
    with DevServer() as server:
        settings = load_config(base_url=server.base_url, model="dev", api_key="k", use_cache=False, max_reasks=0).llm
        backend = LLMBackend(settings)
        for path in example_paths:
            document = load_document(path)
            quantities = extract_quantities(document.text)
            table = document_clauses(document)
            before = len(server.requests)
            summary = backend.summarize(document, quantities)
            assert summary.diagnostics.dropped == [], path.name
            assert len(server.requests) == before + 1, path.name  # no re-ask was needed
            starts, ends = {r.start for r in table.rows}, {r.end for r in table.rows}
            for record in [*summary.achievements, *summary.problems, *summary.tasks]:
                assert record.evidence.start in starts and record.evidence.end in ends, (path.name, record)


def test_default_responder_still_reads_a_document_block() -> None:
    """A prompt of the older format (the plain text in <document>) gets a quoting draft."""
    text = "上半年，全区地区生产总值完成120.5亿元，同比增长6.2%。下半年要抓项目建设。"
    prompt = [{"role": "user", "content": f"<document>\n{text}\n</document>"}]
    with DevServer() as server:
        draft = ask_for_draft(server, prompt)
    assert draft.tasks and all(t.quote and not t.clause_ids for t in draft.tasks)
    assert ground(draft, text, extract_quantities(text)).dropped == []


def test_default_responder_cites_the_ids_of_the_prompts_candidate_table(example_paths: list[Path]) -> None:
    """A chunk's table numbers candidates over the whole document: the draft must cite those ids."""
    document = load_document(next(p for p in example_paths if p.suffix == ".txt"))
    quantities = extract_quantities(document.text)
    renumbered = [q.model_copy(update={"id": f"q{100 + int(q.id[1:])}"}) for q in quantities]
    with DevServer() as server:
        draft = ask_for_draft(server, load_prompts().messages(document.text, renumbered))
    cited = [qid for item in [*draft.metrics, *draft.targets] for qid in item.quantity_ids]
    assert cited and set(cited) <= {q.id for q in renumbered}
    assert ground(draft, document.text, renumbered).dropped == []


def test_default_responder_without_a_document_answers_an_empty_draft() -> None:
    with DevServer() as server:
        draft = ask_for_draft(server, MESSAGES)
    assert draft.model_dump() == SummaryDraft().model_dump()


def test_a_broken_responder_is_a_500_with_its_reason() -> None:
    def broken(request: ChatRequest) -> Reply:
        raise KeyError("no such script step")

    with DevServer(broken) as server, pytest.raises(openai.InternalServerError) as caught:
        chat(client_for(server))
    assert "no such script step" in str(caught.value)


def test_the_dev_server_command_serves_until_interrupted() -> None:
    command = [sys.executable, "-m", "summarizer", "dev-server", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        base_url = re.search(r"http://127\.0\.0\.1:\d+/v1", banner).group()
        client = openai.OpenAI(base_url=base_url, api_key=SECRET, timeout=5, max_retries=0)
        assert [m.id for m in client.models.list()] == ["summarizer-dev"]
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=10)
    assert process.returncode == 0, errors

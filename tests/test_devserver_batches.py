"""The dev server's Files and Batch APIs run a whole batch for the real openai client, offline.

No mocking: every test uploads, creates, polls and downloads over real HTTP to 127.0.0.1 through
``openai.OpenAI``, and each batch line is answered exactly as the same request sent live.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletion

from summarizer.devserver import ChatRequest, DevServer, Reply

SECRET = "sk-test-batch-SECRET-7731"
TOOLS = [{"type": "function", "function": {"name": "Answer", "parameters": {"type": "object"}}}]


def client_for(server: DevServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key=SECRET, timeout=5, max_retries=0)


def body(text: str, **extra: Any) -> dict[str, Any]:
    messages = [{"role": "system", "content": "整理报道。"}, {"role": "user", "content": text}]
    return {"model": "dev", "messages": messages, **extra}


def line(custom_id: str, request_body: dict[str, Any], **override: Any) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": request_body, **override}


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def upload(client: openai.OpenAI, data: bytes, purpose: str = "batch") -> str:
    return client.files.create(file=("requests.jsonl", data), purpose=purpose).id  # type: ignore[arg-type]


def submit(client: openai.OpenAI, data: bytes, **extra: Any):  # noqa: ANN201 - openai's Batch
    return client.batches.create(
        input_file_id=upload(client, data), endpoint="/v1/chat/completions", completion_window="24h", **extra
    )


def read_lines(client: openai.OpenAI, file_id: str) -> list[dict[str, Any]]:
    return [json.loads(row) for row in client.files.content(file_id).content.splitlines()]


def answering(request: ChatRequest) -> Reply:
    """A responder whose answer depends only on the request, so a batch line and a live request can be compared."""
    text = request.user_text()
    if request.mode == "tools":
        return Reply.json({"name": text, "value": len(text)})
    return Reply.text(f"答：{text}")


def test_a_batch_answers_each_line_as_the_same_request_sent_live() -> None:
    figure = "地区生产总值302.3亿元。"
    rows = [
        line("with-tool", body(figure, tools=TOOLS, tool_choice="required")),
        line("first", body("固定资产投资增长6.2%。")),
        line("second", body("固定资产投资增长6.2%。")),  # the same body under another custom_id
    ]
    with DevServer(answering, hold_batches=True) as server:
        client = client_for(server)
        created = submit(client, jsonl(rows), metadata={"run": "test"})
        assert created.id.startswith("batch_") and created.status == "validating"
        assert created.metadata == {"run": "test"} and created.expires_at == created.created_at + 24 * 3600

        held = client.batches.retrieve(created.id)
        assert held.status == "in_progress" and held.in_progress_at is not None
        assert (held.request_counts.total, held.request_counts.completed) == (3, 0)
        assert held.output_file_id is None and server.totals.requests == 0

        server.release_batches()
        assert server.wait_batches()
        done = client.batches.retrieve(created.id)
        assert done.status == "completed" and done.completed_at is not None and done.finalizing_at is not None
        assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (3, 3, 0)
        assert done.error_file_id is None and done.errors is None
        output = read_lines(client, done.output_file_id)
        assert client.files.retrieve(done.output_file_id).purpose == "batch_output"

        # Input order is kept, though a client must match lines by custom_id (OpenAI promises no order).
        assert [o["custom_id"] for o in output] == ["with-tool", "first", "second"]
        assert all(o["id"].startswith("batch_req_") and o["error"] is None for o in output)
        assert all(o["response"]["status_code"] == 200 and o["response"]["request_id"] for o in output)
        batch_totals = server.totals
        assert batch_totals.requests == 3

        by_id = {o["custom_id"]: ChatCompletion.model_validate(o["response"]["body"]) for o in output}
        for row in rows:
            live = client.chat.completions.create(**row["body"])
            answered = by_id[row["custom_id"]]
            assert answered == live, row["custom_id"]
            assert answered.usage == live.usage and answered.usage.total_tokens > 0
        assert by_id["first"] == by_id["second"]
        call = by_id["with-tool"].choices[0].message.tool_calls[0]
        assert call.function.name == "Answer"
        assert json.loads(call.function.arguments) == {"name": figure, "value": len(figure)}
        assert by_id["first"].choices[0].message.content == "答：固定资产投资增长6.2%。"

        # Usage adds up: the batch's own, its lines' and the server's count of them agree.
        prompt = sum(c.usage.prompt_tokens for c in by_id.values())
        completion = sum(c.usage.completion_tokens for c in by_id.values())
        assert (done.usage.input_tokens, done.usage.output_tokens) == (prompt, completion)
        assert (batch_totals.prompt_tokens, batch_totals.completion_tokens) == (prompt, completion)
        assert server.totals.requests == 6 and server.totals.prompt_tokens == 2 * prompt

        lines_seen = [r for r in server.requests if r.batch_id == created.id]
        assert [r.custom_id for r in lines_seen] == ["with-tool", "first", "second"]
        assert all(r.has_authorization and r.path == "/v1/chat/completions" for r in lines_seen)
        assert [(c.method, c.path) for c in server.calls[:2]] == [("POST", "/v1/files"), ("POST", "/v1/batches")]
        stored = repr(server.requests) + repr(server.calls)
    assert SECRET not in stored


def test_error_replies_land_in_the_error_file_and_a_delay_is_answered_at_once() -> None:
    late = Reply.delay(30, Reply.text("晚"))
    script = [Reply.text("好"), Reply.error(429, message="slow down"), Reply.drop(), late]
    rows = [line("tool", body("工具", tools=TOOLS))]  # refused before the script is consulted, as live
    rows += [line(name, body(name)) for name in ("ok", "limited", "dropped", "delayed")]
    with DevServer(script, reject_tools=True) as server:
        client = client_for(server)
        batch = submit(client, jsonl(rows))
        assert server.wait_batches(), "a delayed reply must not hold a batch up"
        batch = client.batches.retrieve(batch.id)
        assert batch.status == "completed"
        assert (batch.request_counts.completed, batch.request_counts.failed) == (2, 3)
        answered = {o["custom_id"]: o for o in read_lines(client, batch.output_file_id)}
        failed = {o["custom_id"]: o for o in read_lines(client, batch.error_file_id)}
        totals = server.totals
        with pytest.raises(openai.BadRequestError) as live:
            client.chat.completions.create(**rows[0]["body"])

    assert list(answered) == ["ok", "delayed"] and list(failed) == ["tool", "limited", "dropped"]
    assert failed["tool"]["response"]["status_code"] == 400
    assert failed["tool"]["response"]["body"] == live.value.response.json()
    assert answered["delayed"]["response"]["body"]["choices"][0]["message"]["content"] == "晚"
    limited = failed["limited"]
    assert limited["error"] is None and limited["response"]["status_code"] == 429
    assert limited["response"]["body"]["error"] == {
        "message": "slow down",
        "type": "rate_limit_error",
        "param": None,
        "code": None,
    }
    dropped = failed["dropped"]
    assert dropped["response"] is None and dropped["error"]["code"] == "server_error"
    assert "drop" in dropped["error"]["message"]
    # Every line is a request received; only the two answers delivered count tokens.
    usages = [o["response"]["body"]["usage"] for o in answered.values()]
    assert totals.requests == 5
    assert totals.prompt_tokens == sum(u["prompt_tokens"] for u in usages)
    assert totals.completion_tokens == sum(u["completion_tokens"] for u in usages)


def test_a_duplicate_custom_id_or_a_bad_line_fails_the_batch_with_its_line_number() -> None:
    rows = [line("a", body("一")), line("b", body("二")), line("a", body("三"))]
    data = jsonl(rows) + b"{not json\n" + jsonl([line("c", body("四"), url="/v1/embeddings"), {"custom_id": "d"}])
    with DevServer(answering) as server:
        client = client_for(server)
        batch = submit(client, data)
        assert server.wait_batches()
        batch = client.batches.retrieve(batch.id)
        assert batch.status == "failed" and batch.failed_at is not None
        assert batch.output_file_id is None and batch.error_file_id is None
        assert batch.request_counts.total == 0 and server.totals.requests == 0
        errors = [(e.line, e.code, e.param) for e in batch.errors.data]
        assert errors == [
            (3, "duplicate_custom_id", "custom_id"),
            (4, "invalid_json_line", None),
            (5, "invalid_value", "url"),
            (6, "missing_required_parameter", "method"),
        ]
        assert "line 1" in batch.errors.data[0].message

        empty = client.batches.retrieve(submit(client, b"").id)
        assert empty.status == "failed" and empty.errors.data[0].code == "empty_file"


def test_unknown_ids_are_404_and_bad_batches_are_400() -> None:
    with DevServer(answering) as server:
        client = client_for(server)
        for call in (
            lambda: client.files.retrieve("file-nope"),
            lambda: client.files.content("file-nope"),
            lambda: client.files.delete("file-nope"),
            lambda: client.batches.retrieve("batch_nope"),
            lambda: client.batches.cancel("batch_nope"),
            lambda: client.batches.create(
                input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h"
            ),
        ):
            with pytest.raises(openai.NotFoundError) as caught:
                call()
            assert caught.value.body["message"].startswith("No such")

        file_id = upload(client, jsonl([line("a", body("一"))]))
        assert client.files.delete(file_id).deleted
        with pytest.raises(openai.NotFoundError):
            client.files.retrieve(file_id)

        other = upload(client, jsonl([line("a", body("一"))]), purpose="user_data")
        kept = upload(client, jsonl([line("a", body("一"))]))
        for arguments, reason in (
            ({"input_file_id": other, "endpoint": "/v1/chat/completions"}, "needs 'batch'"),
            ({"input_file_id": kept, "endpoint": "/v1/embeddings"}, "/v1/embeddings"),
        ):
            with pytest.raises(openai.BadRequestError) as refused:
                client.batches.create(completion_window="24h", **arguments)
            assert reason in str(refused.value)
        assert client.batches.list().data == [] and server.totals.requests == 0


def test_a_held_batch_is_cancelled_before_any_line_is_answered() -> None:
    with DevServer(answering, hold_batches=True) as server:
        client = client_for(server)
        held = submit(client, jsonl([line("a", body("一")), line("b", body("二"))]))
        cancelling = client.batches.cancel(held.id)
        assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
        assert server.wait_batches()
        cancelled = client.batches.retrieve(held.id)
        assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
        assert cancelled.request_counts.completed == 0 and cancelled.output_file_id is None
        assert server.totals.requests == 0

        server.release_batches()
        later = submit(client, jsonl([line("c", body("三"))]))
        assert server.wait_batches()
        assert client.batches.retrieve(later.id).status == "completed"
        with pytest.raises(openai.BadRequestError, match="nothing to cancel"):
            client.batches.cancel(later.id)
        listed = client.batches.list()
        assert [b.id for b in listed.data] == [later.id, held.id] and listed.has_more is False


def test_a_cancel_mid_batch_stops_after_the_line_in_hand_and_keeps_its_answer() -> None:
    entered, gate = threading.Event(), threading.Event()

    def slow_first(request: ChatRequest) -> Reply:
        if request.custom_id == "a":
            entered.set()
            gate.wait(5)
        return answering(request)

    with DevServer(slow_first) as server:
        client = client_for(server)
        batch = submit(client, jsonl([line(name, body(name)) for name in "abc"]))
        assert entered.wait(5)
        assert client.batches.cancel(batch.id).status == "cancelling"
        gate.set()
        assert server.wait_batches()
        cancelled = client.batches.retrieve(batch.id)
        assert cancelled.status == "cancelled"
        assert (cancelled.request_counts.total, cancelled.request_counts.completed) == (3, 1)
        assert [o["custom_id"] for o in read_lines(client, cancelled.output_file_id)] == ["a"]
        assert [r.custom_id for r in server.requests] == ["a"] and server.totals.requests == 1


def test_an_upload_is_stored_byte_for_byte() -> None:
    data = "第一行\r\n".encode() + bytes(range(256)) + b"\r\n--not-a-boundary\n"
    with DevServer(answering) as server:
        client = client_for(server)
        stored = client.files.create(file=("原始.jsonl", data), purpose="user_data")
        assert (stored.object, stored.bytes, stored.filename) == ("file", len(data), "原始.jsonl")
        assert stored.status == "processed"
        assert stored.id.startswith("file-") and client.files.retrieve(stored.id) == stored
        downloaded = client.files.content(stored.id)
        assert downloaded.content == data
        assert downloaded.response.headers["content-type"] == "application/octet-stream"
        batch_file = upload(client, jsonl([line("a", body("一"))]))
        assert [f.id for f in client.files.list(purpose="batch")] == [batch_file]

        # An upload of unknown size comes chunked; it is read whole all the same.
        request = httpx2.Request("POST", "http://x", data={"purpose": "batch"}, files={"file": ("c.jsonl", data)})
        encoded = request.read()
        response = httpx2.post(
            f"{server.base_url}/files",
            content=iter([encoded[:100], encoded[100:]]),
            headers={"Content-Type": request.headers["Content-Type"], "Authorization": f"Bearer {SECRET}"},
        )
        assert response.status_code == 200 and "Content-Length" not in response.request.headers
        assert client.files.content(response.json()["id"]).content == data

        with pytest.raises(openai.BadRequestError, match="not a file purpose"):
            client.files.create(file=("x.jsonl", data), purpose="nonsense")  # type: ignore[arg-type]

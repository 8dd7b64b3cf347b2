"""The provider batch path: submit writes what a direct run would post, collect writes what a direct run writes.

The batch engine is played by the dev server: offline (each request line posted to its chat
endpoint, the answers written in vLLM's ``run-batch`` output format) and through its files and
batches endpoints (the OpenAI Batch API, driven by the real openai client).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from summarizer import batch_api
from summarizer.batch import MANIFEST_NAME, BatchOptions, run_batch
from summarizer.cli import app
from summarizer.config import Config, Price, load_config
from summarizer.devserver import DevServer


def _config(server: DevServer | None, **overrides: Any) -> Config:
    base_url = server.base_url if server is not None else "http://127.0.0.1:9/v1"
    return load_config(None, provider="vllm", base_url=base_url, model="m", mode="json_schema", use_cache=False,
                       **overrides)  # fmt: skip


def _documents(tmp_path: Path, seed_paths: list[Path], duplicate: bool = False) -> Path:
    """The seeds, read in place and placed in a folder of their own (plus a copy of the first)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for path in seed_paths:
        (folder / path.name).write_bytes(path.read_bytes())
    if duplicate:
        (folder / ("copy-" + seed_paths[0].name)).write_bytes(seed_paths[0].read_bytes())
    return folder


def _engine_output(server: DevServer, requests: Path, output: Path, *, fail: set[str] = frozenset()) -> None:
    """What ``vllm run-batch`` writes: one line per request, answered by a chat endpoint, in its
    own order (reversed here), with vLLM's fields; a request in ``fail`` gets vLLM's error line."""
    lines = []
    for position, line in enumerate(requests.read_text(encoding="utf-8").splitlines()):
        request = json.loads(line)
        if request["custom_id"] in fail:
            lines.append({"id": f"vllm-{position}", "custom_id": request["custom_id"],
                          "response": {"status_code": 400, "request_id": f"vllm-batch-{position}", "body": None},
                          "error": "maximum context length exceeded"})  # fmt: skip
            continue
        answer = httpx2.post(f"{server.base_url}/chat/completions", json=request["body"], timeout=30).json()
        answer["prompt_logprobs"] = None  # vLLM adds fields of its own to the completion
        lines.append({"id": f"vllm-{position}", "custom_id": request["custom_id"],
                      "response": {"status_code": 200, "request_id": f"vllm-batch-{position}", "body": answer},
                      "error": None})  # fmt: skip
    output.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in reversed(lines)), "utf-8")


def _outputs(folder: Path) -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text("utf-8")) for path in folder.glob("*.json") if path.name != MANIFEST_NAME}


def _entries(folder: Path) -> dict[str, dict[str, Any]]:
    """Manifest entries by input name, without the seconds each took and the endpoint's address
    (each run here has a dev server of its own, on its own port)."""
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    entries = {}
    for entry in manifest["entries"]:
        configuration = {k: v for k, v in (entry.pop("configuration") or {}).items() if k != "base_url"}
        entries[Path(entry["path"]).name] = {
            **{k: v for k, v in entry.items() if k not in ("seconds", "fingerprint")}, "configuration": configuration,
        }  # fmt: skip
    return entries


def _direct_run(docs: Path, out: Path) -> None:
    with DevServer() as server:
        report = run_batch([str(docs)], BatchOptions(out_dir=out), _config(server))
    assert report.exit_code == 0


def test_submit_writes_what_a_direct_run_posts(tmp_path: Path, seed_paths: list[Path]) -> None:
    docs = _documents(tmp_path, seed_paths, duplicate=True)
    report = batch_api.submit([str(docs)], tmp_path / "out", _config(None), upload=False)
    lines = [json.loads(line) for line in report.requests_file.read_text("utf-8").splitlines()]
    ids = [line["custom_id"] for line in lines]
    assert len(ids) == len(set(ids)) == len(seed_paths) + 1  # the duplicate document has requests of its own
    first, copy = (next(d for d in report.state.documents if Path(d.path).name == name)
                   for name in (seed_paths[0].name, "copy-" + seed_paths[0].name))  # fmt: skip
    assert first.requests[0].rsplit("-", 1)[0] == copy.requests[0].rsplit("-", 1)[0]  # same content, same chunk
    assert {line["method"] for line in lines} == {"POST"} and {line["url"] for line in lines} == {"/v1/chat/completions"}

    with DevServer() as server:  # the body a direct run posts for the same document
        run_batch([str(docs / seed_paths[0].name)], BatchOptions(out_dir=tmp_path / "direct"), _config(server))
        posted = server.requests[0].body
    submitted = next(line["body"] for line in lines if line["custom_id"] == first.requests[0])
    assert submitted == posted
    assert submitted["response_format"]["type"] == "json_schema"
    assert "api_key" not in (tmp_path / "out" / "batch" / "state.json").read_text("utf-8")


def test_collect_of_vllm_output_writes_what_a_direct_run_writes(tmp_path: Path, seed_paths: list[Path]) -> None:
    docs = _documents(tmp_path, seed_paths)
    out = tmp_path / "out"
    report = batch_api.submit([str(docs)], out, _config(None), upload=False)
    assert report.state.batch_id is None and report.exit_code == 0
    with DevServer() as engine:
        _engine_output(engine, report.requests_file, out / "batch" / "output.jsonl")

    collected = batch_api.collect(out, _config(None))
    _direct_run(docs, tmp_path / "direct")
    assert collected.exit_code == 0 and collected.count("done") == len(seed_paths)
    assert _outputs(out) == _outputs(tmp_path / "direct")
    assert _entries(out) == _entries(tmp_path / "direct")


def test_failed_missing_and_changed_requests_fail_their_document_only(tmp_path: Path, seed_paths: list[Path]) -> None:
    if len(seed_paths) < 3:
        pytest.skip("needs three seed documents")
    docs = _documents(tmp_path, seed_paths)
    out = tmp_path / "out"
    report = batch_api.submit([str(docs)], out, _config(None), upload=False)
    by_name = {Path(d.path).name: d for d in report.state.documents}
    failing, changed, kept = (by_name[p.name] for p in seed_paths[:3])
    with DevServer() as engine:
        _engine_output(engine, report.requests_file, out / "batch" / "output.jsonl", fail={failing.requests[0]})
    Path(changed.path).write_text(Path(changed.path).read_text("utf-8") + "\n补记：全年目标不变。", "utf-8")

    collected = batch_api.collect(out, _config(None))
    entries = _entries(out)
    assert collected.exit_code == 1
    assert entries[Path(failing.path).name]["status"] == "failed"
    assert "HTTP 400: maximum context length exceeded" in entries[Path(failing.path).name]["error"]
    assert entries[Path(changed.path).name]["status"] == "failed"
    assert "changed" in entries[Path(changed.path).name]["error"]
    assert entries[Path(kept.path).name]["status"] == "done"


def test_offline_answers_that_fail_grounding_are_grounded_without_a_reask(tmp_path: Path, seed_paths: list[Path]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copyfile(seed_paths[0], docs / seed_paths[0].name)
    out = tmp_path / "out"
    report = batch_api.submit([str(docs)], out, _config(None), upload=False)
    request = json.loads(report.requests_file.read_text("utf-8"))
    invented = {"metrics": [{"name": "地区生产总值", "value": 987654.321, "unit": "亿元", "clause_ids": ["c1"]}]}
    answer = {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
              "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": json.dumps(invented)}}],
              "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}  # fmt: skip
    line = {"id": "v", "custom_id": request["custom_id"], "response": {"status_code": 200, "request_id": "r", "body": answer}}
    (out / "batch" / "output.jsonl").write_text(json.dumps(line) + "\n", "utf-8")

    collected = batch_api.collect(out, _config(None, prices={"m": Price(prompt=1.0, completion=2.0)}))
    summary = next(iter(_outputs(out).values()))
    assert collected.exit_code == 0
    assert all(metric["value"] != 987654.321 for metric in summary["metrics"])  # never stated by the document
    assert summary["diagnostics"]["dropped"]
    usage = summary["diagnostics"]["usage"]
    assert (usage["requests"], usage["prompt_tokens"], usage["completion_tokens"]) == (1, 100, 20)
    assert usage["cost"] == pytest.approx((100 * 1.0 + 20 * 2.0) / 1000 * 0.5)  # the batch price: half


def test_cli_steps_and_their_exit_codes(tmp_path: Path, seed_paths: list[Path]) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    nothing = runner.invoke(app, ["batch", "collect", str(out)])
    assert nothing.exit_code == 2 and "no batch was submitted" in nothing.output
    submitted = runner.invoke(app, ["batch", "submit", str(seed_paths[0]), "-o", str(out), "--no-upload",
                                    "--provider", "vllm", "--model", "m"])  # fmt: skip
    assert submitted.exit_code == 0, submitted.output
    assert "vllm run-batch -i" in submitted.output
    again = runner.invoke(app, ["batch", "submit", str(seed_paths[0]), "-o", str(out), "--no-upload", "--model", "m"])
    assert again.exit_code == 2 and "already submitted" in again.output  # the first batch's state is kept
    waiting = runner.invoke(app, ["batch", "status", str(out)])
    assert waiting.exit_code == 3 and "0 done" in waiting.output
    early = runner.invoke(app, ["batch", "collect", str(out)])
    assert early.exit_code == 2 and "vllm run-batch" in early.output


def test_submit_status_collect_through_the_batch_api(tmp_path: Path, seed_paths: list[Path], monkeypatch) -> None:
    key = "sk-batch-" + "k" * 24
    monkeypatch.setenv("OPENAI_API_KEY", key)
    docs = _documents(tmp_path, seed_paths, duplicate=True)
    out = tmp_path / "out"
    runner = CliRunner()
    with DevServer(hold_batches=True) as server:
        config = _config(server)
        report = batch_api.submit([str(docs)], out, config)
        assert report.state.batch_id and report.state.input_file_id
        assert [(call.method, call.path) for call in server.calls][:2] == [("POST", "/v1/files"), ("POST", "/v1/batches")]
        progress = batch_api.status(out, config)
        assert (progress.status, progress.output_ready, progress.total) == ("in_progress", False, len(seed_paths) + 1)
        early = runner.invoke(app, ["batch", "collect", str(out), "--config", _config_file(tmp_path, server)])
        assert early.exit_code == 3 and "collect again later" in early.output
        assert not (out / MANIFEST_NAME).exists()

        server.release_batches()
        assert server.wait_batches()
        answered = len(server.requests)
        collected = runner.invoke(app, ["batch", "collect", str(out), "--config", _config_file(tmp_path, server)])
        assert collected.exit_code == 0, collected.output
        assert len(server.requests) == answered  # every answer came from the batch: no direct request
        assert all(request.batch_id == report.state.batch_id for request in server.requests)
    assert (out / "batch" / "output.jsonl").is_file()

    direct = tmp_path / "direct"
    _direct_run(docs, direct)
    assert _outputs(out) == _outputs(direct)
    assert _entries(out) == _entries(direct)
    for path in out.rglob("*"):
        assert not path.is_file() or key not in path.read_text("utf-8", errors="replace")


def _config_file(tmp_path: Path, server: DevServer) -> str:
    """The run's settings as a user keeps them, for the CLI steps."""
    path = tmp_path / "summarizer.yaml"
    path.write_text(f"llm:\n  provider: vllm\n  base_url: {server.base_url}\n  model: m\n  mode: json_schema\n"
                    "  use_cache: false\n", encoding="utf-8")  # fmt: skip
    return str(path)


def test_collect_sends_the_reask_grounding_wants_directly(tmp_path: Path, seed_paths: list[Path]) -> None:
    from summarizer.devserver import ChatRequest, Reply, default_responder

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copyfile(seed_paths[0], docs / seed_paths[0].name)
    invented = {"metrics": [{"name": "地区生产总值", "value": 987654.321, "unit": "亿元", "clause_ids": ["c1"]}]}

    def answer(request: ChatRequest) -> Reply:  # the batch's answer is invented; the direct re-ask answers well
        return Reply.json(invented) if request.batch_id else default_responder(request)

    out = tmp_path / "out"
    with DevServer(answer) as server:
        batch_api.submit([str(docs)], out, _config(server))
        assert server.wait_batches()
        collected = batch_api.collect(out, _config(server, prices={"m": Price(prompt=1.0, completion=1.0)}))
        direct = [request for request in server.requests if request.batch_id is None]
    assert collected.exit_code == 0
    assert len(direct) == 1  # one re-ask, sent directly, carrying the batch's answer and what was wrong with it
    assert any("987654.321" in json.dumps(message, ensure_ascii=False) for message in direct[0].messages)
    summary = next(iter(_outputs(out).values()))
    assert summary["metrics"] and all(metric["value"] != 987654.321 for metric in summary["metrics"])
    usage = summary["diagnostics"]["usage"]
    assert usage["requests"] == 2
    assert 0 < usage["cost"] < (usage["prompt_tokens"] + usage["completion_tokens"]) / 1000  # the batch part at half price

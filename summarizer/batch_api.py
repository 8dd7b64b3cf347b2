"""Large runs on a provider's batch engine (the OpenAI Batch API, and vLLM's ``run-batch`` offline).

A batch engine answers within hours instead of seconds, at a lower price (OpenAI: half), with
no rate limit to manage. The run is split in three commands around that wait:

* ``submit`` loads, pre-extracts and chunks every document exactly as a direct run would and
  writes the first request of each chunk, byte for byte what a direct run would post, as one
  Batch API JSONL file (``OUT/batch/requests.jsonl``); it uploads the file and creates the batch
  (files and batches endpoints), unless ``upload=False`` leaves it for ``vllm run-batch``. What
  ``collect`` needs later goes into ``OUT/batch/state.json``; the API key never does.
* ``status`` asks the provider how far the batch is.
* ``collect`` downloads the output (and error) file into ``OUT/batch/``, or reads the one vLLM
  wrote there, and runs the ordinary batch runner over the submitted documents with an LLM
  backend that answers from those lines: the answers are validated, grounded, rendered and
  recorded in the manifest exactly as in a direct run. The re-asks grounding still wants go to
  the endpoint directly, not as a second batch: they are few, and a second batch would add
  another wait of hours for them. Without an endpoint (vLLM offline) there is no re-ask and
  grounding drops what the document does not support, as after the last re-ask of a direct run.

A request's ``custom_id`` is ``<text sha256, 32 hex>-<chunk>-<position>``: the content and chunk
name the request, the document's position in the submission keeps duplicate documents apart.
Answers are matched by ``custom_id`` (an engine does not keep the input's order).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.atomic import write_atomic
from summarizer.backends.llm import LLMBackend
from summarizer.batch import BatchOptions, BatchReport, Listener, OutputFolderError, output_folder, run_batch
from summarizer.config import Config, LLMSettings
from summarizer.document import STDIN, expand_inputs
from summarizer.errors import BackendError, ConfigError, SummarizerError
from summarizer.render import OutputFormat

BATCH_FOLDER = "batch"
REQUESTS_NAME = "requests.jsonl"
STATE_NAME = "state.json"
OUTPUT_NAME = "output.jsonl"
ERRORS_NAME = "errors.jsonl"
ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
COMPLETION_WINDOW: Literal["24h"] = "24h"
#: Batch states after which the provider writes nothing more.
FINAL_STATES = frozenset({"completed", "failed", "expired", "cancelled"})


class BatchNotReady(SummarizerError):
    """The batch is still running: nothing was collected; try again later."""


class SubmittedDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    requests: list[str] = Field(description="custom_id of each chunk's request, in chunk order.")


class BatchState(BaseModel):
    """What ``collect`` needs to turn the answers into a run's outputs (never the API key)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    submitted_at: str
    provider: str | None
    base_url: str | None
    model: str
    mode: str
    prompt_version: str
    inputs: list[str] = Field(description="Every input of the run, failed ones too: collect accounts for each.")
    documents: list[SubmittedDocument]
    batch_id: str | None = None
    input_file_id: str | None = None


@dataclass
class SubmitReport:
    state: BatchState
    requests_file: Path
    failures: list[tuple[str, str]]  # (input, reason): documents that could not be submitted

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


# --------------------------------------------------------------------------------------------- submit


def submit(inputs: Iterable[str], out_dir: Path, config: Config, *, upload: bool = True) -> SubmitReport:
    """Write the batch's requests into ``out_dir/batch/`` and, with ``upload``, create the batch."""
    from summarizer.api import load
    from summarizer.quantities import extract_quantities

    paths, missing = expand_inputs(list(inputs))
    if any(str(path) == STDIN for path in paths):
        raise ConfigError("batch submit reads its documents again at collect: give files, not - (standard input)")
    backend = LLMBackend(config.llm, offline=not upload)
    failures = [(error.path, error.reason) for error in missing]
    documents: list[SubmittedDocument] = []
    lines: list[str] = []
    for path in paths:
        try:
            document = load(path, config=config)
            requests = backend.batch_requests(document, extract_quantities(document.text))
        except SummarizerError as error:
            failures.append((str(path), str(error)))
            continue
        position = len(documents)
        ids = [f"{sha[:32]}-{chunk}-{position}" for sha, chunk, _ in requests]
        documents.append(SubmittedDocument(path=str(path), requests=ids))
        lines += (
            json.dumps({"custom_id": id_, "method": "POST", "url": ENDPOINT, "body": body}, ensure_ascii=False) + "\n"
            for id_, (_, _, body) in zip(ids, requests)
        )
    settings = config.llm
    state = BatchState(
        submitted_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        provider=settings.provider,
        base_url=settings.base_url,
        model=settings.model or "",
        mode=backend.mode,
        prompt_version=backend.prompts.version,
        inputs=[str(path) for path in paths] + [error.path for error in missing],
        documents=documents,
    )
    with output_folder(out_dir) as folder:
        if _batch_path(folder, STATE_NAME).exists():
            raise ConfigError(
                f"{out_dir}: a batch was already submitted into this folder ({_batch_path(folder, STATE_NAME)}); "
                "collect it, or choose another folder (or remove its batch/ folder to start again)"
            )
        requests_file = _batch_path(folder, REQUESTS_NAME)
        write_atomic(requests_file, lines)
        if upload and lines:
            client = backend.batch_client()
            with requests_file.open("rb") as stream:
                uploaded = client.files.create(file=(REQUESTS_NAME, stream), purpose="batch")
            batch = client.batches.create(
                input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window=COMPLETION_WINDOW,
                metadata={"tool": "summarizer", "prompt_version": backend.prompts.version},
            )  # fmt: skip
            state = state.model_copy(update={"batch_id": batch.id, "input_file_id": uploaded.id})
        write_atomic(_batch_path(folder, STATE_NAME), state.model_dump_json(indent=2) + "\n")
    return SubmitReport(state, requests_file, failures)


# --------------------------------------------------------------------------------------------- status


@dataclass
class BatchStatus:
    state: BatchState
    status: str  # the provider's word, or "local" for requests left to run elsewhere
    total: int
    completed: int
    failed: int
    output_ready: bool


def status(out_dir: Path, config: Config) -> BatchStatus:
    """How far the batch is: the provider's status and request counts (nothing is downloaded)."""
    state = read_state(out_dir)
    requests = sum(len(document.requests) for document in state.documents)
    ready = _batch_path(out_dir, OUTPUT_NAME).is_file()
    if state.batch_id is None:
        return BatchStatus(state, "local", requests, 0, 0, ready)
    batch = _client(state, config).batches.retrieve(state.batch_id)
    counts = batch.request_counts
    return BatchStatus(
        state, batch.status, counts.total if counts else requests, counts.completed if counts else 0,
        counts.failed if counts else 0, ready or batch.status in FINAL_STATES,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------- collect


def collect(
    out_dir: Path,
    config: Config,
    *,
    fmt: OutputFormat = "json",
    concurrency: int | None = None,
    listener: Listener | None = None,
) -> BatchReport:
    """Download the answers (unless they are there) and write the outputs and manifest a direct run writes.

    Raises ``BatchNotReady`` while the provider is still working, ``ConfigError`` when the batch failed.
    """
    state = read_state(out_dir)
    with output_folder(out_dir):
        if not _batch_path(out_dir, OUTPUT_NAME).is_file():
            _download(state, config, out_dir)
    answers = CollectedAnswers.read(state, out_dir)
    settings = _collect_settings(state, config)
    backend = LLMBackend(settings, offline=state.batch_id is None, batch_answers=answers)
    try:
        options = BatchOptions(out_dir=out_dir, fmt=fmt, backend=backend, concurrency=concurrency)
        return run_batch(state.inputs, options, config.model_copy(update={"llm": settings}), listener=listener)
    finally:
        backend.close()


def _download(state: BatchState, config: Config, out_dir: Path) -> None:
    if state.batch_id is None:
        raise ConfigError(
            f"no answers yet: run the requests ({_batch_path(out_dir, REQUESTS_NAME)}) through the engine, e.g. "
            f"`vllm run-batch -i {_batch_path(out_dir, REQUESTS_NAME)} -o {_batch_path(out_dir, OUTPUT_NAME)} "
            f"--model {state.model}`, then collect again"
        )
    client = _client(state, config)
    batch = client.batches.retrieve(state.batch_id)
    if batch.status not in FINAL_STATES:
        counts = batch.request_counts
        done = f" ({counts.completed + counts.failed} of {counts.total} requests answered)" if counts else ""
        raise BatchNotReady(f"batch {state.batch_id} is {batch.status}{done}; collect again later")
    if batch.status == "failed" and not batch.output_file_id:
        errors = batch.errors.data if batch.errors and batch.errors.data else []
        said = "; ".join(f"line {e.line}: {e.message}" if e.line else str(e.message) for e in errors[:3])
        raise ConfigError(f"batch {state.batch_id} failed at the provider" + (f": {said}" if said else ""))
    # An expired or cancelled batch still has the answers it finished; the rest fail as unanswered.
    for file_id, name in ((batch.error_file_id, ERRORS_NAME), (batch.output_file_id, OUTPUT_NAME)):
        target = _batch_path(out_dir, name)
        if file_id:
            with client.files.with_streaming_response.content(file_id) as response:
                write_atomic(target, response.iter_text())
        elif name == OUTPUT_NAME:
            write_atomic(target, "")  # collected: every request failed (see errors.jsonl)


@dataclass(frozen=True)
class _Answer:
    status_code: int
    body: Any
    error: str | None


class CollectedAnswers:
    """The engine's answers by request, for :class:`~summarizer.backends.llm.LLMBackend`."""

    def __init__(self, state: BatchState, answers: Mapping[str, _Answer]) -> None:
        self._answers = answers
        self._requests: dict[tuple[str, int], list[str]] = {}
        for document in state.documents:
            for custom_id in document.requests:
                sha, chunk, _ = custom_id.rsplit("-", 2)
                self._requests.setdefault((sha, int(chunk)), []).append(custom_id)

    @classmethod
    def read(cls, state: BatchState, out_dir: Path) -> CollectedAnswers:
        """The output file's lines, then the error file's for requests the output does not answer."""
        answers: dict[str, _Answer] = {}
        for name in (OUTPUT_NAME, ERRORS_NAME):
            for custom_id, answer in _answer_lines(_batch_path(out_dir, name)):
                if custom_id not in answers or answers[custom_id].status_code != 200:
                    answers[custom_id] = answer
        return cls(state, answers)

    def completion(self, document_sha: str, chunk: int) -> dict[str, Any]:
        ids = self._requests.get((document_sha[:32], chunk))
        if not ids:
            raise BackendError(
                "not in the batch: the document changed (or was added) after `batch submit`; "
                "submit again, or summarise it directly"
            )
        found = [self._answers[i] for i in ids if i in self._answers]
        answered = next((a.body for a in found if a.status_code == 200 and isinstance(a.body, dict)), None)
        if answered is not None:
            return answered
        if not found:
            raise BackendError(f"the batch has no answer for request {ids[0]} (it expired or was cancelled first)")
        failure = found[0]
        raise BackendError(f"the batch engine failed request {ids[0]}: HTTP {failure.status_code}: {failure.error}")


def _answer_lines(path: Path) -> Iterator[tuple[str, _Answer]]:
    """``(custom_id, answer)`` of each line of an OpenAI or vLLM batch output (or error) file."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as stream:
        for line in stream:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn last line: its request counts as unanswered
            if not isinstance(record, dict) or not isinstance(record.get("custom_id"), str):
                continue
            response = record.get("response")
            response = response if isinstance(response, dict) else {}
            code = response.get("status_code")
            code = code if isinstance(code, int) else 0
            body = response.get("body")
            yield record["custom_id"], _Answer(code, body, _error_text(record.get("error"), body))


def _error_text(error: Any, body: Any) -> str | None:
    """The failure's words: OpenAI puts them in the body's ``error``, vLLM in the line's ``error``."""
    for said in (error, body.get("error") if isinstance(body, dict) else None):
        if isinstance(said, str) and said:
            return said
        if isinstance(said, dict) and said.get("message"):
            return str(said["message"])
    return None


# --------------------------------------------------------------------------------------------- shared


def read_state(out_dir: Path) -> BatchState:
    path = _batch_path(out_dir, STATE_NAME)
    try:
        return BatchState.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"{out_dir}: no batch was submitted into this folder ({path} is missing)") from None
    except (OSError, ValidationError, ValueError) as error:
        raise ConfigError(f"{path}: not a batch state written by `summarizer batch submit` ({error})") from None


def _collect_settings(state: BatchState, config: Config) -> LLMSettings:
    """The run's settings with the batch's endpoint, model and mode: the answers were made under them."""
    return config.llm.model_copy(
        update={"provider": state.provider, "base_url": state.base_url, "model": state.model, "mode": state.mode}
    )


def _client(state: BatchState, config: Config) -> Any:
    return LLMBackend(_collect_settings(state, config)).batch_client()


def _batch_path(out_dir: Path, name: str) -> Path:
    folder = out_dir / BATCH_FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputFolderError(f"{folder}: not a folder of its own (a link or a file); refusing to use it")
    return folder / name

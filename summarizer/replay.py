"""Record and replay raw model responses, so the LLM path can be re-run offline and deterministically.

A response is filed under a hash of what was asked (method, URL path and the canonical JSON
body), never of who asked: headers (and so the API key) play no part, and none is stored. The
host is left out too, so a recording made against one port replays against another.

Recordings are meant to be committed for CI replay, so what is stored is scrubbed of the key in
every encoding (``summarizer.redact``), and an error answer keeps only what replay needs: its
status and the server's one-line message (scrubbed, cut short), never the rest of its body.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from summarizer.atomic import write_atomic
from summarizer.redact import scrub, scrub_bytes

#: The longest server message an error recording keeps.
ERROR_MESSAGE_CHARS = 300


class ReplayMiss(LookupError):
    """Replay was asked something that was never recorded."""


def request_key(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False)
    except (ValueError, UnicodeDecodeError):
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def _key(request: httpx2.Request) -> str:
    return request_key(request.method, request.url.path, request.content)


@dataclass
class Answer:
    """One answer the client was given: its status, its (scrubbed) body, and the recording file
    it was filed under when the run records."""

    status: int
    body: str
    file: str | None = None


@dataclass
class AnswerLog:
    """The answers given while one labelled piece of work (an eval fixture) ran."""

    label: str
    answers: list[Answer] = field(default_factory=list)


_answer_log: ContextVar[AnswerLog | None] = ContextVar("summarizer_answer_log", default=None)


@contextmanager
def logging_answers(label: str) -> Iterator[AnswerLog]:
    """Collect every answer given in this context (threads and tasks started in it inherit it)."""
    log = AnswerLog(label)
    token = _answer_log.set(log)
    try:
        yield log
    finally:
        _answer_log.reset(token)


def note_answer(status: int, body: bytes, file: str | None = None) -> None:
    """Add an answer to the current context's log, if some caller is collecting them."""
    log = _answer_log.get()
    if log is not None:
        log.answers.append(Answer(status, scrub(body.decode("utf-8", "replace")), file))


def recording_name(request: httpx2.Request) -> str:
    """The file a recording of ``request`` is filed under, inside the record or replay folder."""
    return f"{_key(request)}.json"


class Recorder:
    """Files every answer the server gave that a re-run should see again (not 429s, not 5xx)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser()

    def save(self, request: httpx2.Request, status: int, content_type: str | None, body: bytes) -> str:
        """File the answer; return its file name inside the folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        kept = _error_body(body) if status >= 400 else scrub_bytes(body)
        entry = {
            "request": {"method": request.method, "path": request.url.path, **_body(request.content)},
            "response": {"status": status, "content_type": content_type, **_body(kept)},
        }
        text = scrub(json.dumps(entry, ensure_ascii=False, indent=1))
        name = recording_name(request)
        write_atomic(self.folder / name, text)
        return name


class Replayer:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser()
        if not self.folder.is_dir():
            raise ReplayMiss(f"replay folder {self.folder} does not exist")

    def answer(self, request: httpx2.Request) -> tuple[int, str | None, bytes]:
        """(status, content type, body) of the recorded answer to this request."""
        key = _key(request)
        path = self.folder / f"{key}.json"
        try:
            response = json.loads(path.read_text(encoding="utf-8"))["response"]
        except FileNotFoundError:
            raise ReplayMiss(
                f"replay: no recorded answer for this request in {self.folder} (key {key[:12]}); "
                "record it first with the same document, prompt, model and settings"
            ) from None
        if "text" in response:
            raw = response["text"].encode("utf-8")
        else:
            raw = json.dumps(response["json"], ensure_ascii=False).encode("utf-8")
        return int(response["status"]), response.get("content_type"), raw


def _error_body(raw: bytes) -> bytes:
    """An error answer reduced to an OpenAI-style ``{"error": {"message": ...}}`` with the message alone."""
    message = ""
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if isinstance(parsed, dict):
        inner = parsed.get("error", parsed)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            message = inner["message"]
        elif isinstance(inner, str):
            message = inner
    message = scrub(" ".join(message.split()))[:ERROR_MESSAGE_CHARS]
    return json.dumps({"error": {"message": scrub(message)}}, ensure_ascii=False).encode("utf-8")


def _body(raw: bytes) -> dict[str, Any]:
    """A JSON body is stored as JSON (readable in a diff), anything else as text."""
    try:
        return {"json": json.loads(raw)}
    except (ValueError, UnicodeDecodeError):
        return {"text": raw.decode("utf-8", "replace")}

"""A local GGUF model with no other software: llama.cpp's own server, in this process.

Confidential reports may not leave the machine, and installing and running a model server is a
step many users cannot take. ``xllamacpp`` (the ``summarizer[local]`` extra) carries llama.cpp's
OpenAI-compatible server as a library, so ``--provider local --model-path FILE.gguf`` starts it on
a free 127.0.0.1 port, points the ordinary LLM backend at it, and stops it when the run ends,
on error or Ctrl-C too. Everything else (prompt, grammar-constrained json_schema mode, grounding,
re-asks, usage, cache) is the LLM path unchanged: the server is a real one, only nearer.

Sizing: the context holds the longest prompt a chunk can make (``chunk_chars`` characters of
clauses and candidates, up to about 1.5 tokens a character with the prompt's own text) plus the
answer (``max_tokens``); threads are the cores this process may use. One slot per request in
flight (``concurrency``), each with the whole context.
"""

from __future__ import annotations

import atexit
import gc
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.backends.llm import LLMBackend
    from summarizer.config import LLMSettings

#: Tokens of the prompt apart from the document: instructions, schema, few-shot example.
PROMPT_OVERHEAD_TOKENS = 4096
#: Tokens per character of a chunk's clause and candidate tables, a generous bound.
TOKENS_PER_CHAR = 1.5


def context_size(chunk_chars: int, max_tokens: int) -> int:
    """The n_ctx a slot needs for the longest prompt plus the answer, rounded up to 1,024."""
    needed = int(chunk_chars * TOKENS_PER_CHAR) + PROMPT_OVERHEAD_TOKENS + max_tokens
    return -(-needed // 1024) * 1024


def available_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalServer:
    """llama.cpp's server on 127.0.0.1, started by :meth:`start` and stopped by :meth:`stop`."""

    def __init__(self, model_path: Path, *, n_ctx: int, threads: int, slots: int) -> None:
        self.model_path = model_path
        self.n_ctx, self.threads, self.slots = n_ctx, threads, slots
        self._server: Any = None
        self._lock = threading.Lock()
        self.base_url: str | None = None

    def start(self) -> str:
        """Load the model and listen; the base URL of its OpenAI-compatible API."""
        with self._lock:
            if self._server is not None:
                assert self.base_url is not None
                return self.base_url
            if not self.model_path.is_file():
                raise ConfigError(f"--model-path {self.model_path}: no such GGUF file")
            try:
                import xllamacpp
            except ImportError as error:
                raise ConfigError(
                    "the local provider needs llama.cpp's server: pip install 'summarizer[local]'"
                ) from error
            params = xllamacpp.CommonParams()
            params.model.path = str(self.model_path)
            params.n_ctx = self.n_ctx * self.slots  # the context is shared out among the slots
            params.n_parallel = self.slots
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.port = 0  # the server picks a free port and reports it
            params.endpoint_metrics = True  # token counts a test can compare with our own
            params.verbosity = -1  # llama.cpp's log would flood the user's terminal
            params.warmup = False
            try:
                self._server = xllamacpp.Server(params)
            except Exception as error:  # noqa: BLE001 - llama.cpp raises plain runtime errors
                raise ConfigError(f"--model-path {self.model_path}: llama.cpp could not load it: {error}") from error
            self.base_url = f"{self._server.listening_address.rstrip('/')}/v1"
            atexit.register(self.stop)  # Ctrl-C and uncaught errors still stop it
            return self.base_url

    def stop(self) -> None:
        """Stop the server (idempotent): its main loop exits when the object goes."""
        with self._lock:
            if self._server is None:
                return
            self._server = None
            gc.collect()
            self.base_url = None
            atexit.unregister(self.stop)


def local_backend(settings: LLMSettings) -> LLMBackend:
    """The LLM backend in front of a local server started for it; its ``close`` stops the server."""
    from summarizer.backends.llm import LLMBackend

    if settings.model_path is None:
        raise ConfigError("the local provider needs a model file: pass --model-path FILE.gguf")
    server = LocalServer(
        settings.model_path,
        n_ctx=context_size(settings.chunk_chars, settings.max_tokens),
        threads=available_threads(),
        slots=settings.concurrency,
    )
    base_url = server.start()
    model = settings.model if settings.model and settings.model != "local" else settings.model_path.stem
    try:
        return LLMBackend(settings.model_copy(update={"base_url": base_url, "model": model}), on_close=server.stop)
    except BaseException:
        server.stop()
        raise

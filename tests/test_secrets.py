"""No API key leaves the process, in any encoding, whatever the server echoes back (issue 14).

A dev server echoes the request's own key raw, JSON-escaped, percent-encoded, as base64 of
``user:key`` and of the key alone, without its ``sk-`` prefix and split across a line break, in
4xx/5xx error bodies and inside a 200 answer's draft. The real ``summarizer`` command runs against
it with the key in the environment, and every byte it leaves behind (stdout, stderr, the output
folder, the cache, recordings, eval reports) is searched for the key by a detector written apart
from the scrubber: it undoes the encodings and looks for the key's body.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import secrets
import string
import subprocess
import sys
import urllib.parse
from pathlib import Path

import httpx2
import pytest

from summarizer.backends._http import Attempts, RetryingTransport, RetryPolicy
from summarizer.devserver import ChatRequest, DevServer, Reply, key_echoes
from summarizer.redact import MASK, Scrubber, display_url, register_secret, scrub
from summarizer.replay import Recorder
from summarizer.usage import UsageMeter

ROOT = Path(__file__).resolve().parents[1]
REPORT = (
    "云溪高新区召开上半年经济运行分析会\n"
    "7月18日，云溪高新区召开上半年经济运行分析会。会议指出，上半年全区地区生产总值完成120.5亿元，"
    "同比增长6.2%；规模以上工业增加值同比增长8.1%。但也要看到，部分企业生产经营压力较大。"
    "会议要求，下半年要抓项目建设，力争全年地区生产总值增长7%以上。"
)


def make_key() -> str:
    """A key shaped like a real one, new for every run (so no fixture on disk can hold it)."""
    alphabet = string.ascii_letters + string.digits
    return "sk-proj-" + "".join(secrets.choice(alphabet) for _ in range(40))


# --- the detector: independent of summarizer.redact -------------------------------------------------


def _flatten(text: str) -> str:
    """Undo JSON escapes (any depth), percent-encoding and HTML entities; drop every line break and space."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
        text = urllib.parse.unquote(text)
        text = html.unescape(text)
    return re.sub(r"\s+|\\+[nrt]", "", text)


def _base64_decodings(text: str) -> list[bytes]:
    decoded = []
    for run in re.findall(r"[A-Za-z0-9+/_-]{16,}", text):
        for start in range(4):
            chunk = run[start:]
            if len(chunk) % 4 == 1:
                chunk = chunk[:-1]
            chunk += "=" * (-len(chunk) % 4)
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    decoded.append(decode(chunk))
                except ValueError:
                    pass
    return decoded


def leaks(text: str, key: str) -> list[str]:
    """The ways ``key`` can be read back out of ``text`` (empty: it cannot)."""
    body = re.sub(r"^[A-Za-z]+[-_]", "", key)  # without the provider prefix
    found = []
    if key in text:
        found.append("raw")
    if body in text:
        found.append("without its prefix")
    flat = _flatten(text)
    if body in flat:
        found.append("escaped, percent-encoded or split")
    if any(body.encode() in blob for blob in _base64_decodings(flat)):
        found.append("base64")
    if key.encode().hex() in text.lower():
        found.append("hex")
    return found


def leaks_in(folder: Path, key: str) -> dict[str, list[str]]:
    return {
        str(path): found
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (found := leaks(path.read_bytes().decode("utf-8", "replace"), key))
    }


def test_the_detector_finds_every_echo() -> None:
    """The search is only worth something if it finds what the server sends."""
    key = make_key()
    for name, echo in key_echoes(key).items():
        assert leaks(f"前文 {echo} 后文", key), name
    assert leaks(json.dumps({"m": "".join(f"\\u{ord(c):04x}" for c in key)}), key)
    assert not leaks("前文 *** 后文 dXNlcjpz***OQ==", key)


# --- the scrubber --------------------------------------------------------------------------------------


def test_every_encoding_is_masked_and_ordinary_text_is_not() -> None:
    key = make_key()
    scrubbed = Scrubber([key])
    forms = {
        **key_echoes(key),
        "json_escaped": "".join(f"\\u{ord(c):04x}" for c in key),
        "json_escaped_twice": "".join(f"\\\\u{ord(c):04x}" for c in key),
        "percent_twice": "".join(f"%25{b:02X}" for b in key.encode()),
        "html": "".join(f"&#{ord(c)};" for c in key),
        "hex": key.encode().hex(),
        "base64_urlsafe": base64.urlsafe_b64encode(b"u:" + key.encode()).decode(),
        "base64_wrapped": "\n".join(re.findall(".{1,20}", base64.b64encode(b"ab:" + key.encode()).decode())),
        "split_crlf_indented": key[:13] + "\r\n    " + key[13:],
        "split_escaped": key[:21] + "\\n" + key[21:],
        "split_br": key[:9] + "<br/>" + key[9:],
        "without_both_prefixes": key[len("sk-proj-") :],
        "mixed": key[:5] + "".join(f"%{b:02x}" for b in key[5:12].encode()) + f"\\u{ord(key[12]):04x}" + key[13:],
    }
    for name, form in forms.items():
        out = scrubbed(f"说明：{form}。")
        assert MASK in out and not leaks(out, key), (name, out)
    ordinary = "地区生产总值完成120.5亿元，同比增长6.2%；sk-test production EMPTY not-needed\n" * 3
    assert scrubbed(ordinary) == ordinary
    assert Scrubber(["EMPTY"])("EMPTY answer") == "EMPTY answer"  # a placeholder is no key
    assert scrubbed.scrub_bytes(b"\xff\xfe " + key.encode() + b" \xc3") == b"\xff\xfe *** \xc3"


def test_urls_in_messages_lose_their_credentials() -> None:
    key = make_key()
    assert display_url(f"https://user:{key}@api.example.com:8443/v1?api-key={key}") == "https://api.example.com:8443/v1"
    assert display_url("http://127.0.0.1:9/v1/") == "http://127.0.0.1:9/v1/"


def test_the_key_in_the_environment_is_scrubbed_without_registering(monkeypatch: pytest.MonkeyPatch) -> None:
    key = make_key()
    monkeypatch.setenv("DEEPSEEK_API_KEY", key)
    assert scrub(f"Bearer {key[3:]}") == f"Bearer {MASK}"


def test_the_transport_passes_no_header_and_no_key_to_the_client() -> None:
    key = make_key()
    policy = RetryPolicy(max_retries=0, backoff=0.0, timeout=5.0)
    with DevServer([Reply.echo_key(200)]) as server:
        transport = RetryingTransport(Attempts(policy, UsageMeter(), secret=key))
        request = httpx2.Request(
            "POST", server.base_url + "/chat/completions", headers={"Authorization": f"Bearer {key}"},
            json={"model": "m", "messages": [{"role": "user", "content": "你好"}]},
        )  # fmt: skip
        response = transport.handle_request(request)
        transport.close()
    assert set(response.headers) <= {"content-type", "content-length"}
    assert MASK in response.text and not leaks(response.text, key)


def test_an_error_recording_keeps_only_the_scrubbed_message(tmp_path: Path) -> None:
    key = make_key()
    register_secret(key)  # the recorder scrubs with the keys the process knows
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions", json={"model": "m"})
    body = json.dumps({"error": {"message": f"bad key {key[3:]}", "param": key, "debug": {"headers": key}}})
    Recorder(tmp_path).save(request, 400, "application/json", body.encode())
    (stored,) = [json.loads(p.read_text(encoding="utf-8")) for p in tmp_path.glob("*.json")]
    assert stored["response"] == {"status": 400, "content_type": "application/json", "json": {"error": {"message": "bad key ***"}}}
    assert not leaks_in(tmp_path, key)


# --- the command, end to end ----------------------------------------------------------------------------


def echoing(request: ChatRequest) -> Reply:
    """乙区 gets a 401 with the key in its body, 丙区 a 500 with it, every other document a 200 draft with it."""
    prompt = request.user_text()
    if "乙区" in prompt:
        return Reply.echo_key(401)
    if "丙区" in prompt:
        return Reply.echo_key(500)
    return Reply.echo_key(200)


def run(args: list[str], cwd: Path, key: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENAI_API_KEY": key, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(cwd / "no-config")}
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def write_documents(folder: Path) -> Path:
    docs = folder / "docs"
    docs.mkdir()
    (docs / "yunxi.txt").write_text(REPORT, encoding="utf-8")
    (docs / "yiqu.txt").write_text(REPORT.replace("云溪高新", "乙区"), encoding="utf-8")
    (docs / "bingqu.txt").write_text(REPORT.replace("云溪高新", "丙区"), encoding="utf-8")
    return docs


def test_summarize_leaves_the_key_nowhere(tmp_path: Path) -> None:
    key = make_key()
    docs = write_documents(tmp_path)
    cache = tmp_path / "cache"
    with DevServer(echoing) as server:
        common = ["--backend", "llm", "--base-url", server.base_url, "--model", "dev-model", "--timeout", "10",
                  "--max-retries", "1", "--cache-dir", str(cache)]  # fmt: skip
        runs = [
            run(["summarize", str(docs), "-o", str(tmp_path / "md"), "--format", "md", *common], tmp_path, key),
            run(["summarize", str(docs), "-o", str(tmp_path / "json"), "--format", "json", *common], tmp_path, key),
            run(["summarize", str(docs / "yiqu.txt"), *common], tmp_path, key),  # its error on the terminal
        ]
    for result in runs:
        assert "Traceback" not in result.stderr, result.stderr
        assert not leaks(result.stdout, key) and not leaks(result.stderr, key), (result.stdout, result.stderr)
    assert "HTTP 401 from the model server: invalid api key: ***" in runs[2].stderr
    manifest = json.loads((tmp_path / "md" / "manifest.json").read_text(encoding="utf-8"))
    statuses = {Path(e["path"]).name: e["status"] for e in manifest["entries"]}
    assert statuses == {"yunxi.txt": "done", "yiqu.txt": "failed", "bingqu.txt": "failed"}
    # The echo really reached the output and the cache (masked): the search below is not vacuous.
    assert MASK in (tmp_path / "md" / "yunxi.md").read_text(encoding="utf-8")
    assert any(MASK in p.read_text(encoding="utf-8") for p in cache.rglob("*.json"))
    for folder in (tmp_path / "md", tmp_path / "json", cache):
        assert not leaks_in(folder, key), folder


def test_eval_record_leaves_the_key_nowhere(tmp_path: Path) -> None:
    key = make_key()
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for name, text in (("yunxi", REPORT), ("yiqu", REPORT.replace("云溪高新", "乙区"))):
        (fixtures / f"{name}.txt").write_text(text, encoding="utf-8")
        (fixtures / f"{name}.yaml").write_text(f"id: {name}\ndocument: {name}.txt\n", encoding="utf-8")
    records, reports = tmp_path / "records", tmp_path / "reports"
    with DevServer(echoing) as server:
        result = run(
            ["eval", "--backend", "llm", "--fixtures", str(fixtures), "--record", str(records), "--base-url",
             server.base_url, "--model", "dev-model", "--no-baseline",
             "--report", "json", "--out", str(reports)],
            tmp_path, key,
        )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    assert not leaks(result.stdout, key) and not leaks(result.stderr, key), (result.stdout, result.stderr)
    assert list(records.glob("*.json")) and (records / "index.json").is_file() and (reports / "samples.jsonl").is_file()
    assert MASK in (reports / "samples.jsonl").read_text(encoding="utf-8")  # the echoed answer is logged, masked
    assert any(MASK in p.read_text(encoding="utf-8") for p in records.glob("*.json"))
    for folder in (records, reports):
        assert not leaks_in(folder, key), folder


def test_the_terminal_guard_scrubs_tracebacks_and_log_records(tmp_path: Path) -> None:
    """What the command writes to stdout and stderr is scrubbed, even text no code of ours built."""
    key = make_key()
    program = (
        "import logging, os, sys\n"
        "from summarizer.redact import guard_std_streams\n"
        "guard_std_streams()\n"
        "key = os.environ['OPENAI_API_KEY']\n"
        "print('stdout', key[8:])\n"
        "sys.stdout.buffer.write(('bytes ' + key + '\\n').encode()); sys.stdout.flush()\n"
        "logging.getLogger('x').warning('a log record %s', key[3:])\n"
        "raise RuntimeError('in a traceback ' + key[:20] + '\\n' + key[20:])\n"
    )
    env = {**os.environ, "OPENAI_API_KEY": key, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "in a traceback ***" in result.stderr and "a log record ***" in result.stderr, result.stderr
    assert "stdout ***" in result.stdout and "bytes ***" in result.stdout, result.stdout
    assert not leaks(result.stdout, key) and not leaks(result.stderr, key)

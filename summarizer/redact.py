"""The one scrubber: every string that leaves the process passes here, and no API key gets through.

A server may echo the key back in any form, and so may anything that copies its answer: raw,
JSON-escaped (``\\u0073k-…``, once or several times over), percent-encoded (``%73%6B…``), as an
HTML entity, hex, base64 of ``user:key`` or of the key alone (at any offset, standard or URL-safe
alphabet), without its provider prefix (``sk-``, ``sk-proj-``…), or split across line breaks
(real ones, ``\\n`` escapes, ``<br>``). One pattern per key matches all of these, mixed character
by character, and the whole match becomes ``***``.

The keys scrubbed are those registered (:func:`register_secret`: the LLM backend registers its
own) and those in the environment under the names providers use. Placeholders shorter than
:data:`MIN_SECRET_LENGTH` are never treated as keys: masking "k" or "EMPTY" would corrupt answers.

Used by: the HTTP transport (every response body, before the client sees it), the LLM backend's
error messages, cache entries, recordings, every file written through ``summarizer.atomic`` and,
in the ``summarizer`` command, stdout and stderr (:func:`guard_std_streams`).
"""

from __future__ import annotations

import base64
import io
import os
import re
import sys
import threading
import urllib.parse
from collections.abc import Iterable
from typing import Any, BinaryIO

MASK = "***"
#: A real key is long; shorter values (placeholders such as "EMPTY", "k") are never masked.
MIN_SECRET_LENGTH = 8
#: The shortest key body (the key without its provider prefix) that is masked on its own.
MIN_CORE_LENGTH = 12
#: Environment variables whose values are keys (the providers' names, as ``summarizer.config`` reads them).
KEY_VARIABLES = ("OPENAI_API_KEY", "DEEPSEEK_API_KEY", "DASHSCOPE_API_KEY", "VLLM_API_KEY", "AZURE_OPENAI_API_KEY")

# Between two characters of a key: line breaks and spaces, real or escaped (\n, %0A, &#10;, <br>).
_GAP = r"(?:\s|\\+[nrt]|(?i:%0[ad]|&#(?:10|13|x0?[ad]);|<br\s*/?>))*"
# A provider prefix: up to three short letter/digit groups ending in - or _ (sk-, sk-proj-, sk-ant-api03-, gsk_).
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9]{0,7}[-_]")

_registered: set[str] = set()
_lock = threading.Lock()
_cache: tuple[frozenset[str], Scrubber] | None = None


def _char(c: str) -> str:
    """Every way one character of a key can be written: itself, JSON, percent, HTML, Markdown escapes."""
    code = ord(c)
    forms = [re.escape(c) if c.isalnum() else r"\\*" + re.escape(c)]
    if code < 0x10000:
        forms.append(rf"(?i:\\+u{code:04x})")
    if code < 0x80:
        forms.append(rf"(?i:%(?:25)*{code:02x})")
    forms.append(rf"(?i:&#0*{code};|&#x0*{code:x};)")
    return "(?:" + "|".join(forms) + ")"


def _spelled(text: str) -> str:
    """A pattern for ``text`` with every character in any of its encodings, gaps allowed between them."""
    return _GAP.join(_char(c) for c in text)


def _gapped(literal: str) -> str:
    """A literal (a base64 or hex run) that may be wrapped across lines."""
    return _GAP.join(re.escape(c) for c in literal)


def cores(secret: str) -> list[str]:
    """The key and the key without each provider prefix it may be quoted without (long enough to be a key)."""
    found = [secret]
    rest = secret
    for _ in range(3):
        match = _PREFIX.match(rest)
        if not match:
            break
        rest = rest[match.end() :]
        if len(rest) >= MIN_CORE_LENGTH:
            found.append(rest)
    return found


def _base64_runs(secret: str) -> list[str]:
    """The base64 characters that depend on the key alone, wherever it sits in the encoded bytes.

    Base64 of ``user:key`` puts the key at some offset; for each offset modulo 3 the groups of
    four characters made only of key bytes are the same whatever surrounds them.
    """
    data = secret.encode("utf-8")
    runs: list[str] = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        first = -(-offset // 3)  # the first group made of key bytes only
        last = (offset + len(data)) // 3  # one past the last such group
        run = encoded[4 * first : 4 * last]
        if len(run) >= MIN_CORE_LENGTH:
            runs.append(run)
            urlsafe = run.replace("+", "-").replace("/", "_")
            if urlsafe != run:
                runs.append(urlsafe)
    return runs


def _pattern(secret: str) -> tuple[str, set[str]]:
    """The pattern for one key, and the characters any match of it can begin with."""
    spelled = cores(secret)
    runs = _base64_runs(secret)
    hexed = secret.encode("utf-8").hex()
    parts = [_spelled(core) for core in spelled] + [_gapped(run) for run in runs] + [f"(?i:{_gapped(hexed)})"]
    starts = {core[0] for core in spelled} | {run[0] for run in runs} | {hexed[0], hexed[0].upper()} | set("\\%&")
    return "|".join(parts), starts


class Scrubber:
    """Masks every known encoding of the given keys (see the module docstring)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        usable = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self.active = bool(usable)
        self._pattern = None
        if usable:
            built = [_pattern(s) for s in usable]
            starts = set().union(*(first for _, first in built))
            # The look-ahead lets the engine skip, with one set test, every position no match can start at.
            first = "[" + "".join(re.escape(c) for c in sorted(starts)) + "]"
            self._pattern = re.compile(f"(?={first})(?:" + "|".join(f"(?:{p})" for p, _ in built) + ")")

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def scrub_bytes(self, data: bytes) -> bytes:
        """Bytes in, bytes out: decoded as UTF-8 (undecodable bytes kept as they are), scrubbed, re-encoded."""
        if self._pattern is None or not data:
            return data
        text = data.decode("utf-8", "surrogateescape")
        scrubbed = self._pattern.sub(MASK, text)
        return data if scrubbed == text else scrubbed.encode("utf-8", "surrogateescape")


def register_secret(secret: str | None) -> None:
    """Mask this key (and its encodings) wherever :func:`scrub` runs, from now on in this process."""
    if secret and len(secret) >= MIN_SECRET_LENGTH:
        with _lock:
            _registered.add(secret)


def known_secrets() -> frozenset[str]:
    with _lock:
        registered = set(_registered)
    from_environment = {os.environ.get(name, "") for name in KEY_VARIABLES}
    return frozenset(s for s in registered | from_environment if s and len(s) >= MIN_SECRET_LENGTH)


def scrubber() -> Scrubber:
    """The scrubber for the keys known now (rebuilt only when they change)."""
    global _cache
    secrets = known_secrets()
    cached = _cache
    if cached is not None and cached[0] == secrets:
        return cached[1]
    built = Scrubber(secrets)
    _cache = (secrets, built)
    return built


def scrub(text: str) -> str:
    """``text`` with every known key masked, in any encoding: the one function everything calls."""
    return scrubber()(text) if text else text


def scrub_bytes(data: bytes) -> bytes:
    return scrubber().scrub_bytes(data) if data else data


def display_url(url: str | None) -> str:
    """A URL fit for a message: no user name or password, no query (either may carry a key), scrubbed."""
    if not url:
        return ""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
        cleaned = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        cleaned = url.split("?", 1)[0]
    return scrub(cleaned)


# --- stdout and stderr ---------------------------------------------------------------------------


class _ScrubbedBinary(io.RawIOBase):
    """``sys.stdout.buffer`` behind the scrubber (click writes bytes there)."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._raw.write(scrub_bytes(bytes(data)))
        return len(data)

    def flush(self) -> None:
        self._raw.flush()

    def fileno(self) -> int:
        return self._raw.fileno()

    def isatty(self) -> bool:
        return self._raw.isatty()


class ScrubbedStream:
    """A text stream that scrubs what is written and forwards everything else to the real stream."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        raw = getattr(stream, "buffer", None)
        self.buffer = _ScrubbedBinary(raw) if raw is not None else None

    def write(self, text: str) -> int:
        self._stream.write(scrub(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_std_streams() -> None:
    """Scrub everything this process writes to stdout and stderr (tracebacks and log records included)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, ScrubbedStream):
            setattr(sys, name, ScrubbedStream(stream))

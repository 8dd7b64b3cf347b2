"""A disk cache of model answers, so a re-run over the same documents sends no request.

One JSON file per key. The key hashes everything that could change the answer (cleaned text,
candidates, prompt version, schema version, endpoint, model, mode, parameters) and never the
API key. Only successes are stored; writes are atomic so a crash or a parallel run leaves either
the old entry or the new one, never half a file. An entry is scrubbed of the key (every encoding,
``summarizer.redact``) when written and when read, and holds no response headers or error bodies:
only the draft, the mode and the usage.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from summarizer.atomic import write_atomic
from summarizer.redact import scrub

#: Bump when the layout of an entry changes: old entries then simply miss.
CACHE_FORMAT = 1


def cache_key(**parts: Any) -> str:
    """A hex digest of the parts, independent of their order; values must be JSON-serialisable."""
    canonical = json.dumps({"format": CACHE_FORMAT, **parts}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class DiskCache:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry, or None; an unreadable entry counts as a miss (it will be rewritten)."""
        try:
            entry = json.loads(scrub(self.path(key).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        target = self.path(key)
        write_atomic(target, scrub(json.dumps(entry, ensure_ascii=False, indent=1)))

"""Pausing Python's cyclic garbage collector while a document's text is worked on.

The pipeline builds hundreds of thousands of small objects (candidates, spans, drafts, evidence)
that all live until the summary is done. Each of the collector's passes re-scans every one of
them and frees nothing, since they form no reference cycles: on a document of 100,000 numbers
that is a sixth of the pipeline's time. Reference counting frees everything as usual while the
collector is paused; cycles made meanwhile are collected once the last pause ends.

Pauses nest and may overlap across threads (a batch summarises documents in parallel): the
collector runs again when no document is being worked on. Only CPU-bound stages pause it, never
a wait for a model, so a long batch of model calls keeps its usual collections.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (unless it was off already: it stays so)."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()

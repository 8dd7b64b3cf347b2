"""Pausing Python's cyclic garbage collector while a document's text is worked on.

The pipeline builds hundreds of thousands of small objects (candidates, spans, drafts, evidence)
that all live until the summary is done. Each of the collector's passes re-scans every one of
them and frees nothing, since they form no reference cycles: on a document of 100,000 numbers
that is a sixth of the pipeline's time. Reference counting frees everything as usual while the
collector is paused; cycles made meanwhile are collected once the last pause ends.

Only a large document pauses it (``LARGE_TEXT`` characters and more): the passes cost little on
an ordinary report, and a batch of ordinary reports, always one in progress, would otherwise never
see a collection, and keep every cycle it made. Pauses nest and may overlap across threads: the
collector runs again when no large document is being worked on. Only CPU-bound stages pause it,
never a wait for a model.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Texts from this many characters on pause the collector (a report runs to a few thousand).
LARGE_TEXT = 100_000

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused(text: str) -> Iterator[None]:
    """Run the block, the work on ``text``, with the cyclic collector off when ``text`` is large
    (unless it was off already: it stays so)."""
    global _pauses, _was_enabled
    if len(text) < LARGE_TEXT:
        yield
        return
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

"""Documents of a batch prepared one at a time, each until it is ready for its model.

The workers of a batch share one interpreter lock. Preparing (loading, pre-extracting, building
the prompt) side by side, the documents all finish together, late: with 64 workers at the start
of a run, the first request waits for all 64 to be almost ready. One at a time, the first is
ready at once and the model's slots fill one after another, at no cost in throughput: the
work is CPU-bound and the lock lets only one thread compute anyway.

A document holds its turn from loading until its backend is about to wait for an answer
(:func:`ready`); a backend that computes its summary itself holds it to the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Turns:
    """The turns of one batch: one document prepared at a time, and a way to wait for them all."""

    def __init__(self) -> None:
        lock = threading.Lock()
        self._free = threading.Condition(lock)  # one waiter woken per turn handed on
        self._settled = threading.Condition(lock)
        self._busy = False
        self._wanting = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Prepare one document in the block, once no other document is being prepared."""
        with self._free:
            self._wanting += 1
            self._free.wait_for(lambda: not self._busy)
            self._busy = True
        held = [True]

        def release() -> None:
            with self._free:
                if held:
                    held.clear()
                    self._busy = False
                    self._wanting -= 1
                    self._free.notify()
                    if not self._wanting:
                        self._settled.notify_all()

        token = _current.set((self, release))
        try:
            yield
        finally:
            _current.reset(token)
            release()

    def wait_settled(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until no document wants a turn."""
        with self._settled:
            self._settled.wait_for(lambda: not self._wanting, timeout=timeout)


_current: ContextVar[tuple[Turns, Callable[[], None]] | None] = ContextVar("summarizer_turn", default=None)


def ready() -> None:
    """The current document is prepared: the next one may be (a no-op outside a turn)."""
    current = _current.get()
    if current is not None:
        current[1]()


def wait_settled(timeout: float) -> None:
    """Wait (at most ``timeout`` seconds) until the other documents of the current batch that have
    started are prepared: before work that can wait and would slow theirs (a no-op outside a turn)."""
    current = _current.get()
    if current is not None:
        current[0].wait_settled(timeout)

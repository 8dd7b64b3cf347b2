"""The collector pause: only for large texts, nested and overlapping pauses restore the collector once."""

from __future__ import annotations

import gc
import threading

from summarizer.collector import LARGE_TEXT, collector_paused

LARGE = "数" * LARGE_TEXT


def test_an_ordinary_report_never_pauses_the_collector() -> None:
    assert gc.isenabled()
    with collector_paused("上半年，全区地区生产总值完成120.5亿元。" * 200):
        assert gc.isenabled()  # a batch of such reports keeps collecting the cycles it makes
    assert gc.isenabled()


def test_a_large_text_pauses_it_and_overlapping_pauses_restore_it_once() -> None:
    inside = threading.Event()
    leave = threading.Event()

    def other() -> None:
        with collector_paused(LARGE):
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=other)
    with collector_paused(LARGE):
        assert not gc.isenabled()
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other document is still being worked on
    leave.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_application_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused(LARGE):
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()

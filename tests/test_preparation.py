"""One document of a batch prepared at a time, handed on as soon as it waits for its model."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from summarizer import preparation
from summarizer.api import summarize_many
from summarizer.backends.llm import LLMBackend
from summarizer.backends.rules import RulesBackend
from summarizer.config import Config, LLMSettings
from summarizer.devserver import DevServer


def started(work: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)  # a stuck one must not hang the suite
    thread.start()
    return thread


def test_a_document_waiting_for_its_model_hands_its_turn_on() -> None:
    turns = preparation.Turns()
    first_ready, second_prepared, first_may_end = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with turns.turn():
            preparation.ready()  # prepared: from here on it waits for its model
            first_ready.set()
            first_may_end.wait(5)

    def second() -> None:
        with turns.turn():
            second_prepared.set()

    one = started(first)
    assert first_ready.wait(5)
    two = started(second)
    assert second_prepared.wait(5)  # while the first is still in its block
    assert one.is_alive()
    first_may_end.set()
    one.join(5)
    two.join(5)


def test_a_second_document_waits_while_the_first_is_being_prepared() -> None:
    turns = preparation.Turns()
    holding, release = threading.Event(), threading.Event()
    prepared: list[str] = []

    def first() -> None:
        with turns.turn():
            prepared.append("first")
            holding.set()
            release.wait(5)

    def second() -> None:
        with turns.turn():
            prepared.append("second")

    one = started(first)
    assert holding.wait(5)
    two = started(second)
    two.join(0.2)
    assert prepared == ["first"] and two.is_alive()
    release.set()
    one.join(5)
    two.join(5)
    assert prepared == ["first", "second"]


def test_waiting_until_settled_returns_once_no_document_wants_a_turn() -> None:
    turns = preparation.Turns()
    settled = threading.Event()
    holding, release = threading.Event(), threading.Event()

    def preparing() -> None:
        with turns.turn():
            holding.set()
            release.wait(5)

    def waiter() -> None:
        with turns.turn():
            preparation.ready()
            preparation.wait_settled(5)
            settled.set()

    waiting = started(waiter)
    waiting.join(0.2)  # nobody else wants a turn: it is settled at once
    assert settled.is_set()
    settled.clear()
    other = started(preparing)
    assert holding.wait(5)
    again = started(waiter)
    again.join(0.2)
    assert not settled.is_set()  # its own turn was handed on, but another document wants one still
    release.set()
    other.join(5)
    again.join(5)
    assert settled.is_set()


def test_outside_a_batch_ready_and_settling_do_nothing() -> None:
    preparation.ready()
    preparation.wait_settled(5)  # returns at once: there is no batch to wait for


def test_a_batch_of_the_rules_backend_gives_every_outcome(tmp_path: Path) -> None:
    texts = [f"今年上半年，全区地区生产总值完成{100 + index}亿元，同比增长{index}.5%。" for index in range(6)]
    outcomes = list(summarize_many(texts, backend=RulesBackend(), concurrency=2, ordered=True))
    assert [outcome.index for outcome in outcomes] == list(range(6))
    assert all(outcome.summary is not None for outcome in outcomes)


def test_an_llm_batch_sends_every_document_once_with_turns_handed_on(tmp_path: Path) -> None:
    texts = [f"上半年，全区完成固定资产投资{20 + index}亿元，同比增长{index}.1%。" for index in range(5)]
    with DevServer() as server:
        settings = LLMSettings(base_url=server.base_url, model="dev", use_cache=False, concurrency=2)
        backend = LLMBackend(settings)
        try:
            outcomes = list(summarize_many(texts, backend=backend, config=Config(), concurrency=2))
        finally:
            backend.close()
        assert server.totals.requests == len(texts)
    assert sorted(outcome.index for outcome in outcomes) == list(range(5))
    assert all(outcome.summary is not None for outcome in outcomes)

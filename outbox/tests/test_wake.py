"""A commit that wrote outbox events wakes the delivering process, also from another process;
a rolled-back one does not."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.db import atomic
from outbox import registry, wake
from outbox.publish import publish
from outbox.registry import OutboxMessage, consumer


@pytest.fixture(autouse=True)
def listening_consumer(db: None) -> Any:
    @consumer("test-wake", topics=["test.woke"])
    async def nothing(events: list[OutboxMessage]) -> None:
        return None

    yield
    registry._consumers.pop("test-wake", None)


async def _woken_by(work: Any, wait: float = 10.0) -> bool:
    """Whether a listener like the dispatcher's hears of `work` (other processes' signal)
    within `wait` seconds."""
    heard = asyncio.Event()
    listener = wake.WakeListener(heard.set)
    await listener.start()
    try:
        await work()
        try:
            await asyncio.wait_for(heard.wait(), timeout=wait)
        except TimeoutError:
            return False
        return True
    finally:
        await listener.stop()
        from core.pg_listen import close_process_listener

        await close_process_listener()


async def test_a_commit_with_events_signals_the_delivering_process() -> None:
    async def commit() -> None:
        async with atomic():
            await publish("test.woke", {})

    assert await _woken_by(commit)


async def test_a_rolled_back_transaction_signals_nobody() -> None:
    async def roll_back() -> None:
        with pytest.raises(RuntimeError):
            async with atomic():
                await publish("test.woke", {})
                raise RuntimeError("changed my mind")

    assert not await _woken_by(roll_back, wait=0.5)


async def test_a_commit_wakes_this_processes_dispatcher_once() -> None:
    calls: list[int] = []

    def count() -> None:
        calls.append(1)

    wake.on_local_commit(count)
    try:
        async with atomic():
            await publish("test.woke", {"n": 1})
            await publish("test.woke", {"n": 2})
        async with atomic():
            pass
    finally:
        wake.remove_local(count)
    assert calls == [1]

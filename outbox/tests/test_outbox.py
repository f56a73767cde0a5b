from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.db import atomic
from outbox import registry
from outbox.dispatcher import deliver_batch, drain
from outbox.publish import OutsideTransactionError, publish
from outbox.registry import OutboxMessage, consumer
from outbox.tables import OutboxEvent

received: list[tuple[str, dict[str, Any]]] = []
failures = {"left": 0}


@pytest.fixture(autouse=True)
def test_consumers(db: None) -> Any:
    received.clear()
    failures["left"] = 0

    @consumer("test-recorder", topics=["test.happened"], batch_size=2)
    async def record(events: list[OutboxMessage]) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise RuntimeError("receiver down")
        received.extend((e.topic, e.payload) for e in events)

    @consumer("test-second", topics=["test.happened", "test.other"])
    async def second(events: list[OutboxMessage]) -> None:
        return None

    yield
    registry._consumers.pop("test-recorder", None)
    registry._consumers.pop("test-second", None)


async def test_publish_writes_one_row_per_subscribed_consumer() -> None:
    async with atomic():
        written = await publish("test.happened", {"n": 1})
    assert written == 2
    assert await OutboxEvent.count().where(OutboxEvent.topic == "test.happened") == 2


async def test_publish_outside_a_transaction_is_refused() -> None:
    with pytest.raises(OutsideTransactionError):
        await publish("test.happened", {"n": 1})


async def test_rolled_back_change_sends_nothing() -> None:
    with pytest.raises(ZeroDivisionError):
        async with atomic():
            await publish("test.happened", {"n": 1})
            _ = 1 / 0
    assert await OutboxEvent.count() == 0
    await drain()
    assert received == []


async def test_events_are_delivered_in_order_in_batches() -> None:
    async with atomic():
        for n in range(5):
            await publish("test.happened", {"n": n})
    await drain()
    assert [p["n"] for _, p in received] == [0, 1, 2, 3, 4]
    assert await OutboxEvent.count().where(OutboxEvent.delivered_at.is_null()) == 0


async def test_a_failed_delivery_is_retried_after_a_back_off() -> None:
    failures["left"] = 1
    async with atomic():
        await publish("test.happened", {"n": 7})
    await drain()
    assert received == []
    row = await OutboxEvent.select().where(OutboxEvent.consumer == "test-recorder").first()
    assert row is not None and row["attempts"] == 1 and "receiver down" in row["last_error"]
    assert row["available_at"] > datetime.now(UTC)
    # Once the back-off has passed, the event is delivered.
    await OutboxEvent.update({OutboxEvent.available_at: datetime.now(UTC)}).where(
        OutboxEvent.id == row["id"])
    await drain()
    assert received == [("test.happened", {"n": 7})]


async def test_a_claim_of_a_crashed_dispatcher_expires() -> None:
    async with atomic():
        await publish("test.happened", {"n": 1})
    await OutboxEvent.update({
        OutboxEvent.locked_until: datetime.now(UTC) + timedelta(seconds=30),
        OutboxEvent.locked_by: "crashed",
    }).where(OutboxEvent.consumer == "test-recorder")
    await drain()
    assert received == []
    await OutboxEvent.update({OutboxEvent.locked_until: datetime.now(UTC) - timedelta(seconds=1)},
                             force=True)
    await drain()
    assert received == [("test.happened", {"n": 1})]


async def test_two_dispatchers_never_deliver_the_same_event_twice() -> None:
    async with atomic():
        for n in range(20):
            await publish("test.happened", {"n": n})
    recorder = registry._consumers["test-recorder"]

    async def run_one() -> None:
        while await deliver_batch(recorder):
            pass

    await asyncio.gather(run_one(), run_one())
    assert sorted(p["n"] for _, p in received) == list(range(20))


@pytest.fixture
def picky(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A consumer that cannot take events marked "poison", as a mail server refusing one.

    Back-off in hours, so that no retry falls due while a slow test machine drains."""
    monkeypatch.setattr("outbox.dispatcher.backoff", lambda attempts: timedelta(hours=attempts))
    taken: list[int] = []

    @consumer("test-picky", topics=["test.picky"], batch_size=10)
    async def take(events: list[OutboxMessage]) -> None:
        if any(e.payload.get("poison") for e in events):
            raise RuntimeError("refused")
        taken.extend(e.payload["n"] for e in events)

    yield taken
    registry._consumers.pop("test-picky", None)


async def _picky_rows() -> dict[int, dict[str, Any]]:
    rows = await OutboxEvent.select().where(OutboxEvent.consumer == "test-picky")
    return {_payload_n(row["payload"]): row for row in rows}


def _payload_n(raw: Any) -> int:
    import json

    return int((json.loads(raw) if isinstance(raw, str) else raw)["n"])


async def test_one_failing_event_does_not_hold_back_the_others_of_its_batch(picky: Any) -> None:
    async with atomic():
        for n in range(3):
            await publish("test.picky", {"n": n, "poison": n == 1})
    await drain()
    assert sorted(picky) == [0, 2]
    rows = await _picky_rows()
    assert rows[0]["delivered_at"] is not None and rows[2]["delivered_at"] is not None
    assert rows[0]["attempts"] == 0 and rows[2]["attempts"] == 0
    assert rows[1]["delivered_at"] is None and rows[1]["attempts"] == 1
    assert "refused" in rows[1]["last_error"]
    assert rows[1]["available_at"] > datetime.now(UTC) + timedelta(minutes=30)


async def test_a_failing_event_keeps_its_own_back_off(picky: Any) -> None:
    async with atomic():
        await publish("test.picky", {"n": 1, "poison": True})
    await drain()
    # Later events are delivered at once, while the failed one waits for its own turn.
    async with atomic():
        await publish("test.picky", {"n": 2, "poison": False})
    await drain()
    assert picky == [2]
    first = (await _picky_rows())[1]
    await OutboxEvent.update({OutboxEvent.available_at: datetime.now(UTC)}).where(
        OutboxEvent.id == first["id"])
    await drain()
    again = (await _picky_rows())[1]
    assert again["attempts"] == 2
    # The wait grows with this event's own attempts: two hours after the second failure.
    assert again["available_at"] > datetime.now(UTC) + timedelta(minutes=90)

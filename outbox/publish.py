"""Writing events: in the caller's transaction, one row per subscribed consumer."""

from __future__ import annotations

from typing import Any

from core import request_id
from core.db import engine
from outbox.registry import consumers_of
from outbox.tables import OutboxEvent


class OutsideTransactionError(RuntimeError):
    pass


async def publish(topic: str, payload: dict[str, Any]) -> int:
    """Record `topic` for every consumer; must run inside `atomic()` so it commits with the change.

    Returns the number of rows written (0 when nobody listens).
    """
    if engine().current_transaction.get() is None:
        raise OutsideTransactionError(f"publish({topic!r}) must be called inside atomic()")
    rid = request_id.current()
    rows = [
        OutboxEvent(topic=topic, consumer=c.name, payload=payload, request_id=rid)
        for c in consumers_of(topic)
    ]
    if rows:
        await OutboxEvent.insert(*rows)
    return len(rows)

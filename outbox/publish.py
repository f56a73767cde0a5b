"""Writing events: in the caller's transaction, one row per subscribed consumer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core import request_id
from core.db import engine, insert_many
from outbox.registry import consumers_of
from outbox.tables import OutboxEvent
from outbox.wake import announce


class OutsideTransactionError(RuntimeError):
    pass


async def publish(topic: str, payload: dict[str, Any]) -> int:
    """Record `topic` for every consumer; must run inside `atomic()` so it commits with the change.

    Returns the number of rows written (0 when nobody listens).
    """
    return await publish_many(topic, [payload])


async def publish_many(topic: str, payloads: Iterable[dict[str, Any]]) -> int:
    """Record one `topic` event per payload for every consumer, written with one prepared
    statement: a bulk change (an import) costs one round trip per thousand events, not one each.
    """
    if engine().current_transaction.get() is None:
        raise OutsideTransactionError(f"publish({topic!r}) must be called inside atomic()")
    rid = request_id.current()
    names = [c.name for c in consumers_of(topic)]
    rows = [
        {"topic": topic, "consumer": name, "payload": payload, "request_id": rid}
        for payload in payloads
        for name in names
    ]
    if rows:
        await insert_many(OutboxEvent, rows)
        await announce()
    return len(rows)

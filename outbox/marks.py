"""Where a consumer's stream of events stands, for caches that must notice a change at once.

An event row is written in the same transaction as the change it reports, so the newest id for
a consumer moves on at that commit, in every process, before any dispatcher delivers it.
"""

from __future__ import annotations

from outbox.tables import OutboxEvent


async def newest_event(consumer: str) -> int:
    """The id of the newest event written for `consumer`; 0 when there is none."""
    row = await OutboxEvent.select(OutboxEvent.id).where(
        OutboxEvent.consumer == consumer
    ).order_by(OutboxEvent.id, ascending=False).first()
    return int(row["id"]) if row else 0

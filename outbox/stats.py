"""What waits in the outbox, per consumer: for the readiness check and the metrics.

Read from the table, so the figures are the same whichever process (web or `lotse worker`)
delivers, and survive restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from piccolo.columns.combination import Combinable
from piccolo.query.functions.aggregate import Count

from outbox.dispatcher import MAX_ATTEMPTS
from outbox.registry import consumers
from outbox.tables import OutboxEvent


@dataclass(frozen=True)
class Backlog:
    consumer: str
    # Undelivered events that will still be tried.
    pending: int
    # Seconds since the oldest of them was written (0 without any).
    oldest_age: float
    # Pending events whose last delivery attempt failed.
    failing: int
    # Events given up after MAX_ATTEMPTS failed deliveries.
    dead: int


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _counts(where: Combinable) -> dict[str, int]:
    rows = await (OutboxEvent.select(OutboxEvent.consumer, Count(alias="n"))
                  .where(where).group_by(OutboxEvent.consumer))
    return {row["consumer"]: int(row["n"]) for row in rows}


async def backlog() -> list[Backlog]:
    """One entry per subscribed consumer, also those with nothing waiting."""
    undelivered = OutboxEvent.delivered_at.is_null()
    alive = undelivered & (OutboxEvent.attempts < MAX_ATTEMPTS)
    pending = await _counts(alive)
    failing = await _counts(alive & (OutboxEvent.attempts > 0))
    dead = await _counts(undelivered & (OutboxEvent.attempts >= MAX_ATTEMPTS))
    now = datetime.now(UTC)
    result = []
    for name in sorted({c.name for c in consumers()} | set(pending) | set(dead)):
        oldest = 0.0
        if pending.get(name):
            row = await (OutboxEvent.select(OutboxEvent.created_at)
                         .where(alive & (OutboxEvent.consumer == name))
                         .order_by(OutboxEvent.id).first())
            if row is not None:
                oldest = max(0.0, (now - _aware(row["created_at"])).total_seconds())
        result.append(Backlog(name, pending.get(name, 0), oldest, failing.get(name, 0),
                              dead.get(name, 0)))
    return result

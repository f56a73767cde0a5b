"""Figures about capacity for monitoring: how many offers show possibly outdated free places."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from directory.tables import Capacity
from settings import get_settings


async def stale_count() -> tuple[int, int]:
    """(offers with capacity, of which not confirmed within LOTSE_CAPACITY_STALE_DAYS)."""
    cutoff = datetime.now(UTC) - timedelta(days=get_settings().capacity_stale_days)
    total = await Capacity.count()
    stale = await Capacity.count().where(Capacity.updated < cutoff)
    return total, stale

"""Automatic erasure of closed cases once the retention period (LOTSE_RETENTION_DAYS) has passed.

A case is closed when none of the client's referrals is open; the period counts from the last
activity (client changed, consent recorded or withdrawn, referral changed or closed). It needs
both the clients' records and the referrals, so it runs here; the erasure is the clients'.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from clients import api as clients
from referrals.tables import Referral

log = logging.getLogger("lotse.referrals")
OPEN_STATES = ("draft", "sent", "accepted", "waitlisted", "in_progress")
_CHUNK = 500
# A key younger than this may belong to a client whose row is still being written.
_ORPHAN_GRACE = timedelta(hours=1)


@dataclass
class RetentionReport:
    due: list[UUID] = field(default_factory=list)
    erased: list[UUID] = field(default_factory=list)
    failed: list[UUID] = field(default_factory=list)
    orphan_keys_destroyed: int = 0
    dry_run: bool = False


async def due_for_erasure(retention_days: int, now: datetime | None = None) -> list[UUID]:
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    candidates = await clients.stale_clients(cutoff)
    due: list[UUID] = []
    for start in range(0, len(candidates), _CHUNK):
        chunk = candidates[start : start + _CHUNK]
        busy = await Referral.select(Referral.client).where(
            Referral.client.is_in(chunk),
            Referral.state.is_in(list(OPEN_STATES))
            | (Referral.updated_at >= cutoff)
            | (Referral.closed_at >= cutoff),
        )
        busy_ids = {row["client"] for row in busy}
        due += [client_id for client_id in chunk if client_id not in busy_ids]
    return due


async def purge_orphan_keys(now: datetime | None = None) -> int:
    """Destroy keys whose client is erased or gone (e.g. a key deletion that failed earlier)."""
    return await clients.purge_orphan_keys((now or datetime.now(UTC)) - _ORPHAN_GRACE)


async def run_retention(
    retention_days: int | None = None, *, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    if retention_days is None:
        from settings import get_settings

        retention_days = get_settings().retention_days
    report = RetentionReport(dry_run=dry_run)
    report.due = await due_for_erasure(retention_days, now)
    if dry_run:
        return report
    for client_id in report.due:
        try:
            await clients.erase_client(client_id, None, "", reason="retention")
            report.erased.append(client_id)
        except LookupError:
            # The client is gone meanwhile: the next run decides.
            report.failed.append(client_id)
    report.orphan_keys_destroyed = await purge_orphan_keys(now)
    if report.erased or report.orphan_keys_destroyed:
        await clients.compact_keys()
    return report


class RetentionTimer:
    """Runs the retention once a day in the background of a web process."""

    def __init__(self, interval: float = 24 * 3600.0, first_delay: float = 600.0) -> None:
        self.interval = interval
        self.first_delay = first_delay
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        # Not at start-up: a restart loop must not turn into a tight erasure loop.
        await asyncio.sleep(self.first_delay)
        while True:
            try:
                report = await run_retention()
                log.info(
                    "retention: erased %d clients, destroyed %d orphaned keys",
                    len(report.erased),
                    report.orphan_keys_destroyed,
                )
            except Exception as error:
                log.error("retention run failed: %s", type(error).__name__)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="client-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

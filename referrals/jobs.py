"""Periodic work of the referral exchange: deadline reminders, expiry, lapsed place offers,
the directory's daily capacity snapshot and the stale monthly counts for the analysis.

Safe to run in several processes at once: every step is a guarded, conditional change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from core.db import atomic
from directory import api as directory
from outbox.publish import publish
from referrals import deadlines, monthly, waitlist
from referrals.outgoing import DEADLINE_REMINDER
from referrals.states import State
from referrals.tables import Referral, ReferralReminder
from referrals.transitions import expire_overdue

log = logging.getLogger("lotse.referrals")
INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class TickReport:
    reminded: int
    expired: int
    lapsed: int
    snapshot: bool = False
    # Months of the analysis' counts rebuilt because transitions marked them.
    figures: int = 0


async def send_reminders(now: datetime) -> int:
    """Remind the provider on the working day before an unanswered referral's deadline."""
    today = deadlines.local_today(now)
    rows = await Referral.select(Referral.id, Referral.answer_due).where(
        (Referral.state == State.SENT.value)
        & Referral.answer_due.is_not_null()
        & (Referral.answer_due >= today)
    )
    sent = 0
    for row in rows:
        if deadlines.reminder_day(row["answer_due"]) > today:
            continue
        key = f"deadline_reminder:{row['id']}:{row['answer_due'].isoformat()}"
        async with atomic():
            if await ReferralReminder.exists().where(ReferralReminder.dedupe_key == key):
                continue
            await ReferralReminder.insert(
                ReferralReminder(id=uuid4(), referral=row["id"], kind="deadline", dedupe_key=key)
            )
            await publish(DEADLINE_REMINDER, {"event_key": key, "referral_id": str(row["id"])})
        sent += 1
    return sent


async def lapse_offers(now: datetime) -> int:
    lapsed = 0
    for offer in await waitlist.due_offers(now):
        async with atomic():
            await waitlist.lapse_offer(offer["referral"], offer["service"], now)
        lapsed += 1
    return lapsed


async def tick(now: datetime | None = None) -> TickReport:
    now = now or datetime.now(UTC)
    reminded = await send_reminders(now)
    expired = len(await expire_overdue(now))
    lapsed = await lapse_offers(now)
    # Once per Berlin day; every later tick of the day finds it taken and does nothing.
    snapshot = await directory.take_capacity_snapshot(deadlines.local_today(now), now)
    figures = len(await monthly.rebuild_stale())
    return TickReport(reminded, expired, lapsed, snapshot, figures)


class Ticker:
    """Runs `tick` every minute in the background of a process."""

    def __init__(self, interval: float = INTERVAL_SECONDS) -> None:
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            try:
                await tick()
            except Exception as error:
                log.error("referral deadline check failed: %s", type(error).__name__)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="referral-deadlines")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

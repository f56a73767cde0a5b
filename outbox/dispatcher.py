"""Delivering outbox rows after commit: at least once, in batches, with retries and back-off
per event.

Several dispatchers may run against one PostgreSQL database: a row is claimed with a
conditional UPDATE, so only one of them delivers it; a claim of a crashed process expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from piccolo.columns.combination import Combinable

from core import request_id
from core.duty import DutyLock, lock_path
from outbox.registry import Consumer, OutboxMessage, consumers
from outbox.tables import OutboxEvent
from outbox.wake import WakeListener, on_local_commit, remove_local, signal_others

log = logging.getLogger("lotse.outbox")

CLAIM_SECONDS = 60
MAX_ATTEMPTS = 20
MAX_BACKOFF = timedelta(hours=1)
WORKER_ID = f"{socket.gethostname()}-{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s, ... capped at an hour."""
    return min(timedelta(seconds=2**attempts), MAX_BACKOFF)


def _payload(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        loaded = json.loads(raw or "{}")
        return loaded if isinstance(loaded, dict) else {}
    return dict(raw or {})


def _is_due(now: datetime) -> Combinable:
    return (
        OutboxEvent.delivered_at.is_null()
        & (OutboxEvent.available_at <= now)
        & (OutboxEvent.attempts < MAX_ATTEMPTS)
        & (OutboxEvent.locked_until.is_null() | (OutboxEvent.locked_until < now))
    )


async def _claim(c: Consumer, now: datetime) -> list[dict[str, Any]]:
    due = (
        await OutboxEvent.select(OutboxEvent.id)
        .where((OutboxEvent.consumer == c.name) & _is_due(now))
        .order_by(OutboxEvent.id)
        .limit(c.batch_size)
    )
    if not due:
        return []
    ids = [row["id"] for row in due]
    claimed = (
        await OutboxEvent.update(
            {
                OutboxEvent.locked_until: now + timedelta(seconds=CLAIM_SECONDS),
                OutboxEvent.locked_by: WORKER_ID,
            }
        )
        # The conditions again: another dispatcher may have delivered or claimed them meanwhile.
        .where(OutboxEvent.id.is_in(ids) & _is_due(now))
        .returning(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.payload, OutboxEvent.attempts,
                   OutboxEvent.request_id)
    )
    return sorted(claimed, key=lambda row: row["id"])


async def _delivered(ids: list[int]) -> None:
    await OutboxEvent.update(
        {
            OutboxEvent.delivered_at: datetime.now(UTC),
            OutboxEvent.locked_until: None,
            OutboxEvent.last_error: "",
        }
    ).where(OutboxEvent.id.is_in(ids))


async def _failed(c: Consumer, message: OutboxMessage, error: Exception) -> None:
    """Only this event waits: its own attempts decide its next try."""
    attempts = message.attempts + 1
    log.warning("outbox consumer %s failed on event %s (attempt %s): %s", c.name, message.id,
                attempts, type(error).__name__)
    await OutboxEvent.update(
        {
            OutboxEvent.attempts: OutboxEvent.attempts + 1,
            OutboxEvent.available_at: datetime.now(UTC) + backoff(attempts),
            OutboxEvent.last_error: f"{type(error).__name__}: {error}"[:500],
            OutboxEvent.locked_until: None,
            OutboxEvent.locked_by: None,
        }
    ).where(OutboxEvent.id == message.id)


async def deliver_batch(c: Consumer) -> int:
    """Claim and deliver one batch for consumer `c`; returns how many rows were handled.

    When the batch fails, each event is delivered alone (consumers are idempotent), so one
    event that cannot be delivered neither holds back nor delays the others.
    """
    now = datetime.now(UTC)
    rows = await _claim(c, now)
    if not rows:
        return 0
    messages = [
        OutboxMessage(
            id=row["id"], topic=row["topic"], payload=_payload(row["payload"]),
            attempts=row["attempts"], request_id=row["request_id"] or "",
        )
        for row in rows
    ]
    for m in messages:
        with request_id.use(m.request_id):
            log.info("delivering outbox event %s (%s) to %s", m.id, m.topic, c.name)
    # A batch from one request keeps its id while the consumer works (its log lines carry it).
    ids_of_batch = {m.request_id for m in messages}
    try:
        with request_id.use(ids_of_batch.pop() if len(ids_of_batch) == 1 else ""):
            await c.handler(messages)
    except Exception as error:
        if len(messages) == 1:
            await _failed(c, messages[0], error)
            return 1
        for message in messages:
            try:
                await c.handler([message])
            except Exception as single_error:
                await _failed(c, message, single_error)
            else:
                await _delivered([message.id])
        return len(messages)
    await _delivered([m.id for m in messages])
    return len(messages)


async def deliver_due() -> int:
    """One pass over every consumer, side by side: a slow consumer (a webhook, a mail server)
    does not hold back the search index. Returns the number of rows handled."""
    results = await asyncio.gather(*(deliver_batch(c) for c in consumers()),
                                   return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return sum(r for r in results if isinstance(r, int))


async def drain(max_rounds: int = 1000) -> int:
    """Deliver until nothing is due (used by tests and `lotse worker --once`)."""
    total = 0
    for _ in range(max_rounds):
        handled = await deliver_due()
        total += handled
        if handled == 0:
            break
    return total


async def drain_if_migrated() -> int:
    """`drain()` where the outbox exists: a command may run before the first migration."""
    return await drain() if await OutboxEvent.table_exists() else 0


async def drain_with_duty(data_dir: Path, before_release: Callable[[], None]) -> int | None:
    """A command delivers what it wrote while it holds the duty lock (`core.duty`); None when
    another process holds it: that one is woken and delivers (the search index has one
    writer). `before_release` gives up what the next holder needs, such as the index writer."""
    lock = DutyLock(lock_path(data_dir))
    if not lock.try_take():
        signal_others()
        return None
    try:
        return await drain_if_migrated()
    finally:
        before_release()
        lock.release()


def drain_sync() -> int:
    return asyncio.run(drain())


async def purge_delivered(older_than: timedelta = timedelta(days=7)) -> None:
    cutoff = datetime.now(UTC) - older_than
    await OutboxEvent.delete().where(
        OutboxEvent.delivered_at.is_not_null() & (OutboxEvent.delivered_at < cutoff)
    )


class Dispatcher:
    """Runs in the one process that holds the duty (`core.duty`): a web process or `lotse
    worker`. Wakes after each commit that wrote events, in any process (`outbox.wake`), and
    polls otherwise."""

    def __init__(self, poll_seconds: float = 1.0) -> None:
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._listener = WakeListener(self.wake)

    def wake(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        try:
            await self._listener.start()
        except Exception as error:  # polling still delivers
            log.error("outbox wake-up listener failed: %s", type(error).__name__)
        passes = 0
        while not self._stopping:
            try:
                handled = await deliver_due()
                passes += 1
                if passes % 3600 == 0:
                    await purge_delivered()
            except Exception as error:
                log.error("outbox dispatcher pass failed: %s", type(error).__name__)
                handled = 0
            if handled:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()

    def start(self) -> None:
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        on_local_commit(self.wake)
        self._task = asyncio.create_task(self.run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        self._stopping = True
        remove_local(self.wake)
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._listener.stop()

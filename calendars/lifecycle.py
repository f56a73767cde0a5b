"""Background work of the calendars domain in the web process: polling subscribed calendars,
and the holiday tables computed at start-up (off the event loop), not inside a transaction.

Polling runs in the process holding the duty (`core.duty`: a web process or `lotse worker`);
deployments may also run `lotse calendars poll --loop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import anyio.to_thread
from litestar import Litestar

from calendars.subscriptions import poll_due
from calendars.workdays import load_holidays
from core.time import berlin_today

log = logging.getLogger("lotse.calendars")

CHECK_EVERY_SECONDS = 600
_task: asyncio.Task[None] | None = None


async def poll_forever(interval: float = CHECK_EVERY_SECONDS) -> None:
    while True:
        try:
            await poll_due()
        except Exception as error:  # keep polling; the next round may succeed
            log.warning("calendar polling failed: %s", type(error).__name__)
        await asyncio.sleep(interval)


async def start_polling() -> None:
    global _task
    if _task is None:
        _task = asyncio.create_task(poll_forever())


async def load_reference_data(app: Litestar) -> None:
    await anyio.to_thread.run_sync(load_holidays, berlin_today())


async def stop_polling() -> None:
    global _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None


on_startup = [load_reference_data]
on_shutdown: list[Callable[[Litestar], Awaitable[None]]] = []
on_duty = [start_polling]
off_duty = [stop_polling]

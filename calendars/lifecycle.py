"""Background work of the calendars domain in the web process: polling subscribed calendars.

Runs where the outbox dispatcher runs (LOTSE_RUN_DISPATCHER); deployments with separate
workers run `lotse calendars poll --loop` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar

from calendars.subscriptions import poll_due
from settings import get_settings

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


async def start_polling(app: Litestar) -> None:
    global _task
    if get_settings().run_dispatcher and _task is None:
        _task = asyncio.create_task(poll_forever())


async def stop_polling(app: Litestar) -> None:
    global _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None


on_startup = [start_polling]
on_shutdown = [stop_polling]

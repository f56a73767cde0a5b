"""Opening the search index when the web process starts; keeping it whole and current.

Every process opens the index to read. The process holding the duty (`core.duty`, it delivers
outbox events) may write it, and rebuilds it in the background when it is missing or
damaged, and once a day: the indexed opening hours are those of the current week
(holidays applied) and "next course start" moves on with the calendar. Searches keep working
from the old index while a rebuild runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date

from litestar import Litestar

from search.engine import SearchEngine
from search.indexing import mark_rebuilt, rebuild_all, rebuilt_on
from search.runtime import allow_writes, close_engine, get_engine, open_read_only, release_writer

log = logging.getLogger("lotse.search")

CHECK_SECONDS = 900.0
_tasks: set[asyncio.Task[None]] = set()


async def refresh_if_due(engine: SearchEngine, today: date | None = None) -> bool:
    """Rebuild when the index is new or damaged, or was last rebuilt on an earlier day."""
    day = today or date.today()
    if rebuilt_on() == day and not getattr(engine, "needs_rebuild", False):
        return False
    await rebuild_all(engine)
    mark_rebuilt(day)
    return True


async def _keep_current() -> None:
    while True:
        try:
            await refresh_if_due(get_engine())
        except Exception as error:  # the next check tries again
            log.error("search index rebuild failed: %s", type(error).__name__)
        await asyncio.sleep(CHECK_SECONDS)


async def open_search(app: Litestar) -> None:
    await asyncio.to_thread(open_read_only)


async def start_writing() -> None:
    """Duty taken: this process writes the index from now on and keeps it current."""
    await asyncio.to_thread(allow_writes)
    task = asyncio.create_task(_keep_current(), name="search-keep-current")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def stop_writing() -> None:
    for task in list(_tasks):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await asyncio.to_thread(release_writer)


async def close_search(app: Litestar) -> None:
    await stop_writing()
    await asyncio.to_thread(close_engine)


on_startup = [open_search]
on_shutdown = [close_search]
on_duty = [start_writing]
off_duty = [stop_writing]

"""Opening the search index when the web process starts, and rebuilding it when it is missing
or damaged (in the background: the application serves meanwhile, search finds what the old
index had, or nothing)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar

from search.indexing import rebuild_all
from search.runtime import close_engine, get_engine
from settings import get_settings

log = logging.getLogger("lotse.search")

_tasks: set[asyncio.Task[int]] = set()


async def open_search(app: Litestar) -> None:
    engine = await asyncio.to_thread(get_engine)
    # Only the process that delivers outbox events writes the index.
    if getattr(engine, "needs_rebuild", False) and get_settings().run_dispatcher:
        log.info("search index missing or damaged: rebuilding it from the database")
        task = asyncio.create_task(rebuild_all(engine), name="search-rebuild")
        _tasks.add(task)
        task.add_done_callback(_finished)


def _finished(task: asyncio.Task[int]) -> None:
    _tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("search index rebuild failed: %s", type(task.exception()).__name__)


async def close_search(app: Litestar) -> None:
    for task in list(_tasks):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await asyncio.to_thread(close_engine)


on_startup = [open_search]
on_shutdown = [close_search]

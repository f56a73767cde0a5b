"""Keeping the index in step with the database: single offers after a change, or everything."""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from uuid import UUID

from search.documents import all_documents, build_documents
from search.engine import OfferDocument, SearchEngine
from settings import get_settings

log = logging.getLogger("lotse.search")

_END = None


class _Abort:
    """Put in the queue when reading the database failed: the writer then rolls back."""


_ABORT = _Abort()


async def refresh(engine: SearchEngine, service_ids: Sequence[UUID]) -> tuple[int, int]:
    """Re-read these offers from the database: index those that belong in search, remove the
    rest. Returns (indexed, removed)."""
    wanted = list(dict.fromkeys(service_ids))
    if not wanted:
        return 0, 0
    documents = await build_documents(wanted)
    gone = [sid for sid in wanted if sid not in documents]

    def apply() -> None:
        engine.index(list(documents.values()))
        engine.delete(gone)

    await asyncio.to_thread(apply)
    return len(documents), len(gone)


async def rebuild_all(engine: SearchEngine, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database. Reading the database (async) and writing the
    index (in a thread) overlap; searches see the old index until the new one is complete.

    `progress` is told how many offers of the database were looked at."""
    batches: queue.Queue[list[OfferDocument] | _Abort | None] = queue.Queue(maxsize=4)

    def documents() -> Iterator[OfferDocument]:
        while (batch := batches.get()) is not _END:
            if isinstance(batch, _Abort):
                raise RuntimeError("reading the offers failed; the old index stays")
            yield from batch

    loop = asyncio.get_running_loop()
    done: Future[int] = Future()

    def run() -> None:
        try:
            done.set_result(engine.rebuild(documents()))
        except BaseException as error:  # handed to the waiting coroutine
            done.set_exception(error)

    writer = loop.run_in_executor(None, run)
    try:
        async for seen, batch in all_documents():
            await _hand_over(batches, batch, done)
            if progress is not None:
                progress(seen)
        await _hand_over(batches, _END, done)
    except BaseException:
        if not done.done():
            _drain_and_abort(batches)
        raise
    finally:
        await writer
    count = done.result()
    mark_rebuilt(date.today())
    log.info("search index rebuilt with %s offers", count)
    return count


def _marker() -> Path:
    return get_settings().data_dir / "search-rebuilt-on"


def mark_rebuilt(day: date) -> None:
    marker = _marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(day.isoformat())


def rebuilt_on() -> date | None:
    """The day of the last complete rebuild, None if unknown."""
    try:
        return date.fromisoformat(_marker().read_text().strip())
    except (OSError, ValueError):
        return None


async def _hand_over(
    batches: queue.Queue[list[OfferDocument] | _Abort | None],
    batch: list[OfferDocument] | None,
    done: Future[int],
) -> None:
    while True:
        if done.done():
            done.result()  # the writer failed: raise its error here
            raise RuntimeError("the index writer stopped early")
        try:
            batches.put(batch, timeout=0.05)
            return
        except queue.Full:
            await asyncio.sleep(0.01)


def _drain_and_abort(batches: queue.Queue[list[OfferDocument] | _Abort | None]) -> None:
    while True:
        try:
            batches.get_nowait()
        except queue.Empty:
            break
    batches.put(_ABORT)

"""How many offers (organisations, locations) a list selects, counted once and kept a moment.

Counting 100,000 offers for every page took most of a page's time (one index walk, 10-50 ms
on SQLite) while the page itself reads 50 rows. A count is kept per query for this process:
a commit made here forgets every count at once (a page shown after a change counts again);
a change made by another process shows within `RECOUNT_AFTER`, when the first request after
that moment starts a recount in the background and is answered with the count it has.
After `FORGET_AFTER` without use, a count is made again before answering.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from core.db import on_commit

RECOUNT_AFTER = 1.0
FORGET_AFTER = 5.0

_counts: dict[str, tuple[int, float]] = {}
_recounting: dict[str, asyncio.Task[None]] = {}


def forget() -> None:
    """Every kept count is made again when next asked for (a commit, a test's fresh database)."""
    _counts.clear()
    _recounting.clear()


on_commit(forget)


async def _recount(key: str, query: Any) -> None:
    try:
        total = int(await query)
        # A commit meanwhile forgot the old counts: this one may predate it, so it is dropped.
        if key in _counts:
            _counts[key] = (total, time.monotonic())
    finally:
        _recounting.pop(key, None)


async def count(query: Any) -> int:
    """The answer of a Piccolo `Table.count()` query, kept as the module says."""
    key = str(query)
    now = time.monotonic()
    kept = _counts.get(key)
    if kept is not None and now - kept[1] < FORGET_AFTER:
        total, counted_at = kept
        if now - counted_at >= RECOUNT_AFTER and key not in _recounting:
            _recounting[key] = asyncio.create_task(_recount(key, query))
        return total
    total = int(await query)
    _counts[key] = (total, time.monotonic())
    return total

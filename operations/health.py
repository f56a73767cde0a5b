"""Liveness and readiness for load balancers and systemd: public, and revealing no data.

`/health/live` answers as long as the process serves requests (it touches nothing else).
`/health/ready` checks what a request needs: the database, the key store, the search index; it
also tells the outbox backlog and the age of its oldest event, which do not make Lotse unready
(delivery catches up) but are what an operator looks at first. A failed check says "failed" only:
the reason may name hosts or paths, and it goes to the log instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import msgspec

from clients import api as clients
from core.db import engine
from outbox import stats
from search import runtime as search

log = logging.getLogger("lotse.health")

CHECK_SECONDS = 5.0
OK, FAILED = "ok", "failed"


class OutboxState(msgspec.Struct, kw_only=True):
    status: str
    backlog: int = 0
    oldest_event_age_seconds: float = 0.0


class Readiness(msgspec.Struct, kw_only=True):
    status: str
    database: str
    key_store: str
    search_index: str
    outbox: OutboxState


async def _database() -> bool:
    await engine().run_ddl("SELECT 1")
    return True


async def _search_index() -> bool:
    return (await asyncio.to_thread(lambda: search.get_engine().health())).ok


async def _check(name: str, probe: Callable[[], Awaitable[bool]]) -> str:
    try:
        ok = await asyncio.wait_for(probe(), CHECK_SECONDS)
    except Exception as error:
        log.warning("readiness check %s failed: %s", name, type(error).__name__)
        return FAILED
    if not ok:
        log.warning("readiness check %s failed", name)
    return OK if ok else FAILED


async def _outbox() -> OutboxState:
    try:
        backlogs = await asyncio.wait_for(stats.backlog(), CHECK_SECONDS)
    except Exception as error:
        log.warning("readiness check outbox failed: %s", type(error).__name__)
        return OutboxState(status=FAILED)
    return OutboxState(
        status=OK,
        backlog=sum(b.pending for b in backlogs),
        oldest_event_age_seconds=round(max((b.oldest_age for b in backlogs), default=0.0), 1),
    )


async def readiness() -> Readiness:
    database = await _check("database", _database)
    key_store = await _check("key store", clients.keystore_reachable)
    search_index = await _check("search index", _search_index)
    outbox = await _outbox() if database == OK else OutboxState(status=FAILED)
    ready = all(s == OK for s in (database, key_store, search_index, outbox.status))
    return Readiness(status="ready" if ready else "unavailable", database=database,
                     key_store=key_store, search_index=search_index, outbox=outbox)

"""Database access shared by all domains: the engine, one way to run a transaction, and one way
to run it again when PostgreSQL reports a serialization failure or a deadlock."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

T = TypeVar("T")

_after_commit_hooks: list[Callable[[], None]] = []
log = logging.getLogger("lotse.db")


class SecureDeleteConnection(sqlite3.Connection):
    """A SQLite connection that overwrites what it deletes or replaces with zeros.

    `secure_delete` holds per connection and Piccolo opens one per query, so every connection
    of the engine is made by this class (`sqlite_options` in piccolo_conf): an erased
    client's old rows must not linger in free space of the database file.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA secure_delete = ON")


def sqlite_options() -> dict[str, Any]:
    """Connection options of every SQLite engine (see `SecureDeleteConnection`)."""
    return {"factory": SecureDeleteConnection}


def engine() -> Engine:
    found = engine_finder()
    if found is None:
        raise RuntimeError("No Piccolo engine configured (PICCOLO_CONF)")
    return found


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def on_commit(hook: Callable[[], None]) -> None:
    """Register a callback that runs after every successful `atomic()` block (e.g. wake-ups)."""
    _after_commit_hooks.append(hook)


def remove_on_commit(hook: Callable[[], None]) -> None:
    if hook in _after_commit_hooks:
        _after_commit_hooks.remove(hook)


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """One transaction; on SQLite taken IMMEDIATE so concurrent writers queue instead of failing.

    Nested use joins the outer transaction.
    """
    db = engine()
    if db.current_transaction.get() is not None:
        yield
        return
    if isinstance(db, SQLiteEngine):
        transaction = db.transaction(transaction_type=TransactionType.immediate)
    else:
        transaction = db.transaction()
    async with transaction:
        yield
    for hook in _after_commit_hooks:
        hook()


async def checkpoint_wal() -> bool:
    """On SQLite, move the write-ahead log into the database file and empty it.

    Run after an erasure commits: the log holds the pages as they were before, and only a
    checkpoint (with `secure_delete` on) overwrites them. True when the log is empty now;
    False when a reader kept it busy (the next checkpoint finishes it). PostgreSQL: nothing to
    do here (its old row versions hold only ciphertext of client free texts).
    """
    db = engine()
    if not isinstance(db, SQLiteEngine):
        return True
    if db.current_transaction.get() is not None:
        # Inside a transaction the log cannot be emptied; the caller checkpoints after it.
        return False
    rows = await db.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
    busy = bool(rows and rows[0].get("busy"))
    if busy:
        log.warning("the write-ahead log was busy; it is emptied at the next checkpoint")
    return not busy


def contains_pattern(fragment: str) -> str:
    """A LIKE pattern for "contains `fragment`", its wildcards escaped (use with ESCAPE '\\')."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# SQLSTATEs of PostgreSQL that mean "the same work may well succeed if run again":
# serialization_failure and deadlock_detected.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 5
_RETRY_BASE_SECONDS = 0.02


class ConcurrentChange(Exception):  # noqa: N818 - a condition, not a failure of the code
    """Raised by a transaction whose rows another one changed under it: running again helps."""


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, ConcurrentChange):
        return True
    return getattr(error, "sqlstate", None) in RETRYABLE_SQLSTATES


async def retry_conflicts(work: Callable[[], Awaitable[T]],
                          attempts: int = RETRY_ATTEMPTS) -> T:
    """Run `work` (which opens its own `atomic()`) again after a serialization failure, a
    deadlock or a `ConcurrentChange`, up to `attempts` times with jittered back-off.

    Inside an outer transaction nothing is retried: that transaction is spoilt and only its
    owner can start over, so the error goes up to it.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except Exception as error:
            if (attempt == attempts or not is_retryable(error)
                    or engine().current_transaction.get() is not None):
                raise
        # Full jitter: two colliding writers rarely collide again.
        await asyncio.sleep(random.uniform(0, _RETRY_BASE_SECONDS * 2**attempt))  # noqa: S311
    raise AssertionError("unreachable")  # pragma: no cover

"""Database access shared by all domains: the engine and one way to run a transaction."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

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

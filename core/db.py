"""Database access shared by all domains: the engine, one way to run a transaction, and one way
to run it again when PostgreSQL reports a serialization failure or a deadlock."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from piccolo.columns import JSON, JSONB, BigSerial, Column, Serial
from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table
from piccolo.utils.encoding import dump_json

from core.time import BERLIN

T = TypeVar("T")

# Rows per ``executemany`` call of ``insert_many``.
INSERT_CHUNK = 1000
_ENCODER = msgspec.json.Encoder(enc_hook=str)
_after_commit_hooks: list[Callable[[], None]] = []
# Hooks asked for by the work inside the current `atomic()` block, run once after its commit.
_this_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("this_commit", default=None)
log = logging.getLogger("lotse.db")


class SecureDeleteConnection(sqlite3.Connection):
    """A SQLite connection that overwrites what it deletes or replaces with zeros.

    `secure_delete` holds per connection, so every connection of the engine (kept open by
    `core.sqlite_pool`, or opened by Piccolo for a batch) is made by this class
    (`sqlite_options` in piccolo_conf): an erased client's old rows must not linger in free
    space of the database file.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA secure_delete = ON")
        # SQLite knows no time zones: figures grouped by Berlin month or day call these.
        self.create_function("berlin_month", 1, _berlin_month, deterministic=True)
        self.create_function("berlin_day", 1, _berlin_day, deterministic=True)


def _berlin(stored: str | None) -> datetime | None:
    if not stored:
        return None
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN)


def _berlin_month(stored: str | None) -> str | None:
    # Berlin is 1 or 2 hours ahead of UTC: from the 2nd to the 27th the stored (UTC) month is
    # Berlin's too, and the string needs no parsing (this runs for every row of a figure).
    if stored and "02" <= stored[8:10] <= "27" and stored[4:5] == "-":
        return stored[:7]
    moment = _berlin(stored)
    return moment.strftime("%Y-%m") if moment else None


def _berlin_day(stored: str | None) -> str | None:
    moment = _berlin(stored)
    return moment.date().isoformat() if moment else None


def sqlite_options() -> dict[str, Any]:
    """Connection options of every SQLite engine (see `SecureDeleteConnection`)."""
    return {"factory": SecureDeleteConnection}


def among(column: Column, values: Sequence[Any]) -> WhereRaw:
    """``column IN (values)`` for long lists of plain values (ids).

    Piccolo's ``is_in`` inspects every value on its way into the query (about 20 µs each),
    which dominated bulk reads of thousands of ids; plain values need no conversion.
    """
    if not values:
        return WhereRaw("1 = 0")
    name = column._meta.get_full_name(with_alias=False)
    return WhereRaw(f"{name} IN ({', '.join(['{}'] * len(values))})", *values)


def _json(value: Any) -> str:
    """JSON text of a value; msgspec is several times faster than Piccolo's encoder on the
    plain values records and events hold, which read back the same (other values as text)."""
    try:
        return _ENCODER.encode(value).decode()
    except (TypeError, msgspec.EncodeError):
        return dump_json(value)


def _default(column: Column) -> Any:
    value = column.get_default_value()
    return value.python() if hasattr(value, "python") else value


async def insert_many(cls: type[Table], rows: list[dict[str, Any]]) -> None:
    """Insert rows with one prepared statement (``executemany``) in the open transaction.

    Piccolo builds one object and one SQL string per row, which dominates large imports and
    event bursts. Values pass through the same driver adapters Piccolo uses, so they are
    stored alike; JSON values are encoded as Piccolo encodes them, and an auto-numbered key
    the rows leave out is left to the database.
    """
    db = cls._meta.db
    transaction = db.current_transaction.get()
    if transaction is None or not rows:
        if rows:
            await cls.insert(*[cls(**row) for row in rows])
        return
    columns = [
        column
        for column in cls._meta.columns
        if not (isinstance(column, Serial | BigSerial) and column._meta.name not in rows[0])
    ]
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    if isinstance(db, SQLiteEngine):
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    sql = f'INSERT INTO "{cls._meta.tablename}" ({names}) VALUES ({marks})'
    defaults = {column._meta.name: _default(column) for column in columns}
    encoded = {c._meta.name for c in columns if isinstance(c, JSON | JSONB)}
    keys = [column._meta.name for column in columns]
    values = [[row.get(key, defaults[key]) for key in keys] for row in rows]
    if encoded:
        positions = [n for n, key in enumerate(keys) if key in encoded]
        for value in values:
            for n in positions:
                if value[n] is not None and not isinstance(value[n], str):
                    value[n] = _json(value[n])
    for start in range(0, len(values), INSERT_CHUNK):
        await transaction.connection.executemany(sql, values[start : start + INSERT_CHUNK])


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


def after_this_commit(hook: Callable[[], None]) -> bool:
    """Run `hook` once after the commit of the enclosing `atomic()` block (not if it rolls back).

    Returns True when the hook is newly registered for this transaction, False when it already
    was, or when no `atomic()` block encloses the caller (then the hook is not run at all).
    """
    pending = _this_commit.get()
    if pending is None or hook in pending:
        return False
    pending.append(hook)
    return True


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
    pending: list[Callable[[], None]] = []
    token = _this_commit.set(pending)
    try:
        async with transaction:
            yield
    finally:
        _this_commit.reset(token)
    for hook in [*_after_commit_hooks, *pending]:
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

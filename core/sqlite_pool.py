"""A SQLite engine that keeps its connections open between statements.

Piccolo's `SQLiteEngine` opens a connection (and a thread) for every statement and closes it
afterwards: about 90 threads, 230 file opens and 100 fsyncs per referral. Here a few idle
connections wait in a per-process list; a statement or a transaction borrows one and gives it
back. Nobody ever waits for a connection (one is opened when none is idle), so a transaction
that awaits other work cannot starve the pool. A connection whose state is unknown (cancelled
mid-statement, a commit that failed, a transaction left open) is closed, never reused.

The write-ahead log (set by `core.migrate`) with `synchronous=NORMAL` syncs at checkpoints only:
a commit survives a crash of the process; a power loss may lose the last commits, never
consistency.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from core.borrowed import GivesBackConnection

# Idle connections kept per process; more are opened under load and closed when returned.
MAX_IDLE = 4


class PooledTransaction(GivesBackConnection, SQLiteTransaction):
    """A transaction on a borrowed connection, returned (not closed) at the end."""

    engine: PooledSQLiteEngine

    async def _borrow(self) -> aiosqlite.Connection:
        return await self.engine.acquire()

    async def _give_back(self, failed: BaseException | None) -> None:
        if failed is None:
            await self.engine.release(self.connection)
        else:
            self.engine.discard(self.connection)


class PooledSQLiteEngine(SQLiteEngine):
    """`SQLiteEngine` with connections kept open; same transactions, same answers."""

    def __init__(self, path: str, max_idle: int = MAX_IDLE, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._max_idle = max_idle
        # Which file each connection opened: a restore replaces the file under the same name.
        self._opened_on: dict[int, tuple[int, int] | None] = {}

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return (found.st_dev, found.st_ino)

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        # An idle connection must not keep the process alive at exit; it holds no open writes.
        connection._thread.daemon = True
        await connection
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute("PRAGMA synchronous = NORMAL")
        self._opened_on[id(connection)] = self._file_identity()
        return connection

    async def acquire(self) -> aiosqlite.Connection:
        # list.pop is atomic: tests run some work on a second thread with its own loop.
        current = self._file_identity()
        while True:
            try:
                connection = self._idle.pop()
            except IndexError:
                return await self._open()
            if self._opened_on.get(id(connection)) == current:
                return connection
            # The file was replaced since (a restore): this connection still reads the old one.
            self._opened_on.pop(id(connection), None)
            await connection.close()

    async def release(self, connection: aiosqlite.Connection) -> None:
        if (not connection._running or connection.in_transaction
                or len(self._idle) >= self._max_idle):
            self._opened_on.pop(id(connection), None)
            await connection.close()
            return
        self._idle.append(connection)

    def discard(self, connection: aiosqlite.Connection) -> None:
        """Close without waiting: the connection's state is unknown (e.g. cancelled)."""
        self._opened_on.pop(id(connection), None)
        connection.stop()

    async def close_idle(self) -> None:
        """Close every idle connection (at shutdown, or before the file is replaced)."""
        while self._idle:
            connection = self._idle.pop()
            self._opened_on.pop(id(connection), None)
            await connection.close()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connection = await self.acquire()
        try:
            rows = await connection.execute_fetchall(query, args or [])
        except sqlite3.Error:
            # The statement failed inside SQLite; the connection itself is fine.
            await self.release(connection)
            raise
        except BaseException:
            self.discard(connection)
            raise
        await self.release(connection)
        return rows

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Foreign keys are switched on once when the connection opens, not per statement.
        # One hand-off to the connection's thread: a cursor would take three (execute, fetch,
        # close), each a wake-up of that thread and of the event loop.
        return await connection.execute_fetchall(query, args or [])

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return PooledTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested,
        )

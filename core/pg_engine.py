"""A PostgreSQL engine that always gives its connections back.

Piccolo's `PostgresEngine` closes a statement's own connection only after a PostgreSQL error,
and a transaction's only when its commit or rollback succeeded. A cancelled request (the client
went away), a lost server or a failing commit leave the connection open for the garbage
collector, which may finalise it in another thread while its event loop runs: asyncpg then
aborts the transport from that thread and the process can crash. With a pool, the same paths
would lose a pooled connection for good. Here every path closes or releases.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from core.borrowed import GivesBackConnection


async def _close(connection: Any) -> None:
    try:
        await connection.close()
    except BaseException:
        # Interrupted (cancelled, timed out): abort it here, on its own loop, not in a finaliser.
        connection.terminate()
        raise


async def _end(connection: Any, failed: BaseException | None) -> None:
    if failed is None or isinstance(failed, asyncpg.PostgresError):
        await _close(connection)
    else:
        # Cancelled or lost mid-statement: its state is unknown, and a polite close would wait
        # for the statement to end.
        connection.terminate()


class ClosingPostgresTransaction(GivesBackConnection, PostgresTransaction):
    async def _borrow(self) -> Any:
        return await self.get_connection()

    async def begin(self) -> None:
        self.transaction = self.connection.transaction()
        await super().begin()

    async def _give_back(self, failed: BaseException | None) -> None:
        if self.engine.pool:
            # The pool resets a returned connection and discards one it cannot reset.
            await self.engine.pool.release(self.connection)
        else:
            await _end(self.connection, failed)


class ClosingPostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return ClosingPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def _run_in_new_connection(self, query: str, args: Any = None) -> Any:
        connection = await self.get_new_connection()
        try:
            result = await connection.fetch(query, *(args or []))
        except BaseException as failed:
            await _end(connection, failed)
            raise
        await _close(connection)
        return result

"""The SQLite engine's borrowed connections: given back after a transaction, thrown away when
the transaction broke, so no later statement inherits a half-finished one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.sqlite_pool import PooledSQLiteEngine


def _engine(tmp_path: Path) -> PooledSQLiteEngine:
    return PooledSQLiteEngine(path=str(tmp_path / "pool.sqlite"), timeout=5)


def test_a_committed_transaction_gives_its_connection_back(tmp_path: Path) -> None:
    db = _engine(tmp_path)

    async def work() -> int:
        async with db.transaction() as transaction:
            await transaction.connection.execute("CREATE TABLE seat (n INTEGER)")
        return len(db._idle)

    assert asyncio.run(work()) == 1


def test_a_failing_commit_throws_its_connection_away_and_the_next_one_works(
    tmp_path: Path,
) -> None:
    db = _engine(tmp_path)

    async def work() -> int:
        async with db.transaction() as transaction:
            for statement in (
                "CREATE TABLE room (id INTEGER PRIMARY KEY)",
                "CREATE TABLE seat (room INTEGER REFERENCES room (id)"
                " DEFERRABLE INITIALLY DEFERRED)",
            ):
                await transaction.connection.execute(statement)
        idle_before = len(db._idle)
        with pytest.raises(Exception, match="FOREIGN KEY"):
            async with db.transaction() as transaction:
                await transaction.connection.execute("INSERT INTO seat VALUES (7)")
        assert len(db._idle) == idle_before - 1  # borrowed, then not given back
        async with db.transaction() as transaction:
            cursor = await transaction.connection.execute("SELECT count(*) AS n FROM seat")
            left = int((await cursor.fetchone())["n"])
        return left

    assert asyncio.run(work()) == 0


def test_a_transaction_that_cannot_begin_gives_no_connection_back(tmp_path: Path) -> None:
    db = _engine(tmp_path)

    async def work() -> int:
        async with db.transaction():
            pass
        refusing = type("Refusing", (type(db.transaction()),), {"begin": _refuse})
        with pytest.raises(RuntimeError):
            async with refusing(engine=db):
                pass
        # The thrown-away connection's thread ends on its own; let it before the loop closes.
        await asyncio.sleep(0.1)
        return len(db._idle)

    assert asyncio.run(work()) == 0


async def _refuse(_transaction: object) -> None:
    raise RuntimeError("begin refused")

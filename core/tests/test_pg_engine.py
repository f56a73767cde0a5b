"""A PostgreSQL connection is closed on every path, never left to the garbage collector (which
may finalise it in another thread while its loop runs, and crash the process)."""

from __future__ import annotations

import asyncio
import gc
import uuid
import warnings
from collections.abc import Coroutine, Iterator
from typing import Any

import asyncpg
import pytest

from core.pg_engine import ClosingPostgresEngine

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def no_collection() -> Iterator[None]:
    # Without the collector, a connection nobody closed stays open where the test can see it.
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def named() -> tuple[str, ClosingPostgresEngine]:
    """An engine whose connections carry a name of their own, to count them on the server."""
    name = f"lotse-test-{uuid.uuid4().hex[:8]}"
    return name, ClosingPostgresEngine(config={
        "host": "127.0.0.1", "port": 5432, "user": "postgres", "database": "postgres",
        # The server notices a client gone mid-statement within 50 ms, not when pg_sleep ends.
        "server_settings": {"application_name": name, "client_connection_check_interval": "50"},
    })


async def _open_backends(name: str) -> int:
    watcher = await asyncpg.connect(DSN)
    try:
        return int(await watcher.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name))
    finally:
        await watcher.close()


async def _backends_once_settled(name: str, expected: int) -> int:
    # The server notices an aborted socket a moment later.
    for _ in range(250):
        count = await _open_backends(name)
        if count == expected:
            break
        await asyncio.sleep(0.02)
    return count


def _run_watching(work: Coroutine[Any, Any, int]) -> tuple[int, list[str]]:
    """What `work` returns, and asyncpg's complaints of connections finalised unclosed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = asyncio.run(work)
        gc.collect()
    return result, [str(w.message) for w in caught if "unclosed connection" in str(w.message)]


def test_a_cancelled_statement_closes_its_connection(
    no_collection: None, named: tuple[str, ClosingPostgresEngine]
) -> None:
    name, db = named

    async def cancel_a_slow_statement() -> int:
        task = asyncio.create_task(db._run_in_new_connection("SELECT pg_sleep(30)"))
        assert await _backends_once_settled(name, 1) == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return await _backends_once_settled(name, 0)

    assert _run_watching(cancel_a_slow_statement()) == (0, [])


def test_a_failing_commit_closes_the_transactions_connection(
    no_collection: None, named: tuple[str, ClosingPostgresEngine]
) -> None:
    name, db = named

    async def commit_a_deferred_violation() -> int:
        with pytest.raises(asyncpg.UniqueViolationError):
            async with db.transaction() as transaction:
                for statement in (
                    "CREATE TEMP TABLE seat (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)",
                    "INSERT INTO seat VALUES (1)",
                    "INSERT INTO seat VALUES (1)",
                ):
                    await transaction.connection.execute(statement)
        return await _backends_once_settled(name, 0)

    assert _run_watching(commit_a_deferred_violation()) == (0, [])


def test_a_transaction_that_cannot_begin_closes_its_connection(
    no_collection: None, named: tuple[str, ClosingPostgresEngine]
) -> None:
    name, db = named

    async def refused_begin() -> int:
        async def refuse(_transaction: object) -> None:
            raise RuntimeError("begin refused")

        refusing = type("Refusing", (type(db.transaction()),), {"begin": refuse})
        with pytest.raises(RuntimeError):
            async with refusing(engine=db):
                pass
        return await _backends_once_settled(name, 0)

    assert _run_watching(refused_begin()) == (0, [])

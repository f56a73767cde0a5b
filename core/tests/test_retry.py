"""Work that PostgreSQL refused for a serialization failure or a deadlock runs again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from core.db import ConcurrentChange, atomic, retry_conflicts


class PgError(Exception):
    """Stands in for an asyncpg error: those carry the SQLSTATE as `sqlstate`."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def failing(times: int, error: Exception) -> tuple[list[int], Callable[[], Awaitable[str]]]:
    calls: list[int] = []

    async def work() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "done"

    return calls, work


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
async def test_serialization_failures_and_deadlocks_are_retried(sqlstate: str) -> None:
    calls, work = failing(2, PgError(sqlstate))
    assert await retry_conflicts(work) == "done"
    assert len(calls) == 3


async def test_a_concurrent_change_is_retried() -> None:
    calls, work = failing(1, ConcurrentChange())
    assert await retry_conflicts(work) == "done"
    assert len(calls) == 2


async def test_retries_end_after_the_last_attempt() -> None:
    calls, work = failing(10, PgError("40001"))
    with pytest.raises(PgError):
        await retry_conflicts(work, attempts=3)
    assert len(calls) == 3


async def test_other_errors_are_not_retried() -> None:
    calls, work = failing(1, PgError("23505"))
    with pytest.raises(PgError):
        await retry_conflicts(work)
    assert len(calls) == 1


async def test_inside_an_outer_transaction_the_owner_decides(db: None) -> None:
    calls, work = failing(1, PgError("40001"))
    with pytest.raises(PgError):
        async with atomic():
            await retry_conflicts(work)
    assert len(calls) == 1

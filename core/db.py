"""Database access shared by all domains: the engine and one way to run a transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

_after_commit_hooks: list[Callable[[], None]] = []


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


def contains_pattern(fragment: str) -> str:
    """A LIKE pattern for "contains `fragment`", its wildcards escaped (use with ESCAPE '\\')."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

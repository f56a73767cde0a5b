"""Emptying the test database between tests: only the tables a test filled, in one transaction.

A test writes to a few of some fifty tables. Asking which hold rows costs one statement; deleting
their rows, children before parents, is far cheaper than TRUNCATE of every table (on PostgreSQL
each TRUNCATE makes new files) or a statement per table through the application's engine.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

_orders: dict[tuple[str, ...], tuple[str, ...]] = {}


async def empty_tables(database_url: str, tables: Sequence[Any]) -> None:
    """Delete every row of these Piccolo tables in the database at `database_url`."""
    key = tuple(sorted(t._meta.tablename for t in tables))
    if key not in _orders:
        _orders[key] = _delete_order(tables)
    if database_url.startswith("sqlite:///"):
        _truncate_sqlite(database_url.removeprefix("sqlite:///"), _orders[key])
    else:
        await _truncate_postgres(database_url, _orders[key])


def _delete_order(tables: Sequence[Any]) -> tuple[str, ...]:
    """Every table, each after the tables that point at it: rows can go without breaking a
    foreign key (and without TRUNCATE, which costs PostgreSQL new files for every table)."""
    by_name = {t._meta.tablename: t for t in tables}
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str, path: frozenset[str]) -> None:
        if name in seen or name in path:
            return
        referrers = [
            other for other, table in by_name.items()
            if any(fk._foreign_key_meta.resolved_references._meta.tablename == name
                   for fk in table._meta.foreign_key_columns)
        ]
        for other in sorted(referrers):
            visit(other, path | {name})
        seen.add(name)
        order.append(name)

    for name in sorted(by_name):
        visit(name, frozenset())
    return tuple(order)


def _filled_query(names: tuple[str, ...]) -> str:
    """One statement naming the tables that hold rows: a test writes to only a few of them."""
    return " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names
    )


def _truncate_sqlite(path: str, order: tuple[str, ...]) -> None:
    # A plain connection of this thread: no event loop, no thread hand-off, one commit.
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        # Freed pages are zeroed as in the application: residue tests read the file.
        connection.execute("PRAGMA secure_delete = ON")
        filled = {row[0] for row in connection.execute(_filled_query(order))}
        if filled:
            connection.execute("BEGIN IMMEDIATE")
            for name in order:
                if name in filled:
                    connection.execute(f'DELETE FROM "{name}"')
            connection.execute("COMMIT")
    finally:
        connection.close()


async def _truncate_postgres(url: str, order: tuple[str, ...]) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, statement_cache_size=0)
    try:
        filled = {row[0] for row in await connection.fetch(_filled_query(order))}
        if not filled:
            return
        sequences = await connection.fetch(
            "SELECT pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS name"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relname = ANY($1::text[]) AND c.relnamespace = 'public'::regnamespace"
            " AND a.attnum > 0 AND pg_get_serial_sequence(quote_ident(c.relname), a.attname)"
            " IS NOT NULL", sorted(filled))
        statements = [f'DELETE FROM "{name}"' for name in order if name in filled]
        # Identities start again at 1, as after TRUNCATE ... RESTART IDENTITY.
        statements += [f"ALTER SEQUENCE {row['name']} RESTART" for row in sequences]
        async with connection.transaction():
            await connection.execute(";\n".join(statements))
    finally:
        await connection.close()

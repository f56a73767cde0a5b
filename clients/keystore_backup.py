"""Snapshots of the key store, taken and restored apart from the main database.

A snapshot is always one small SQLite file with the key store's own table, whichever engine
holds the keys: a key store on PostgreSQL is copied row by row within one transaction. The
snapshot is what can bring an erased client's key back, so restoring one is refused when it is
older than the retention of key-store backups (see `operations.restore`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from clients.keystore import (
    _PG_SCHEMA,
    _SCHEMA,
    KeyStore,
    PostgresKeyStore,
    SqliteKeyStore,
    get_keystore,
)
from clients.tables import Client

_INSERT = "INSERT INTO client_key (client_id, wrapped, kek_id, created_at) VALUES (?, ?, ?, ?)"


class KeySnapshot(msgspec.Struct, frozen=True):
    keys: int


def _copy_sqlite_file(source: Path, target: Path) -> int:
    """The online backup API: consistent even while keys are added or destroyed."""
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as check:
        return int(check.execute("SELECT count(*) FROM client_key").fetchone()[0])


def _write_rows(target: Path, rows: list[tuple[Any, ...]]) -> int:
    with sqlite3.connect(target) as dst:
        dst.execute(_SCHEMA)
        dst.executemany(_INSERT, rows)
    return len(rows)


async def snapshot_keys(target: Path) -> KeySnapshot:
    """Write every client key (wrapped, as stored) to the SQLite file `target`."""
    store = get_keystore()
    if isinstance(store, SqliteKeyStore):
        await store.get(UUID(int=0))  # creates the file and table when there is none yet
        count = await asyncio.to_thread(_copy_sqlite_file, store.path, target)
        return KeySnapshot(keys=count)
    if isinstance(store, PostgresKeyStore):
        pool = await store._acquire_pool()
        async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            records = await conn.fetch(
                "SELECT client_id, wrapped, kek_id, created_at FROM client_key ORDER BY client_id"
            )
        rows = [
            (str(r["client_id"]), bytes(r["wrapped"]), r["kek_id"],
             r["created_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"))
            for r in records
        ]
        return KeySnapshot(keys=await asyncio.to_thread(_write_rows, target, rows))
    raise TypeError(f"cannot back up a key store of type {type(store).__name__}")


def _snapshot_rows(source: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(source) as src:
        return src.execute(
            "SELECT client_id, wrapped, kek_id, created_at FROM client_key"
        ).fetchall()


async def key_count(store: KeyStore | None = None) -> int:
    """How many keys the configured key store holds (0 when it does not exist yet)."""
    store = store or get_keystore()
    if isinstance(store, SqliteKeyStore):
        if not store.path.exists():
            return 0
        rows = await asyncio.to_thread(store._run, "SELECT count(*) FROM client_key")
        return int(rows[0][0])
    if isinstance(store, PostgresKeyStore):
        pool = await store._acquire_pool()
        return int(await pool.fetchval("SELECT count(*) FROM client_key"))
    raise TypeError(f"cannot count a key store of type {type(store).__name__}")


async def keystore_exists() -> bool:
    """Whether the configured key store was ever set up (its file or table is there), even when
    every key in it has been destroyed; looking does not create it."""
    store = get_keystore()
    if isinstance(store, SqliteKeyStore):
        return store.path.exists()
    if isinstance(store, PostgresKeyStore):
        import asyncpg

        conn = await asyncpg.connect(store.dsn)
        try:
            return bool(await conn.fetchval("SELECT to_regclass('public.client_key') IS NOT NULL"))
        finally:
            await conn.close()
    raise TypeError(f"cannot inspect a key store of type {type(store).__name__}")


async def restore_keys(source: Path) -> int:
    """Load a snapshot into the configured key store, which must be empty; returns the count."""
    store = get_keystore()
    if await key_count(store):
        raise ValueError("the key store is not empty")
    rows = await asyncio.to_thread(_snapshot_rows, source)
    if isinstance(store, SqliteKeyStore):
        await store.get(UUID(int=0))
        await asyncio.to_thread(_write_rows, store.path, rows)
        return len(rows)
    if isinstance(store, PostgresKeyStore):
        pool = await store._acquire_pool()
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(_PG_SCHEMA)
            await conn.executemany(
                "INSERT INTO client_key (client_id, wrapped, kek_id, created_at)"
                " VALUES ($1, $2, $3, ($4::text)::timestamp AT TIME ZONE 'UTC')",
                [(UUID(r[0]), bytes(r[1]), r[2], r[3]) for r in rows],
            )
        return len(rows)
    raise TypeError(f"cannot restore into a key store of type {type(store).__name__}")


async def clients_without_key() -> list[UUID]:
    """Clients not erased whose key is gone: erased after the main database's backup."""
    keys = await get_keystore().client_ids(datetime.now(UTC) + timedelta(days=1))
    rows = await Client.select(Client.id).where(Client.erased_at.is_null())
    return [row["id"] for row in rows if row["id"] not in keys]


def _forget(snapshot: Path, client_ids: list[str]) -> int:
    with sqlite3.connect(snapshot, isolation_level=None) as conn:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN")
        forgotten = 0
        for client_id in client_ids:
            forgotten += conn.execute(
                "DELETE FROM client_key WHERE client_id = ?", (client_id,)
            ).rowcount
        conn.execute("COMMIT")
        # Deleted pages are overwritten above and the file shrinks: the keys leave the file.
        conn.execute("VACUUM")
        return forgotten


async def forget_erased(snapshot: Path) -> int:
    """Destroy, inside a key-store snapshot, the keys of clients erased since it was taken."""
    rows = await Client.select(Client.id).where(Client.erased_at.is_not_null())
    return await asyncio.to_thread(_forget, snapshot, [str(row["id"]) for row in rows])


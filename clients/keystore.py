"""Client data keys live outside the main database: a SQLite file under `<data_dir>/keys/` by
default, a separate PostgreSQL database (LOTSE_KEYSTORE_URL) on servers. Backups of the main
database thus hold only ciphertext, and deleting a key here erases that client in all of them;
the key store gets its own short-lived backups (see README), so an erased key ages out there too.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS client_key ("
    " client_id TEXT PRIMARY KEY, wrapped BLOB NOT NULL, kek_id TEXT NOT NULL,"
    " created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
)
_PG_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS client_key ("
    " client_id uuid PRIMARY KEY, wrapped bytea NOT NULL, kek_id text NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now())"
)


@dataclass(frozen=True)
class StoredKey:
    wrapped: bytes
    kek_id: str


@dataclass(frozen=True)
class Rewrap:
    """One key of a rotation: replaced only if it is still wrapped under `old_kek_id`."""

    client_id: UUID
    old_kek_id: str
    wrapped: bytes
    kek_id: str


class KeyStore(Protocol):
    async def put(self, client_id: UUID, wrapped: bytes, kek_id: str) -> None: ...

    async def get(self, client_id: UUID) -> StoredKey | None: ...

    async def delete(self, client_id: UUID) -> bool: ...

    async def client_ids(self, created_before: datetime) -> set[UUID]: ...

    async def compact(self) -> None: ...

    async def not_under(
        self, kek_id: str, after: UUID | None, limit: int
    ) -> list[tuple[UUID, StoredKey]]: ...

    async def rewrap(self, items: list[Rewrap]) -> int: ...

    async def count_by_kek(self) -> dict[str, int]: ...


class SqliteKeyStore:
    """One small SQLite file; `secure_delete` overwrites a deleted key rather than freeing it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA secure_delete = ON")
        if not self._ready:
            conn.execute(_SCHEMA)
            self.path.chmod(0o600)
            self._ready = True
        return conn

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = self._connect()
        try:
            rows = conn.execute(sql, params).fetchall()
            return rows
        finally:
            conn.close()

    async def put(self, client_id: UUID, wrapped: bytes, kek_id: str) -> None:
        await asyncio.to_thread(
            self._run,
            "INSERT INTO client_key (client_id, wrapped, kek_id) VALUES (?, ?, ?)",
            (str(client_id), wrapped, kek_id),
        )

    async def get(self, client_id: UUID) -> StoredKey | None:
        rows = await asyncio.to_thread(
            self._run,
            "SELECT wrapped, kek_id FROM client_key WHERE client_id = ?",
            (str(client_id),),
        )
        return StoredKey(bytes(rows[0][0]), rows[0][1]) if rows else None

    async def delete(self, client_id: UUID) -> bool:
        rows = await asyncio.to_thread(
            self._run,
            "DELETE FROM client_key WHERE client_id = ? RETURNING client_id",
            (str(client_id),),
        )
        return bool(rows)

    async def client_ids(self, created_before: datetime) -> set[UUID]:
        cutoff = created_before.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        rows = await asyncio.to_thread(
            self._run, "SELECT client_id FROM client_key WHERE created_at < ?", (cutoff,)
        )
        return {UUID(row[0]) for row in rows}

    async def compact(self) -> None:
        await asyncio.to_thread(self._run, "VACUUM")

    async def not_under(
        self, kek_id: str, after: UUID | None, limit: int
    ) -> list[tuple[UUID, StoredKey]]:
        rows = await asyncio.to_thread(
            self._run,
            "SELECT client_id, wrapped, kek_id FROM client_key WHERE kek_id != ?"
            " AND client_id > ? ORDER BY client_id LIMIT ?",
            (kek_id, str(after) if after else "", limit),
        )
        return [(UUID(row[0]), StoredKey(bytes(row[1]), row[2])) for row in rows]

    def _rewrap(self, items: list[Rewrap]) -> int:
        conn = self._connect()
        try:
            # One transaction per batch: a crash leaves each key wholly old or wholly new.
            conn.execute("BEGIN IMMEDIATE")
            changed = 0
            for item in items:
                changed += conn.execute(
                    "UPDATE client_key SET wrapped = ?, kek_id = ?"
                    " WHERE client_id = ? AND kek_id = ?",
                    (item.wrapped, item.kek_id, str(item.client_id), item.old_kek_id),
                ).rowcount
            conn.execute("COMMIT")
            return changed
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    async def rewrap(self, items: list[Rewrap]) -> int:
        return await asyncio.to_thread(self._rewrap, items)

    async def count_by_kek(self) -> dict[str, int]:
        rows = await asyncio.to_thread(
            self._run, "SELECT kek_id, count(*) FROM client_key GROUP BY kek_id"
        )
        return {row[0]: row[1] for row in rows}


class PostgresKeyStore:
    """A table in a database of its own; `compact` vacuums so deleted keys leave the data files."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        # A pool belongs to one event loop; test clients and CLI commands each run their own,
        # and a test process serves from a thread beside its own loop: one pool per loop.
        self._pools: dict[asyncio.AbstractEventLoop, Any] = {}
        # The first requests of a loop wait for one pool rather than each making its own.
        self._making: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    async def _acquire_pool(self) -> Any:
        import asyncpg

        loop = asyncio.get_running_loop()
        for other in [known for known in self._pools if known.is_closed()]:
            del self._pools[other]
            self._making.pop(other, None)
        if loop in self._pools:
            return self._pools[loop]
        async with self._making.setdefault(loop, asyncio.Lock()):
            if loop not in self._pools:
                pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=4)
                try:
                    async with pool.acquire() as conn, conn.transaction():
                        # CREATE TABLE IF NOT EXISTS fails in one of two processes that run
                        # it at once; the lock makes the second wait and find the table.
                        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('client_key'))")
                        await conn.execute(_PG_SCHEMA)
                except BaseException:
                    # Closed here, on its loop, rather than by the garbage collector.
                    pool.terminate()
                    raise
                self._pools[loop] = pool
        return self._pools[loop]

    async def put(self, client_id: UUID, wrapped: bytes, kek_id: str) -> None:
        pool = await self._acquire_pool()
        await pool.execute(
            "INSERT INTO client_key (client_id, wrapped, kek_id) VALUES ($1, $2, $3)",
            client_id,
            wrapped,
            kek_id,
        )

    async def get(self, client_id: UUID) -> StoredKey | None:
        pool = await self._acquire_pool()
        row = await pool.fetchrow(
            "SELECT wrapped, kek_id FROM client_key WHERE client_id = $1", client_id
        )
        return StoredKey(bytes(row["wrapped"]), row["kek_id"]) if row else None

    async def delete(self, client_id: UUID) -> bool:
        pool = await self._acquire_pool()
        row = await pool.fetchrow(
            "DELETE FROM client_key WHERE client_id = $1 RETURNING client_id", client_id
        )
        return row is not None

    async def client_ids(self, created_before: datetime) -> set[UUID]:
        pool = await self._acquire_pool()
        rows = await pool.fetch(
            "SELECT client_id FROM client_key WHERE created_at < $1", created_before
        )
        return {row["client_id"] for row in rows}

    async def compact(self) -> None:
        pool = await self._acquire_pool()
        await pool.execute("VACUUM client_key")

    async def not_under(
        self, kek_id: str, after: UUID | None, limit: int
    ) -> list[tuple[UUID, StoredKey]]:
        pool = await self._acquire_pool()
        rows = await pool.fetch(
            "SELECT client_id, wrapped, kek_id FROM client_key WHERE kek_id != $1"
            " AND ($2::uuid IS NULL OR client_id > $2) ORDER BY client_id LIMIT $3",
            kek_id, after, limit,
        )
        return [(row["client_id"], StoredKey(bytes(row["wrapped"]), row["kek_id"]))
                for row in rows]

    async def rewrap(self, items: list[Rewrap]) -> int:
        pool = await self._acquire_pool()
        # One statement per batch: atomic, and one round trip instead of one per key.
        status = await pool.execute(
            "UPDATE client_key AS k SET wrapped = v.wrapped, kek_id = v.kek_id"
            " FROM unnest($1::uuid[], $2::bytea[], $3::text[], $4::text[])"
            " AS v(client_id, wrapped, kek_id, old_kek_id)"
            " WHERE k.client_id = v.client_id AND k.kek_id = v.old_kek_id",
            [i.client_id for i in items], [i.wrapped for i in items],
            [i.kek_id for i in items], [i.old_kek_id for i in items],
        )
        return int(status.split()[-1])

    async def count_by_kek(self) -> dict[str, int]:
        pool = await self._acquire_pool()
        rows = await pool.fetch("SELECT kek_id, count(*) AS n FROM client_key GROUP BY kek_id")
        return {row["kek_id"]: row["n"] for row in rows}


def open_keystore(url: str) -> KeyStore:
    if url.startswith("sqlite:///"):
        return SqliteKeyStore(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresKeyStore(url)
    raise ValueError(f"unsupported key store URL scheme: {url.split(':', 1)[0]!r}")


@lru_cache(maxsize=4)
def _keystore_for(url: str) -> KeyStore:
    return open_keystore(url)


def get_keystore() -> KeyStore:
    from settings import get_settings

    return _keystore_for(get_settings().keystore_url)

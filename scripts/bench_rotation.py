"""Times `lotse keys rotate` on a SQLite key store and, when reachable, a PostgreSQL one.

Usage: .venv/bin/python scripts/bench_rotation.py [keys] [batch_size]
Fills a fresh key store with `keys` client keys (default 20,000) under an old master key, then
re-wraps them all under a new one and prints keys per second and the time per batch.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = os.environ.get("LOTSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
OLD = "bench-old-master-key-0123456789-abcdefgh"
NEW = "bench-new-master-key-0123456789-ijklmnop"


def postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


def wrapped_keys(count: int) -> list[tuple[object, bytes, str]]:
    from clients import crypto

    old = crypto.derive_instance_key(OLD)
    kid = crypto.key_id(old)
    rows: list[tuple[object, bytes, str]] = []
    for _ in range(count):
        client_id = uuid4()
        rows.append((client_id, crypto.wrap_key(crypto.new_data_key(), old, client_id), kid))
    return rows


def fill_sqlite(path: Path, rows: list[tuple[object, bytes, str]]) -> None:
    from clients.keystore import _SCHEMA

    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute(_SCHEMA)
        conn.executemany("INSERT INTO client_key (client_id, wrapped, kek_id) VALUES (?, ?, ?)",
                         [(str(c), w, k) for c, w, k in rows])


async def fill_postgres(url: str, rows: list[tuple[object, bytes, str]]) -> None:
    import asyncpg

    from clients.keystore import _PG_SCHEMA

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(_PG_SCHEMA)
        await conn.copy_records_to_table("client_key", records=rows,
                                         columns=["client_id", "wrapped", "kek_id"])
    finally:
        await conn.close()


async def admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def rotate(url: str, batch_size: int) -> tuple[float, int, int]:
    import settings
    from clients import keystore, rotation

    os.environ["LOTSE_KEYSTORE_URL"] = url
    settings.get_settings.cache_clear()
    keystore._keystore_for.cache_clear()
    batches = 0

    def progress(_count: int) -> None:
        nonlocal batches
        batches += 1

    started = time.perf_counter()
    report = asyncio.run(rotation.rotate(batch_size, progress))
    return time.perf_counter() - started, report.rotated, batches


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    batch_size = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    tmp = Path(tempfile.mkdtemp(prefix="lotse-bench-rotation-"))
    os.environ.update({"LOTSE_DATA_DIR": str(tmp), "LOTSE_SECRET_KEY": "s" * 40,
                       "DATABASE_URL": f"sqlite:///{tmp / 'main.sqlite'}",
                       "LOTSE_MASTER_KEY": NEW, "LOTSE_MASTER_KEY_PREVIOUS": OLD})
    rows = wrapped_keys(count)
    print(f"{count} client keys, batches of {batch_size}")

    path = tmp / "keys.sqlite"
    fill_sqlite(path, rows)
    seconds, rotated, batches = rotate(f"sqlite:///{path}", batch_size)
    print(f"SQLite key store:     {rotated} re-wrapped in {seconds:.2f} s = "
          f"{rotated / seconds:,.0f} keys/s, {1000 * seconds / max(batches, 1):.1f} ms per batch")

    if not postgres_reachable():
        print("PostgreSQL key store: skipped (nothing answers on 127.0.0.1:5432)")
        return
    name = f"lotse_bench_keys_{os.getpid()}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        asyncio.run(fill_postgres(url, rows))
        seconds, rotated, batches = rotate(url, batch_size)
        print(f"PostgreSQL key store: {rotated} re-wrapped in {seconds:.2f} s = "
              f"{rotated / seconds:,.0f} keys/s, {1000 * seconds / max(batches, 1):.1f} ms per "
              "batch")
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

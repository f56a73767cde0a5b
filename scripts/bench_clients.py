"""Times the client data paths on SQLite and, when reachable, on PostgreSQL.

Usage: .venv/bin/python scripts/bench_clients.py [clients] [reads]
Prints per-operation milliseconds for recording a client (key + sealing), a logged read of
personal data (decrypt + audit entry), concurrent reads, the audit chain check and erasure.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("LOTSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


async def pg_database(action: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        if action == "create":
            await connection.execute(f'CREATE DATABASE "{name}"')
        else:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


async def measure(clients: int, reads: int) -> None:
    from piccolo.engine.postgres import PostgresEngine

    from accounts.audit import verify_chain
    from accounts.identity import load_user
    from accounts.users import create_user
    from clients.api import (
        CATEGORIES,
        PersonalData,
        create_client,
        erase_client,
        reveal_personal_data,
    )
    from core.db import engine
    from core.migrate import migrate
    from directory import api as directory
    from domains import install

    install()
    await migrate()
    db = engine()
    if isinstance(db, PostgresEngine):
        # As in the web process: a connection pool, not a connection per query.
        await db.start_connection_pool(max_size=10)
    org_id = await directory.create_organization(
        directory.OrganizationCreate(name="Bench", kind="welfare"))
    user_id = await create_user(
        "bench@example.org", "Bench", "bench-password-1", [(org_id, "case_manager")]
    )
    actor = await load_user(user_id)
    assert actor is not None
    person = PersonalData(given_name="Aylin", family_name="Yilmaz", languages=["tr", "de"],
                          district="Styrum", notes="x" * 400)

    started = time.perf_counter()
    ids = [(await create_client(actor, person, "127.0.0.1")).id for _ in range(clients)]
    create_ms = (time.perf_counter() - started) * 1000 / clients

    started = time.perf_counter()
    for i in range(reads):
        await reveal_personal_data(ids[i % clients], list(CATEGORIES), actor, "127.0.0.1")
    read_ms = (time.perf_counter() - started) * 1000 / reads

    async def reader(offset: int) -> None:
        for i in range(reads // 8):
            await reveal_personal_data(ids[(offset + i) % clients], ["identity"], actor, "::1")

    started = time.perf_counter()
    await asyncio.gather(*(reader(n * 7) for n in range(8)))
    concurrent_per_s = (reads // 8 * 8) / (time.perf_counter() - started)

    started = time.perf_counter()
    result = await verify_chain()
    verify_s = time.perf_counter() - started
    assert result.ok

    erase_count = min(100, clients)
    started = time.perf_counter()
    for client_id in ids[:erase_count]:
        await erase_client(client_id, actor, "127.0.0.1")
    erase_ms = (time.perf_counter() - started) * 1000 / erase_count

    name = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"{name:10} record client {create_ms:6.2f} ms   logged read {read_ms:6.2f} ms   "
          f"8 concurrent readers {concurrent_per_s:7.0f} reads/s   "
          f"verify {result.checked} entries {verify_s:5.2f} s   erase {erase_ms:6.2f} ms")


def run_child(database_url: str, data_dir: str, args: list[str]) -> None:
    env = dict(os.environ, PICCOLO_CONF="piccolo_conf", LOTSE_DATA_DIR=data_dir,
               DATABASE_URL=database_url, LOTSE_DB_POOL="false")
    env["LOTSE_SECRET_KEY"] = "bench-" + "0123456789" * 4
    subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        sys.path.insert(0, str(ROOT))
        clients, reads = (int(v) for v in sys.argv[2:4])
        asyncio.run(measure(clients, reads))
        return
    given = sys.argv[1:3]
    args = given + ["300", "1000"][len(given):]
    with tempfile.TemporaryDirectory(prefix="lotse-bench-clients-") as data_dir:
        run_child(f"sqlite:///{data_dir}/bench.sqlite", data_dir, args)
        if postgres_reachable():
            name = f"lotse_bench_clients_{os.getpid()}"
            asyncio.run(pg_database("create", name))
            try:
                run_child(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, data_dir, args)
            finally:
                asyncio.run(pg_database("drop", name))
        else:
            print("PostgreSQL    not reachable on 127.0.0.1:5432: skipped")


if __name__ == "__main__":
    main()

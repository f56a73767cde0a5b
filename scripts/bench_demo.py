"""Times `load_demo()` on a fresh SQLite database and, when reachable, on PostgreSQL.

Usage: .venv/bin/python scripts/bench_demo.py
Prints the seconds of the first load (empty database) and of a second run (already loaded).
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


async def measure() -> None:
    from core.migrate import migrate
    from directory.demo import load_demo

    await migrate()
    started = time.perf_counter()
    first = await load_demo()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    second = await load_demo()
    again = time.perf_counter() - started
    assert not first.already_loaded and second.already_loaded
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"{engine:10} first load {loaded:6.2f} s  ({first.organizations} organisations, "
          f"{first.offers} offers)   second run {again:6.2f} s")


async def pg_database(action: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        if action == "create":
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
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


def run_child(database_url: str, data_dir: str) -> None:
    env = dict(os.environ, PICCOLO_CONF="piccolo_conf", LOTSE_DATA_DIR=data_dir,
               DATABASE_URL=database_url, LOTSE_DB_POOL="false")
    subprocess.run([sys.executable, __file__, "--child"], cwd=ROOT, env=env, check=True)


def main() -> None:
    if sys.argv[1:] == ["--child"]:
        sys.path.insert(0, str(ROOT))
        asyncio.run(measure())
        return
    with tempfile.TemporaryDirectory(prefix="lotse-bench-demo-") as data_dir:
        run_child(f"sqlite:///{data_dir}/demo.sqlite", data_dir)
        if postgres_reachable():
            name = f"lotse_bench_demo_{os.getpid()}"
            asyncio.run(pg_database("create", name))
            try:
                run_child(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, data_dir)
            finally:
                asyncio.run(pg_database("drop", name))
        else:
            print("PostgreSQL    not reachable on 127.0.0.1:5432: skipped")


if __name__ == "__main__":
    main()

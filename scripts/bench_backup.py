#!/usr/bin/env python3
"""Backup and restore of a large installation: time and size, on SQLite and PostgreSQL.

    .venv/bin/python scripts/bench_backup.py [--offers 100000] [--referrals 100000]
        [--engine sqlite|postgres|both] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

For each engine: a fresh database (on loopback) gets the made-up offers of the search benchmark,
a small exchange (organisations, people, a client with consent) and REFERRALS sent referrals
with their transitions; then `lotse backup DIR` runs and `lotse restore DIR` restores into a
second, empty database (with its own data folder and key store). Prints the wall time of both
commands as a person runs them, the restore's split into database (load and checks) and search
index rebuild, and the size of the backup folder per file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

from referrals.tests.loadkit import Target, postgres_target, sqlite_target  # noqa: E402

BATCH = 1000


async def _clone_referrals(count: int) -> None:
    """`count` copies of the one sent referral the exchange seed made, each with its
    transition (cloned rows: every column as the exchange writes it)."""
    from piccolo.conf.apps import Finder

    from core.db import atomic

    finder = Finder()
    referral: Any = finder.get_table_with_name("referrals", "Referral")
    transition: Any = finder.get_table_with_name("referrals", "ReferralTransition")
    template = await referral.select().first()
    assert template is not None
    step = await transition.select().where(transition.referral == template["id"]).first()
    assert step is not None
    made = 1
    while made < count:
        size = min(BATCH, count - made)
        rows, steps = [], []
        for _ in range(size):
            new_id = uuid.uuid4()
            rows.append(referral(**{**template, "id": new_id}))
            steps.append(transition(**{**step, "id": uuid.uuid4(), "referral": new_id}))
        async with atomic():
            await referral.insert(*rows)
            await transition.insert(*steps)
        made += size


async def seed(offers: int, referrals: int) -> None:
    from core.migrate import migrate
    from referrals.tests import loadkit
    from search import synthetic, synthetic_db

    await migrate()
    terms = await synthetic_db.write_taxonomy()
    await synthetic_db.write_offers(synthetic.offers(offers), terms)
    await loadkit.seed(referrals=1, places=10)
    if referrals > 1:
        await _clone_referrals(referrals)


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env={**env, "COLUMNS": "400"},
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:])} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def _lotse(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def bench(source: Target, restored: Target, offers: int, referrals: int, folder: Path) -> None:
    print(f"\n{source.name}: {offers} offers, {referrals} referrals")
    started = time.perf_counter()
    env = {**source.env, "LOTSE_RUN_DISPATCHER": "false"}
    subprocess.run([sys.executable, __file__, "--seed", "--offers", str(offers),
                    "--referrals", str(referrals)], cwd=ROOT, env=env, check=True)
    print(f"  data set written in {time.perf_counter() - started:.1f} s")
    backup = folder / f"backup-{source.name.lower()}"
    seconds, out = _timed(_lotse("backup", str(backup)), env)
    sizes = {p.name: p.stat().st_size for p in sorted(backup.iterdir())}
    listed = ", ".join(f"{name} {size / 1_000_000:.1f} MB" for name, size in sizes.items())
    inner = re.search(r" in ([\d.]+) s ", out)
    snapshot = f", snapshot itself {inner[1]} s" if inner else ""
    print(f"  lotse backup:  {seconds:6.1f} s{snapshot}; {sum(sizes.values()) / 1_000_000:.1f} MB "
          f"({listed})")
    quiet = {**restored.env, "LOTSE_RUN_DISPATCHER": "false"}
    seconds, out = _timed(_lotse("restore", str(backup)), quiet)
    split = re.search(r"database ([\d.]+) s, index ([\d.]+) s", out)
    detail = f" (database {split[1]} s, search index {split[2]} s)" if split else ""
    print(f"  lotse restore: {seconds:6.1f} s{detail} (command wall time includes starting "
          "Python and the checks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url",
                        default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        import domains

        domains.install()
        asyncio.run(seed(args.offers, args.referrals))
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    with tempfile.TemporaryDirectory(prefix="lotse-bench-backup-") as folder:
        for engine in engines:
            source_target: AbstractContextManager[Target] = (
                sqlite_target() if engine == "sqlite" else postgres_target(args.postgres_url)
            )
            with source_target as source:
                restored = _second_target(source, Path(folder) / f"restored-{engine}",
                                          args.postgres_url)
                try:
                    bench(source, restored, args.offers, args.referrals, Path(folder))
                finally:
                    if engine == "postgres":
                        _admin(args.postgres_url,
                               f'DROP DATABASE IF EXISTS "{_name(restored)}" WITH (FORCE)')


def _name(target: Target) -> str:
    return target.env["DATABASE_URL"].rsplit("/", 1)[1]


def _second_target(source: Target, folder: Path, admin_url: str) -> Target:
    """An empty database and data folder beside the source, with the same secret key."""
    env = {**source.env, "LOTSE_DATA_DIR": str(folder / "data")}
    if source.env["DATABASE_URL"].startswith("sqlite:///"):
        env["DATABASE_URL"] = f"sqlite:///{folder / 'restored.sqlite'}"
    else:
        env["DATABASE_URL"] = source.env["DATABASE_URL"] + "_r"
        _admin(admin_url, f'CREATE DATABASE "{_name(source)}_r"')
    return Target(source.name, env)


def _admin(admin_url: str, sql: str) -> None:
    import asyncpg

    async def execute() -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(execute())


if __name__ == "__main__":
    main()

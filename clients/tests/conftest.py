"""Fixtures of the clients domain's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import TEST_DB, run


@pytest.fixture
def keystore_url(tmp_path: Path) -> Iterator[str]:
    """A key store of its own: a throwaway PostgreSQL database in the PostgreSQL half of the
    suite, a SQLite file otherwise."""
    if TEST_DB != "postgres":
        yield f"sqlite:///{tmp_path / 'keys' / 'client_keys.sqlite'}"
        return
    import asyncpg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"lotse_test_keys_{os.getpid()}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(base + "/postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    run(admin(f'DROP DATABASE IF EXISTS "{name}"'))
    run(admin(f'CREATE DATABASE "{name}"'))
    yield f"{base}/{name}"
    run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

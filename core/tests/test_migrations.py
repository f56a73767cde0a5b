"""The schema comes from the migrations on both engines, and an existing database upgrades."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from conftest import PG_URL, TEST_DB, all_tables, run
from core.db import engine, is_sqlite

ROOT = Path(__file__).resolve().parents[2]


async def _columns(table: str) -> set[str]:
    if is_sqlite():
        rows = await engine().run_ddl(f'PRAGMA table_info("{table}")')
        return {row["name"] for row in rows}
    rows = await engine().run_ddl(
        "SELECT column_name FROM information_schema.columns "
        f"WHERE table_schema = 'public' AND table_name = '{table}'"
    )
    return {row["column_name"] for row in rows}


def test_every_table_and_column_in_the_code_exists_after_migrating(migrated: None) -> None:
    for table in all_tables():
        in_database = run(_columns(table._meta.tablename))
        in_code = {c._meta.db_column_name for c in table._meta.columns}
        missing = in_code - in_database
        assert not missing, f"{table._meta.tablename}: no migration creates {sorted(missing)}"


UPGRADE_SCRIPT = textwrap.dedent(
    """
    import asyncio, uuid
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.conf.apps import Finder
    from core.db import engine
    from core.migrate import migrate

    async def main():
        # The oldest schema: the first migration of every domain.
        manager = BaseMigrationManager()
        for app in Finder().get_app_registry().app_configs.values():
            modules = manager.get_migration_modules(app.migrations_folder_path)
            ids = sorted(manager.get_migration_ids(modules))
            if ids:
                result = await run_forwards(app_name=app.app_name, migration_id=ids[0])
                assert result.success, result.message
        org = str(uuid.uuid4())
        await engine().run_ddl(
            "INSERT INTO organization (id, name, alternate_name, description, email, website, "
            "legal_status, kind, created_at, last_modified) VALUES "
            f"('{org}', 'Alte Daten e.V.', NULL, '', NULL, NULL, NULL, 'club', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        await migrate()
        await migrate()
        rows = await engine().run_ddl(f"SELECT name FROM organization WHERE id = '{org}'")
        assert rows and rows[0]["name"] == "Alte Daten e.V.", rows
        print("upgraded")

    asyncio.run(main())
    """
)


def _fresh_database(tmp_path: Path) -> tuple[str, Any]:
    if TEST_DB != "postgres":
        return f"sqlite:///{tmp_path / 'upgrade.sqlite'}", None
    import asyncpg

    name = f"lotse_upgrade_{os.getpid()}"

    async def create() -> None:
        connection = await asyncpg.connect(PG_URL)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    async def drop() -> None:
        connection = await asyncpg.connect(PG_URL)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()

    run(create())
    return PG_URL.rsplit("/", 1)[0] + "/" + name, drop


@pytest.mark.slow
def test_a_database_at_the_first_migrations_upgrades_keeping_its_data(tmp_path: Path) -> None:
    url, cleanup = _fresh_database(tmp_path)
    try:
        env = {**os.environ, "DATABASE_URL": url, "LOTSE_DATA_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-c", UPGRADE_SCRIPT], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=300, check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "upgraded" in result.stdout
    finally:
        if cleanup is not None:
            run(cleanup())

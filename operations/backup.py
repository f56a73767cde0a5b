"""`lotse backup DIR`: a consistent snapshot of a running installation.

The main database is copied inside one read transaction: on SQLite with the online backup API
from that transaction's own connection, on PostgreSQL by `pg_dump --format=custom` importing the
transaction's exported snapshot. The row counts, the applied migrations and the audit head of the
manifest are read in that same transaction, so they describe exactly what was written, however
many requests write meanwhile. The key store is copied afterwards into a file of its own
(`keys.sqlite`): a key is stored before its client, so every client in the snapshot finds its key,
and a client erased in between simply has none (as it should).

The folder appears complete or not at all: everything is written to a hidden sibling folder
that is renamed at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from accounts import api as accounts
from clients import api as clients
from core.db import engine, is_sqlite
from operations.manifest import (
    FORMAT,
    KEYS,
    MAIN_POSTGRES,
    MAIN_SQLITE,
    MANIFEST,
    AuditHead,
    KeysEntry,
    Manifest,
    applied_migrations,
    checksum,
    table_counts,
    write,
)
from settings import get_settings


class BackupError(RuntimeError):
    """The backup could not be written; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    audit: AuditHead


async def _describe() -> Snapshot:
    entries, head_hash = await accounts.audit_head()
    return Snapshot(
        migrations=await applied_migrations(),
        counts=await table_counts(),
        audit=AuditHead(entries=entries, head_hash=head_hash),
    )


def postgres_command(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore, the password in the environment only
    (never on a command line others can read in the process list)."""
    parts = urlsplit(url)
    args = [
        "--host", parts.hostname or "127.0.0.1",
        "--port", str(parts.port or 5432),
        "--username", unquote(parts.username or "postgres"),
        "--dbname", parts.path.lstrip("/") or "postgres",
    ]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return args, env


async def run_tool(command: list[str], env: dict[str, str], setting: str) -> None:
    """Run pg_dump / pg_restore; a failure becomes an error with the tool's own last words."""
    try:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} was not found: install the PostgreSQL client programs or name the "
            f"program in {setting}"
        ) from None
    _out, err = await process.communicate()
    if process.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-5:]
        raise BackupError(f"{Path(command[0]).name} failed: " + " / ".join(last))


async def _sqlite_snapshot(path: Path) -> Snapshot:
    db = engine()
    # Deferred: the first read fixes the snapshot; the backup below copies that same snapshot
    # through the same connection, while writers go on (WAL).
    async with cast(Any, db).transaction() as transaction:
        described = await _describe()
        target = sqlite3.connect(path, check_same_thread=False)
        try:
            await transaction.connection.backup(target)
        finally:
            target.close()
    return described


async def _postgres_snapshot(path: Path) -> Snapshot:
    settings = get_settings()
    db = engine()
    async with cast(Any, db).transaction():
        await db.run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        exported = await db.run_ddl("SELECT pg_export_snapshot() AS id")
        described = await _describe()
        args, env = postgres_command(settings.database_url)
        # The dump reads the snapshot of this transaction, which stays open until it is done.
        await run_tool(
            [settings.pg_dump, "--format=custom", f"--snapshot={exported[0]['id']}",
             "--no-owner", "--no-privileges", "--file", str(path), *args],
            env, "LOTSE_PG_DUMP",
        )
    return described


def _check_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty folder; name a new one")


def _prepare(target: Path) -> tuple[Path, Path]:
    """The target folder (absolute) and the hidden folder the backup is written to first."""
    target = target.resolve()
    _check_target(target)
    partial = target.parent / f".{target.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True, mode=0o700)
    return target, partial


def _finish(partial: Path, target: Path, files: tuple[str, ...]) -> None:
    for file in files:
        (partial / file).chmod(0o600)
    _check_target(target)
    if target.exists():
        target.rmdir()
    partial.rename(target)


async def take_backup(target: Path) -> Manifest:
    """Write the snapshot, the key store and the manifest to the new folder `target`."""
    target, partial = _prepare(target)
    try:
        created_at = datetime.now(UTC)
        if is_sqlite():
            main, name = MAIN_SQLITE, "sqlite"
            snapshot = await _sqlite_snapshot(partial / main)
        else:
            main, name = MAIN_POSTGRES, "postgresql"
            snapshot = await _postgres_snapshot(partial / main)
        keys_taken = datetime.now(UTC)
        keys = await clients.snapshot_keys(partial / KEYS)
        manifest = Manifest(
            format=FORMAT,
            created_at=created_at,
            engine=name,
            migrations=snapshot.migrations,
            counts=snapshot.counts,
            audit=snapshot.audit,
            keys=KeysEntry(taken_at=keys_taken, keys=keys),
            files={file: checksum(partial / file) for file in (main, KEYS)},
        )
        write(partial, manifest)
        _finish(partial, target, (main, KEYS, MANIFEST))
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest

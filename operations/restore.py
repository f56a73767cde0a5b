"""`lotse restore DIR`: a backup back into an empty database, checked against its manifest.

Refused before anything is written: a damaged or incomplete folder (checksums), a backup of the
other engine or of a newer Lotse (unknown migrations), a database that holds any table, and a
key-store snapshot older than LOTSE_KEY_BACKUP_DAYS (it could bring back the key of a client
erased since). Then the main database is loaded (SQLite: into a new file renamed into place;
PostgreSQL: `pg_restore --single-transaction`) and must show the manifest's row counts and an
intact audit chain ending at the recorded head hash; otherwise it is emptied again.

Keys: a key store that survived (its file or table is there, even without a key) is kept, since
it has already forgotten every client erased after the backup; where there is none, the
snapshot is loaded. Either way, erasures are
re-applied afterwards: a client that has no key any more is erased again (its open referrals
are cancelled), and keys of clients that are erased or unknown are destroyed. Finally pending
migrations run and the search index is rebuilt from the restored offers.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from accounts import api as accounts
from clients import api as clients
from core.db import engine, is_sqlite
from core.migrate import migrate
from operations.backup import BackupError, postgres_command, run_tool
from operations.manifest import (
    KEYS,
    MAIN_POSTGRES,
    MAIN_SQLITE,
    Manifest,
    read,
    table_counts,
    table_names,
    unknown_migrations,
    verify_files,
)
from search import api as search
from settings import get_settings


class RestoreError(RuntimeError):
    """The restore was refused or failed; nothing of it stays behind. The message says why."""


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    audit_entries: int
    head_hash: str
    # "restored" (from the backup), "kept" (the key store present) or "none" (--without-keys).
    keys_source: str
    keys: int
    erased_again: int
    keys_destroyed: int
    offers_indexed: int
    # Seconds spent loading and checking the database, and rebuilding the search index.
    load_seconds: float
    index_seconds: float


def key_snapshot_refusal(manifest: Manifest, now: datetime, retention_days: int) -> str | None:
    """Why the backup's key-store snapshot may not be loaded, or None when it may."""
    if manifest.keys.destroyed_at is not None:
        return "its key-store snapshot was destroyed after its retention"
    age = now - manifest.keys.taken_at
    if age > timedelta(days=retention_days):
        return (
            f"its key-store snapshot is {age.days} days old, older than "
            f"LOTSE_KEY_BACKUP_DAYS={retention_days}: it could bring back the key of a client "
            "erased since"
        )
    return None


async def _refusals(folder: Path, manifest: Manifest) -> None:
    try:
        verify_files(folder, manifest)
    except ValueError as error:
        raise RestoreError(str(error)) from error
    here = "sqlite" if is_sqlite() else "postgresql"
    if manifest.engine != here:
        raise RestoreError(
            f"this is a backup of a {manifest.engine} database; DATABASE_URL names {here}"
        )
    newer = await unknown_migrations(manifest)
    if newer:
        raise RestoreError(
            "the backup comes from a newer Lotse (unknown migrations: "
            f"{', '.join(newer[:3])}); restore it with that version"
        )
    if is_sqlite():
        _make_parent(get_settings().sqlite_path)
    try:
        present = await table_names()
    except Exception as error:
        raise RestoreError(
            f"the database of DATABASE_URL cannot be opened ({type(error).__name__}); "
            "create it empty first"
        ) from error
    if present:
        raise RestoreError(
            f"the database is not empty ({len(present)} tables): restore only into a new, "
            "empty database (PostgreSQL: a new database; SQLite: no file at its path)"
        )


def _make_parent(path: Path) -> None:
    """A new installation has no data folder yet: the restore makes it."""
    path.parent.mkdir(parents=True, exist_ok=True)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _load_sqlite(snapshot: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    loading = path.with_name(f".{path.name}.restoring")
    loading.unlink(missing_ok=True)
    with sqlite3.connect(snapshot) as source, sqlite3.connect(loading) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    # The empty file found at the path (and its journal) gives way to the complete copy.
    for stale in _sqlite_files(path)[1:]:
        stale.unlink(missing_ok=True)
    os.replace(loading, path)


async def _load_main(folder: Path) -> None:
    settings = get_settings()
    if is_sqlite():
        _load_sqlite(folder / MAIN_SQLITE, settings.sqlite_path)
        return
    args, env = postgres_command(settings.database_url)
    await run_tool(
        [settings.pg_restore, "--single-transaction", "--exit-on-error", "--no-owner",
         "--no-privileges", *args, str(folder / MAIN_POSTGRES)],
        env, "LOTSE_PG_RESTORE",
    )


async def _empty_main() -> None:
    """Undo a load that failed its checks: the database is left as empty as it was found."""
    if is_sqlite():
        for file in _sqlite_files(get_settings().sqlite_path):
            file.unlink(missing_ok=True)
        return
    await engine().run_ddl("DROP SCHEMA public CASCADE")
    await engine().run_ddl("CREATE SCHEMA public")


async def _check_against(manifest: Manifest) -> int:
    counts = await table_counts()
    if counts != manifest.counts:
        differing = sorted(
            name for name in set(counts) | set(manifest.counts)
            if counts.get(name) != manifest.counts.get(name)
        )
        raise RestoreError(f"the restored row counts differ from the manifest: {differing[:5]}")
    chain = await accounts.verify_audit_chain()
    if not chain.ok:
        raise RestoreError(f"the restored audit log is broken at entry {chain.first_bad_id}")
    if (chain.checked, chain.head_hash) != (manifest.audit.entries, manifest.audit.head_hash):
        raise RestoreError(
            f"the restored audit log ends at {chain.head_hash} after {chain.checked} entries, "
            f"the manifest recorded {manifest.audit.head_hash} after {manifest.audit.entries}"
        )
    return sum(counts.values())


async def restore(folder: Path, *, without_keys: bool = False,
                  now: datetime | None = None) -> RestoreReport:
    settings = get_settings()
    manifest = read(folder)
    await _refusals(folder, manifest)
    # Asked first: counting the keys would set up a key store that is not there.
    keystore_there = await clients.keystore_exists()
    present_keys = await clients.key_count() if keystore_there else 0
    if keystore_there:
        keys_source = "kept"
    elif without_keys:
        keys_source = "none"
    else:
        keys_source = "restored"
        refusal = key_snapshot_refusal(manifest, now or datetime.now(UTC),
                                       settings.key_backup_days)
        if refusal:
            raise RestoreError(
                f"{refusal}. Restore with --without-keys: the offers, referrals and accounts "
                "come back, the clients' personal data stays unreadable"
            )
    started = time.monotonic()
    try:
        await _load_main(folder)
        rows = await _check_against(manifest)
    except BaseException as error:
        await _empty_main()
        if isinstance(error, BackupError):
            raise RestoreError(str(error)) from error
        raise
    keys = present_keys
    if keys_source == "restored":
        keys = await clients.restore_keys(folder / KEYS)
    await migrate()
    erased_again = 0
    if keys_source != "none":
        # Erased after the backup was taken: the key is gone, the record is erased once more.
        for client_id in await clients.clients_without_key():
            await clients.erase_client(client_id, None, "", reason="request")
            erased_again += 1
    destroyed = await clients.purge_orphan_keys(datetime.now(UTC) + timedelta(days=1))
    loaded = time.monotonic()
    offers = await search.rebuild_index()
    return RestoreReport(
        tables=len(manifest.counts),
        rows=rows,
        audit_entries=manifest.audit.entries,
        head_hash=manifest.audit.head_hash,
        keys_source=keys_source,
        keys=keys - destroyed,
        erased_again=erased_again,
        keys_destroyed=destroyed,
        offers_indexed=offers,
        load_seconds=loaded - started,
        index_seconds=time.monotonic() - loaded,
    )

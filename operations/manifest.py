"""The manifest of a backup: what a restore must find again.

`manifest.json` beside the snapshot files names the engine, the schema (the migrations applied,
per domain), the row count of every table, the audit log's length and head hash, when the key
store was copied and how many keys it held, and a SHA-256 checksum of every file. All counts
and the head hash are read in the very transaction whose snapshot is written, so they describe
the snapshot exactly even while the application keeps writing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import msgspec

from core.db import engine, is_sqlite

FORMAT = 1
MANIFEST = "manifest.json"
MAIN_SQLITE = "main.sqlite"
MAIN_POSTGRES = "main.dump"
KEYS = "keys.sqlite"


class FileEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sha256: str
    bytes: int


class AuditHead(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    entries: int
    head_hash: str


class KeysEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    taken_at: datetime
    keys: int
    # Set when `lotse backup-keys-prune` destroyed the key snapshot after its retention.
    destroyed_at: datetime | None = None


class Manifest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: int
    created_at: datetime
    engine: str
    # Migration ids applied, per Piccolo app: the schema version of the snapshot.
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    audit: AuditHead
    keys: KeysEntry
    files: dict[str, FileEntry]


class ManifestError(ValueError):
    """The backup folder is incomplete or damaged; the message says what is wrong."""


def checksum(path: Path) -> FileEntry:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return FileEntry(sha256=digest.hexdigest(), bytes=path.stat().st_size)


def write(folder: Path, manifest: Manifest) -> None:
    (folder / MANIFEST).write_bytes(msgspec.json.format(msgspec.json.encode(manifest)))


def read(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{folder} holds no {MANIFEST}: not a Lotse backup")
    try:
        manifest = msgspec.json.decode(path.read_bytes(), type=Manifest)
    except msgspec.DecodeError as error:
        raise ManifestError(f"{path} cannot be read: {error}") from error
    if manifest.format != FORMAT:
        raise ManifestError(f"{path} has format {manifest.format}; this Lotse reads {FORMAT}")
    return manifest


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Every file the manifest names is present with its recorded checksum."""
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise ManifestError(f"{name} is missing from {folder}")
        if checksum(path) != expected:
            raise ManifestError(f"{name} in {folder} does not match its checksum: damaged copy")


async def table_names() -> list[str]:
    if is_sqlite():
        rows = await engine().run_ddl(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        rows = await engine().run_ddl(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    return sorted(str(row["name"]) for row in rows)


async def table_counts() -> dict[str, int]:
    """Rows per table, in the current transaction (names come from the catalogue itself)."""
    counts = {}
    for name in await table_names():
        rows = await engine().run_ddl(f'SELECT count(*) AS n FROM "{name}"')
        counts[name] = int(rows[0]["n"])
    return counts


async def applied_migrations() -> dict[str, list[str]]:
    if "migration" not in await table_names():
        return {}
    rows = await engine().run_ddl("SELECT app_name, name FROM migration ORDER BY id")
    applied: dict[str, list[str]] = {}
    for row in rows:
        applied.setdefault(str(row["app_name"]), []).append(str(row["name"]))
    return applied


async def known_migrations() -> dict[str, set[str]]:
    """The migration ids this version of Lotse ships, per app."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.conf.apps import Finder

    manager = BaseMigrationManager()
    known: dict[str, set[str]] = {}
    for config in Finder().get_app_registry().app_configs.values():
        ids = manager.get_migration_ids(
            manager.get_migration_modules(config.resolved_migrations_folder_path)
        )
        known[config.app_name] = set(ids)
    return known


async def unknown_migrations(manifest: Manifest) -> list[str]:
    """Migrations of the backup this code does not know: it comes from a newer Lotse."""
    known = await known_migrations()
    return [
        f"{app}:{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if name not in known.get(app, set())
    ]

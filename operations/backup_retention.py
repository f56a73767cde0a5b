"""`lotse backup-prune ROOT`: the key store's backups forget too.

Erasing a client destroys its key in the key store; a key-store snapshot taken before still holds
it. So every backup folder under ROOT is visited: a key-store snapshot older than
LOTSE_KEY_BACKUP_DAYS is overwritten and deleted (the main snapshot stays: without keys it holds
only ciphertext of clients), and in the younger ones the keys of clients erased since are
destroyed. Run it daily after `lotse backup`; copies kept elsewhere obey the same retention.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from clients import api as clients
from operations.manifest import KEYS, MANIFEST, checksum, read, write
from operations.restore import key_snapshot_refusal
from settings import get_settings


@dataclass
class PruneReport:
    destroyed: list[Path] = field(default_factory=list)
    # Backup folder -> keys of erased clients destroyed in its snapshot.
    forgotten: dict[Path, int] = field(default_factory=dict)


def _shred(path: Path) -> None:
    """Overwrite before unlinking, so the keys do not linger in freed blocks of a plain disk."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def backup_folders(root: Path) -> list[Path]:
    if (root / MANIFEST).is_file():
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


async def prune(root: Path, now: datetime | None = None) -> PruneReport:
    now = now or datetime.now(UTC)
    days = get_settings().key_backup_days
    report = PruneReport()
    for folder in backup_folders(root):
        manifest = read(folder)
        if manifest.keys.destroyed_at is not None:
            continue
        if key_snapshot_refusal(manifest, now, days):
            _shred(folder / KEYS)
            files = {name: entry for name, entry in manifest.files.items() if name != KEYS}
            keys = msgspec.structs.replace(manifest.keys, destroyed_at=now, keys=0)
            write(folder, msgspec.structs.replace(manifest, keys=keys, files=files))
            report.destroyed.append(folder)
            continue
        forgotten = await clients.forget_erased_in_snapshot(folder / KEYS)
        if forgotten:
            keys = msgspec.structs.replace(manifest.keys, keys=manifest.keys.keys - forgotten)
            files = {**manifest.files, KEYS: checksum(folder / KEYS)}
            write(folder, msgspec.structs.replace(manifest, keys=keys, files=files))
            report.forgotten[folder] = forgotten
    return report

"""The manifest and the rules a restore applies before it writes anything (in-process)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from conftest import run
from operations.backup import take_backup
from operations.manifest import (
    KEYS,
    AuditHead,
    KeysEntry,
    Manifest,
    ManifestError,
    read,
    table_counts,
    verify_files,
)
from operations.restore import key_snapshot_refusal

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _manifest(taken_days_ago: float, destroyed: bool = False) -> Manifest:
    return Manifest(
        format=1, created_at=NOW, engine="sqlite", migrations={}, counts={},
        audit=AuditHead(entries=0, head_hash="0" * 64),
        keys=KeysEntry(taken_at=NOW - timedelta(days=taken_days_ago), keys=1,
                       destroyed_at=NOW if destroyed else None),
        files={},
    )


def test_key_snapshot_within_its_retention_may_be_restored() -> None:
    assert key_snapshot_refusal(_manifest(29.9), NOW, 30) is None


def test_key_snapshot_past_its_retention_is_refused_naming_the_setting() -> None:
    refusal = key_snapshot_refusal(_manifest(30.1), NOW, 30)
    assert refusal is not None
    assert "LOTSE_KEY_BACKUP_DAYS=30" in refusal


def test_destroyed_key_snapshot_is_refused() -> None:
    refusal = key_snapshot_refusal(_manifest(1, destroyed=True), NOW, 30)
    assert refusal is not None
    assert "destroyed" in refusal


def test_a_folder_without_manifest_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="not a Lotse backup"):
        read(tmp_path)


def test_backup_manifest_describes_the_snapshot(
    make_user: Any, make_org: Any, make_service: Any, tmp_path: Path
) -> None:
    from accounts import api as accounts
    from clients import api as clients

    make_user("case_manager")
    make_service(make_org("Anbieter"), name="Deutschkurs")

    manifest = run(take_backup(tmp_path / "backup"))

    assert manifest.counts == run(table_counts())
    assert manifest.counts["service"] == 1
    assert manifest.counts["lotse_user"] == 1
    entries, head_hash = run(accounts.audit_head())
    assert (manifest.audit.entries, manifest.audit.head_hash) == (entries, head_hash)
    assert manifest.keys.keys == run(clients.key_count())
    verify_files(tmp_path / "backup", read(tmp_path / "backup"))
    assert not (tmp_path / ".backup.partial").exists()


def test_a_changed_file_fails_its_checksum(make_org: Any, tmp_path: Path) -> None:
    make_org("Anbieter")
    folder = tmp_path / "backup"
    run(take_backup(folder))
    (folder / KEYS).write_bytes(b"not the key store")

    with pytest.raises(ManifestError, match="does not match its checksum"):
        verify_files(folder, read(folder))


def test_manifest_round_trips() -> None:
    encoded = msgspec.json.encode(_manifest(3))
    assert msgspec.json.decode(encoded, type=Manifest) == _manifest(3)

"""Erasure and backups: a client erased after a backup stays unreadable after restoring it.

The key store is the part that forgets: a surviving key store no longer has the key; a lost
one comes back from a key-store snapshot only within LOTSE_KEY_BACKUP_DAYS, and `lotse
backup-prune` destroys erased clients' keys in the snapshots it keeps and the older snapshots
entirely. Whatever the way, the restore erases such a client once more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from operations.tests.backup_kit import (
    QUIET,
    api,
    lotse,
    manifest,
    query,
    rewrite_manifest,
    table_counts,
    target,
    wipe,
)
from referrals.tests.loadkit import Target, prepare

pytestmark = pytest.mark.slow


@pytest.fixture
def seeded() -> Iterator[tuple[Target, dict[str, Any]]]:
    with target() as prepared:
        yield prepared, prepare(prepared, referrals=2, places=3)


def _erase(target: Target, ids: dict[str, Any]) -> None:
    path = f"/api/clients/{ids['client_id']}"
    [(_status, client)] = api(target, ("GET", path, ids["case_token"], None))
    [(status, erased)] = api(target, ("POST", f"{path}/erase", ids["case_token"],
                                      {"confirm_pseudonym": client["pseudonym"]}))
    assert status == 200, erased


def _personal_data_status(target: Target, ids: dict[str, Any]) -> int:
    path = f"/api/clients/{ids['client_id']}/personal-data"
    [(status, _body)] = api(target, ("GET", path, ids["case_token"], None))
    return status


def _erased_in_database(target: Target, ids: dict[str, Any]) -> bool:
    rows = query(target, f"SELECT erased_at FROM client WHERE id = '{ids['client_id']}'")
    return rows[0][0] is not None


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat().replace("+00:00", "Z")


def test_client_erased_after_a_backup_stays_unreadable_after_restoring_it(
    seeded: tuple[Target, dict[str, Any]], tmp_path: Path
) -> None:
    target, ids = seeded
    backup = tmp_path / "backup"
    lotse(target, "backup", str(backup))
    _erase(target, ids)

    wipe(target, keys=False)  # the main database is lost, the key store (kept apart) is not
    done = lotse(target, "restore", str(backup), env=QUIET)

    assert "the key store present kept" in done.stdout
    assert "1 clients erased after the backup erased again" in done.stdout
    assert _erased_in_database(target, ids)
    assert _personal_data_status(target, ids) == 410


def test_key_snapshot_past_its_retention_is_not_restored(
    seeded: tuple[Target, dict[str, Any]], tmp_path: Path
) -> None:
    target, ids = seeded
    backup = tmp_path / "backup"
    lotse(target, "backup", str(backup))
    rewrite_manifest(backup, taken_at=_days_ago(31))
    wipe(target)

    refused = lotse(target, "restore", str(backup), check=False, env=QUIET)

    assert refused.returncode == 1
    assert "LOTSE_KEY_BACKUP_DAYS=30" in refused.stderr + refused.stdout
    assert table_counts(target) == {}
    done = lotse(target, "restore", str(backup), "--without-keys", env=QUIET)
    assert "no client keys" in done.stdout
    assert _personal_data_status(target, ids) == 410


def _keys_in(snapshot: Path) -> int:
    with sqlite3.connect(snapshot) as conn:
        return int(conn.execute("SELECT count(*) FROM client_key").fetchone()[0])


def test_backup_prune_makes_the_key_snapshots_forget(
    seeded: tuple[Target, dict[str, Any]], tmp_path: Path
) -> None:
    target, ids = seeded
    old, young = tmp_path / "old", tmp_path / "young"
    lotse(target, "backup", str(old))
    lotse(target, "backup", str(young))
    rewrite_manifest(old, taken_at=_days_ago(31))
    _erase(target, ids)

    pruned = lotse(target, "backup-prune", str(tmp_path))

    assert "past its retention destroyed" in pruned.stdout
    assert not (old / "keys.sqlite").exists()
    assert manifest(old)["keys"]["destroyed_at"] is not None
    assert _keys_in(young / "keys.sqlite") == 0
    assert manifest(young)["keys"]["keys"] == 0
    # Everything lost: the younger backup restores (its checksums still hold), the client
    # stays erased although the backup was taken before the erasure.
    wipe(target)
    done = lotse(target, "restore", str(young), env=QUIET)
    assert "1 clients erased after the backup erased again" in done.stdout
    assert _erased_in_database(target, ids)

"""Backup -> wipe -> restore: the same counts, an intact audit chain, the same offers found, the
exchange working; and what a restore refuses. Each test runs `lotse` in subprocesses against a
database of its own, on the suite's engine (SQLite, or PostgreSQL with LOTSE_TEST_DB=postgres,
there with the key store in a database of its own)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from operations.tests.backup_kit import QUIET, api, lotse, manifest, table_counts, target, wipe
from referrals.tests.loadkit import Target, prepare

pytestmark = pytest.mark.slow


def _seed(prepared: Target) -> dict[str, Any]:
    ids = prepare(prepared, referrals=6, places=3)
    lotse(prepared, "reindex")
    return ids


@pytest.fixture
def seeded() -> Iterator[tuple[Target, dict[str, Any]]]:
    with target() as prepared:
        yield prepared, _seed(prepared)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Target, Path]]:
    """One seeded database and its backup, for the refusals (the last test wipes it)."""
    with target() as prepared:
        _seed(prepared)
        backup = tmp_path_factory.mktemp("backups") / "backup"
        lotse(prepared, "backup", str(backup))
        yield prepared, backup


def _search(target: Target, ids: dict[str, Any]) -> list[str]:
    [(status, found)] = api(target, ("GET", "/api/search?q=Deutschkurs", ids["case_token"], None))
    assert status == 200, found
    return sorted(hit["id"] for hit in found["hits"])


def test_restore_after_wipe_gives_back_the_same_network(
    seeded: tuple[Target, dict[str, Any]], tmp_path: Path
) -> None:
    target, ids = seeded
    offers_before = _search(target, ids)
    assert offers_before == [ids["service_id"]]
    backup = tmp_path / "backup"
    lotse(target, "backup", str(backup))
    recorded = manifest(backup)

    wipe(target)
    done = lotse(target, "restore", str(backup), env=QUIET)

    assert "counts as recorded" in done.stdout
    assert table_counts(target) == recorded["counts"]
    verified = lotse(target, "audit", "verify", env=QUIET)
    assert recorded["audit"]["head_hash"] in verified.stdout
    assert _search(target, ids) == offers_before
    answered, personal = api(
        target,
        ("POST", f"/api/referrals/{ids['referral_ids'][0]}/transitions", ids["provider_token"],
         {"to": "accepted"}),
        ("GET", f"/api/clients/{ids['client_id']}/personal-data", ids["case_token"], None),
    )
    assert answered[0] == 200, answered
    assert personal[0] == 200, personal
    assert personal[1]["categories"]["identity"]["given_name"] == "Test"


def test_restore_refuses_a_database_that_is_not_empty(backed_up: tuple[Target, Path]) -> None:
    target, backup = backed_up
    before = table_counts(target)

    refused = lotse(target, "restore", str(backup), check=False, env=QUIET)

    assert refused.returncode == 1
    assert "not empty" in refused.stderr + refused.stdout
    assert table_counts(target) == before


def test_restore_refuses_a_damaged_backup(backed_up: tuple[Target, Path], tmp_path: Path) -> None:
    target, backup = backed_up
    copy = tmp_path / "copy"
    shutil.copytree(backup, copy)
    main = next(p for p in copy.iterdir() if p.name.startswith("main."))
    damaged = bytearray(main.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    main.write_bytes(bytes(damaged))

    refused = lotse(target, "restore", str(copy), check=False, env=QUIET)

    assert refused.returncode == 1
    assert "does not match its checksum" in refused.stderr + refused.stdout


def test_backup_refuses_a_folder_that_is_not_empty(
    backed_up: tuple[Target, Path], tmp_path: Path
) -> None:
    target, _backup = backed_up
    (tmp_path / "notes.txt").write_text("kept")

    refused = lotse(target, "backup", str(tmp_path), check=False)

    assert refused.returncode == 1
    assert "not an empty folder" in refused.stderr + refused.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_restore_that_does_not_match_its_manifest_leaves_the_database_empty(
    backed_up: tuple[Target, Path], tmp_path: Path
) -> None:
    target, backup = backed_up
    copy = tmp_path / "copy"
    shutil.copytree(backup, copy)
    recorded = manifest(copy)
    recorded["counts"]["referral"] += 1
    (copy / "manifest.json").write_text(json.dumps(recorded))
    wipe(target)

    refused = lotse(target, "restore", str(copy), check=False, env=QUIET)

    assert refused.returncode == 1
    assert "differ from the manifest" in refused.stderr + refused.stdout
    assert table_counts(target) == {}

"""The audit log is a hash chain: appends never fork, and any edit or removal is detected."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest

from accounts import audit
from accounts.identity import CurrentUser, load_user
from accounts.tables import AuditEntry
from conftest import run
from core.db import engine


@pytest.fixture
def someone(make_user: Any) -> tuple[CurrentUser, Any]:
    test_user = make_user("case_manager")
    actor = run(load_user(test_user.id))
    assert actor is not None
    return actor, test_user


async def _append(actor: CurrentUser, n: int) -> None:
    for i in range(n):
        await audit.record(
            "client.read",
            "client",
            uuid4(),
            actor,
            actor.memberships[0].organization_id,
            {"categories": ["identity"], "i": i},
            "127.0.0.1",
        )


async def test_each_entry_carries_the_hash_of_the_previous(someone: Any) -> None:
    actor, _ = someone
    await _append(actor, 3)
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    assert rows[0]["prev_hash"] == audit.GENESIS_HASH
    assert rows[1]["prev_hash"] == rows[0]["entry_hash"]
    assert rows[2]["prev_hash"] == rows[1]["entry_hash"]
    result = await audit.verify_chain()
    assert result.ok and result.checked == 3 and result.head_hash == rows[2]["entry_hash"]


async def test_entry_records_who_what_and_from_where(someone: Any) -> None:
    actor, test_user = someone
    subject = uuid4()
    await audit.record(
        "consent.withdraw",
        "consent",
        subject,
        actor,
        test_user.organization_id,
        {"note_given": True},
        "10.1.2.3",
    )
    row = await AuditEntry.select().first()
    assert row is not None
    assert row["actor_user"] == test_user.id
    assert row["actor_organization"] == test_user.organization_id
    assert row["owner_organization"] == test_user.organization_id
    assert (row["action"], row["subject_type"], row["subject_id"]) == (
        "consent.withdraw",
        "consent",
        subject,
    )
    assert row["remote_addr"] == "10.1.2.3"
    assert row["at"] is not None


async def test_an_altered_entry_is_detected(someone: Any) -> None:
    actor, _ = someone
    await _append(actor, 4)
    rows = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)
    target = rows[1]["id"]
    # Someone with direct database access rewrites where a read came from.
    await engine().run_ddl(
        f"UPDATE audit_entry SET remote_addr = '192.0.2.99' WHERE id = {int(target)}"
    )
    result = await audit.verify_chain()
    assert not result.ok
    assert result.first_bad_id == target
    assert result.checked == 1


async def test_a_removed_entry_is_detected(someone: Any) -> None:
    actor, _ = someone
    await _append(actor, 4)
    rows = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)
    await engine().run_ddl(f"DELETE FROM audit_entry WHERE id = {int(rows[2]['id'])}")
    result = await audit.verify_chain()
    assert not result.ok
    assert result.first_bad_id == rows[3]["id"]


async def test_an_altered_detail_is_detected_even_with_its_hash_recomputed_alone(
    someone: Any,
) -> None:
    actor, _ = someone
    await _append(actor, 3)
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    first = rows[0]
    forged_hash = audit.chain_hash(
        audit.GENESIS_HASH,
        audit.canonical_entry(
            at=first["at"],
            actor_user=None,
            actor_organization=None,
            action="client.read",
            subject_type="client",
            subject_id=first["subject_id"],
            owner_organization=None,
            detail={},
            remote_addr="",
        ),
    )
    await AuditEntry.update(
        {
            AuditEntry.actor_user: None,
            AuditEntry.actor_organization: None,
            AuditEntry.owner_organization: None,
            AuditEntry.detail: {},
            AuditEntry.remote_addr: "",
            AuditEntry.entry_hash: forged_hash,
        }
    ).where(AuditEntry.id == first["id"])
    result = await audit.verify_chain()
    # The forged entry is self-consistent, but its successor still points at the old hash.
    assert not result.ok and result.first_bad_id == rows[1]["id"]


async def test_concurrent_writers_never_fork_the_chain(someone: Any) -> None:
    actor, _ = someone
    await asyncio.gather(*(_append(actor, 5) for _ in range(8)))
    rows = await AuditEntry.select(AuditEntry.prev_hash).order_by(AuditEntry.id)
    assert len(rows) == 40
    assert len({row["prev_hash"] for row in rows}) == 40
    assert (await audit.verify_chain()).ok


async def test_an_empty_log_verifies(db: None) -> None:
    result = await audit.verify_chain()
    assert result.ok and result.checked == 0 and result.head_hash == audit.GENESIS_HASH


def test_the_application_has_no_update_or_delete_path_for_the_log() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        if "tests" in path.parts or ".venv" in path.parts or "piccolo_migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "AuditEntry.update(" in text or "AuditEntry.delete(" in text:
            offenders.append(str(path.relative_to(root)))
        if "audit_entry" in text.lower() and ("UPDATE " in text or "DELETE FROM" in text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_verify_command_fails_on_a_broken_chain(someone: Any) -> None:
    from click.testing import CliRunner

    from accounts.cli_audit import audit as audit_command
    from conftest import run

    actor, _ = someone
    run(_append(actor, 2))
    runner = CliRunner()
    intact = runner.invoke(audit_command, ["verify"])
    assert intact.exit_code == 0 and "Intact: 2 entries" in intact.output
    run(engine().run_ddl("UPDATE audit_entry SET remote_addr = 'x'"))
    broken = runner.invoke(audit_command, ["verify"])
    assert broken.exit_code == 1 and "Broken at entry" in broken.output

"""Art. 15 export, Art. 17 erasure and the automatic deletion of closed cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.exceptions import NotFoundException

from accounts import audit
from accounts.tables import AuditEntry
from clients import crypto
from clients.api import ERASED_TEXT, ClientErased, erase_client, reveal_personal_data
from clients.keystore import get_keystore
from clients.tables import Client, Consent
from outbox import registry
from outbox.dispatcher import drain
from outbox.registry import OutboxMessage, consumer
from referrals import outgoing
from referrals.gdpr import export_client
from referrals.retention import due_for_erasure, purge_orphan_keys, run_retention
from referrals.tables import Referral, ReferralMessage, ReferralTransition
from referrals.tests.clients_support import actor, new_client, new_consent, new_referral


@pytest.fixture
def told() -> Any:
    """What the recipients' notification consumer would receive."""
    received: list[dict[str, Any]] = []

    @consumer("test-erasure-listener", topics=[outgoing.CONSENT_WITHDRAWN])
    async def listen(events: list[OutboxMessage]) -> None:
        received.extend(e.payload for e in events)

    yield received
    registry._consumers.pop("test-erasure-listener", None)


@pytest.fixture
def world(make_user: Any, make_org: Any, make_service: Any) -> dict[str, Any]:
    home = make_org("Diakonie Mülheim")
    provider = make_org("VHS Mülheim")
    return {
        "home": home,
        "provider": provider,
        "service": make_service(provider, "Deutschkurs B1"),
        "case": actor(make_user("case_manager", home)),
        "provider_staff": actor(make_user("provider_staff", provider)),
        "stranger": actor(make_user("case_manager")),
    }


async def test_export_holds_personal_data_consents_referrals_and_who_looked(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    await new_referral(client, consent, world["service"], world["provider"], "accepted")
    await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")

    export = await export_client(client.id, world["case"], "10.0.0.1")

    assert export["client"]["pseudonym"] == client.pseudonym
    assert export["controller"]["name"] == "Diakonie Mülheim"
    assert export["personal_data"]["identity"] == {"given_name": "Aylin", "family_name": "Yilmaz"}
    assert export["personal_data"]["birth_date"] == {"birth_date": "1990-05-17"}
    assert export["consents"][0]["recipients"] == [
        {"id": str(world["provider"]), "name": "VHS Mülheim"}
    ]
    assert export["referrals"][0]["offer"] == "Deutschkurs B1"
    assert export["referrals"][0]["need_text"] == "Deutschkurs B1 gesucht"
    reads = [e for e in export["access_log"] if e["action"] == "client.read"]
    assert {"organization": "VHS Mülheim", "categories": ["identity"]}.items() <= reads[0].items()
    assert await AuditEntry.count().where(AuditEntry.action == "client.export") == 1


async def test_only_the_owning_case_managers_export(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    for who in ("stranger", "provider_staff"):
        with pytest.raises(NotFoundException):
            await export_client(client.id, world[who], "x")


async def test_erasure_destroys_the_key_and_keeps_statistics(
    world: dict[str, Any], told: list[dict[str, Any]]
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    open_id = await new_referral(client, consent, world["service"], world["provider"], "sent")
    done_id = await new_referral(client, consent, world["service"], world["provider"], "completed")
    draft_id = await new_referral(client, None, world["service"], world["provider"], "draft")
    await ReferralMessage(
        referral=done_id,
        author_user=world["case"].id,
        author_organization=world["home"],
        body="Frau Yilmaz kommt am Montag",
    ).save()
    backup = await Client.select(Client.sealed_data).where(Client.id == client.id).first()
    assert backup is not None

    result = await erase_client(client.id, world["case"], "10.0.0.2")

    assert result.key_destroyed
    assert await get_keystore().get(client.id) is None
    row = await Client.select().where(Client.id == client.id).first()
    assert row is not None
    assert row["erased_at"] is not None and row["pseudonym"] == "" and row["sealed_data"] == ""
    stored = await Consent.objects().where(Consent.id == consent.id).first()
    assert stored is not None and stored.withdrawn_at is not None
    # The referral exchange hears of it through the outbox.
    await drain()
    referrals = {r["id"]: r for r in await Referral.select()}
    assert referrals[open_id]["state"] == "cancelled"
    assert referrals[draft_id]["state"] == "cancelled"
    assert referrals[done_id]["state"] == "completed"
    reasons = await ReferralTransition.select(ReferralTransition.reason).where(
        ReferralTransition.referral.is_in([open_id, draft_id])
    )
    assert [t["reason"] for t in reasons] == ["client_erased", "client_erased"]
    assert referrals[done_id]["need_category"] == "language_course"
    assert referrals[done_id]["age_band"] == "27-44"
    # Texts that were written read as erased; the marker holds nothing of the person.
    assert referrals[done_id]["need_text"] == ERASED_TEXT
    assert referrals[done_id]["notes"] == ERASED_TEXT
    assert referrals[done_id]["accessibility_needs"] == ""
    message = await ReferralMessage.select(ReferralMessage.body).first()
    assert message is not None and message["body"] == ERASED_TEXT
    assert told == [
        {
            "consent_id": str(consent.id),
            "recipient_org_ids": [str(world["provider"])],
            "referral_ids": [str(open_id)],
            "reason": "client_erased",
        }
    ]
    with pytest.raises(ClientErased):
        await reveal_personal_data(client.id, ["identity"], world["case"], "x")
    with pytest.raises(NotFoundException):
        await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")
    # The old ciphertext from a backup cannot be opened: its key no longer exists anywhere.
    with pytest.raises(crypto.CryptoError):
        crypto.open_categories(crypto.new_data_key(), client.id, backup["sealed_data"], ["notes"])
    entry = await AuditEntry.select().where(AuditEntry.action == "client.erase").first()
    assert entry is not None and "Yilmaz" not in str(entry)
    assert (await audit.verify_chain()).ok


async def test_erasing_twice_is_harmless(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    await erase_client(client.id, world["case"], "x")
    again = await erase_client(client.id, world["case"], "x")
    assert not again.key_destroyed
    assert await AuditEntry.count().where(AuditEntry.action == "client.erase") == 1


async def test_foreign_case_manager_cannot_erase(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    with pytest.raises(NotFoundException):
        await erase_client(client.id, world["stranger"], "x")
    assert await get_keystore().get(client.id) is not None


async def _age(client_id: Any, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    await Client.update({Client.updated_at: then, Client.created_at: then}).where(
        Client.id == client_id
    )
    await Referral.update(
        {Referral.updated_at: then, Referral.created_at: then, Referral.closed_at: then}
    ).where(Referral.client == client_id)
    await Consent.update({Consent.recorded_at: then}).where(Consent.client == client_id)


async def test_retention_erases_closed_cases_after_the_period_only(world: dict[str, Any]) -> None:
    closed = await new_client(world["case"])
    consent = await new_consent(world["case"], closed.id, world["provider"])
    await new_referral(closed, consent, world["service"], world["provider"], "completed")
    await _age(closed.id, 800)
    still_open = await new_client(world["case"])
    consent2 = await new_consent(world["case"], still_open.id, world["provider"])
    await new_referral(still_open, consent2, world["service"], world["provider"], "waitlisted")
    await _age(still_open.id, 800)
    recent = await new_client(world["case"])
    await _age(recent.id, 100)

    assert await due_for_erasure(730) == [closed.id]
    dry = await run_retention(730, dry_run=True)
    assert dry.due == [closed.id] and dry.erased == []
    assert await get_keystore().get(closed.id) is not None

    report = await run_retention(730)

    assert report.erased == [closed.id]
    assert await get_keystore().get(closed.id) is None
    assert await get_keystore().get(still_open.id) is not None
    assert await get_keystore().get(recent.id) is not None
    entry = await AuditEntry.select().where(AuditEntry.action == "client.erase").first()
    assert entry is not None and entry["actor_user"] is None
    assert "retention" in str(entry["detail"])


async def test_keys_left_behind_by_an_interrupted_erasure_are_purged(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    keep = await new_client(world["case"])
    # Erased in the database, but the key deletion afterwards never happened.
    await Client.update({Client.erased_at: datetime.now(UTC)}).where(Client.id == client.id)
    later = datetime.now(UTC) + timedelta(hours=2)
    # Keys of clients from earlier tests are orphans as well (the key store outlives them).
    assert await purge_orphan_keys(later) >= 1
    assert await get_keystore().get(client.id) is None
    assert await get_keystore().get(keep.id) is not None


def test_retention_command_reports_and_erases(world: dict[str, Any]) -> None:
    from click.testing import CliRunner

    from conftest import run
    from referrals.cli_clients import clients

    client = run(new_client(world["case"]))
    run(_age(client.id, 800))
    runner = CliRunner()
    dry = runner.invoke(clients, ["retention", "--dry-run", "--days", "730"])
    assert dry.exit_code == 0 and "1 clients are due" in dry.output
    done = runner.invoke(clients, ["retention", "--days", "730"])
    assert done.exit_code == 0 and "Erased 1 of 1" in done.output
    assert run(get_keystore().get(client.id)) is None

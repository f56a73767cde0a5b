"""Consents: what covers a disclosure, what a valid consent needs, and withdrawal at once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from litestar.exceptions import ClientException, NotFoundException, ValidationException

from accounts.tables import AuditEntry
from clients.api import (
    CONSENT_WITHDRAWN_TOPIC,
    covering_consent,
    record_consent,
    reveal_personal_data,
    withdraw_consent,
)
from clients.tables import Consent, ConsentRecipient
from clients.tests.support import actor, consent_input, new_client, new_consent
from core.time import berlin_today as local_today
from outbox.tables import OutboxEvent

TODAY = local_today()


@pytest.fixture
def world(make_user: Any, make_org: Any) -> dict[str, Any]:
    home = make_org("Caritas Mülheim")
    provider = make_org("VHS Mülheim")
    other = make_org("AWO Mülheim")
    return {
        "home": home,
        "provider": provider,
        "other": other,
        "case": actor(make_user("case_manager", home)),
        "provider_staff": actor(make_user("provider_staff", provider)),
        "stranger": actor(make_user("case_manager", other)),
    }


async def test_covering_consent_matches_recipient_purpose_categories_and_dates(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(
        world["case"],
        client.id,
        world["provider"],
        valid_from=TODAY,
        valid_until=TODAY + timedelta(days=30),
    )
    cover = covering_consent
    found = await cover(client.id, world["provider"], "referral", ["identity"])
    assert found == consent.id
    assert (
        await cover(client.id, world["provider"], "referral", ["identity", "contact"]) is not None
    )
    assert await cover(client.id, world["other"], "referral", ["identity"]) is None
    assert await cover(client.id, world["provider"], "coordination", ["identity"]) is None
    assert await cover(client.id, world["provider"], "referral", ["birth_date"]) is None
    assert (
        await cover(
            client.id, world["provider"], "referral", ["identity"], TODAY + timedelta(days=31)
        )
        is None
    )
    assert (
        await cover(
            client.id, world["provider"], "referral", ["identity"], TODAY - timedelta(days=1)
        )
        is None
    )


async def test_special_categories_are_covered_only_with_the_explicit_flag(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    await new_consent(world["case"], client.id, world["provider"], data_categories=["identity"])
    assert await covering_consent(client.id, world["provider"], "referral", ["health"]) is None
    await new_consent(
        world["case"],
        client.id,
        world["provider"],
        data_categories=["identity", "health"],
        special_categories=True,
    )
    found = await covering_consent(client.id, world["provider"], "referral", ["identity", "health"])
    assert found is not None
    # A flag set directly in the database without the category still covers nothing special.
    await Consent.update({Consent.special_categories: False}).where(Consent.id == found)
    assert await covering_consent(client.id, world["provider"], "referral", ["health"]) is None


async def test_the_most_recently_recorded_covering_consent_wins(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    older = await new_consent(world["case"], client.id, world["provider"])
    newer = await new_consent(world["case"], client.id, world["provider"])
    assert await covering_consent(client.id, world["provider"], "referral", ["identity"]) == (
        newer.id
    )
    await withdraw_consent(client.id, newer.id, world["case"], "x")
    assert await covering_consent(client.id, world["provider"], "referral", ["identity"]) == (
        older.id
    )


async def test_unknown_category_codes_are_a_programming_error(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    with pytest.raises(ValueError, match="unknown data categories"):
        await covering_consent(client.id, world["provider"], "referral", ["passport"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"data_categories": ["health"]}, "explicit"),
        (
            {"valid_until": TODAY - timedelta(days=1), "valid_from": TODAY - timedelta(days=9)},
            "past",
        ),
        ({"valid_until": TODAY, "valid_from": TODAY + timedelta(days=2)}, "on or after"),
        ({"evidence": "verbal_witnessed"}, "witness"),
        ({"evidence": "telepathy"}, "how the consent was given"),
        ({"purpose": "marketing"}, "purpose"),
        ({"data_categories": []}, "at least one data category"),
        ({"data_categories": ["passport"]}, "Unknown data categories"),
        ({"recipient_org_ids": []}, "at least one organisation"),
    ],
)
async def test_incomplete_consent_is_refused_with_a_reason(
    world: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    client = await new_client(world["case"])
    with pytest.raises(ValidationException, match=message):
        await record_consent(
            client.id, consent_input(world["provider"], **changes), world["case"], "x"
        )
    assert await Consent.count() == 0


async def test_own_organisation_needs_no_consent(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    with pytest.raises(ValidationException, match="own organisation"):
        await record_consent(client.id, consent_input(world["home"]), world["case"], "x")


async def test_verbal_consent_with_a_witness_is_recorded_with_who_recorded_it(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(
        world["case"],
        client.id,
        world["provider"],
        evidence="verbal_witnessed",
        evidence_note="Zeugin: Frau Schmidt (Dolmetscherin)",
    )
    stored = await Consent.objects().where(Consent.id == consent.id).first()
    assert stored is not None and stored.recorded_by == world["case"].id
    links = await ConsentRecipient.select().where(ConsentRecipient.consent == consent.id)
    assert [link["organization"] for link in links] == [world["provider"]]
    assert await AuditEntry.count().where(AuditEntry.action == "consent.create") == 1


async def test_only_the_clients_case_managers_record_consents(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    with pytest.raises(NotFoundException):
        await record_consent(client.id, consent_input(world["provider"]), world["stranger"], "x")


async def test_withdrawing_twice_is_refused(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    await withdraw_consent(client.id, consent.id, world["case"], "x")
    with pytest.raises(ClientException) as raised:
        await withdraw_consent(client.id, consent.id, world["case"], "x")
    assert raised.value.status_code == 409


async def test_withdrawal_ends_access_at_once_and_is_published_without_personal_data(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    assert await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")

    withdrawn = await withdraw_consent(client.id, consent.id, world["case"], "10.0.0.9")

    assert withdrawn.withdrawn_at is not None and not withdrawn.active
    assert await covering_consent(client.id, world["provider"], "referral", ["identity"]) is None
    with pytest.raises(NotFoundException):
        await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")
    events = await OutboxEvent.select(OutboxEvent.payload).where(
        OutboxEvent.topic == CONSENT_WITHDRAWN_TOPIC
    )
    assert events, "the referral exchange listens to withdrawals"
    payload = events[0]["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert payload == {
        "consent_id": str(consent.id),
        "client_id": str(client.id),
        "recipient_org_ids": [str(world["provider"])],
        "actor_user_id": str(world["case"].id),
        "reason": "consent_withdrawn",
    }
    entry = await AuditEntry.select().where(AuditEntry.action == "consent.withdraw").first()
    assert entry is not None and entry["remote_addr"] == "10.0.0.9"


async def test_failed_withdrawal_changes_nothing(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clients import recording

    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])

    async def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(recording.audit, "record", fail)
    with pytest.raises(RuntimeError):
        await withdraw_consent(client.id, consent.id, world["case"], "x")
    stored = await Consent.objects().where(Consent.id == consent.id).first()
    assert stored is not None and stored.withdrawn_at is None
    assert await OutboxEvent.count().where(OutboxEvent.topic == CONSENT_WITHDRAWN_TOPIC) == 0

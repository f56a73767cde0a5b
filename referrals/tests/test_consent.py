"""Consents: what covers a disclosure, what a valid consent needs, and withdrawal in one step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.exceptions import ClientException, NotFoundException, ValidationException

from accounts.tables import AuditEntry
from outbox import registry
from outbox.registry import OutboxMessage, consumer
from outbox.tables import OutboxEvent
from referrals.clients import reveal_personal_data
from referrals.consent import (
    WITHDRAWN_TOPIC,
    covering_consent,
    local_today,
    record_consent,
    withdraw_consent,
)
from referrals.tables import Consent, ConsentRecipient, Referral, ReferralTransition
from referrals.tests.clients_support import (
    actor,
    consent_input,
    new_client,
    new_consent,
    new_referral,
)

TODAY = local_today()


@pytest.fixture
def world(make_user: Any, make_org: Any, make_service: Any) -> dict[str, Any]:
    home = make_org("Caritas Mülheim")
    provider = make_org("VHS Mülheim")
    other = make_org("AWO Mülheim")
    return {
        "home": home,
        "provider": provider,
        "other": other,
        "service": make_service(provider, "Deutschkurs B1"),
        "case": actor(make_user("case_manager", home)),
        "provider_staff": actor(make_user("provider_staff", provider)),
        "stranger": actor(make_user("case_manager", other)),
    }


@pytest.fixture
def told() -> Any:
    """A stand-in for the notification consumer: what recipients would be told."""
    received: list[dict[str, Any]] = []

    @consumer("test-consent-listener", topics=[WITHDRAWN_TOPIC])
    async def listen(events: list[OutboxMessage]) -> None:
        received.extend(e.payload for e in events)

    yield received
    registry._consumers.pop("test-consent-listener", None)


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
    assert found is not None and found.id == consent.id
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
    assert found is not None and found.special_categories
    # A flag set directly in the database without the category still covers nothing special.
    await Consent.update({Consent.special_categories: False}).where(Consent.id == found.id)
    assert await covering_consent(client.id, world["provider"], "referral", ["health"]) is None


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


async def test_withdrawal_ends_access_cancels_open_referrals_and_tells_recipients(
    world: dict[str, Any], told: list[dict[str, Any]]
) -> None:
    from outbox.dispatcher import drain

    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    open_id = await new_referral(client, consent, world["service"], world["provider"], "sent")
    done_id = await new_referral(client, consent, world["service"], world["provider"], "completed")
    assert await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")

    result = await withdraw_consent(client.id, consent.id, world["case"], "10.0.0.9")

    assert result.cancelled_referral_ids == [open_id]
    states = {r["id"]: r["state"] for r in await Referral.select(Referral.id, Referral.state)}
    assert states == {open_id: "cancelled", done_id: "completed"}
    transition = (
        await ReferralTransition.select().where(ReferralTransition.referral == open_id).first()
    )
    assert transition is not None and transition["reason"] == "consent_withdrawn"
    with pytest.raises(NotFoundException):
        await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")
    await drain()
    assert told == [
        {
            "consent_id": str(consent.id),
            "recipient_org_ids": [str(world["provider"])],
            "referral_ids": [str(open_id)],
        }
    ]
    entry = await AuditEntry.select().where(AuditEntry.action == "consent.withdraw").first()
    assert entry is not None and entry["remote_addr"] == "10.0.0.9"


async def test_withdrawing_twice_is_refused(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    await withdraw_consent(client.id, consent.id, world["case"], "x")
    with pytest.raises(ClientException) as raised:
        await withdraw_consent(client.id, consent.id, world["case"], "x")
    assert raised.value.status_code == 409


async def test_failed_withdrawal_changes_nothing(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from referrals import transitions

    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    open_id = await new_referral(client, consent, world["service"], world["provider"], "sent")

    original = transitions.cancel_open_for_consent

    async def cancel_then_fail(*args: Any, **kwargs: Any) -> list[Any]:
        await original(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(transitions, "cancel_open_for_consent", cancel_then_fail)
    with pytest.raises(RuntimeError):
        await withdraw_consent(client.id, consent.id, world["case"], "x")
    stored = await Consent.objects().where(Consent.id == consent.id).first()
    assert stored is not None and stored.withdrawn_at is None
    referral = await Referral.select(Referral.state).where(Referral.id == open_id).first()
    assert referral is not None and referral["state"] == "sent"
    assert await OutboxEvent.count().where(OutboxEvent.topic == WITHDRAWN_TOPIC) == 0
    assert await AuditEntry.count().where(AuditEntry.action == "consent.withdraw") == 0

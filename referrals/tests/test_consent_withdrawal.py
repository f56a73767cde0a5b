"""A withdrawn consent cancels the open referrals sent under it, once, and tells the recipients."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.exceptions import NotFoundException

from clients.api import CONSENT_WITHDRAWN_TOPIC, reveal_personal_data, withdraw_consent
from outbox import registry
from outbox.dispatcher import drain
from outbox.registry import OutboxMessage, consumer
from outbox.tables import OutboxEvent
from referrals import outgoing, withdrawals
from referrals.tables import Referral, ReferralTransition
from referrals.tests.clients_support import actor, new_client, new_consent, new_referral


@pytest.fixture
def world(make_user: Any, make_org: Any, make_service: Any) -> dict[str, Any]:
    home = make_org("Caritas Mülheim")
    provider = make_org("VHS Mülheim")
    return {
        "home": home,
        "provider": provider,
        "service": make_service(provider, "Deutschkurs B1"),
        "case": actor(make_user("case_manager", home)),
        "provider_staff": actor(make_user("provider_staff", provider)),
    }


@pytest.fixture
def told() -> Any:
    """A stand-in for the notification consumers: what recipients would be told."""
    received: list[dict[str, Any]] = []

    @consumer("test-consent-listener", topics=[outgoing.CONSENT_WITHDRAWN])
    async def listen(events: list[OutboxMessage]) -> None:
        received.extend(e.payload for e in events)

    yield received
    registry._consumers.pop("test-consent-listener", None)


async def _states() -> dict[Any, str]:
    return {r["id"]: r["state"] for r in await Referral.select(Referral.id, Referral.state)}


async def test_withdrawal_ends_access_cancels_open_referrals_and_tells_recipients(
    world: dict[str, Any], told: list[dict[str, Any]]
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    open_id = await new_referral(client, consent, world["service"], world["provider"], "sent")
    done_id = await new_referral(client, consent, world["service"], world["provider"], "completed")
    assert await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")

    await withdraw_consent(client.id, consent.id, world["case"], "10.0.0.9")

    # Access ends at once: the consent is decided at every read.
    with pytest.raises(NotFoundException):
        await reveal_personal_data(client.id, ["identity"], world["provider_staff"], "x")
    await drain()
    assert await _states() == {open_id: "cancelled", done_id: "completed"}
    transition = (
        await ReferralTransition.select().where(ReferralTransition.referral == open_id).first()
    )
    assert transition is not None and transition["reason"] == "consent_withdrawn"
    assert transition["actor_user"] == world["case"].id
    assert told == [
        {
            "consent_id": str(consent.id),
            "recipient_org_ids": [str(world["provider"])],
            "referral_ids": [str(open_id)],
            "reason": "consent_withdrawn",
        }
    ]


async def test_a_withdrawal_delivered_twice_cancels_once(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    open_id = await new_referral(client, consent, world["service"], world["provider"], "sent")
    await withdraw_consent(client.id, consent.id, world["case"], "x")
    payload = {
        "consent_id": str(consent.id),
        "client_id": str(client.id),
        "recipient_org_ids": [str(world["provider"])],
        "actor_user_id": str(world["case"].id),
        "reason": "consent_withdrawn",
    }

    assert await withdrawals.on_consent_withdrawn(payload) == [open_id]
    assert await withdrawals.on_consent_withdrawn(payload) == []
    assert await ReferralTransition.count().where(ReferralTransition.referral == open_id) == 1


async def test_a_failed_cancellation_changes_nothing_and_is_retried(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    open_id = await new_referral(client, consent, world["service"], world["provider"], "sent")
    original = withdrawals.cancel_open_for_consent

    async def cancel_then_fail(*args: Any, **kwargs: Any) -> list[Any]:
        await original(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(withdrawals, "cancel_open_for_consent", cancel_then_fail)
    await withdraw_consent(client.id, consent.id, world["case"], "x")
    await drain()

    assert (await _states())[open_id] == "sent"
    assert await OutboxEvent.count().where(OutboxEvent.topic == outgoing.CONSENT_WITHDRAWN) == 0
    waiting = await OutboxEvent.select(OutboxEvent.attempts, OutboxEvent.delivered_at).where(
        OutboxEvent.topic == CONSENT_WITHDRAWN_TOPIC,
        OutboxEvent.consumer == "referral-consent-ends",
    )
    assert [(w["attempts"], w["delivered_at"]) for w in waiting] == [(1, None)]

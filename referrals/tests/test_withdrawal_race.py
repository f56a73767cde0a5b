"""A consent withdrawn at the moment the provider accepts: no conflict error reaches anyone.

The withdrawal cancels the referral through the outbox right after it commits; here that
delivery runs concurrently with the provider's acceptance, many times over. On PostgreSQL the
test holds the referral's row until both have read it and wait to write, so every round is a
real collision (on SQLite, transactions run one at a time and cannot collide).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Awaitable
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from clients.api import withdraw_consent
from conftest import TEST_DB
from directory.tables import Capacity
from outbox.dispatcher import drain
from referrals import withdrawals
from referrals.tables import Referral, ReferralTransition
from referrals.tests.clients_support import actor, new_client, new_consent, new_referral
from referrals.transitions import TransitionConflict, transition

ROUNDS = 10
PLACES = 5


@pytest.fixture
def world(make_user: Any, make_org: Any, make_service: Any) -> dict[str, Any]:
    home = make_org("Caritas Mülheim")
    provider = make_org("VHS Mülheim")
    return {
        "provider": provider,
        "service": make_service(provider, "Deutschkurs B1", available=PLACES, maximum=PLACES),
        "case": actor(make_user("case_manager", home)),
        "provider_staff": actor(make_user("provider_staff", provider)),
    }


async def _deliver(world: dict[str, Any], client_id: UUID, consent_id: UUID) -> str:
    # What the dispatcher does right after the withdrawal commits: cancel what was sent under it.
    await withdrawals.on_consent_withdrawn({
        "consent_id": str(consent_id),
        "client_id": str(client_id),
        "recipient_org_ids": [str(world["provider"])],
        "actor_user_id": str(world["case"].id),
        "reason": "consent_withdrawn",
    })
    return "withdrawn"


async def _accept(world: dict[str, Any], referral_id: UUID) -> str:
    try:
        await transition(referral_id, "accepted", world["provider_staff"])
    except TransitionConflict as refused:
        # The one refusal that fits: the cancellation came first and the referral is closed.
        extra = refused.extra if isinstance(refused.extra, dict) else {}
        return f"refused:{extra.get('code')}"
    return "accepted"


async def _collide(referral_id: UUID, first: Awaitable[str], second: Awaitable[str]) -> list[Any]:
    """Runs both concurrently; on PostgreSQL each first queues on the referral's row, in order."""
    if TEST_DB != "postgres":
        return list(await asyncio.gather(first, second, return_exceptions=True))
    blocker = await asyncpg.connect(os.environ["DATABASE_URL"])

    async def queued(count: int) -> None:
        for _ in range(1000):
            if await blocker.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted") >= count:
                return
            await asyncio.sleep(0.01)

    try:
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute(
            f'SELECT 1 FROM "{Referral._meta.tablename}" WHERE id = $1 FOR UPDATE', referral_id)
        running = [asyncio.ensure_future(first)]
        await queued(1)
        running.append(asyncio.ensure_future(second))
        await queued(2)
        await holding.rollback()
        return list(await asyncio.gather(*running, return_exceptions=True))
    finally:
        await blocker.close()


async def test_withdrawal_racing_an_accept_ends_cancelled_without_conflict_errors(
    world: dict[str, Any],
) -> None:
    outcomes: Counter[str] = Counter()
    referral_ids = []
    for _ in range(ROUNDS):
        client = await new_client(world["case"])
        consent = await new_consent(world["case"], client.id, world["provider"])
        referral_id = await new_referral(client, consent, world["service"], world["provider"])
        referral_ids.append(referral_id)
        await withdraw_consent(client.id, consent.id, world["case"], "127.0.0.1")
        delivering = _deliver(world, client.id, consent.id)
        accepting = _accept(world, referral_id)
        # Half the rounds the cancellation writes first, half the acceptance.
        if len(referral_ids) % 2:
            withdrawn, accepted = await _collide(referral_id, delivering, accepting)
        else:
            accepted, withdrawn = await _collide(referral_id, accepting, delivering)
        # An exception here ("changed meanwhile", a deadlock) is what nobody must see.
        assert withdrawn == "withdrawn", repr(withdrawn)
        assert accepted in {"accepted", "refused:terminal"}, repr(accepted)
        outcomes[str(accepted)] += 1
    await drain()

    states = {r["state"] for r in await Referral.select(Referral.state)
              .where(Referral.id.is_in(referral_ids))}
    assert states == {"cancelled"}, outcomes
    # Every place an acceptance took came back with the cancellation.
    capacity = await Capacity.select(Capacity.available).where(
        Capacity.service == world["service"]).first()
    assert capacity is not None and capacity["available"] == PLACES
    closing = await ReferralTransition.select(ReferralTransition.reason).where(
        ReferralTransition.referral.is_in(referral_ids), ReferralTransition.to_state == "cancelled")
    assert sorted(row["reason"] for row in closing) == ["consent_withdrawn"] * ROUNDS
    accepted_moves = await ReferralTransition.count().where(
        ReferralTransition.referral.is_in(referral_ids), ReferralTransition.to_state == "accepted")
    assert accepted_moves == outcomes["accepted"]

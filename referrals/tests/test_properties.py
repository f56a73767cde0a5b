"""Random sequences of actions by random actors; after every step the rules must hold:

- state rule: a move happens only if the transition table allows it for the actor's side with
  an acceptable reason; a refused move changes nothing; the recorded history is a legal chain;
- capacity rule: never more places held than exist, and never a place lost
  (free places + places held by referrals == places of the offer);
- consent rule: no referral stays open under a withdrawn consent, and the provider's view
  carries personal data only after acceptance and only while the consent is active.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from litestar.exceptions import HTTPException
from piccolo.engine.postgres import PostgresEngine

import conftest
from accounts.identity import CurrentUser
from clients.api import ConsentInput, create_client, record_consent, withdraw_consent
from clients.tables import Consent
from core.db import engine
from core.time import berlin_today as local_today
from directory.tables import Capacity, Service
from outbox.dispatcher import drain
from referrals import drafts, jobs, transitions, views
from referrals.states import (
    OPEN,
    PLACE_HOLDING,
    RULES,
    Side,
    State,
    StateRuleError,
    check_move,
    rule_for,
)
from referrals.tables import Referral, ReferralTransition
from referrals.tests.exchange_support import PERSON, SECRETS, SHARED, actor

T = TypeVar("T")
PLACES = 2
ACTORS = ["case_manager", "provider", "foreign_provider", "foreign_case_manager", "viewer"]
REASONS = [None, "no_capacity", "client_declined", "referred_elsewhere", "other",
           "answer_expired", "bogus"]
OPEN_VALUES = {s.value for s in OPEN}


@dataclass
class World:
    sender_org: UUID
    provider_org: UUID
    actors: dict[str, CurrentUser]


WORLD: World | None = None


class _Loop:
    """One event loop for the whole run, so PostgreSQL connections come from a pool."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        db = engine()
        if isinstance(db, PostgresEngine):
            self.run(db.start_connection_pool(min_size=1, max_size=4))

    def stop(self) -> None:
        assert self.loop is not None and self.thread is not None
        if isinstance(engine(), PostgresEngine):
            self.run(engine().close_connection_pool())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
        self.loop = None

    def run(self, awaitable: Awaitable[T]) -> T:
        if self.loop is None:
            return conftest.run(awaitable)

        async def wait() -> T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wait(), self.loop).result()


LOOP = _Loop()
run = LOOP.run


def world() -> World:
    assert WORLD is not None
    return WORLD


def _row(referral_id: UUID) -> dict[str, Any]:
    row = run(Referral.select().where(Referral.id == referral_id).first())
    assert row is not None
    return row


class ReferralMachine(RuleBasedStateMachine):
    referrals = Bundle("referrals")

    @initialize()
    def setup(self) -> None:
        w = world()
        self.owner = w.actors["case_manager"]
        service = Service(organization=w.provider_org, name="Kurs")
        run(service.save())
        run(Capacity(service=service.id, maximum=PLACES, available=PLACES,
                     waitlist_open=True).save())
        self.service_id = service.id
        client = run(create_client(self.owner, PERSON, "127.0.0.1"))
        self.client_id = client.id
        self.consent_id = self._consent()
        self.ids: list[UUID] = []
        self.now = datetime.now(UTC)

    def _consent(self) -> UUID:
        data = ConsentInput(
            recipient_org_ids=[world().provider_org], purpose="referral",
            data_categories=SHARED, valid_from=local_today(),
            valid_until=local_today() + timedelta(days=90), evidence="written",
        )
        return run(record_consent(self.client_id, data, self.owner, "127.0.0.1")).id

    @rule(target=referrals, urgency=st.sampled_from(["normal", "high", "urgent"]))
    def create(self, urgency: str) -> UUID:
        return self._new(urgency)

    def _new(self, urgency: str) -> UUID:
        referral_id = run(drafts.create_draft(drafts.ReferralInput(
            client_id=self.client_id, service_id=self.service_id,
            need_category="language_course", urgency=urgency, languages=["ar"],
            district="Eppinghofen", shared_categories=["identity", "contact"],
        ), self.owner))
        self.ids.append(referral_id)
        return referral_id

    @rule(
        referral_id=referrals,
        to=st.sampled_from([s.value for s in State]),
        who=st.sampled_from(ACTORS),
        reason=st.sampled_from(REASONS),
    )
    def any_move(self, referral_id: UUID, to: str, who: str, reason: str | None) -> None:
        """Anything at all, by anyone: mostly refused, and refused without a trace."""
        self.move(referral_id, to, who, reason)

    @rule(referral_id=referrals, data=st.data())
    def plausible_move(self, referral_id: UUID, data: st.DataObject) -> None:
        """A move the table offers from the current state, by the side that may make it."""
        state = State(_row(referral_id)["state"])
        options = [r for r in RULES if r.source == state]
        if not options:
            return
        chosen = data.draw(st.sampled_from(options))
        who = "case_manager" if Side.SENDER in chosen.sides else "provider"
        reasons = [r.value for r in chosen.reasons if r.value != "answer_expired"]
        reason = data.draw(st.sampled_from(reasons)) if chosen.reason_required else None
        self.move(referral_id, chosen.target.value, who, reason)

    @rule(target=referrals, urgency=st.sampled_from(["normal", "urgent"]))
    def refer_and_answer(self, urgency: str) -> UUID:
        """A new referral sent and at once accepted (or waitlisted when full): contention."""
        referral_id = self._new(urgency)
        self.move(referral_id, "sent", "case_manager", None)
        self.move(referral_id, "accepted", "provider", None)
        if _row(referral_id)["state"] == "sent":
            self.move(referral_id, "waitlisted", "provider", None)
        return referral_id

    # Weighting: Hypothesis picks among rules evenly, so plausible moves get more chances.
    @rule(referral_id=referrals, data=st.data())
    def another_plausible_move(self, referral_id: UUID, data: st.DataObject) -> None:
        self.plausible_move(referral_id, data)

    @rule(referral_id=referrals, data=st.data())
    def yet_another_plausible_move(self, referral_id: UUID, data: st.DataObject) -> None:
        self.plausible_move(referral_id, data)

    def move(self, referral_id: UUID, to: str, who: str, reason: str | None) -> None:
        person = world().actors[who]
        before = _row(referral_id)
        capacity_before = self._available()
        sides = transitions.actor_sides(person, before)
        try:
            _rule, _side = check_move(State(before["state"]), State(to), sides, reason)
            allowed = bool(sides)
        except StateRuleError:
            allowed = False
        try:
            run(transitions.transition(referral_id, to, person, reason=reason))
            moved = True
        except HTTPException as error:
            moved = False
            code = error.extra.get("code") if isinstance(error.extra, dict) else None
            if allowed:
                # Only the capacity and consent rules may refuse a move the table allows.
                assert code in {"no_capacity", "consent_missing"}, (to, error.detail)
            after = _row(referral_id)
            assert after == before, "a refused move changed the referral"
            assert self._available() == capacity_before, "a refused move changed capacity"
        assert moved <= allowed, f"{who} moved {before['state']} -> {to} against the rules"
        event(f"{'moved' if moved else 'refused'} {before['state']} -> {to}")
        if moved:
            assert _row(referral_id)["state"] == to

    @rule(dice=st.integers(min_value=0, max_value=5))
    def withdraw(self, dice: int) -> None:
        """Now and then the client withdraws the consent (or gives a new one)."""
        if dice:
            return
        consent = run(Consent.select(Consent.withdrawn_at).where(
            Consent.id == self.consent_id).first())
        assert consent is not None
        if consent["withdrawn_at"] is None:
            run(withdraw_consent(self.client_id, self.consent_id, self.owner, "127.0.0.1"))
            # The referral exchange cancels what was open under it, as the dispatcher would.
            run(drain())
        else:
            self.consent_id = self._consent()

    @rule(hours=st.integers(min_value=1, max_value=120))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        run(jobs.tick(self.now))

    @rule(referral_id=referrals)
    def provider_looks(self, referral_id: UUID) -> None:
        row = _row(referral_id)
        provider = world().actors["provider"]
        if not transitions.actor_sides(provider, row):
            return
        seen = run(views.detail(referral_id, provider, "127.0.0.1"))
        text = repr(seen)
        consent_active = self._consent_covers(row)
        if seen.personal_data is not None:
            assert row["state"] in {"accepted", "in_progress", "completed", "failed"}
            assert consent_active
        if not consent_active:
            assert seen.disclosure == "none"
            assert not any(secret in text for secret in SECRETS)
            assert "Eppinghofen" not in text

    def _consent_covers(self, row: dict[str, Any]) -> bool:
        from referrals.disclosure import consent_covers

        return run(consent_covers(row)) is not None

    def _available(self) -> int:
        row = run(Capacity.select(Capacity.available).where(
            Capacity.service == self.service_id).first())
        assert row is not None
        return int(row["available"])

    # The invariants run after every step: each reads what it needs in one query for all
    # referrals (not one per referral), or they would cost most of the run.
    def _referrals(self) -> list[dict[str, Any]]:
        if not getattr(self, "ids", None):
            return []
        rows = run(Referral.select(Referral.id, Referral.state, Referral.holds_place,
                                   Referral.consent).where(Referral.id.is_in(self.ids)))
        assert {row["id"] for row in rows} == set(self.ids), "a referral disappeared"
        return rows

    @invariant()
    def capacity_is_never_overbooked_and_never_lost(self) -> None:
        if not hasattr(self, "service_id"):
            return
        rows = run(Referral.select(Referral.state, Referral.holds_place).where(
            Referral.service == self.service_id))
        holding = [r for r in rows if r["holds_place"]]
        in_use = [r for r in rows if r["state"] in {s.value for s in PLACE_HOLDING}]
        free = self._available()
        assert free >= 0
        assert len(in_use) <= PLACES, "overbooked"
        assert free + len(holding) == PLACES, "a place was lost or made up"
        assert all(r["holds_place"] for r in in_use)
        assert all(r["state"] in {"accepted", "in_progress", "waitlisted"} for r in holding)

    @invariant()
    def history_is_a_legal_chain(self) -> None:
        referrals = self._referrals()
        if not referrals:
            return
        steps = run(ReferralTransition.select().where(
            ReferralTransition.referral.is_in([r["id"] for r in referrals]))
            .order_by(ReferralTransition.at))
        reached = {r["id"]: "draft" for r in referrals}
        for step in steps:
            assert step["from_state"] == reached[step["referral"]]
            found = rule_for(State(step["from_state"]), State(step["to_state"]))
            assert found is not None
            if step["actor_user"] is None:
                assert Side.SYSTEM in found.sides
            reached[step["referral"]] = step["to_state"]
        assert all(reached[r["id"]] == r["state"] for r in referrals)

    @invariant()
    def nothing_open_under_a_withdrawn_consent(self) -> None:
        consents = {r["consent"] for r in self._referrals()
                    if r["consent"] is not None and r["state"] in OPEN_VALUES}
        if not consents:
            return
        rows = run(Consent.select(Consent.id, Consent.withdrawn_at).where(
            Consent.id.is_in(list(consents))))
        assert {row["id"] for row in rows} == consents
        assert all(row["withdrawn_at"] is None for row in rows)


@pytest.mark.slow
def test_random_actions_keep_the_state_capacity_and_consent_rules(
    make_org: Any, make_user: Any
) -> None:
    global WORLD
    sender_org, provider_org = make_org("Sender"), make_org("Anbieter")
    foreign_org = make_org("Fremd")
    WORLD = World(sender_org, provider_org, {
        "case_manager": actor(make_user("case_manager", sender_org)),
        "provider": actor(make_user("provider_staff", provider_org)),
        "foreign_provider": actor(make_user("provider_staff", foreign_org)),
        "foreign_case_manager": actor(make_user("case_manager", foreign_org)),
        "viewer": actor(make_user("viewer", sender_org)),
    })
    LOOP.start()
    try:
        run_state_machine_as_test(
            ReferralMachine,
            settings=settings(
                max_examples=40, stateful_step_count=40, deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        LOOP.stop()
        WORLD = None

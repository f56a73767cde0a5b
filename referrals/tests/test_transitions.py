"""The transition function: roles, legality, reasons, capacity, waitlist, deadlines, records."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from litestar.exceptions import HTTPException

from calendars.workdays import add_working_days
from conftest import run
from outbox.tables import OutboxEvent
from referrals import jobs, transitions
from referrals.deadlines import local_today
from referrals.tables import PlaceOffer, Referral, ReferralReminder, ReferralTransition
from referrals.tests.exchange_support import (
    available,
    build_exchange,
    new_referral,
)


def state_of(referral_id: UUID) -> dict:
    row = run(Referral.select().where(Referral.id == referral_id).first())
    assert row is not None
    return row


def last_transition(referral_id: UUID) -> dict:
    row = run(ReferralTransition.select().where(ReferralTransition.referral == referral_id)
              .order_by(ReferralTransition.at, ascending=False).first())
    assert row is not None
    return row


def move(referral_id, to, who, **kwargs):
    return run(transitions.transition(referral_id, to, who, **kwargs))


def refused(referral_id, to, who, **kwargs) -> HTTPException:
    before = state_of(referral_id)
    records = run(ReferralTransition.count().where(ReferralTransition.referral == referral_id))
    with pytest.raises(HTTPException) as caught:
        move(referral_id, to, who, **kwargs)
    after = state_of(referral_id)
    assert after == before, "a refused transition must change nothing"
    assert run(ReferralTransition.count().where(ReferralTransition.referral == referral_id)) == (
        records
    )
    return caught.value


def sent(ex, **changes) -> UUID:
    referral_id = new_referral(ex, **changes)
    move(referral_id, "sent", ex.sender)
    return referral_id


def test_send_sets_the_answer_deadline_in_working_days(exchange):
    referral_id = sent(exchange)
    row = state_of(referral_id)
    assert row["state"] == "sent"
    assert row["answer_due"] == add_working_days(local_today(), 5)
    assert row["consent"] == exchange.consent_id


def test_send_requires_a_consent_covering_every_shared_category(exchange):
    referral_id = new_referral(exchange, shared_categories=["identity", "notes"])
    error = refused(referral_id, "sent", exchange.sender)
    assert error.status_code == 409
    assert "consent" in error.detail.lower()


def test_provider_cannot_send_and_case_manager_cannot_accept(exchange):
    draft = new_referral(exchange)
    # The provider does not even see a draft.
    assert refused(draft, "sent", exchange.receiver).status_code == 404
    referral_id = sent(exchange)
    assert refused(referral_id, "accepted", exchange.sender).status_code == 403


def test_foreign_organisation_sees_no_referral(exchange, make_user):
    stranger = make_user("provider_staff")
    referral_id = sent(exchange)
    from referrals.tests.exchange_support import actor

    assert refused(referral_id, "accepted", actor(stranger)).status_code == 404


def test_decline_requires_reason(exchange):
    referral_id = sent(exchange)
    error = refused(referral_id, "declined", exchange.receiver)
    assert error.status_code == 400
    assert "reason" in error.detail
    move(referral_id, "declined", exchange.receiver, reason="not_eligible", note="Ab 18 Jahren")
    history = run(ReferralTransition.select().where(ReferralTransition.referral == referral_id)
                  .order_by(ReferralTransition.at))
    assert [(h["from_state"], h["to_state"], h["reason"]) for h in history] == [
        ("draft", "sent", ""),
        ("sent", "declined", "not_eligible"),
    ]
    assert history[-1]["actor_user"] == exchange.provider.id
    assert history[-1]["actor_organization"] == exchange.provider_org


def test_illegal_transition_is_refused_with_conflict(exchange):
    referral_id = sent(exchange)
    move(referral_id, "declined", exchange.receiver, reason="no_capacity")
    error = refused(referral_id, "accepted", exchange.receiver)
    assert error.status_code == 409
    assert "declined" in error.detail


def test_unknown_state_is_a_bad_request(exchange):
    referral_id = sent(exchange)
    assert refused(referral_id, "approved", exchange.receiver).status_code == 400


def test_accept_takes_a_place_and_completion_gives_it_back(exchange):
    referral_id = sent(exchange)
    assert available(exchange.service_id) == 3
    move(referral_id, "accepted", exchange.receiver, appointment_text="Mo 10 Uhr, Raum 4")
    assert available(exchange.service_id) == 2
    assert state_of(referral_id)["holds_place"]
    move(referral_id, "in_progress", exchange.receiver)
    move(referral_id, "completed", exchange.receiver)
    assert available(exchange.service_id) == 3
    assert not state_of(referral_id)["holds_place"]


def test_accept_is_refused_when_no_place_is_free(make_org, make_user, make_service):
    ex = build_exchange(make_org, make_user, make_service, places=1)
    first, second = sent(ex), sent(ex)
    move(first, "accepted", ex.receiver)
    error = refused(second, "accepted", ex.receiver)
    assert error.status_code == 409
    assert "waitlist" in error.detail
    assert available(ex.service_id) == 0
    move(second, "waitlisted", ex.receiver, expected_wait="2_to_6_weeks")
    assert state_of(second)["expected_wait"] == "2_to_6_weeks"


def test_stale_version_is_refused(exchange):
    referral_id = sent(exchange)
    version = state_of(referral_id)["version"]
    move(referral_id, "waitlisted", exchange.receiver, expected_version=version)
    error = refused(referral_id, "accepted", exchange.receiver, expected_version=version)
    assert error.status_code == 409


def test_freed_place_goes_to_the_most_urgent_then_longest_waiting(
    make_org, make_user, make_service
):
    ex = build_exchange(make_org, make_user, make_service, places=1)
    holder = sent(ex)
    move(holder, "accepted", ex.receiver)
    early_normal = sent(ex)
    move(early_normal, "waitlisted", ex.receiver)
    late_urgent = sent(ex, urgency="urgent")
    move(late_urgent, "waitlisted", ex.receiver)
    later_normal = sent(ex)
    move(later_normal, "waitlisted", ex.receiver)

    move(holder, "completed", ex.receiver)
    # The place is held for the urgent referral, not returned to the free count.
    assert available(ex.service_id) == 0
    assert state_of(late_urgent)["holds_place"]
    assert state_of(late_urgent)["place_offered_until"] is not None
    # Accepting the holder uses the held place; nobody else can take it meanwhile.
    move(late_urgent, "accepted", ex.receiver)
    assert available(ex.service_id) == 0
    offers = run(PlaceOffer.select(PlaceOffer.outcome).where(PlaceOffer.referral == late_urgent))
    assert [o["outcome"] for o in offers] == ["taken"]
    # The next freed place goes to the one that waited longest.
    move(late_urgent, "failed", ex.receiver, reason="client_unreachable")
    assert state_of(early_normal)["holds_place"]
    assert not state_of(later_normal)["holds_place"]


def test_lapsed_place_offer_passes_down_the_waitlist_and_then_frees(
    make_org, make_user, make_service
):
    ex = build_exchange(make_org, make_user, make_service, places=1)
    holder, first, second = sent(ex), sent(ex), sent(ex)
    move(holder, "accepted", ex.receiver)
    move(first, "waitlisted", ex.receiver)
    move(second, "waitlisted", ex.receiver)
    move(holder, "cancelled", ex.sender, reason="referred_elsewhere")
    assert state_of(first)["holds_place"]

    later = datetime.now(UTC) + timedelta(days=10)
    report = run(jobs.tick(later))
    assert report.lapsed == 1
    assert not state_of(first)["holds_place"]
    assert state_of(first)["state"] == "waitlisted"
    assert state_of(second)["holds_place"]
    assert available(ex.service_id) == 0

    run(jobs.tick(later + timedelta(days=10)))
    # Everyone of this round had their chance: the place is free again.
    assert not state_of(second)["holds_place"]
    assert available(ex.service_id) == 1


def test_cancelling_a_holder_of_an_offered_place_passes_it_on(make_org, make_user, make_service):
    ex = build_exchange(make_org, make_user, make_service, places=1)
    holder, first, second = sent(ex), sent(ex), sent(ex)
    move(holder, "accepted", ex.receiver)
    move(first, "waitlisted", ex.receiver)
    move(second, "waitlisted", ex.receiver)
    move(holder, "completed", ex.receiver)
    assert state_of(first)["holds_place"]
    move(first, "declined", ex.receiver, reason="client_declined")
    assert state_of(second)["holds_place"]
    assert available(ex.service_id) == 0


def test_withdrawn_consent_cancels_open_referrals_and_gives_places_back(exchange):
    accepted, waiting = sent(exchange), sent(exchange)
    draft = new_referral(exchange)
    move(accepted, "accepted", exchange.receiver)
    move(waiting, "waitlisted", exchange.receiver)
    cancelled = run(transitions.cancel_open_for_consent(exchange.consent_id, exchange.sender))
    assert set(cancelled) == {accepted, waiting}
    for referral_id in (accepted, waiting):
        assert state_of(referral_id)["state"] == "cancelled"
    # A draft was never sent under the consent.
    assert state_of(draft)["state"] == "draft"
    assert available(exchange.service_id) == 3
    assert last_transition(accepted)["reason"] == "consent_withdrawn"


def test_unanswered_referral_expires_after_its_deadline(exchange):
    referral_id = sent(exchange)
    due = state_of(referral_id)["answer_due"]
    on_due_day = datetime.combine(due, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
    assert run(transitions.expire_overdue(on_due_day)) == []
    after = on_due_day + timedelta(days=1)
    assert run(transitions.expire_overdue(after)) == [referral_id]
    row = state_of(referral_id)
    assert row["state"] == "cancelled"
    last = last_transition(referral_id)
    assert last["reason"] == "answer_expired"
    assert last["actor_user"] is None


def test_deadline_reminder_is_issued_once_on_the_day_before(exchange):
    referral_id = sent(exchange)
    due = state_of(referral_id)["answer_due"]
    day_before = add_working_days(due, -1)
    noon = datetime.combine(day_before, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
    assert run(jobs.send_reminders(noon - timedelta(days=3))) == 0
    assert run(jobs.send_reminders(noon)) == 1
    assert run(jobs.send_reminders(noon)) == 0
    assert run(ReferralReminder.count().where(ReferralReminder.referral == referral_id)) == 1


def test_every_transition_publishes_an_outbox_event(exchange):
    import referrals.consumers  # noqa: F401  (subscribes the consumers)

    referral_id = sent(exchange)
    move(referral_id, "accepted", exchange.receiver)
    # Only this domain's consumers: the audit log subscribes to the topic as well.
    events = run(OutboxEvent.select(OutboxEvent.consumer, OutboxEvent.payload).where(
        (OutboxEvent.topic == "referral.transition")
        & OutboxEvent.consumer.like("referral-%")))
    payloads = [e["payload"] if isinstance(e["payload"], dict) else json.loads(e["payload"])
                for e in events]
    assert {(e["consumer"], p["to"]) for e, p in zip(events, payloads, strict=True)} == {
        (consumer, to)
        for consumer in ("referral-notifications", "referral-mail", "referral-webhooks",
                         "referral-figures")
        for to in ("sent", "accepted")
    }
    assert all(p["referral_id"] == str(referral_id) for p in payloads)

"""Places and slots of an accepted referral: the directory counts them, search hears of them,
and a slot can only be booked on the referral's own offer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.exceptions import HTTPException

from calendars import api as calendars
from conftest import run
from outbox.dispatcher import drain
from referrals import transitions
from referrals.tables import Referral
from referrals.tests.exchange_support import Exchange, available, build_exchange, new_referral
from search.engine import SearchQuery
from search.runtime import get_engine


def _sent(ex: Exchange) -> UUID:
    referral_id = new_referral(ex)
    run(transitions.transition(referral_id, "sent", ex.sender))
    return referral_id


def _free_in_search(service_id: UUID) -> int:
    hits = get_engine().search(SearchQuery(text="Deutschkurs", per_page=100)).hits
    found = [h.document.free_places for h in hits if h.document.id == service_id]
    assert found, f"offer {service_id} is not in the search index"
    assert found[0] is not None
    return found[0]


def _slot_of(service_id: UUID) -> Any:
    from calendars import slots

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    return run(slots.create_slots(service_id, [(start, start + timedelta(minutes=30))]))[0]


def test_search_shows_the_place_an_acceptance_took_and_a_closing_gave_back(exchange):
    referral_id = _sent(exchange)
    assert _free_in_search(exchange.service_id) == 3
    run(transitions.transition(referral_id, "accepted", exchange.receiver))
    run(drain())
    assert available(exchange.service_id) == 2
    assert _free_in_search(exchange.service_id) == 2
    run(transitions.transition(referral_id, "completed", exchange.receiver))
    run(drain())
    assert _free_in_search(exchange.service_id) == 3


def test_a_slot_of_another_offer_is_refused_and_changes_nothing(
    exchange, make_org, make_service
):
    other_org = make_org("AWO Mülheim")
    other_service = make_service(other_org, name="Sprachcafé")
    foreign_slot = _slot_of(other_service)
    referral_id = _sent(exchange)
    before = run(Referral.select().where(Referral.id == referral_id).first())
    with pytest.raises(HTTPException) as caught:
        run(transitions.transition(referral_id, "accepted", exchange.receiver,
                                   appointment_slot_id=foreign_slot.id))
    assert 400 <= caught.value.status_code < 500
    assert "another offer" in str(caught.value.detail)
    assert run(Referral.select().where(Referral.id == referral_id).first()) == before
    assert available(exchange.service_id) == 3
    assert [s.id for s in run(calendars.free_slots(other_service))] == [foreign_slot.id]


def test_the_booking_function_itself_refuses_a_slot_of_another_offer(
    exchange, make_org, make_service
):
    other_service = make_service(make_org("AWO Mülheim"), name="Sprachcafé")
    foreign_slot = _slot_of(other_service)

    async def book() -> None:
        from core.db import atomic

        async with atomic():
            await calendars.book_slot(foreign_slot.id, exchange.service_id,
                                      UUID(int=1), exchange.case_manager.id)

    with pytest.raises(HTTPException) as caught:
        run(book())
    assert 400 <= caught.value.status_code < 500
    assert run(calendars.free_slots(other_service))[0].booked_referral_id is None


def test_more_acceptances_than_places_is_impossible_even_after_manual_edits(
    make_org, make_user, make_service, api_client
):
    ex = build_exchange(make_org, make_user, make_service, places=5)
    accepted = [_sent(ex) for _ in range(5)]
    for referral_id in accepted:
        run(transitions.transition(referral_id, "accepted", ex.receiver))
    assert available(ex.service_id) == 0
    provider = api_client(ex.provider)
    refused = provider.patch(f"/api/services/{ex.service_id}/capacity", json={"available": 5})
    assert refused.status_code == 409, refused.text
    assert "held" in refused.json()["detail"]
    assert available(ex.service_id) == 0
    more = _sent(ex)
    with pytest.raises(HTTPException) as caught:
        run(transitions.transition(more, "accepted", ex.receiver))
    assert caught.value.status_code == 409

"""Appointments when accepting: a provider books only slots of the offer it was referred to."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from tests.journeys import Network, answer, new_client_with_consent, ok, send_referral


def publish_slots(http: Any, service_id: UUID) -> list[dict[str, Any]]:
    day = (date.today() + timedelta(days=7)).isoformat()
    return ok(http.post(f"/api/calendars/services/{service_id}/slots",
                        json={"day": day, "first": "09:00", "last": "10:30", "minutes": 45}), 201)


def test_a_slot_of_another_organisations_offer_cannot_be_booked(
    network: Network, make_org: Any, make_user: Any, make_service: Any, api_client: Any
) -> None:
    vhs = make_org("VHS Mülheim")
    vhs_staff = api_client(make_user("provider_staff", vhs))
    vhs_course = make_service(vhs, name="Integrationskurs")
    vhs_slot = publish_slots(vhs_staff, vhs_course)[0]
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)

    refused = answer(network.receiver, referral_id, to="accepted",
                     appointment={"slot_id": vhs_slot["id"]})

    assert 400 <= refused.status_code < 500, refused.text
    assert "slot" in refused.json()["detail"].lower()
    assert ok(network.sender.get(f"/api/referrals/{referral_id}"))["state"] == "sent"
    free = ok(vhs_staff.get(f"/api/calendars/services/{vhs_course}/slots"))
    assert vhs_slot["id"] in {slot["id"] for slot in free}


def test_a_slot_of_the_referred_offer_is_booked(network: Network) -> None:
    slot = publish_slots(network.receiver, network.service_id)[0]
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)

    ok(answer(network.receiver, referral_id, to="accepted", appointment={"slot_id": slot["id"]}))

    free = ok(network.receiver.get(f"/api/calendars/services/{network.service_id}/slots"))
    assert slot["id"] not in {s["id"] for s in free}

"""Steps of the journeys, taken as people take them: over HTTP, as the case manager and as the
provider. Only the JSON API is used, so the journeys hold whatever moves inside the domains."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from conftest import TestUser

SHARED = ["identity", "contact", "languages", "district", "birth_date"]


@dataclass
class Network:
    case_manager: TestUser
    provider: TestUser
    case_org: UUID
    provider_org: UUID
    service_id: UUID
    sender: Any
    receiver: Any


def build_network(make_org: Any, make_user: Any, make_service: Any, api_client: Any,
                  places: int = 3) -> Network:
    case_org = make_org("Caritas Mülheim")
    provider_org = make_org("AWO Mülheim")
    case_manager = make_user("case_manager", case_org)
    provider = make_user("provider_staff", provider_org)
    service_id = make_service(provider_org, name="Deutschkurs am Vormittag",
                              available=places, maximum=places, waitlist_open=True)
    return Network(case_manager, provider, case_org, provider_org, service_id,
                   api_client(case_manager), api_client(provider))


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def new_client_with_consent(net: Network, recipient_org: UUID | None = None) -> tuple[str, str]:
    """A client of the case manager's organisation and a consent to refer them (ids)."""
    client = ok(net.sender.post("/api/clients", json={
        "given_name": "Aylin", "family_name": "Yilmaz", "phone": "+49 208 123456",
        "languages": ["tr"], "district": "Styrum", "birth_date": "1990-05-17",
    }), 201)
    today = date.today()
    consent = ok(net.sender.post(f"/api/clients/{client['id']}/consents", json={
        "recipient_org_ids": [str(recipient_org or net.provider_org)],
        "purpose": "referral",
        "data_categories": SHARED,
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(),
        "evidence": "written",
    }), 201)
    return client["id"], consent["id"]


def send_referral(net: Network, client_id: str, service_id: UUID | None = None) -> str:
    draft = ok(net.sender.post("/api/referrals", json={
        "client_id": client_id, "service_id": str(service_id or net.service_id),
        "need_category": "language_course", "need_text": "Deutschkurs B1 am Vormittag",
        "urgency": "normal", "languages": ["tr"], "shared_categories": ["identity", "contact"],
        "district": "Styrum",
    }), 201)
    ok(net.sender.post(f"/api/referrals/{draft['id']}/transitions", json={"to": "sent"}))
    return str(draft["id"])


def answer(receiver: Any, referral_id: str, **body: Any) -> Any:
    return receiver.post(f"/api/referrals/{referral_id}/transitions", json=body)


def free_places_in_search(http: Any, service_id: UUID, words: str) -> int | None:
    hits = ok(http.get("/api/search", params={"q": words}))["hits"]
    found = [hit for hit in hits if hit["id"] == str(service_id)]
    assert found, f"the offer is not found by {words!r}"
    return found[0]["document"]["free_places"]


def wait_for(check: Any, seconds: float) -> Any:
    """The last value of `check()`, polled until it is truthy or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(0.05)
        value = check()
    return value

"""Set-up for the referral exchange tests: two organisations, people, a client and a consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from accounts.identity import CurrentUser, load_user
from clients.api import ConsentInput, PersonalData, create_client, record_consent
from conftest import TestUser, run
from core.time import berlin_today as local_today
from directory.tables import Capacity
from referrals import drafts

PERSON = PersonalData(
    given_name="Aylin",
    family_name="Yilmaz",
    birth_date=date(1990, 5, 17),
    phone="+49 208 123456",
    email="aylin@example.org",
    languages=["tr", "de"],
    district="Styrum",
    notes="Sucht einen Deutschkurs am Vormittag",
)
SHARED = ["identity", "contact", "languages", "district", "birth_date"]
# Strings of PERSON that must never reach a provider without consent and acceptance.
SECRETS = ("Aylin", "Yilmaz", "+49 208 123456", "aylin@example.org")


def actor(user: TestUser) -> CurrentUser:
    loaded = run(load_user(user.id))
    assert loaded is not None
    return loaded


@dataclass
class Exchange:
    sender_org: UUID
    provider_org: UUID
    case_manager: TestUser
    provider: TestUser
    service_id: UUID
    client_id: UUID
    consent_id: UUID

    @property
    def sender(self) -> CurrentUser:
        return actor(self.case_manager)

    @property
    def receiver(self) -> CurrentUser:
        return actor(self.provider)


def referral_input(ex: Exchange, **changes: Any) -> drafts.ReferralInput:
    fields: dict[str, Any] = {
        "client_id": ex.client_id,
        "service_id": ex.service_id,
        "need_category": "language_course",
        "need_text": "Deutschkurs B1 am Vormittag",
        "urgency": "normal",
        "languages": ["tr", "de"],
        "interpreter_needed": True,
        "accessibility_needs": "Aufzug nötig",
        "preferred_times": "vormittags",
        "notes": "Kinder in der Kita bis 13 Uhr",
        "shared_categories": ["identity", "contact"],
        "age_band": "27-44",
        "district": "Styrum",
    }
    fields.update(changes)
    return drafts.ReferralInput(**fields)


def build_exchange(
    make_org: Any, make_user: Any, make_service: Any, places: int = 3, **consent: Any
) -> Exchange:
    sender_org = make_org("Caritas Mülheim")
    provider_org = make_org("VHS Mülheim")
    case_manager = make_user("case_manager", sender_org)
    provider = make_user("provider_staff", provider_org)
    # The course keeps a waitlist: referrals may be waitlisted once its places are gone.
    service_id = make_service(provider_org, name="Deutschkurs B1", available=places,
                              maximum=places, waitlist_open=True)
    owner = actor(case_manager)
    client = run(create_client(owner, PERSON, "127.0.0.1", pseudonym="K-0001"))
    fields: dict[str, Any] = {
        "recipient_org_ids": [provider_org],
        "purpose": "referral",
        "data_categories": SHARED,
        "valid_from": local_today(),
        "valid_until": local_today() + timedelta(days=180),
        "evidence": "written",
    }
    fields.update(consent)
    recorded = run(record_consent(client.id, ConsentInput(**fields), owner, "127.0.0.1"))
    return Exchange(sender_org, provider_org, case_manager, provider, service_id, client.id,
                    recorded.id)


def available(service_id: UUID) -> int:
    row = run(Capacity.select(Capacity.available).where(Capacity.service == service_id).first())
    assert row is not None
    return int(row["available"])


def new_referral(ex: Exchange, **changes: Any) -> UUID:
    return run(drafts.create_draft(referral_input(ex, **changes), ex.sender))

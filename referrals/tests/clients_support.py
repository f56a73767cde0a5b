"""Helpers for the client, consent and data-protection tests (plain functions, no fixtures)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from accounts.identity import CurrentUser, load_user
from conftest import run
from referrals.clients import PersonalData, create_client
from referrals.consent import ConsentInput, local_today, record_consent
from referrals.tables import Client, Consent, Referral

AYLIN = PersonalData(
    given_name="Aylin",
    family_name="Yilmaz",
    birth_date=date(1990, 5, 17),
    phone="+49 208 123456",
    email="aylin@example.org",
    languages=["tr", "de"],
    district="Styrum",
    notes="Sucht einen Deutschkurs am Vormittag",
    health_notes="Gehbehinderung",
)


def actor(test_user: Any) -> CurrentUser:
    loaded = run(load_user(test_user.id))
    assert loaded is not None
    return loaded


async def new_client(
    owner: CurrentUser, personal: PersonalData = AYLIN, pseudonym: str = ""
) -> Client:
    return await create_client(owner, personal, "127.0.0.1", pseudonym=pseudonym)


def consent_input(recipient: UUID, **changes: Any) -> ConsentInput:
    fields: dict[str, Any] = {
        "recipient_org_ids": [recipient],
        "purpose": "referral",
        "data_categories": ["identity", "contact", "languages", "district"],
        "valid_from": local_today(),
        "valid_until": local_today() + timedelta(days=180),
        "evidence": "written",
    }
    fields.update(changes)
    return ConsentInput(**fields)


async def new_consent(
    owner: CurrentUser, client_id: UUID, recipient: UUID, **changes: Any
) -> Consent:
    return await record_consent(client_id, consent_input(recipient, **changes), owner, "127.0.0.1")


async def new_referral(
    client: Client, consent: Consent | None, service_id: UUID, recipient: UUID, state: str = "sent"
) -> UUID:
    referral = Referral(
        id=uuid4(),
        client=client.id,
        consent=consent.id if consent else None,
        service=service_id,
        sender_organization=client.organization,
        recipient_organization=recipient,
        sender_user=client.created_by,
        state=state,
        need_category="language_course",
        need_text="Deutschkurs B1 gesucht",
        notes="Kann nur vormittags",
        shared_categories=["identity", "contact"],
        age_band="27-44",
        district="Styrum",
    )
    await referral.save()
    return referral.id

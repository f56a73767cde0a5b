"""Helpers for the client and consent tests of every domain (plain functions, no fixtures)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from accounts.identity import CurrentUser, load_user
from clients.api import (
    ClientRecord,
    ConsentInput,
    ConsentRecord,
    PersonalData,
    create_client,
    record_consent,
)
from conftest import run
from core.time import berlin_today

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
) -> ClientRecord:
    return await create_client(owner, personal, "127.0.0.1", pseudonym=pseudonym)


def consent_input(recipient: UUID, **changes: Any) -> ConsentInput:
    fields: dict[str, Any] = {
        "recipient_org_ids": [recipient],
        "purpose": "referral",
        "data_categories": ["identity", "contact", "languages", "district"],
        "valid_from": berlin_today(),
        "valid_until": berlin_today() + timedelta(days=180),
        "evidence": "written",
    }
    fields.update(changes)
    return ConsentInput(**fields)


async def new_consent(
    owner: CurrentUser, client_id: UUID, recipient: UUID, **changes: Any
) -> ConsentRecord:
    return await record_consent(client_id, consent_input(recipient, **changes), owner, "127.0.0.1")

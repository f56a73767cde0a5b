"""Helpers for the client, consent and data-protection tests of the referral exchange."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from clients.api import ClientRecord
from clients.tests.support import AYLIN, actor, consent_input, new_client, new_consent
from referrals.tables import Referral

__all__ = ["AYLIN", "actor", "consent_input", "new_client", "new_consent", "new_referral"]

async def new_referral(
    client: ClientRecord, consent: Any, service_id: UUID, recipient: UUID, state: str = "sent"
) -> UUID:
    """A referral row as if made through the exchange; `consent` is anything with an `id`."""
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

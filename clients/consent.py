"""The one consent decision: may these data categories of a client go to this organisation?

No personal data leaves the client's organisation without a consent that is active on the day,
not withdrawn, names the recipient, the purpose and every category shared; special categories
(GDPR Art. 9, here: health) additionally need the explicit flag. Sending a referral, showing it
to the provider and revealing personal data all ask `covering_consent`, at the moment they act,
so a withdrawal or an expiry ends access at once.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from clients.categories import CATEGORIES, SPECIAL_CATEGORIES
from clients.tables import Consent, ConsentRecipient
from core.time import berlin_today


def categories_of(consent: Consent) -> list[str]:
    raw: Any = consent.data_categories
    if isinstance(raw, str):
        raw = json.loads(raw) if raw else []
    return [str(code) for code in raw] if isinstance(raw, list) else []


def is_active(consent: Consent, on: date | None = None) -> bool:
    day = on or berlin_today()
    return consent.withdrawn_at is None and consent.valid_from <= day <= consent.valid_until


def _covers(consent: Consent, purpose: str, categories: list[str], on: date | None = None) -> bool:
    """Does this consent, on this day, allow sharing these categories for this purpose?"""
    if not is_active(consent, on) or consent.purpose != purpose:
        return False
    wanted = set(categories)
    if wanted & SPECIAL_CATEGORIES and not consent.special_categories:
        return False
    return wanted <= set(categories_of(consent))


def unknown_categories(categories: list[str]) -> list[str]:
    return [code for code in categories if code not in CATEGORIES]


async def covering_consent(
    client_id: UUID,
    recipient_org_id: UUID,
    purpose: str,
    categories: list[str],
    on: date | None = None,
) -> UUID | None:
    """The most recently recorded consent that covers sharing `categories` with the recipient.

    None when no consent of the client that names the recipient is active on the day (Berlin
    time, today by default), is for this purpose and includes every category.
    """
    unknown = unknown_categories(categories)
    if unknown:
        raise ValueError(f"unknown data categories: {', '.join(unknown)}")
    day = on or berlin_today()
    links = await ConsentRecipient.select(ConsentRecipient.consent).where(
        ConsentRecipient.organization == recipient_org_id,
        ConsentRecipient.consent.client == client_id,
    )
    consent_ids = [row["consent"] for row in links]
    if not consent_ids:
        return None
    candidates = (
        await Consent.objects()
        .where(
            Consent.id.is_in(consent_ids),
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_null(),
            Consent.valid_from <= day,
            Consent.valid_until >= day,
        )
        .order_by(Consent.recorded_at, ascending=False)
    )
    for consent in candidates:
        if _covers(consent, purpose, categories, day):
            return consent.id
    return None


async def recipients_of(consent_id: UUID) -> list[UUID]:
    rows = await ConsentRecipient.select(ConsentRecipient.organization).where(
        ConsentRecipient.consent == consent_id
    )
    return [row["organization"] for row in rows]

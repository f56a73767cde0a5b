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
    # One statement: the consents naming the recipient are a sub-query, not a round trip.
    candidates = (
        await Consent.objects()
        .where(
            Consent.id.is_in(_naming_recipient_query(client_id, recipient_org_id)),
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


async def widest_cover(
    client_id: UUID, recipient_org_id: UUID, purpose: str, on: date | None = None
) -> list[str] | None:
    """The categories the widest active consent for this recipient and purpose covers (a
    referral needs one consent covering all it shares, so they are not pooled); None when no
    active consent names the recipient. Special categories count only with the flag."""
    day = on or berlin_today()
    ids = await _naming_recipient(client_id, recipient_org_id)
    if not ids:
        return None
    best: list[str] | None = None
    for row in await Consent.objects().where(Consent.id.is_in(ids), Consent.purpose == purpose):
        if not is_active(row, day):
            continue
        covered = [c for c in CATEGORIES if c in set(categories_of(row))
                   and (c not in SPECIAL_CATEGORIES or row.special_categories)]
        if best is None or len(covered) > len(best):
            best = covered
    return best


async def recipients_of(consent_id: UUID) -> list[UUID]:
    rows = await ConsentRecipient.select(ConsentRecipient.organization).where(
        ConsentRecipient.consent == consent_id
    )
    return [row["organization"] for row in rows]


def _naming_recipient_query(client_id: UUID, recipient_org_id: UUID) -> Any:
    """The ids of the client's consents that name the recipient, whatever their state."""
    return ConsentRecipient.select(ConsentRecipient.consent).where(
        ConsentRecipient.organization == recipient_org_id,
        ConsentRecipient.consent.client == client_id,
    )


async def _naming_recipient(client_id: UUID, recipient_org_id: UUID) -> list[UUID]:
    links = await _naming_recipient_query(client_id, recipient_org_id)
    return [row["consent"] for row in links]

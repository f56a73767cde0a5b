"""Staged disclosure: what the receiving provider may see of a referral, and when.

Before acceptance it sees what it needs to decide (need, urgency, languages, age band, district,
interpreter, accessibility, preferred times); identity and contact once it has accepted; and
nothing personal at all once no active consent covers the referral any more. Whether a consent
covers it is the clients domain's one decision, asked at every read.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any
from uuid import UUID

from clients.api import (
    BIRTH_DATE,
    CONTACT,
    DISTRICT,
    HEALTH,
    IDENTITY,
    LANGUAGES,
    NOTES,
    PURPOSE_REFERRAL,
    covering_consent,
)
from referrals.states import State

# Categories the provider gets decrypted from the client record after accepting.
REVEALED_AFTER_ACCEPTANCE: tuple[str, ...] = (IDENTITY, CONTACT, BIRTH_DATE, NOTES, HEALTH)
# States after an acceptance, in which the provider works with the person.
ACCEPTED_STATES = frozenset(
    {State.ACCEPTED.value, State.IN_PROGRESS.value, State.COMPLETED.value, State.FAILED.value}
)


class Level(StrEnum):
    # The sending organisation: everything it recorded itself.
    OWNER = "owner"
    # Receiver after acceptance, consent active: identity and contact too.
    FULL = "full"
    # Receiver before acceptance, consent active: what it needs to decide.
    DECIDE = "decide"
    # Receiver without an active covering consent (withdrawn, expired): nothing personal.
    NONE = "none"


def json_list(raw: Any) -> list[str]:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return [str(v) for v in value or []]


def required_categories(row: dict[str, Any]) -> list[str]:
    """Every data category the referral discloses: those chosen plus those its fields imply."""
    wanted = set(json_list(row.get("shared_categories")))
    if json_list(row.get("languages")):
        wanted.add(LANGUAGES)
    if row.get("district"):
        wanted.add(DISTRICT)
    if row.get("age_band"):
        wanted.add(BIRTH_DATE)
    return sorted(wanted)


async def consent_covers(row: dict[str, Any]) -> UUID | None:
    """The consent under which the referral may go to its provider now (clients decides)."""
    return await covering_consent(
        row["client"], row["recipient_organization"], PURPOSE_REFERRAL, required_categories(row)
    )


async def receiver_level(row: dict[str, Any]) -> Level:
    if await consent_covers(row) is None:
        return Level.NONE
    return Level.FULL if row["state"] in ACCEPTED_STATES else Level.DECIDE


def revealed_categories(row: dict[str, Any]) -> list[str]:
    shared = set(json_list(row.get("shared_categories")))
    return [c for c in REVEALED_AFTER_ACCEPTANCE if c in shared]

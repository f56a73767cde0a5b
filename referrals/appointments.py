"""Appointments of accepted referrals, booked in the calendars domain through its functions.

The calendars domain sends the calendar invitation (METHOD:REQUEST) to the case manager when a
slot is booked and the cancellation (METHOD:CANCEL) when it is released.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from calendars import api as calendars
from core.time import BERLIN

SlotOfAnotherOfferError = calendars.SlotOfAnotherOfferError


def describe(starts_at: datetime, ends_at: datetime) -> str:
    start = starts_at.astimezone(BERLIN)
    end = ends_at.astimezone(BERLIN)
    return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"


async def book(slot_id: UUID, service_id: UUID, referral_id: UUID, for_user_id: UUID) -> str:
    """Book a slot of the referral's offer (in the caller's transaction); returns it in words.

    Raises the calendars domain's 409 when the slot is taken or past, 404 when unknown, and
    SlotOfAnotherOfferError when it belongs to another offer.
    """
    slot = await calendars.book_slot(slot_id, service_id, referral_id, for_user_id)
    return describe(slot.starts_at, slot.ends_at)


async def release(referral_id: UUID) -> bool:
    """Free the referral's booked slot, if it has one; True when one was released."""
    return await calendars.release_slot(referral_id) is not None


async def free_slots(service_id: UUID) -> list[tuple[UUID, str]]:
    """The offer's bookable slots, as (id, description) for the acceptance dialog."""
    found = await calendars.free_slots(service_id)
    return [(slot.id, describe(slot.starts_at, slot.ends_at)) for slot in found]

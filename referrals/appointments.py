"""Appointments of accepted referrals, booked in the calendars domain through its functions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException


async def book(slot_id: UUID, referral_id: UUID, for_user_id: UUID) -> str:
    """Book a slot for the referral; returns a short description of the appointment."""
    raise ClientException(
        "Appointment slots cannot be booked yet; describe the appointment in words instead."
    )


async def release(referral_id: UUID) -> bool:
    """Free the referral's booked slot, if it has one; True when one was released."""
    return False


async def invitation(referral: dict[str, Any], attendee_email: str, method: str) -> bytes | None:
    """The iCalendar invitation (REQUEST) or cancellation (CANCEL) of the referral's slot."""
    return None

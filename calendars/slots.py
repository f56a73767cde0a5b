"""Bookable consultation slots: published by providers, booked when a referral is accepted.

A slot is booked with one conditional UPDATE (only while it is free, and only for a referral to
the slot's own offer), so it is booked at most once under any concurrency, on SQLite and on
PostgreSQL. Booking and release announce
`calendars.slot_booked` / `calendars.slot_released`; the invitation e-mails follow from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException, NotFoundException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT

from calendars.rules import RuleError
from calendars.tables import AppointmentSlot
from core.db import atomic
from core.i18n import N_
from core.time import BERLIN
from outbox.publish import publish

SLOT_BOOKED = "calendars.slot_booked"
SLOT_RELEASED = "calendars.slot_released"
MAX_SLOTS_PER_DAY = 48
MAX_SLOT_MINUTES = 8 * 60
ALREADY_BOOKED = N_("This referral already has an appointment; release it before booking another.")
ANOTHER_OFFER = N_(
    "This appointment slot belongs to another offer; choose one of the slots of the offer the "
    "referral is addressed to."
)


class SlotUnavailableError(ClientException):
    """The slot cannot be booked (taken, past, or the referral holds one already)."""

    status_code = HTTP_409_CONFLICT


class SlotOfAnotherOfferError(ClientException):
    """The slot belongs to another offer than the one the referral is addressed to."""

    status_code = HTTP_400_BAD_REQUEST


@dataclass(frozen=True)
class SlotInfo:
    id: UUID
    service_id: UUID
    location_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    note: str
    booked_referral_id: UUID | None
    booked_for_user: UUID | None
    sequence: int
    last_modified: datetime | None

    @property
    def free(self) -> bool:
        return self.booked_referral_id is None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _info(row: dict[str, Any]) -> SlotInfo:
    return SlotInfo(
        id=row["id"],
        service_id=row["service"],
        location_id=row["location"],
        starts_at=_aware(row["starts_at"]),
        ends_at=_aware(row["ends_at"]),
        note=row["note"],
        booked_referral_id=row["booked_referral_id"],
        booked_for_user=row["booked_for_user"],
        sequence=row["sequence"],
        last_modified=row["last_modified"],
    )


def slot_times(day: date, first: time, last: time, minutes: int) -> list[tuple[datetime, datetime]]:
    """Slots of `minutes` from `first` to `last` (Berlin wall time) on `day`, as UTC instants."""
    if not 5 <= minutes <= MAX_SLOT_MINUTES:
        raise RuleError(N_("A slot lasts between 5 and {max} minutes"), max=MAX_SLOT_MINUTES)
    if last <= first:
        raise RuleError(N_("The end must be after the start"))
    times: list[tuple[datetime, datetime]] = []
    start = datetime.combine(day, first, tzinfo=BERLIN)
    end_of_day = datetime.combine(day, last, tzinfo=BERLIN)
    while start + timedelta(minutes=minutes) <= end_of_day:
        end = start + timedelta(minutes=minutes)
        times.append((start.astimezone(UTC), end.astimezone(UTC)))
        start = end
    if not times:
        raise RuleError(N_("No slot fits between the start and the end"))
    if len(times) > MAX_SLOTS_PER_DAY:
        raise RuleError(N_("At most {max} slots a day"), max=MAX_SLOTS_PER_DAY)
    return times


async def create_slots(
    service_id: UUID,
    times: Sequence[tuple[datetime, datetime]],
    location_id: UUID | None = None,
    note: str = "",
) -> list[SlotInfo]:
    now = datetime.now(UTC)
    rows = [
        AppointmentSlot(
            service=service_id,
            location=location_id,
            starts_at=start,
            ends_at=end,
            note=note[:255],
            created_at=now,
            last_modified=now,
        )
        for start, end in times
    ]
    async with atomic():
        if rows:
            await AppointmentSlot.insert(*rows)
    return [
        SlotInfo(r.id, service_id, location_id, r.starts_at, r.ends_at, r.note, None, None, 0, now)
        for r in rows
    ]


async def get_slot(slot_id: UUID) -> SlotInfo | None:
    row = await AppointmentSlot.select().where(AppointmentSlot.id == slot_id).first()
    return _info(row) if row else None


async def delete_free_slot(slot_id: UUID) -> None:
    async with atomic():
        deleted = (
            await AppointmentSlot.delete()
            .where((AppointmentSlot.id == slot_id) & AppointmentSlot.booked_referral_id.is_null())
            .returning(AppointmentSlot.id)
        )
        if not deleted:
            if await get_slot(slot_id) is None:
                raise NotFoundException(N_("This appointment slot does not exist."))
            raise SlotUnavailableError(
                N_("This slot is booked; it can be removed once the referral releases it.")
            )


async def free_slots(
    service_id: UUID, after: datetime | None = None, limit: int = 200
) -> list[SlotInfo]:
    moment = after or datetime.now(UTC)
    rows = (
        await AppointmentSlot.select()
        .where(
            (AppointmentSlot.service == service_id)
            & AppointmentSlot.booked_referral_id.is_null()
            & (AppointmentSlot.starts_at > moment)
        )
        .order_by(AppointmentSlot.starts_at)
        .limit(limit)
    )
    return [_info(row) for row in rows]


async def service_slots(service_id: UUID, since: datetime, limit: int = 500) -> list[SlotInfo]:
    rows = (
        await AppointmentSlot.select()
        .where((AppointmentSlot.service == service_id) & (AppointmentSlot.ends_at > since))
        .order_by(AppointmentSlot.starts_at)
        .limit(limit)
    )
    return [_info(row) for row in rows]


async def slots_of_user(user_id: UUID, since: datetime) -> list[SlotInfo]:
    rows = (
        await AppointmentSlot.select()
        .where((AppointmentSlot.booked_for_user == user_id) & (AppointmentSlot.ends_at > since))
        .order_by(AppointmentSlot.starts_at)
    )
    return [_info(row) for row in rows]


async def slot_of_referral(referral_id: UUID) -> SlotInfo | None:
    row = (
        await AppointmentSlot.select()
        .where(AppointmentSlot.booked_referral_id == referral_id)
        .first()
    )
    return _info(row) if row else None


def _payload(slot: SlotInfo, referral_id: UUID, user_id: UUID, sequence: int) -> dict[str, Any]:
    return {
        "slot_id": str(slot.id),
        "service_id": str(slot.service_id),
        "location_id": str(slot.location_id) if slot.location_id else None,
        "referral_id": str(referral_id),
        "user_id": str(user_id),
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "sequence": sequence,
    }


def _unique_violation(error: Exception) -> bool:
    text = f"{type(error).__name__} {error}".lower()
    return "unique" in text


async def book_slot(
    slot_id: UUID,
    service_id: UUID,
    referral_id: UUID,
    for_user_id: UUID,
    now: datetime | None = None,
) -> SlotInfo:
    """Book a free, future slot of offer `service_id` for a referral to that offer; raises
    SlotOfAnotherOfferError for another offer's slot, SlotUnavailableError when it is taken.

    Runs in the caller's transaction when there is one (accepting a referral)."""
    moment = now or datetime.now(UTC)
    try:
        async with atomic():
            if await AppointmentSlot.exists().where(
                AppointmentSlot.booked_referral_id == referral_id
            ):
                raise SlotUnavailableError(ALREADY_BOOKED)
            booked = (
                await AppointmentSlot.update(
                    {
                        AppointmentSlot.booked_referral_id: referral_id,
                        AppointmentSlot.booked_for_user: for_user_id,
                        AppointmentSlot.booked_at: moment,
                        AppointmentSlot.sequence: AppointmentSlot.sequence + 1,
                        AppointmentSlot.last_modified: moment,
                    }
                )
                .where(
                    (AppointmentSlot.id == slot_id)
                    & (AppointmentSlot.service == service_id)
                    & AppointmentSlot.booked_referral_id.is_null()
                    & (AppointmentSlot.starts_at > moment)
                )
                .returning(*AppointmentSlot.all_columns())
            )
            if not booked:
                existing = await get_slot(slot_id)
                if existing is None:
                    raise NotFoundException(N_("This appointment slot does not exist."))
                if existing.service_id != service_id:
                    raise SlotOfAnotherOfferError(ANOTHER_OFFER)
                if existing.starts_at <= moment:
                    raise SlotUnavailableError(N_("This appointment slot lies in the past."))
                raise SlotUnavailableError(
                    N_(
                        "This appointment slot has just been booked by someone else; "
                        "please choose another one."
                    )
                )
            slot = _info(booked[0])
            await publish(SLOT_BOOKED, _payload(slot, referral_id, for_user_id, slot.sequence))
    except (SlotUnavailableError, SlotOfAnotherOfferError, NotFoundException):
        raise
    except Exception as error:
        # Two bookings for one referral at once: the unique index stops the second.
        if _unique_violation(error):
            raise SlotUnavailableError(ALREADY_BOOKED) from error
        raise
    return slot


async def release_slot(referral_id: UUID, now: datetime | None = None) -> SlotInfo | None:
    """Free the slot a referral holds (cancelled, declined, closed); None when it holds none."""
    moment = now or datetime.now(UTC)
    async with atomic():
        current = await slot_of_referral(referral_id)
        if current is None:
            return None
        released = (
            await AppointmentSlot.update(
                {
                    AppointmentSlot.booked_referral_id: None,
                    AppointmentSlot.booked_for_user: None,
                    AppointmentSlot.booked_at: None,
                    AppointmentSlot.sequence: AppointmentSlot.sequence + 1,
                    AppointmentSlot.last_modified: moment,
                }
            )
            .where(
                (AppointmentSlot.id == current.id)
                & (AppointmentSlot.booked_referral_id == referral_id)
            )
            .returning(*AppointmentSlot.all_columns())
        )
        if not released:
            return None
        slot = _info(released[0])
        assert current.booked_for_user is not None
        await publish(
            SLOT_RELEASED, _payload(slot, referral_id, current.booked_for_user, slot.sequence)
        )
    return slot

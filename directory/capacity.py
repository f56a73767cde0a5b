"""Live capacity of an offer: free places, places held by referrals, waitlist, maximum.

The one writer of these figures. Providers change them by hand (`update_capacity`, `apply_step`);
referrals take and give back places (`take_place`, `return_place`). Every rule lives here:
free places never go below zero, and free plus held places never exceed the maximum (0 means
the offer states no maximum). Each change tells the search index through the outbox, in the
same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from litestar.exceptions import ValidationException
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from core.db import atomic
from core.errors import N_, ConflictError, NotFoundError, ReadableError
from directory.outputs import CapacityOut
from directory.schemas import CapacityIn, CapacityUpdate, given
from directory.tables import Capacity, Service
from outbox.publish import publish
from settings import Settings, get_settings

SERVICE_CHANGED = "directory.service_changed"
RETIRED = N_("This offer has been retired; its places can no longer change.")
ALL_FREE = N_("All places are already free. Raise the maximum first if the offer grew.")
NONE_FREE = N_("There are no free places left to take away.")
NO_OFFER = N_("No offer with this id.")
ABOVE_MAXIMUM = N_(
    "Free places ({available}) cannot be more than the maximum ({maximum}). "
    "Raise the maximum or lower the free places."
)
HELD_ABOVE_MAXIMUM = N_(
    "Free places ({available}) and places held by accepted referrals ({held}) cannot be more "
    "than the maximum ({maximum}). Lower the free places or raise the maximum."
)
MAXIMUM_BELOW_HELD = N_(
    "The maximum ({maximum}) cannot be lower than the places held by accepted referrals "
    "({held})."
)
# SQL of "one more free place still fits under the maximum"; maximum 0 states no maximum.
_ROOM_FOR_ONE = (Capacity.maximum == 0) | WhereRaw("available + held < maximum")


class Step(StrEnum):
    """The one-click changes offered on the pages and behind the signed link."""

    PLUS = "plus"
    MINUS = "minus"
    FULL = "full"
    WAITLIST_OPEN = "waitlist_open"
    WAITLIST_CLOSED = "waitlist_closed"


class Take(StrEnum):
    """What taking a place for an accepted referral did."""

    TAKEN = "taken"
    FULL = "full"
    # The offer keeps no count of places: acceptance does not consume one.
    UNTRACKED = "untracked"


def is_stale(updated: datetime | None, settings: Settings | None = None) -> bool:
    """Figures not confirmed within `capacity_stale_days` are shown as possibly outdated."""
    if updated is None:
        return True
    days = (settings or get_settings()).capacity_stale_days
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    return datetime.now(UTC) - updated > timedelta(days=days)


def capacity_out(row: dict[str, Any], settings: Settings | None = None) -> CapacityOut:
    return CapacityOut(
        unit=row["unit"], maximum=row["maximum"], available=row["available"],
        waitlist_open=bool(row["waitlist_open"]), description=row["description"],
        updated=row["updated"], updated_by_name=row["updated_by_name"],
        stale=is_stale(row["updated"], settings),
    )


def check_figures(maximum: int, available: int, held: int) -> None:
    """Refuse figures a provider may not set while referrals hold `held` places."""
    if maximum <= 0:
        return
    if held > maximum:
        raise ConflictError(MAXIMUM_BELOW_HELD, maximum=maximum, held=held)
    if available + held > maximum:
        if held:
            raise ConflictError(HELD_ABOVE_MAXIMUM, available=available, held=held,
                                maximum=maximum)
        raise ReadableError(ABOVE_MAXIMUM, available=available, maximum=maximum)


async def _changed(service_id: UUID) -> None:
    await publish(SERVICE_CHANGED, {"service_id": str(service_id)})


async def _live_service(service_id: UUID) -> None:
    row = await Service.select(Service.retired_at).where(Service.id == service_id).first()
    if row is None:
        raise NotFoundError(NO_OFFER)
    if row["retired_at"] is not None:
        raise ConflictError(RETIRED)


async def _stamp(service_id: UUID, by_id: UUID | None, by_name: str) -> CapacityOut:
    """Record who confirmed the figures, mark the offer changed and tell the search index."""
    now = datetime.now(UTC)
    await Capacity.update({Capacity.updated: now, Capacity.updated_by: by_id,
                           Capacity.updated_by_name: by_name[:255]}).where(
        Capacity.service == service_id
    )
    await Service.update({Service.last_modified: now}).where(Service.id == service_id)
    await _changed(service_id)
    row = await Capacity.select().where(Capacity.service == service_id).first()
    assert row is not None
    return capacity_out(row)


async def _held(service_id: UUID) -> int:
    row = await Capacity.select(Capacity.held).where(Capacity.service == service_id).first()
    return int(row["held"]) if row else 0


async def record_first_figures(service_id: UUID, figures: CapacityIn, by_id: UUID | None,
                               by_name: str) -> None:
    """The figures a new offer is created with, inside its creation's transaction (which
    tells the search index); no referral holds a place yet."""
    if figures.maximum > 0 and figures.available > figures.maximum:
        raise ValidationException("capacity: free places cannot be more than the maximum.")
    await Capacity(
        service=service_id, unit=figures.unit, maximum=figures.maximum,
        available=figures.available, waitlist_open=figures.waitlist_open,
        description=figures.description, updated_by=by_id, updated_by_name=by_name[:255],
    ).save()


async def update_capacity(service_id: UUID, change: CapacityUpdate, by_id: UUID | None,
                          by_name: str) -> CapacityOut:
    """Set the figures that `change` carries; creates the capacity record on first use.

    Raises ReadableError (ConflictError when referrals hold the places) and changes nothing
    when free and held places would exceed the maximum.
    """
    values = given(change)
    async with atomic():
        await _live_service(service_id)
        row = await Capacity.select().where(Capacity.service == service_id).first()
        current: dict[str, Any] = row or {"maximum": 0, "available": 0, "held": 0}
        maximum = int(values.get("maximum", current["maximum"]))
        available = int(values.get("available", current["available"]))
        counted = "maximum" in values or "available" in values
        if counted:
            check_figures(maximum, available, int(current["held"]))
        if row is None:
            await Capacity(service=service_id, **values).save()
        elif values:
            where: Combinable = Capacity.service == service_id
            if counted and maximum > 0:
                # A referral accepted since the read must still fit: the check runs again
                # in the UPDATE itself.
                where &= Capacity.held <= maximum - available
            changed = await Capacity.update(
                {getattr(Capacity, k): v for k, v in values.items()}
            ).where(where).returning(Capacity.id)
            if not changed:
                check_figures(maximum, available, await _held(service_id))
        return await _stamp(service_id, by_id, by_name)


async def apply_step(service_id: UUID, step: Step, by_id: UUID | None,
                     by_name: str) -> CapacityOut:
    """One click: +1, -1, full, waitlist open/closed. Counting happens in the UPDATE itself."""
    async with atomic():
        await _live_service(service_id)
        if not await Capacity.exists().where(Capacity.service == service_id):
            await Capacity(service=service_id).save()
        where = Capacity.service == service_id
        if step is Step.PLUS:
            changed = await Capacity.update({Capacity.available: Capacity.available + 1}).where(
                where, _ROOM_FOR_ONE
            ).returning(Capacity.id)
            if not changed:
                raise ReadableError(ALL_FREE)
        elif step is Step.MINUS:
            changed = await Capacity.update({Capacity.available: Capacity.available - 1}).where(
                where, Capacity.available > 0
            ).returning(Capacity.id)
            if not changed:
                raise ReadableError(NONE_FREE)
        elif step is Step.FULL:
            await Capacity.update({Capacity.available: 0}).where(where)
        else:
            await Capacity.update(
                {Capacity.waitlist_open: step is Step.WAITLIST_OPEN}
            ).where(where)
        return await _stamp(service_id, by_id, by_name)


async def take_place(service_id: UUID) -> Take:
    """Take one free place for an accepted referral and count it as held.

    The condition sits in the UPDATE itself, so concurrent acceptances serialise on the row
    (PostgreSQL re-checks the condition after the lock; SQLite runs writers one at a time):
    never more acceptances than free places. Joins the caller's transaction.
    """
    async with atomic():
        rows = (
            await Capacity.update(
                {Capacity.available: Capacity.available - 1, Capacity.held: Capacity.held + 1}
            )
            .where((Capacity.service == service_id) & (Capacity.available > 0))
            .returning(Capacity.id)
        )
        if rows:
            await _changed(service_id)
            return Take.TAKEN
        exists = await Capacity.exists().where(Capacity.service == service_id)
        return Take.FULL if exists else Take.UNTRACKED


async def return_place(service_id: UUID) -> bool:
    """A referral gives its place back: one held place less, one free place more.

    The free count never rises above maximum - held: if the provider lowered the figures
    meanwhile, the place simply stops being held. False when the offer keeps no count.
    """
    async with atomic():
        where = Capacity.service == service_id
        freed = await Capacity.update(
            {Capacity.available: Capacity.available + 1, Capacity.held: Capacity.held - 1}
        ).where(where, Capacity.held > 0, (Capacity.maximum == 0) | WhereRaw(
            "available + held <= maximum"
        )).returning(Capacity.id)
        if not freed:
            freed = await Capacity.update({Capacity.held: Capacity.held - 1}).where(
                where, Capacity.held > 0
            ).returning(Capacity.id)
        if not freed:
            # Nothing counted as held (figures older than the count): free it if it fits.
            freed = await Capacity.update({Capacity.available: Capacity.available + 1}).where(
                where, _ROOM_FOR_ONE
            ).returning(Capacity.id)
        if freed:
            await _changed(service_id)
            return True
        return bool(await Capacity.exists().where(where))

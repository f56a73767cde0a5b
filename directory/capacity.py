"""Live capacity of an offer: free places, waitlist, maximum; who confirmed it and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException, NotFoundException, ValidationException

from core.db import atomic
from directory.outputs import CapacityOut
from directory.schemas import CapacityUpdate, given
from directory.tables import Capacity, Service
from outbox.publish import publish
from settings import Settings, get_settings


def N_(message: str) -> str:  # noqa: N802
    """Marks a message for the catalogs; pages translate it when they show it."""
    return message


RETIRED = N_("This offer has been retired; its places can no longer change.")
ALL_FREE = N_("All places are already free. Raise the maximum first if the offer grew.")
NONE_FREE = N_("There are no free places left to take away.")


class Step(StrEnum):
    """The one-click changes offered on the pages and behind the signed link."""

    PLUS = "plus"
    MINUS = "minus"
    FULL = "full"
    WAITLIST_OPEN = "waitlist_open"
    WAITLIST_CLOSED = "waitlist_closed"


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


async def _live_service(service_id: UUID) -> None:
    row = await Service.select(Service.retired_at).where(Service.id == service_id).first()
    if row is None:
        raise NotFoundException("No offer with this id.")
    if row["retired_at"] is not None:
        raise ClientException(RETIRED, status_code=409)


async def _stamp(service_id: UUID, by_id: UUID | None, by_name: str) -> CapacityOut:
    """Record who confirmed the figures, mark the offer changed and tell the search index."""
    now = datetime.now(UTC)
    await Capacity.update({Capacity.updated: now, Capacity.updated_by: by_id,
                           Capacity.updated_by_name: by_name[:255]}).where(
        Capacity.service == service_id
    )
    await Service.update({Service.last_modified: now}).where(Service.id == service_id)
    await publish("directory.service_changed", {"service_id": str(service_id)})
    row = await Capacity.select().where(Capacity.service == service_id).first()
    assert row is not None
    return capacity_out(row)


async def update_capacity(service_id: UUID, change: CapacityUpdate, by_id: UUID | None,
                          by_name: str) -> CapacityOut:
    """Set the figures that `change` carries; creates the capacity record on first use."""
    values = given(change)
    async with atomic():
        await _live_service(service_id)
        row = await Capacity.select().where(Capacity.service == service_id).first()
        current: dict[str, Any] = row or {"maximum": 0, "available": 0}
        maximum = int(values.get("maximum", current["maximum"]))
        available = int(values.get("available", current["available"]))
        if maximum > 0 and available > maximum:
            raise ValidationException(
                f"Free places ({available}) cannot be more than the maximum ({maximum}). "
                "Raise the maximum or lower the free places."
            )
        if row is None:
            await Capacity(service=service_id, **values).save()
        elif values:
            await Capacity.update({getattr(Capacity, k): v for k, v in values.items()}).where(
                Capacity.service == service_id
            )
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
                where, (Capacity.maximum == 0) | (Capacity.available < Capacity.maximum)
            ).returning(Capacity.id)
            if not changed:
                raise ValidationException(ALL_FREE)
        elif step is Step.MINUS:
            changed = await Capacity.update({Capacity.available: Capacity.available - 1}).where(
                where, Capacity.available > 0
            ).returning(Capacity.id)
            if not changed:
                raise ValidationException(NONE_FREE)
        elif step is Step.FULL:
            await Capacity.update({Capacity.available: 0}).where(where)
        else:
            await Capacity.update(
                {Capacity.waitlist_open: step is Step.WAITLIST_OPEN}
            ).where(where)
        return await _stamp(service_id, by_id, by_name)

"""The JSON API for reading openings and labels, and for bookable slots."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import msgspec
from litestar import Request, delete, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.guards import member, provider_staff
from calendars import compute, slots, store
from calendars.access import editable_service, readable_service, translate
from calendars.api import label_texts
from calendars.routes import TAGS, invalid_input, parse_time
from core.errors import ReadableError
from core.i18n import pick_language
from core.time import berlin_today


class OpeningOut(msgspec.Struct):
    start: datetime
    end: datetime
    kind: str
    appointment_only: bool


@get(
    "/api/calendars/services/{service_id:uuid}/openings",
    operation_id="listOpenings",
    tags=TAGS,
    guards=[member],
)
async def list_openings(
    request: Request,
    service_id: FromPath[UUID],
    start: FromQuery[date | None] = None,
    days: FromQuery[int] = 7,
) -> list[OpeningOut]:
    """List an offer's openings.

    Concrete openings from `start` (default today) for `days` days (at most 92).
    """
    await readable_service(request, service_id)
    if not 1 <= days <= 92:
        raise ValidationException("days must be between 1 and 92")
    first = start or berlin_today()
    found = (await store.schedules_by_service([service_id]))[service_id]
    kinds = {rule.id: rule.kind for rule in found.rules}
    return [
        OpeningOut(
            o.local_start,
            o.local_end,
            "extra" if o.extra else kinds.get(o.rule_id or UUID(int=0), "hours"),
            o.appointment_only,
        )
        for o in compute.openings(
            found.rules, found.exceptions, first, first + timedelta(days=days - 1)
        )
    ]


class LabelOut(msgspec.Struct):
    service_id: UUID
    state: str
    text: str
    open_until: datetime | None
    next_opening: datetime | None
    appointment_only: bool
    next_course_start: date | None
    course_text: str | None


@get("/api/calendars/labels", operation_id="openingLabels", tags=TAGS, guards=[member])
async def labels(request: Request, service_id: FromQuery[list[UUID]]) -> list[LabelOut]:
    """Opening labels of offers.

    Open now / next opening / next course start of up to 200 offers.
    """
    if len(service_id) > 200:
        raise ValidationException("Ask for at most 200 offers at once")
    texts = await label_texts(service_id, pick_language(request), translate(request))
    return [
        LabelOut(
            sid,
            t.state,
            t.text,
            t.label.until,
            t.label.next_start,
            t.label.appointment_only,
            t.course_start,
            t.course,
        )
        for sid, t in texts.items()
    ]


class SlotOut(msgspec.Struct):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    location_id: UUID | None
    note: str
    free: bool


def _slot_out(slot: slots.SlotInfo) -> SlotOut:
    return SlotOut(slot.id, slot.starts_at, slot.ends_at, slot.location_id, slot.note, slot.free)


@get(
    "/api/calendars/services/{service_id:uuid}/slots",
    operation_id="listFreeSlots",
    tags=TAGS,
    guards=[member],
)
async def list_free_slots(request: Request, service_id: FromPath[UUID]) -> list[SlotOut]:
    """List free appointment slots.

    The offer's published slots that are still free, soonest first, for case managers booking an
    appointment.
    """
    await readable_service(request, service_id)
    return [_slot_out(slot) for slot in await slots.free_slots(service_id)]


class SlotsIn(msgspec.Struct, forbid_unknown_fields=True):
    day: date
    first: str
    last: str
    minutes: int = 45
    location_id: UUID | None = None
    note: str = ""


@post(
    "/api/calendars/services/{service_id:uuid}/slots",
    operation_id="createSlots",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_201_CREATED,
)
async def create_slots(
    request: Request, service_id: FromPath[UUID], data: JSONBody[SlotsIn]
) -> list[SlotOut]:
    """Publish appointment slots.

    Publish slots of `minutes` between `first` and `last` (Berlin time) on `day`.
    """
    await editable_service(request, service_id)
    first, last = parse_time(data.first, "first"), parse_time(data.last, "last")
    if first is None or last is None:
        raise ValidationException("first and last are required (HH:MM)")
    if data.day < berlin_today():
        raise ValidationException("Slots can only be offered for today or later")
    try:
        times = slots.slot_times(data.day, first, last, data.minutes)
    except ReadableError as error:
        raise invalid_input(request, error) from None
    created = await slots.create_slots(service_id, times, data.location_id, data.note)
    return [_slot_out(slot) for slot in created]


@delete(
    "/api/calendars/slots/{slot_id:uuid}",
    operation_id="deleteSlot",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_slot(request: Request, slot_id: FromPath[UUID]) -> None:
    """Delete an appointment slot.

    Removes a published slot of an offer your organisation runs.
    """
    slot = await slots.get_slot(slot_id)
    if slot is None:
        raise NotFoundException("No appointment slot with this id.")
    await editable_service(request, slot.service_id)
    await slots.delete_free_slot(slot_id)


ROUTES = [
    list_openings,
    labels,
    list_free_slots,
    create_slots,
    delete_slot,
]

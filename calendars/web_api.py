"""The JSON API of calendars, for provider systems and integrations (OpenAPI at /schema)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.guards import current_user, member, provider_staff
from calendars import compute, describe, hsds, slots, store, subscriptions
from calendars.access import berlin_today, editable_service, readable_service, translate
from calendars.api import label_texts
from calendars.ics_import import ImportLimits, import_calendar
from calendars.problems import ReadableError
from calendars.rules import (
    Rule,
    ScheduleExceptionValue,
    parse_byday,
    parse_bymonthday,
    rule_to_row,
)
from calendars.tables import CalendarSubscription
from core.i18n import pick_language

TAGS = ["calendars"]
UNSET: Any = msgspec.UNSET


def _invalid(request: Request, error: ReadableError) -> ValidationException:
    return ValidationException(error.translated(translate(request)))


def _time(value: str | None, field: str) -> time | None:
    if value in (None, ""):
        return None
    try:
        return time.fromisoformat(value or "").replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        raise ValidationException(f"{field}: use HH:MM") from None


class ScheduleIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str = "hours"
    freq: str | None = "WEEKLY"
    interval: int = 1
    byday: str = ""
    bymonthday: str = ""
    dtstart: date | None = None
    until: date | None = None
    count: int | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    description: str = msgspec.field(default="")
    notes: str = ""
    appointment_only: bool = False
    open_on_holidays: bool = False


class SchedulePatch(msgspec.Struct, forbid_unknown_fields=True):
    kind: str | msgspec.UnsetType = UNSET
    freq: str | msgspec.UnsetType | None = UNSET
    interval: int | msgspec.UnsetType = UNSET
    byday: str | msgspec.UnsetType = UNSET
    bymonthday: str | msgspec.UnsetType = UNSET
    dtstart: date | msgspec.UnsetType | None = UNSET
    until: date | msgspec.UnsetType | None = UNSET
    count: int | msgspec.UnsetType | None = UNSET
    opens_at: str | msgspec.UnsetType | None = UNSET
    closes_at: str | msgspec.UnsetType | None = UNSET
    valid_from: date | msgspec.UnsetType | None = UNSET
    valid_to: date | msgspec.UnsetType | None = UNSET
    description: str | msgspec.UnsetType = UNSET
    notes: str | msgspec.UnsetType = UNSET
    appointment_only: bool | msgspec.UnsetType = UNSET
    open_on_holidays: bool | msgspec.UnsetType = UNSET


class ScheduleOut(msgspec.Struct):
    id: UUID
    service_id: UUID | None
    kind: str
    freq: str | None
    interval: int
    byday: str
    bymonthday: str
    dtstart: date | None
    until: date | None
    count: int | None
    opens_at: str | None
    closes_at: str | None
    valid_from: date | None
    valid_to: date | None
    description: str
    notes: str
    appointment_only: bool
    open_on_holidays: bool
    source: str
    sequence: int
    text: str


class ExceptionIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    starts_on: date
    ends_on: date | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    description: str = ""
    schedule_id: UUID | None = None


class ExceptionOut(msgspec.Struct):
    id: UUID
    kind: str
    starts_on: date
    ends_on: date
    opens_at: str | None
    closes_at: str | None
    description: str
    schedule_id: UUID | None
    text: str


class ScheduleBundle(msgspec.Struct):
    schedules: list[ScheduleOut]
    exceptions: list[ExceptionOut]
    hsds: list[dict[str, Any]]


def _hm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _out(rule: Rule, request: Request) -> ScheduleOut:
    row = rule_to_row(rule)
    return ScheduleOut(
        id=rule.id,
        service_id=rule.service_id,
        kind=rule.kind,
        freq=rule.freq,
        interval=rule.interval,
        byday=row["byday"],
        bymonthday=row["bymonthday"],
        dtstart=rule.dtstart,
        until=rule.until,
        count=rule.count,
        opens_at=_hm(rule.opens_at),
        closes_at=_hm(rule.closes_at),
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        description=rule.description,
        notes=rule.notes,
        appointment_only=rule.appointment_only,
        open_on_holidays=rule.open_on_holidays,
        source=rule.source,
        sequence=rule.sequence,
        text=describe.rule_text(rule, pick_language(request), translate(request)),
    )


def _exc_out(exc: ScheduleExceptionValue, request: Request) -> ExceptionOut:
    return ExceptionOut(
        id=exc.id,
        kind=exc.kind,
        starts_on=exc.starts_on,
        ends_on=exc.ends_on,
        opens_at=_hm(exc.opens_at),
        closes_at=_hm(exc.closes_at),
        description=exc.description,
        schedule_id=exc.schedule_id,
        text=describe.exception_text(exc, pick_language(request), translate(request)),
    )


def _rule_from(data: ScheduleIn | dict[str, Any], base: Rule) -> Rule:
    values = msgspec.structs.asdict(data) if isinstance(data, ScheduleIn) else data
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if value is UNSET:
            continue
        if key in ("opens_at", "closes_at"):
            changes[key] = _time(value, key)
        elif key == "count":
            changes["count"] = value
        else:
            changes[key] = value
    freq = changes.get("freq", base.freq)
    if "byday" in changes:
        changes["byday"] = parse_byday(changes["byday"], freq)
    if "bymonthday" in changes:
        changes["bymonthday"] = parse_bymonthday(changes["bymonthday"])
    return base.with_changes(**changes)


@get(
    "/api/calendars/services/{service_id:uuid}/schedules",
    operation_id="listSchedules",
    tags=TAGS,
    guards=[member],
)
async def list_schedules(request: Request, service_id: FromPath[UUID]) -> ScheduleBundle:
    """The offer's own schedules and exceptions, and the same as HSDS schedule objects."""
    await readable_service(request, service_id)
    own = await store.own_schedules(service_id)
    return ScheduleBundle(
        schedules=[_out(rule, request) for rule in own.rules],
        exceptions=[_exc_out(exc, request) for exc in own.exceptions],
        hsds=hsds.schedules_to_hsds(own.rules, own.exceptions),
    )


@post(
    "/api/calendars/services/{service_id:uuid}/schedules",
    operation_id="createSchedule",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_201_CREATED,
)
async def create_schedule(
    request: Request, service_id: FromPath[UUID], data: JSONBody[ScheduleIn]
) -> ScheduleOut:
    await editable_service(request, service_id)
    try:
        rule = _rule_from(data, Rule(service_id=service_id))
        saved = await store.add_rule(rule)
    except ReadableError as error:
        raise _invalid(request, error) from None
    return _out(saved, request)


async def _editable_rule(request: Request, schedule_id: UUID) -> Rule:
    rule = await store.get_rule(schedule_id)
    if rule is None or rule.service_id is None:
        raise NotFoundException("No schedule with this id.")
    await editable_service(request, rule.service_id)
    return rule


@patch(
    "/api/calendars/schedules/{schedule_id:uuid}",
    operation_id="updateSchedule",
    tags=TAGS,
    guards=[provider_staff],
)
async def update_schedule(
    request: Request, schedule_id: FromPath[UUID], data: JSONBody[SchedulePatch]
) -> ScheduleOut:
    rule = await _editable_rule(request, schedule_id)
    try:
        changed = _rule_from(msgspec.structs.asdict(data), rule)
        saved = await store.update_rule(changed)
    except ReadableError as error:
        raise _invalid(request, error) from None
    return _out(saved, request)


@delete(
    "/api/calendars/schedules/{schedule_id:uuid}",
    operation_id="deleteSchedule",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_schedule(request: Request, schedule_id: FromPath[UUID]) -> None:
    await store.delete_rule(await _editable_rule(request, schedule_id))


@post(
    "/api/calendars/services/{service_id:uuid}/exceptions",
    operation_id="createException",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_201_CREATED,
)
async def create_exception(
    request: Request, service_id: FromPath[UUID], data: JSONBody[ExceptionIn]
) -> ExceptionOut:
    await editable_service(request, service_id)
    if data.schedule_id is not None:
        rule = await store.get_rule(data.schedule_id)
        if rule is None or rule.service_id != service_id:
            raise ValidationException("schedule_id: not a schedule of this offer")
    exc = ScheduleExceptionValue(
        kind=data.kind,
        starts_on=data.starts_on,
        ends_on=data.ends_on or data.starts_on,
        opens_at=_time(data.opens_at, "opens_at"),
        closes_at=_time(data.closes_at, "closes_at"),
        description=data.description[:500],
        schedule_id=data.schedule_id,
        service_id=service_id,
    )
    try:
        saved = await store.add_exception(exc)
    except ReadableError as error:
        raise _invalid(request, error) from None
    return _exc_out(saved, request)


@delete(
    "/api/calendars/exceptions/{exception_id:uuid}",
    operation_id="deleteException",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_exception(request: Request, exception_id: FromPath[UUID]) -> None:
    exc = await store.get_exception(exception_id)
    if exc is None or exc.service_id is None:
        raise NotFoundException("No exception with this id.")
    await editable_service(request, exc.service_id)
    await store.delete_exception(exc)


class ImportReport(msgspec.Struct):
    created: int
    updated: int
    removed: int
    unchanged: int
    skipped_past: int
    warnings: list[str]


@post(
    "/api/calendars/services/{service_id:uuid}/import",
    operation_id="importCalendar",
    tags=TAGS,
    guards=[provider_staff],
    status_code=200,
)
async def import_ics(
    request: Request, service_id: FromPath[UUID], kind: FromQuery[str] = "hours"
) -> ImportReport:
    """Send the .ics file as the request body (Content-Type: text/calendar)."""
    await editable_service(request, service_id)
    limits = ImportLimits()
    body = await request.body()
    try:
        result = import_calendar(body, berlin_today(), kind=kind, limits=limits)
    except ReadableError as error:
        raise _invalid(request, error) from None
    summary = await store.apply_import(service_id, result)
    return ImportReport(
        summary.created,
        summary.updated,
        summary.removed,
        summary.unchanged,
        result.skipped_past,
        result.warnings[:50],
    )


class SubscriptionIn(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    kind: str = "hours"


class SubscriptionOut(msgspec.Struct):
    id: UUID
    url: str
    kind: str
    last_polled: datetime | None
    last_success: datetime | None
    last_error: str


def _subscription_out(row: dict[str, Any], request: Request) -> SubscriptionOut:
    return SubscriptionOut(
        row["id"],
        row["url"],
        row["kind"],
        row["last_polled"],
        row["last_success"],
        subscriptions.error_text(row["last_error"], translate(request)),
    )


@get(
    "/api/calendars/services/{service_id:uuid}/subscriptions",
    operation_id="listSubscriptions",
    tags=TAGS,
    guards=[provider_staff],
)
async def list_subscriptions(request: Request, service_id: FromPath[UUID]) -> list[SubscriptionOut]:
    await editable_service(request, service_id)
    rows = await CalendarSubscription.select().where(CalendarSubscription.service == service_id)
    return [_subscription_out(row, request) for row in rows]


@post(
    "/api/calendars/services/{service_id:uuid}/subscriptions",
    operation_id="createSubscription",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_201_CREATED,
)
async def create_subscription(
    request: Request, service_id: FromPath[UUID], data: JSONBody[SubscriptionIn]
) -> SubscriptionOut:
    """Follow a calendar URL; it is read at once and then every few hours."""
    await editable_service(request, service_id)
    try:
        subscription_id = await subscriptions.add_subscription(
            service_id, data.url, data.kind, current_user(request).id
        )
    except ReadableError as error:
        raise _invalid(request, error) from None
    await subscriptions.poll_subscription(subscription_id)
    row = (
        await CalendarSubscription.select()
        .where(CalendarSubscription.id == subscription_id)
        .first()
    )
    assert row is not None
    return _subscription_out(row, request)


async def _editable_subscription(request: Request, subscription_id: UUID) -> dict[str, Any]:
    row = (
        await CalendarSubscription.select()
        .where(CalendarSubscription.id == subscription_id)
        .first()
    )
    if row is None:
        raise NotFoundException("No subscription with this id.")
    await editable_service(request, row["service"])
    return row


@post(
    "/api/calendars/subscriptions/{subscription_id:uuid}/poll",
    operation_id="pollSubscription",
    tags=TAGS,
    guards=[provider_staff],
    status_code=200,
)
async def poll_now(request: Request, subscription_id: FromPath[UUID]) -> SubscriptionOut:
    await _editable_subscription(request, subscription_id)
    await subscriptions.poll_subscription(subscription_id, force=True)
    return _subscription_out(await _editable_subscription(request, subscription_id), request)


@delete(
    "/api/calendars/subscriptions/{subscription_id:uuid}",
    operation_id="deleteSubscription",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_subscription(request: Request, subscription_id: FromPath[UUID]) -> None:
    await _editable_subscription(request, subscription_id)
    await subscriptions.remove_subscription(subscription_id)


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
    """Concrete openings from `start` (default today) for `days` days (at most 92)."""
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
    """Open now / next opening / next course start of up to 200 offers."""
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
    """Publish slots of `minutes` between `first` and `last` (Berlin time) on `day`."""
    await editable_service(request, service_id)
    first, last = _time(data.first, "first"), _time(data.last, "last")
    if first is None or last is None:
        raise ValidationException("first and last are required (HH:MM)")
    if data.day < berlin_today():
        raise ValidationException("Slots can only be offered for today or later")
    try:
        times = slots.slot_times(data.day, first, last, data.minutes)
    except ReadableError as error:
        raise _invalid(request, error) from None
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
    slot = await slots.get_slot(slot_id)
    if slot is None:
        raise NotFoundException("No appointment slot with this id.")
    await editable_service(request, slot.service_id)
    await slots.delete_free_slot(slot_id)


ROUTES = [
    list_schedules,
    create_schedule,
    update_schedule,
    delete_schedule,
    create_exception,
    delete_exception,
    import_ics,
    list_subscriptions,
    create_subscription,
    poll_now,
    delete_subscription,
    list_openings,
    labels,
    list_free_slots,
    create_slots,
    delete_slot,
]

"""The JSON API of calendars for provider systems and integrations (OpenAPI at /schema):
schedules and exceptions here; imports and openings in the routes_* modules."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.guards import member, provider_staff
from calendars import describe, hsds, store
from calendars.access import editable_service, readable_service, translate
from calendars.rules import (
    Rule,
    ScheduleExceptionValue,
    parse_byday,
    parse_bymonthday,
    rule_to_row,
)
from core.errors import ReadableError
from core.i18n import pick_language

TAGS = ["calendars"]
UNSET: Any = msgspec.UNSET


def invalid_input(request: Request, error: ReadableError) -> ValidationException:
    return ValidationException(error.translated(translate(request)))


def parse_time(value: str | None, field: str) -> time | None:
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
            changes[key] = parse_time(value, key)
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
    """List an offer's schedules.

    The offer's own schedules and exceptions, and the same as HSDS schedule objects.
    """
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
    """Add a schedule to an offer.

    A weekly or monthly rule (opening hours or course sessions) for an offer your organisation
    runs; the answer is the stored rule with its text in your language.
    """
    await editable_service(request, service_id)
    try:
        rule = _rule_from(data, Rule(service_id=service_id))
        saved = await store.add_rule(rule)
    except ReadableError as error:
        raise invalid_input(request, error) from None
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
    """Change a schedule.

    Changes only the fields sent; the rule must stay valid (400 names what is wrong). Staff of
    the offer's organisation only.
    """
    rule = await _editable_rule(request, schedule_id)
    try:
        changed = _rule_from(msgspec.structs.asdict(data), rule)
        saved = await store.update_rule(changed)
    except ReadableError as error:
        raise invalid_input(request, error) from None
    return _out(saved, request)


@delete(
    "/api/calendars/schedules/{schedule_id:uuid}",
    operation_id="deleteSchedule",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_schedule(request: Request, schedule_id: FromPath[UUID]) -> None:
    """Delete a schedule.

    Removes the rule from the offer; its feeds no longer show it. Staff of the offer's
    organisation only.
    """
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
    """Add a closure or extra date.

    A day the offer is closed, or an extra or changed opening, for an offer your organisation
    runs.
    """
    await editable_service(request, service_id)
    if data.schedule_id is not None:
        rule = await store.get_rule(data.schedule_id)
        if rule is None or rule.service_id != service_id:
            raise ValidationException("schedule_id: not a schedule of this offer")
    exc = ScheduleExceptionValue(
        kind=data.kind,
        starts_on=data.starts_on,
        ends_on=data.ends_on or data.starts_on,
        opens_at=parse_time(data.opens_at, "opens_at"),
        closes_at=parse_time(data.closes_at, "closes_at"),
        description=data.description[:500],
        schedule_id=data.schedule_id,
        service_id=service_id,
    )
    try:
        saved = await store.add_exception(exc)
    except ReadableError as error:
        raise invalid_input(request, error) from None
    return _exc_out(saved, request)


@delete(
    "/api/calendars/exceptions/{exception_id:uuid}",
    operation_id="deleteException",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_exception(request: Request, exception_id: FromPath[UUID]) -> None:
    """Delete a closure or extra date.

    Removes the exception; the offer's rules apply on that day again. Staff of the offer's
    organisation only.
    """
    exc = await store.get_exception(exception_id)
    if exc is None or exc.service_id is None:
        raise NotFoundException("No exception with this id.")
    await editable_service(request, exc.service_id)
    await store.delete_exception(exc)


ROUTES = [
    list_schedules,
    create_schedule,
    update_schedule,
    delete_schedule,
    create_exception,
    delete_exception,
]

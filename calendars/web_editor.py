"""The schedule editor of provider staff: weekly hours, monthly dates, courses, single dates,
closures, .ics import and subscriptions, bookable slots. Forms post and come back (303)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from accounts.guards import current_user, provider_staff
from calendars import describe, slots, store, store_import, subscriptions
from calendars.access import editable_service, translate
from calendars.forms import exception_from_form, rule_from_form, slots_from_form
from calendars.ics_import import IcsImportError, ImportLimits, import_calendar
from calendars.rules import RuleError
from calendars.tables import CalendarSubscription
from calendars.web_pages import feed_urls
from core.errors import N_, ReadableError
from core.i18n import pick_language
from core.templates import render
from core.time import BERLIN, berlin_today
from directory import api as directory

BASE = "/calendars/services/{service_id:uuid}/schedule"


def _back(service_id: UUID, done: str, **extra: object) -> Redirect:
    query = "&".join(f"{key}={value}" for key, value in {"done": done, **extra}.items())
    return Redirect(f"/calendars/services/{service_id}/schedule?{query}#{done}", status_code=303)


async def _editor(
    request: Request, service_id: UUID, error: str | None = None, status: int = 200
) -> Template:
    info = await editable_service(request, service_id)
    _ = translate(request)
    lang = pick_language(request)
    own = await store.own_schedules(service_id)
    subs = (
        await CalendarSubscription.select()
        .where(CalendarSubscription.service == service_id)
        .order_by(CalendarSubscription.created_at)
    )
    upcoming = await slots.service_slots(service_id, since=datetime.now(UTC))
    places = (await directory.service_places([service_id])).get(service_id) or []
    place_info = await directory.place_briefs([location for _sal, location in places])
    rules = sorted(own.rules, key=lambda r: (r.kind, r.dtstart or r.valid_from or berlin_today()))
    return render(
        request,
        "calendars/editor.html",
        {
            "service": info,
            "rules": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "text": describe.rule_text(r, lang, _),
                    "source": r.source,
                    "appointment_only": r.appointment_only,
                    "open_on_holidays": r.open_on_holidays,
                    "notes": r.notes,
                }
                for r in rules
            ],
            "exceptions": [
                {
                    "id": e.id,
                    "text": describe.exception_text(e, lang, _),
                    "description": e.description,
                    "source": e.source,
                }
                for e in own.exceptions
            ],
            "subscriptions": [
                {**row, "error": subscriptions.error_text(row["last_error"], _)} for row in subs
            ],
            "slots": [
                {
                    "id": s.id,
                    "free": s.free,
                    "when": f"{s.starts_at.astimezone(BERLIN):%d.%m.%Y %H:%M}–"
                    f"{s.ends_at.astimezone(BERLIN):%H:%M}",
                }
                for s in upcoming
            ],
            "places": list(place_info.values()),
            "weekdays": [
                (code, describe.day_name(i, lang))
                for i, code in enumerate(("MO", "TU", "WE", "TH", "FR", "SA", "SU"))
            ],
            "urls": feed_urls(service_id, info.organization_id),
            "error": error,
            "done": request.query_params.get("done"),
            "counts": {k: request.query_params.get(k) for k in ("created", "updated", "removed")},
            "today": berlin_today().isoformat(),
        },
        status_code=status,
    )


@get(BASE, operation_id="scheduleEditorPage", guards=[provider_staff], include_in_schema=False)
async def editor_page(request: Request, service_id: FromPath[UUID]) -> Template:
    return await _editor(request, service_id)


async def _failed(request: Request, service_id: UUID, error: ReadableError) -> Template:
    return await _editor(request, service_id, error.translated(translate(request)), status=400)


@post(
    f"{BASE}/rules",
    operation_id="addScheduleForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def add_rule_form(request: Request, service_id: FromPath[UUID]) -> Response[Any]:
    await editable_service(request, service_id)
    form = await request.form()
    try:
        rule = rule_from_form(form, service_id)
    except ReadableError as error:
        return await _failed(request, service_id, error)
    await store.add_rule(rule)
    return _back(service_id, "rule-added")


@post(
    f"{BASE}/rules/{{rule_id:uuid}}/delete",
    operation_id="deleteScheduleForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def delete_rule_form(
    request: Request, service_id: FromPath[UUID], rule_id: FromPath[UUID]
) -> Redirect:
    await editable_service(request, service_id)
    rule = await store.get_rule(rule_id)
    if rule is None or rule.service_id != service_id:
        raise NotFoundException("This schedule does not exist (any more).")
    await store.delete_rule(rule)
    return _back(service_id, "rule-deleted")


@post(
    f"{BASE}/exceptions",
    operation_id="addScheduleExceptionForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def add_exception_form(request: Request, service_id: FromPath[UUID]) -> Response[Any]:
    await editable_service(request, service_id)
    form = await request.form()
    try:
        exc = exception_from_form(form, service_id)
    except ReadableError as error:
        return await _failed(request, service_id, error)
    await store.add_exception(exc)
    return _back(service_id, "exception-added")


@post(
    f"{BASE}/exceptions/{{exception_id:uuid}}/delete",
    operation_id="deleteExceptionForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def delete_exception_form(
    request: Request, service_id: FromPath[UUID], exception_id: FromPath[UUID]
) -> Redirect:
    await editable_service(request, service_id)
    exc = await store.get_exception(exception_id)
    if exc is None or exc.service_id != service_id:
        raise NotFoundException("This exception does not exist (any more).")
    await store.delete_exception(exc)
    return _back(service_id, "exception-deleted")


@post(
    f"{BASE}/import",
    operation_id="importCalendarForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def import_form(request: Request, service_id: FromPath[UUID]) -> Response[Any]:
    await editable_service(request, service_id)
    form = await request.form()
    upload = form.get("file")
    kind = str(form.get("kind") or "hours")
    if not isinstance(upload, UploadFile):
        return await _editor(
            request, service_id, translate(request)("Choose an .ics file to import"), status=400
        )
    limits = ImportLimits()
    data = await upload.read(limits.max_bytes + 1)
    try:
        result = import_calendar(data, berlin_today(), kind=kind, limits=limits)
    except IcsImportError as error:
        return await _failed(request, service_id, error)
    summary = await store_import.apply_import(service_id, result)
    return _back(
        service_id,
        "imported",
        created=summary.created,
        updated=summary.updated,
        removed=summary.removed,
    )


@post(
    f"{BASE}/subscriptions",
    operation_id="addSubscriptionForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def subscribe_form(request: Request, service_id: FromPath[UUID]) -> Response[Any]:
    await editable_service(request, service_id)
    form = await request.form()
    try:
        subscription_id = await subscriptions.add_subscription(
            service_id,
            str(form.get("url") or ""),
            str(form.get("kind") or "hours"),
            current_user(request).id,
        )
    except ReadableError as error:
        return await _failed(request, service_id, error)
    outcome = await subscriptions.poll_subscription(subscription_id)
    return _back(service_id, "subscribed" if not outcome.error else "subscription-failed")


async def _own_subscription(service_id: UUID, subscription_id: UUID) -> None:
    found = await CalendarSubscription.exists().where(
        (CalendarSubscription.id == subscription_id) & (CalendarSubscription.service == service_id)
    )
    if not found:
        raise NotFoundException("This subscription does not exist (any more).")


@post(
    f"{BASE}/subscriptions/{{subscription_id:uuid}}/poll",
    operation_id="pollSubscriptionForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def poll_form(
    request: Request, service_id: FromPath[UUID], subscription_id: FromPath[UUID]
) -> Redirect:
    await editable_service(request, service_id)
    await _own_subscription(service_id, subscription_id)
    outcome = await subscriptions.poll_subscription(subscription_id, force=True)
    return _back(service_id, "polled" if not outcome.error else "subscription-failed")


@post(
    f"{BASE}/subscriptions/{{subscription_id:uuid}}/delete",
    operation_id="deleteSubscriptionForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def unsubscribe_form(
    request: Request, service_id: FromPath[UUID], subscription_id: FromPath[UUID]
) -> Redirect:
    await editable_service(request, service_id)
    await _own_subscription(service_id, subscription_id)
    await subscriptions.remove_subscription(subscription_id)
    return _back(service_id, "unsubscribed")


@post(
    f"{BASE}/slots", operation_id="addSlotsForm", guards=[provider_staff], include_in_schema=False
)
async def add_slots_form(request: Request, service_id: FromPath[UUID]) -> Response[Any]:
    await editable_service(request, service_id)
    form = await request.form()
    try:
        times, location_id, note = await _slot_request(form, service_id)
    except ReadableError as error:
        return await _failed(request, service_id, error)
    await slots.create_slots(service_id, times, location_id, note)
    return _back(service_id, "slots-added")


async def _slot_request(
    form: Any, service_id: UUID
) -> tuple[list[tuple[datetime, datetime]], UUID | None, str]:
    wanted = slots_from_form(form, berlin_today())
    location_id: UUID | None = None
    if wanted.location:
        places = (await directory.service_places([service_id])).get(service_id) or []
        known = {str(location): location for _sal, location in places}
        if wanted.location not in known:
            raise RuleError(N_("Choose one of the offer's places"))
        location_id = known[wanted.location]
    times = slots.slot_times(wanted.day, wanted.first, wanted.last, wanted.minutes)
    return times, location_id, wanted.note


@post(
    f"{BASE}/slots/{{slot_id:uuid}}/delete",
    operation_id="deleteSlotForm",
    guards=[provider_staff],
    include_in_schema=False,
)
async def delete_slot_form(
    request: Request, service_id: FromPath[UUID], slot_id: FromPath[UUID]
) -> Response[Any]:
    await editable_service(request, service_id)
    slot = await slots.get_slot(slot_id)
    if slot is None or slot.service_id != service_id:
        raise NotFoundException("This appointment slot does not exist (any more).")
    try:
        await slots.delete_free_slot(slot_id)
    except slots.SlotUnavailableError as error:
        message = translate(request)(error.detail)
        return await _editor(request, service_id, message, status=409)
    return _back(service_id, "slot-deleted")


ROUTES = [
    editor_page,
    add_rule_form,
    delete_rule_form,
    add_exception_form,
    delete_exception_form,
    import_form,
    subscribe_form,
    poll_form,
    unsubscribe_form,
    add_slots_form,
    delete_slot_form,
]

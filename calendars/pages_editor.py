"""The schedule editor of provider staff: weekly hours, monthly dates, courses, single dates,
closures, .ics import and subscriptions, bookable slots. Forms post and come back (303).

One controller says once what every form shares: the path, the guard and the offer (which the
user must be allowed to edit); the rows a form names are looked up as dependencies, so a
handler only does its own step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from accounts.guards import current_user, provider_staff
from calendars import describe, slots, store, store_import, subscriptions
from calendars.access import editable_service, translate
from calendars.forms import (
    exception_from_form,
    rule_from_form,
    rule_values,
    slots_from_form,
    typed_values,
)
from calendars.ics_import import ImportLimits
from calendars.import_runner import read_calendar, report_lines, too_large
from calendars.pages import feed_urls
from calendars.rules import Rule, RuleError, ScheduleExceptionValue
from calendars.slots import SlotInfo
from calendars.tables import CalendarSubscription
from core.errors import N_, ReadableError
from core.i18n import pick_language
from core.templates import render
from core.time import BERLIN, berlin_today
from directory import api as directory


def _back(service_id: UUID, done: str, **extra: object) -> Redirect:
    query = "&".join(f"{key}={value}" for key, value in {"done": done, **extra}.items())
    return Redirect(f"/calendars/services/{service_id}/schedule?{query}#{done}", status_code=303)


async def _editor(
    request: Request,
    info: directory.ServiceBrief,
    error: str | None = None,
    status: int = 200,
    report: dict[str, Any] | None = None,
    *,
    typed: dict[str, Any] | None = None,
    editing: Rule | None = None,
) -> Template:
    service_id = info.id
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
            "done": request.query_params.get("done") if report is None else "imported",
            "counts": report
            or {k: request.query_params.get(k) for k in ("created", "updated", "removed")},
            "import_notes": (report or {}).get("notes", []),
            "today": berlin_today().isoformat(),
            # A refused form shows again as typed; an entry being edited fills its own form.
            "typed": typed or {},
            "editing": {"id": editing.id, "text": describe.rule_text(editing, lang, _)}
            if editing else None,
        },
        status_code=status,
    )


async def _failed(
    request: Request, info: directory.ServiceBrief, error: ReadableError,
    typed: dict[str, Any] | None = None, editing: Rule | None = None,
) -> Template:
    return await _editor(request, info, error.translated(translate(request)), status=400,
                         typed=typed, editing=editing)


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


# The offer being edited (provider staff of its organisation or network admins only).
Offer = NamedDependency[directory.ServiceBrief]


# Dependencies: the offer being edited, and the rows of it a form names (404 when the row
# belongs to another offer, so an id from elsewhere changes nothing).


async def _service(request: Request, service_id: FromPath[UUID]) -> directory.ServiceBrief:
    return await editable_service(request, service_id)


async def _rule(service: Offer, rule_id: FromPath[UUID]) -> Rule:
    rule = await store.get_rule(rule_id)
    if rule is None or rule.service_id != service.id:
        raise NotFoundException("This schedule does not exist (any more).")
    return rule


async def _exception(service: Offer, exception_id: FromPath[UUID]) -> ScheduleExceptionValue:
    exc = await store.get_exception(exception_id)
    if exc is None or exc.service_id != service.id:
        raise NotFoundException("This exception does not exist (any more).")
    return exc


async def _subscription(service: Offer, subscription_id: FromPath[UUID]) -> UUID:
    found = await CalendarSubscription.exists().where(
        (CalendarSubscription.id == subscription_id) & (CalendarSubscription.service == service.id)
    )
    if not found:
        raise NotFoundException("This subscription does not exist (any more).")
    return subscription_id


async def _slot(service: Offer, slot_id: FromPath[UUID]) -> SlotInfo:
    slot = await slots.get_slot(slot_id)
    if slot is None or slot.service_id != service.id:
        raise NotFoundException("This appointment slot does not exist (any more).")
    return slot


class ScheduleEditor(Controller):
    path = "/calendars/services/{service_id:uuid}/schedule"
    guards = [provider_staff]
    include_in_schema = False
    dependencies = {
        "service": Provide(_service),
        "rule": Provide(_rule),
        "exception": Provide(_exception),
        "subscription": Provide(_subscription),
        "slot": Provide(_slot),
    }

    @get(operation_id="scheduleEditorPage")
    async def page(self, request: Request, service: Offer) -> Template:
        return await _editor(request, service)

    @post("/rules", operation_id="addScheduleForm")
    async def add_rule(self, request: Request, service: Offer) -> Response[Any]:
        form = await request.form()
        try:
            rule = rule_from_form(form, service.id)
        except ReadableError as error:
            return await _failed(request, service, error, typed_values(form, str(form.get("form"))))
        await store.add_rule(rule)
        return _back(service.id, "rule-added")

    @get("/rules/{rule_id:uuid}/edit", operation_id="editScheduleFormPage")
    async def edit_rule_page(
        self, request: Request, service: Offer, rule: NamedDependency[Rule]
    ) -> Template:
        return await _editor(request, service, typed=rule_values(rule), editing=rule)

    @post("/rules/{rule_id:uuid}/edit", operation_id="editScheduleForm")
    async def edit_rule(
        self, request: Request, service: Offer, rule: NamedDependency[Rule]
    ) -> Response[Any]:
        form = await request.form()
        try:
            changed = rule_from_form(form, service.id)
        except ReadableError as error:
            return await _failed(request, service, error,
                                 typed_values(form, str(form.get("form"))), editing=rule)
        # The same entry changed: its id, owner and origin stay, so feeds update it in place.
        await store.update_rule(changed.with_changes(
            id=rule.id, location_id=rule.location_id,
            service_at_location_id=rule.service_at_location_id, source=rule.source,
            external_uid=rule.external_uid, sequence=rule.sequence,
        ))
        return _back(service.id, "rule-changed")

    @post("/rules/{rule_id:uuid}/delete", operation_id="deleteScheduleForm")
    async def delete_rule(self, service: Offer, rule: NamedDependency[Rule]) -> Redirect:
        await store.delete_rule(rule)
        return _back(service.id, "rule-deleted")

    @post("/exceptions", operation_id="addScheduleExceptionForm")
    async def add_exception(self, request: Request, service: Offer) -> Response[Any]:
        form = await request.form()
        try:
            exc = exception_from_form(form, service.id)
        except ReadableError as error:
            return await _failed(request, service, error, typed_values(form, str(form.get("kind"))))
        await store.add_exception(exc)
        return _back(service.id, "exception-added")

    @post("/exceptions/{exception_id:uuid}/delete", operation_id="deleteExceptionForm")
    async def delete_exception(
        self, service: Offer, exception: NamedDependency[ScheduleExceptionValue]
    ) -> Redirect:
        await store.delete_exception(exception)
        return _back(service.id, "exception-deleted")

    @post("/import", operation_id="importCalendarForm")
    async def import_ics(self, request: Request, service: Offer) -> Response[Any]:
        form = await request.form()
        upload, limits = form.get("file"), ImportLimits.from_settings()
        if not isinstance(upload, UploadFile):
            message = translate(request)("Choose an .ics file to import")
            return await _editor(request, service, message, status=400)
        data = await upload.read(limits.max_bytes + 1)
        try:
            if len(data) > limits.max_bytes:
                raise too_large(limits)
            kind = str(form.get("kind") or "hours")
            result = await read_calendar(data, berlin_today(), kind, limits)
        except ReadableError as error:
            return await _failed(request, service, error)
        done = await store_import.apply_import(service.id, result)
        counts = {"created": done.created, "updated": done.updated, "removed": done.removed}
        if not result.warnings:
            return _back(service.id, "imported", **counts)
        # What the import changed or left out is shown at once, not behind a redirect.
        notes = report_lines(result, translate(request))
        return await _editor(request, service, report={**counts, "notes": notes})

    @post("/subscriptions", operation_id="addSubscriptionForm")
    async def subscribe(self, request: Request, service: Offer) -> Response[Any]:
        form = await request.form()
        url, kind = str(form.get("url") or ""), str(form.get("kind") or "hours")
        try:
            subscription_id = await subscriptions.add_subscription(
                service.id, url, kind, current_user(request).id
            )
        except ReadableError as error:
            return await _failed(request, service, error)
        outcome = await subscriptions.poll_subscription(subscription_id)
        return _back(service.id, "subscribed" if not outcome.error else "subscription-failed")

    @post("/subscriptions/{subscription_id:uuid}/poll", operation_id="pollSubscriptionForm")
    async def poll(self, service: Offer, subscription: NamedDependency[UUID]) -> Redirect:
        outcome = await subscriptions.poll_subscription(subscription, force=True)
        return _back(service.id, "polled" if not outcome.error else "subscription-failed")

    @post("/subscriptions/{subscription_id:uuid}/delete", operation_id="deleteSubscriptionForm")
    async def unsubscribe(self, service: Offer, subscription: NamedDependency[UUID]) -> Redirect:
        await subscriptions.remove_subscription(subscription)
        return _back(service.id, "unsubscribed")

    @post("/slots", operation_id="addSlotsForm")
    async def add_slots(self, request: Request, service: Offer) -> Response[Any]:
        form = await request.form()
        try:
            times, location_id, note = await _slot_request(form, service.id)
        except ReadableError as error:
            return await _failed(request, service, error, typed_values(form, "slots"))
        await slots.create_slots(service.id, times, location_id, note)
        return _back(service.id, "slots-added")

    @post("/slots/{slot_id:uuid}/delete", operation_id="deleteSlotForm")
    async def delete_slot(
        self, request: Request, service: Offer, slot: NamedDependency[SlotInfo]
    ) -> Response[Any]:
        try:
            await slots.delete_free_slot(slot.id)
        except slots.SlotUnavailableError as error:
            return await _editor(request, service, translate(request)(error.detail), status=409)
        return _back(service.id, "slot-deleted")


ROUTES = [ScheduleEditor]

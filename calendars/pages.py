"""Pages everyone in the network reads: an offer's week of hours and dates, and the
"open now / opens Thu 14:00" label that lists and detail pages embed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from calendars import compute, describe, store
from calendars.access import may_edit, readable_service, translate
from calendars.workdays import holiday_name
from core.i18n import pick_language
from core.templates import render
from core.time import BERLIN, berlin_today
from core.urls import absolute_url


def feed_urls(service_id: UUID, organization_id: UUID) -> dict[str, str]:
    return {
        "service": absolute_url(f"/calendars/services/{service_id}.ics"),
        "organization": absolute_url(f"/calendars/organizations/{organization_id}.ics"),
    }


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _monday(start: str | None) -> date:
    if not start:
        return compute.week_monday(berlin_today())
    try:
        day = date.fromisoformat(start)
    except ValueError:
        raise ValidationException("start must be a date like 2027-01-11") from None
    if abs((day - berlin_today()).days) > 3 * 365:
        raise ValidationException("Choose a week within three years of today")
    return compute.week_monday(day)


def week_rows(schedules: store.Schedules, monday: date, lang: str, _: Any) -> list[dict[str, Any]]:
    """One row per day: openings in Berlin time, holiday, closures and extra dates."""
    found = compute.openings(
        schedules.rules, schedules.exceptions, monday, monday + timedelta(days=6)
    )
    kinds = {rule.id: rule.kind for rule in schedules.rules}
    notes = {rule.id: rule.notes for rule in schedules.rules}
    today = berlin_today()
    rows = []
    for day in describe.week_days(monday):
        items = []
        for opening in found:
            if opening.day != day:
                continue
            kind = "extra" if opening.extra else kinds.get(opening.rule_id or UUID(int=0), "hours")
            start, end = opening.local_start, opening.local_end
            whole = start.time() == end.time() and end.date() > start.date()
            items.append(
                {
                    "hours": _("all day") if whole else f"{start:%H:%M}–{end:%H:%M}",
                    "kind": kind,
                    "appointment_only": opening.appointment_only,
                    "note": notes.get(opening.rule_id or UUID(int=0), ""),
                }
            )
        closures = [
            exc.description or _("Closed")
            for exc in schedules.exceptions
            if exc.kind == "closed" and exc.schedule_id is None and exc.covers(day)
        ]
        rows.append(
            {
                "date": day,
                "name": describe.day_name(day.weekday(), lang),
                "label": describe.short_date(day, lang),
                "today": day == today,
                "holiday": holiday_name(day, lang),
                "closures": closures,
                "openings": items,
            }
        )
    return rows


@get(
    "/calendars/services/{service_id:uuid}/week",
    operation_id="serviceWeekPage",
    opt={"public": True},
    include_in_schema=False,
)
async def week_page(
    request: Request, service_id: FromPath[UUID], start: FromQuery[str | None] = None
) -> Template:
    info = await readable_service(request, service_id)
    _ = translate(request)
    lang = pick_language(request)
    monday = _monday(start)
    schedules = (await store.schedules_by_service([service_id]))[service_id]
    now = datetime.now(UTC)
    label = compute.opening_label(schedules.rules, schedules.exceptions, now)
    course = compute.next_course_start(schedules.rules, schedules.exceptions, berlin_today())
    urls = feed_urls(service_id, info.organization_id)
    return render(
        request,
        "calendars/week.html",
        {
            "service": info,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "range": f"{describe.short_date(monday, lang)} – "
            f"{describe.short_date(monday + timedelta(days=6), lang)}",
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "rows": week_rows(schedules, monday, lang, _),
            "label": describe.label_text(label, now, lang, _),
            "course": describe.course_text(course, lang, _),
            "rules": [describe.rule_text(rule, lang, _) for rule in schedules.rules],
            "from_location": schedules.from_location,
            "urls": urls,
            "webcal": webcal(urls["service"]),
            "can_edit": may_edit(request.scope.get("user"), info),
        },
    )


@get(
    "/calendars/services/{service_id:uuid}/label",
    operation_id="serviceOpeningLabel",
    opt={"public": True},
    include_in_schema=False,
)
async def label_fragment(request: Request, service_id: FromPath[UUID]) -> Template:
    """An HTML fragment for lists: `hx-get` it with `hx-trigger="load"`."""
    await readable_service(request, service_id)
    _ = translate(request)
    lang = pick_language(request)
    now = datetime.now(UTC)
    schedules = (await store.schedules_by_service([service_id]))[service_id]
    label = compute.opening_label(schedules.rules, schedules.exceptions, now)
    course = compute.next_course_start(schedules.rules, schedules.exceptions, berlin_today())
    return render(
        request,
        "calendars/label.html",
        {
            "label": describe.label_text(label, now, lang, _),
            "course": describe.course_text(course, lang, _),
            "service_id": service_id,
        },
    )


def berlin_now() -> datetime:
    return datetime.now(UTC).astimezone(BERLIN)


ROUTES = [week_page, label_fragment]

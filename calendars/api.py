"""What other domains call: opening figures for the search index and lists, course starts,
appointment slots, working days, and schedules as HSDS.

    from calendars import api
    await api.open_intervals_for_services([service_id])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from calendars import compute, describe, hsds, hsds_rows, ics_export, patterns, slots, store
from calendars.compute import BERLIN, OpeningLabel
from calendars.invitations import appointment_uid
from calendars.rules import Rule, ScheduleExceptionValue
from calendars.slots import SlotInfo, SlotOfAnotherOfferError, SlotUnavailableError
from calendars.workdays import (
    add_working_days,
    is_working_day,
    load_holidays,
    working_days_between,
)
from core.i18n import translations

__all__ = [
    "OpeningLabel",
    "SlotInfo",
    "SlotOfAnotherOfferError",
    "SlotUnavailableError",
    "add_working_days",
    "appointment_calendar",
    "book_slot",
    "free_slots",
    "hsds_schedules",
    "is_working_day",
    "label_texts",
    "load_holidays",
    "next_course_starts",
    "open_intervals_for_services",
    "opening_labels",
    "release_slot",
    "replace_schedules_from_hsds",
    "slot_of_referral",
    "working_days_between",
]

SCHEDULE_CHANGED = store.SCHEDULE_CHANGED


def _today(now: datetime | None) -> date:
    return (now or datetime.now(UTC)).astimezone(BERLIN).date()


async def open_intervals_for_services(
    service_ids: Sequence[UUID], at: datetime | None = None
) -> dict[UUID, list[tuple[int, int]]]:
    """The times that matter for taking part, as weekly intervals in wall-clock minutes since
    Monday 00:00 Europe/Berlin, holidays and closures applied: the sessions of the running or
    next course where the offer has one, else its hours in the week containing `at` (default
    now). An offer without times gets an empty list. The pattern changes with the week, so
    re-index weekly."""
    today = _today(at)
    found = await store.schedules_by_service(service_ids)
    return {
        sid: patterns.search_intervals(schedules.rules, schedules.exceptions, today)
        for sid, schedules in found.items()
    }


async def next_course_starts(
    service_ids: Sequence[UUID], today: date | None = None
) -> dict[UUID, date | None]:
    """The first session of each offer's next course that has not begun yet."""
    day = today or _today(None)
    found = await store.schedules_by_service(service_ids)
    return {
        sid: compute.next_course_start(schedules.rules, schedules.exceptions, day)
        for sid, schedules in found.items()
    }


async def opening_labels(
    service_ids: Sequence[UUID], now: datetime | None = None
) -> dict[UUID, OpeningLabel]:
    """Open now (until when) or the next opening, for lists and detail pages."""
    moment = now or datetime.now(UTC)
    found = await store.schedules_by_service(service_ids)
    return {
        sid: compute.opening_label(schedules.rules, schedules.exceptions, moment)
        for sid, schedules in found.items()
    }


@dataclass(frozen=True)
class LabelTexts:
    """An offer's opening label and next course start in words, for lists and detail pages.

    `{% from "calendars/_opening.html" import opening %}{{ opening(texts) }}` renders it."""

    state: str
    text: str
    label: OpeningLabel
    course_start: date | None
    course: str | None
    # "Kurs: Mo–Fr 08:30–12:45", "Sprechzeit: Di 10:00–12:00": which kind of time is which.
    times: tuple[str, ...] = ()
    has_course: bool = False


async def label_texts(
    service_ids: Sequence[UUID],
    lang: str = "de",
    gettext: Callable[[str], str] | None = None,
    now: datetime | None = None,
) -> dict[UUID, LabelTexts]:
    """ "Jetzt geöffnet bis 17:00" / "Öffnet Do 14:00" and "Kurs beginnt am 11.01.2027"."""
    moment = now or datetime.now(UTC)
    _ = gettext or translations(lang).gettext
    found = await store.schedules_by_service(service_ids)
    texts: dict[UUID, LabelTexts] = {}
    for sid, schedules in found.items():
        label = compute.opening_label(schedules.rules, schedules.exceptions, moment)
        start = compute.next_course_start(schedules.rules, schedules.exceptions, _today(moment))
        words = describe.label_text(label, moment, lang, _)
        today = _today(moment)
        texts[sid] = LabelTexts(
            words.state,
            words.text,
            label,
            start,
            describe.course_text(start, lang, _),
            tuple(patterns.weekly_lines(schedules.rules, today, lang, _)),
            bool(patterns.courses_of(schedules.rules, today)),
        )
    return texts


async def book_slot(
    slot_id: UUID,
    service_id: UUID,
    referral_id: UUID,
    for_user_id: UUID,
    now: datetime | None = None,
) -> SlotInfo:
    """Book a slot of offer `service_id` for an accepted referral to that offer (atomic; at
    most once). Raises SlotOfAnotherOfferError (400) for another offer's slot and
    SlotUnavailableError (409) when it cannot be booked, with a message for people. The case
    manager `for_user_id` receives the invitation by e-mail."""
    return await slots.book_slot(slot_id, service_id, referral_id, for_user_id, now)


async def release_slot(referral_id: UUID) -> SlotInfo | None:
    """Free the referral's slot (if any); the case manager receives a cancellation."""
    return await slots.release_slot(referral_id)


async def free_slots(service_id: UUID, after: datetime | None = None) -> list[SlotInfo]:
    return await slots.free_slots(service_id, after)


async def slot_of_referral(referral_id: UUID) -> SlotInfo | None:
    return await slots.slot_of_referral(referral_id)


async def appointment_calendar(
    referral_id: UUID, summary: str, location: str = "", url: str | None = None
) -> bytes | None:
    """The referral's booked appointment as a one-event calendar for the client's phone
    (offer and place only, nothing of the case); None when no slot is booked."""
    slot = await slots.slot_of_referral(referral_id)
    if slot is None:
        return None
    entry = ics_export.AppointmentEntry(
        uid=appointment_uid(slot.id, referral_id),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        summary=summary,
        location=location,
        url=url,
        sequence=slot.sequence,
        last_modified=slot.last_modified,
    )
    return ics_export.appointments_feed(summary, [entry])


async def hsds_schedules(service_ids: Sequence[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """HSDS `schedule` objects of each offer, closures and extra dates as rows of their own."""
    found = await store.schedules_by_service(service_ids)
    return {
        sid: hsds.schedules_to_hsds(schedules.rules, schedules.exceptions)
        for sid, schedules in found.items()
        if not schedules.from_location
    }


async def replace_schedules_from_hsds(service_id: UUID, items: Sequence[Mapping[str, Any]]) -> int:
    """Replace the offer's own schedules with HSDS schedule objects; raises RuleError naming
    the first unusable one (and then changes nothing). Returns the number of rows stored."""
    values = hsds.schedules_from_hsds(items)
    rules = [
        v.with_changes(service_id=service_id, location_id=None, service_at_location_id=None)
        for v in values
        if isinstance(v, Rule)
    ]
    exceptions = [v for v in values if isinstance(v, ScheduleExceptionValue)]
    await store.replace_service_schedules(service_id, rules, exceptions)
    return len(rules) + len(exceptions)


# --- schedules of HSDS records: many owners at once, and import -------------------------------

HsdsScheduleRows = hsds_rows.HsdsScheduleRows
HSDS_OWNERS = hsds_rows.HSDS_OWNERS
hsds_schedules_of_owners = hsds_rows.hsds_schedules_of_owners
hsds_schedule_rows = hsds_rows.hsds_schedule_rows
existing_schedule_ids = hsds_rows.existing_schedule_ids
plan_hsds_schedules = hsds_rows.plan_hsds_schedules
apply_hsds_schedules = hsds_rows.apply_hsds_schedules

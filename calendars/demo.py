"""Schedules for the demo network: every demo offer gets hours or course dates.

Runs after the directory demo data exists and reads the offers from there. Deterministic: the
choices follow from each offer's id, dates from the day it runs (so courses lie ahead). Offers
that have schedules already are left alone, so running it again changes nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from calendars.compute import week_monday
from calendars.rules import DayRef, Rule, ScheduleExceptionValue, rule_to_row
from calendars.slots import slot_times
from calendars.store import announce, chunks
from calendars.tables import AppointmentSlot, Schedule, ScheduleException
from calendars.workdays import add_working_days
from core.db import atomic
from core.time import berlin_today
from directory import api as directory

MO, TU, WE, TH, FR, SA, SU = range(7)


@dataclass(frozen=True)
class DemoCalendars:
    offers: int
    rules: int
    exceptions: int
    slots: int
    skipped: int


def _days(*weekdays: int) -> tuple[DayRef, ...]:
    return tuple(DayRef(day) for day in weekdays)


OFFICE_CATEGORIES = (
    "behoerden",
    "asyl-aufenthalt",
    "migrationsberatung",
    "geld-schulden",
    "wohnen",
    "arbeit-ausbildung",
)
GROUP_WORDS = (
    "hausaufgaben",
    "lern",
    "treff",
    "gruppe",
    "sport",
    "fußball",
    "werkstatt",
    "schule",
    "spiel",
    "ferien",
    "abend",
)


def _kind_of(name: str, codes: list[str]) -> str:
    """Courses get date-bounded sessions, counselling and offices weekly hours, groups and
    cafés an afternoon or two (from the offer's name and category codes)."""
    title = name.lower()
    categories = " ".join(codes)
    if "sprachcafe" in categories or "café" in title or "cafe" in title:
        return "meeting"
    if (
        "kurs" in title
        or "kurs" in categories
        or "alphabet" in categories
        or "training" in title
        or "unterricht" in title
        or title.startswith("deutsch ")
    ):
        return "course"
    if any(word in title for word in GROUP_WORDS):
        return "meeting"
    if (
        "beratung" in title
        or "sprechstunde" in title
        or "dienst" in title
        or any(code.split(".")[0] in OFFICE_CATEGORIES for code in codes)
    ):
        return "counselling"
    return "meeting"


def _rule(service_id: UUID, n: int, **fields: Any) -> Rule:
    return Rule(id=uuid.uuid5(service_id, f"demo-rule-{n}"), service_id=service_id, **fields)


def _counselling(sid: UUID, rng: random.Random, today: date) -> list[Rule]:
    pattern = rng.randrange(5)
    morning = (time(9), time(12, 30)) if rng.random() < 0.5 else (time(8, 30), time(12))
    if pattern == 0:
        return [
            _rule(sid, 0, byday=_days(MO, TU, WE, TH), opens_at=morning[0], closes_at=morning[1]),
            _rule(
                sid,
                1,
                byday=_days(TU, TH),
                opens_at=time(14),
                closes_at=time(16),
                appointment_only=True,
                notes="Nachmittags nur mit Termin",
            ),
        ]
    if pattern == 1:
        return [
            _rule(sid, 0, byday=_days(MO, WE, FR), opens_at=morning[0], closes_at=morning[1]),
            _rule(
                sid,
                1,
                byday=_days(TH),
                opens_at=time(15),
                closes_at=time(18),
                interval=2,
                dtstart=week_monday(today) + timedelta(days=3),
                notes="Abendsprechstunde alle zwei Wochen",
            ),
        ]
    if pattern == 2:
        return [
            _rule(sid, 0, byday=_days(TU, TH), opens_at=time(10), closes_at=time(13)),
            _rule(
                sid,
                1,
                freq="MONTHLY",
                byday=(DayRef(SA, 1),),
                opens_at=time(10),
                closes_at=time(13),
                notes="Samstagssprechstunde am ersten Samstag im Monat",
            ),
        ]
    if pattern == 3:
        return [
            _rule(sid, 0, byday=_days(MO, TU, WE, TH, FR), opens_at=time(8), closes_at=time(12)),
            _rule(sid, 1, byday=_days(MO, TH), opens_at=time(13, 30), closes_at=time(17)),
        ]
    return [
        _rule(
            sid,
            0,
            byday=_days(WE),
            opens_at=time(9),
            closes_at=time(15),
            appointment_only=True,
            notes="Beratung nach Terminvereinbarung",
        ),
        _rule(
            sid,
            1,
            byday=_days(MO),
            opens_at=time(14),
            closes_at=time(17),
            interval=2,
            dtstart=week_monday(today),
        ),
    ]


def _course(sid: UUID, rng: random.Random, today: date) -> list[Rule]:
    start = week_monday(today) + timedelta(weeks=rng.randrange(1, 7))
    intensive = rng.random() < 0.4
    days = (
        _days(MO, TU, WE, TH, FR)
        if intensive
        else rng.choice([_days(MO, WE), _days(TU, TH), _days(MO, TH)])
    )
    hours = (
        (time(8, 30), time(12, 45))
        if intensive
        else rng.choice(
            [(time(9), time(12, 15)), (time(17, 30), time(20, 45)), (time(14), time(16, 15))]
        )
    )
    weeks = 16 if intensive else 10
    first = start + timedelta(days=days[0].weekday)
    second = start + timedelta(weeks=weeks + 3)
    return [
        _rule(
            sid,
            0,
            kind="course",
            byday=days,
            dtstart=first,
            until=first + timedelta(weeks=weeks),
            opens_at=hours[0],
            closes_at=hours[1],
            notes="Einstieg nach Einstufung",
        ),
        _rule(
            sid,
            1,
            kind="course",
            byday=days,
            dtstart=second + timedelta(days=days[0].weekday),
            count=len(days) * weeks,
            opens_at=hours[0],
            closes_at=hours[1],
        ),
        _rule(
            sid,
            2,
            byday=_days(TU),
            opens_at=time(10),
            closes_at=time(12),
            notes="Anmeldung und Einstufung im Kursbüro",
        ),
    ]


def _meeting(sid: UUID, rng: random.Random, today: date) -> list[Rule]:
    day = rng.choice([MO, TU, WE, TH, FR])
    rules = [_rule(sid, 0, byday=_days(day), opens_at=time(15), closes_at=time(17, 30))]
    if rng.random() < 0.35:
        rules.append(
            _rule(
                sid,
                1,
                freq="MONTHLY",
                byday=(DayRef(SA, 1),),
                opens_at=time(11),
                closes_at=time(14),
                notes="Familientreff am ersten Samstag",
            )
        )
    elif rng.random() < 0.5:
        rules.append(
            _rule(
                sid,
                1,
                byday=_days((day + 2) % 5),
                opens_at=time(10),
                closes_at=time(12),
                interval=2,
                dtstart=week_monday(today) + timedelta(days=(day + 2) % 5),
            )
        )
    return rules


def _christmas(sid: UUID, today: date) -> ScheduleExceptionValue:
    year = today.year if today.month < 12 or today.day < 27 else today.year + 1
    return ScheduleExceptionValue(
        id=uuid.uuid5(sid, f"demo-christmas-{year}"),
        kind="closed",
        starts_on=date(year, 12, 24),
        ends_on=date(year + 1, 1, 1),
        description="Betriebsferien zwischen den Jahren",
        service_id=sid,
    )


async def load_demo() -> None:
    """Give every demo offer without schedules its hours or course dates (and some slots)."""
    await load_demo_schedules()


async def load_demo_schedules(today: date | None = None) -> DemoCalendars:
    """What load_demo does, for a given day, with a summary of what it stored."""
    day = today or berlin_today()
    services = await directory.active_offer_outlines()
    have: set[UUID] = set()
    for chunk in chunks([offer.id for offer in services]):
        rows = await Schedule.select(Schedule.service).where(Schedule.service.is_in(list(chunk)))
        have.update(row["service"] for row in rows)
    now = datetime.now(UTC)
    rules: list[Rule] = []
    exceptions: list[ScheduleExceptionValue] = []
    slots: list[AppointmentSlot] = []
    for offer in services:
        sid = offer.id
        if sid in have:
            continue
        rng = random.Random(sid.int)  # noqa: S311 (varied demo data, not secrets)
        kind = _kind_of(offer.name, offer.term_codes)
        made = {"counselling": _counselling, "course": _course, "meeting": _meeting}[kind](
            sid, rng, day
        )
        rules.extend(made)
        if kind != "course" and rng.random() < 0.4:
            exceptions.append(_christmas(sid, day))
        if kind == "counselling" and rng.random() < 0.6:
            for offset in (1, 3, 6):
                slot_day = add_working_days(day, offset)
                for start, end in slot_times(slot_day, time(10), time(11, 30), 45):
                    slots.append(
                        AppointmentSlot(
                            id=uuid.uuid5(sid, f"demo-slot-{start.isoformat()}"),
                            service=sid,
                            location=offer.location_id,
                            starts_at=start,
                            ends_at=end,
                            created_at=now,
                            last_modified=now,
                        )
                    )
    # Closures and slots of an earlier run stay as they are (their ids are derived).
    existing_closures: set[UUID] = set()
    for chunk in chunks([e.id for e in exceptions]):
        rows = await ScheduleException.select(ScheduleException.id).where(
            ScheduleException.id.is_in(list(chunk))
        )
        existing_closures.update(row["id"] for row in rows)
    exceptions = [e for e in exceptions if e.id not in existing_closures]
    existing_slots: set[UUID] = set()
    for chunk in chunks([slot.id for slot in slots]):
        rows = await AppointmentSlot.select(AppointmentSlot.id).where(
            AppointmentSlot.id.is_in(list(chunk))
        )
        existing_slots.update(row["id"] for row in rows)
    slots = [slot for slot in slots if slot.id not in existing_slots]
    async with atomic():
        for part in chunks(rules, 200):
            await Schedule.insert(
                *[
                    Schedule(
                        id=r.id,
                        service=r.service_id,
                        **rule_to_row(r),
                        created_at=now,
                        last_modified=now,
                    )
                    for r in part
                ]
            )
        for closures in chunks(exceptions, 200):
            await ScheduleException.insert(
                *[
                    ScheduleException(
                        id=e.id,
                        service=e.service_id,
                        kind=e.kind,
                        starts_on=e.starts_on,
                        ends_on=e.ends_on,
                        description=e.description,
                        last_modified=now,
                    )
                    for e in closures
                ]
            )
        for batch in chunks(slots, 200):
            await AppointmentSlot.insert(*batch)
        # The search index picks the new hours up like any other change.
        await announce(sorted({r.service_id for r in rules if r.service_id}, key=str))
    return DemoCalendars(
        offers=len({r.service_id for r in rules}),
        rules=len(rules),
        exceptions=len(exceptions),
        slots=len(slots),
        skipped=len(have),
    )

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

from calendars import compute, describe, hsds, slots, store
from calendars.compute import BERLIN, OpeningLabel
from calendars.rules import Rule, ScheduleExceptionValue
from calendars.slots import SlotInfo, SlotUnavailableError
from calendars.workdays import add_working_days, is_working_day, working_days_between
from core.i18n import translations

__all__ = [
    "OpeningLabel",
    "SlotInfo",
    "SlotUnavailableError",
    "add_working_days",
    "book_slot",
    "free_slots",
    "hsds_schedules",
    "is_working_day",
    "label_texts",
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
    """Open intervals of the current week (the week containing `at`, default now) in wall-clock
    minutes since Monday 00:00 Europe/Berlin, holidays and closures applied. An offer without
    hours gets an empty list. The pattern changes with the week, so re-index weekly."""
    monday = compute.week_monday(_today(at))
    found = await store.schedules_by_service(service_ids)
    return {
        sid: compute.week_intervals(
            [r for r in schedules.rules if r.kind != "course"], schedules.exceptions, monday
        )
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
        texts[sid] = LabelTexts(
            words.state, words.text, label, start, describe.course_text(start, lang, _)
        )
    return texts


async def book_slot(
    slot_id: UUID, referral_id: UUID, for_user_id: UUID, now: datetime | None = None
) -> SlotInfo:
    """Book a slot for an accepted referral (atomic; at most once). Raises
    SlotUnavailableError (409) with a message for people when it cannot be booked. The case
    manager `for_user_id` receives the invitation by e-mail."""
    return await slots.book_slot(slot_id, referral_id, for_user_id, now)


async def release_slot(referral_id: UUID) -> SlotInfo | None:
    """Free the referral's slot (if any); the case manager receives a cancellation."""
    return await slots.release_slot(referral_id)


async def free_slots(service_id: UUID, after: datetime | None = None) -> list[SlotInfo]:
    return await slots.free_slots(service_id, after)


async def slot_of_referral(referral_id: UUID) -> SlotInfo | None:
    return await slots.slot_of_referral(referral_id)


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

import dataclasses  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Iterable  # noqa: E402

from calendars.rules import (  # noqa: E402
    RuleError,
    exception_from_row,
    exception_to_row,
    rule_from_row,
    rule_to_row,
)
from calendars.tables import Schedule, ScheduleException  # noqa: E402
from core import row_sync  # noqa: E402

# The owners a schedule may hang off, most specific first.
HSDS_OWNERS = ("service_at_location", "service", "location")
Owner = tuple[str, UUID]


@dataclass(frozen=True)
class HsdsScheduleRows:
    """HSDS schedule objects of one owner as rows of the schedule tables (for an import that
    compares them with what is stored), and the objects that could not be read."""

    rules: list[dict[str, Any]]
    exceptions: list[dict[str, Any]]
    refused: list[str]


def _owner_of(row: Mapping[str, Any]) -> Owner | None:
    for column in HSDS_OWNERS:
        if row.get(column):
            return column, row[column]
    return None


async def _owned_rows(table: Any, ids: dict[str, set[UUID]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for column, wanted in ids.items():
        values = list(wanted)
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            rows.extend(await table.select().where(getattr(table, column).is_in(part)))
    return rows


async def hsds_schedules_of_owners(
    services: Iterable[UUID] = (),
    locations: Iterable[UUID] = (),
    service_at_locations: Iterable[UUID] = (),
) -> dict[Owner, list[dict[str, Any]]]:
    """HSDS `schedule` objects of each owner given, keyed by ("service"|"location"|
    "service_at_location", id); each owner's own schedules only (one query per owner kind and
    table, in chunks), rules and exceptions ordered by id so that exports are stable."""
    ids = {
        "service": set(services),
        "location": set(locations),
        "service_at_location": set(service_at_locations),
    }
    rules: dict[Owner, dict[UUID, Rule]] = defaultdict(dict)
    for row in await _owned_rows(Schedule, ids):
        owner = _owner_of(row)
        if owner is not None and owner[1] in ids[owner[0]]:
            rules[owner][row["id"]] = rule_from_row(row)
    exceptions: dict[Owner, dict[UUID, ScheduleExceptionValue]] = defaultdict(dict)
    for row in await _owned_rows(ScheduleException, ids):
        owner = _owner_of(row)
        if owner is not None and owner[1] in ids[owner[0]]:
            exceptions[owner][row["id"]] = exception_from_row(row)
    return {
        owner: hsds.schedules_to_hsds(
            sorted(rules.get(owner, {}).values(), key=lambda rule: str(rule.id)),
            sorted(exceptions.get(owner, {}).values(), key=lambda exc: str(exc.id)),
        )
        for owner in set(rules) | set(exceptions)
    }


def hsds_schedule_rows(
    owner_column: str, owner_id: UUID, items: Sequence[Mapping[str, Any]]
) -> HsdsScheduleRows:
    """HSDS schedule objects of one owner as schedule and exception rows; an unusable object is
    named in `refused` (with why) and left out, the others are kept."""
    owner: dict[str, UUID | None] = {column: None for column in HSDS_OWNERS}
    owner[owner_column] = owner_id
    result = HsdsScheduleRows([], [], [])
    for item in items:
        try:
            values = hsds.schedules_from_hsds([item])
        except RuleError as error:
            result.refused.append(str(error))
            continue
        for value in values:
            value = dataclasses.replace(
                value,
                service_id=owner["service"],
                location_id=owner["location"],
                service_at_location_id=owner["service_at_location"],
            )
            if isinstance(value, Rule):
                result.rules.append({"id": value.id, **owner, **rule_to_row(value)})
            else:
                result.exceptions.append(
                    {"id": value.id, **owner, "schedule": value.schedule_id,
                     **exception_to_row(value)}
                )
    return result


# The schedule tables as an HSDS import keeps them in step (rules before their exceptions).
HSDS_SCHEDULE_TABLES = row_sync.RowTables(
    tables={"schedule": Schedule, "schedule_exception": ScheduleException},
    owner_columns=frozenset(HSDS_OWNERS),
)


async def existing_schedule_ids(table: str, ids: Iterable[UUID]) -> set[UUID]:
    """Which of ``ids`` the table ("schedule" or "schedule_exception") holds."""
    return await row_sync.existing_ids(HSDS_SCHEDULE_TABLES.tables[table], ids)


async def plan_hsds_schedules(records: Sequence[row_sync.RecordRows]) -> row_sync.Plan:
    """What the schedule rows of these records (from `hsds_schedule_rows`, as child sets of their
    owners) would change; other rows of the records are left to their own domains."""
    return await row_sync.make_plan(HSDS_SCHEDULE_TABLES, records)


async def apply_hsds_schedules(plan: row_sync.Plan, phase: row_sync.Phase = "all") -> None:
    """Write a plan of `plan_hsds_schedules` in the caller's transaction: ``remove`` before the
    owners may go, ``write`` once they exist."""
    await row_sync.apply_plan(HSDS_SCHEDULE_TABLES, plan, phase)

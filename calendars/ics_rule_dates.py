"""The extra and missing dates of an imported rule (RDATE, EXDATE), and what the import report
says besides: the public holidays on which Lotse closes a rule, and shortened texts."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Component

from calendars.compute import raw_days
from calendars.ics_events import EventTimes, Notice, date_values, label_of, local, local_day
from calendars.rules import Rule, ScheduleExceptionValue
from calendars.workdays import is_holiday
from core.i18n import N_


def extra_dates_fit(event: Component, times: EventTimes) -> bool:
    """Whether every RDATE is a plain date or starts at the rule's time (else: expand)."""
    for value in date_values(event, "RDATE"):
        if isinstance(value, tuple):
            return False  # a PERIOD brings its own times
        moment = local(value)
        if isinstance(moment, datetime) != (times.opens is not None):
            return False
        if isinstance(moment, datetime) and moment.time().replace(
            second=0, microsecond=0, tzinfo=None
        ) != times.opens:
            return False
    return True


def add_rule_dates(
    event: Component, uid: str, rule: Rule, exceptions: list[ScheduleExceptionValue]
) -> None:
    """EXDATEs as closures and RDATEs as extra openings of the rule."""
    for value in date_values(event, "EXDATE"):
        day = local_day(value)
        exceptions.append(
            ScheduleExceptionValue(
                kind="closed",
                starts_on=day,
                ends_on=day,
                schedule_id=rule.id,
                source="import",
                external_uid=f"{uid}#exdate-{day.isoformat()}",
            )
        )
    for value in date_values(event, "RDATE"):
        day = local_day(value)
        exceptions.append(
            ScheduleExceptionValue(
                kind="extra",
                starts_on=day,
                ends_on=day,
                opens_at=rule.opens_at,
                closes_at=rule.closes_at,
                schedule_id=rule.id,
                source="import",
                external_uid=f"{uid}#rdate-{day.isoformat()}",
            )
        )


def note_holidays(
    rules: list[Rule],
    exceptions: list[ScheduleExceptionValue],
    notices: list[Notice],
    today: date,
    horizon: date,
) -> None:
    """Lotse closes repeating schedules on NRW public holidays; the report names the dates on
    which that removes an occurrence the calendar itself keeps."""
    for rule in rules:
        if rule.freq is None or rule.open_on_holidays:
            continue
        closed = {
            exc.starts_on
            for exc in exceptions
            if exc.schedule_id == rule.id and exc.kind == "closed"
        }
        first = max(today, rule.dtstart or today)
        days = [
            day for day in raw_days(rule, first, horizon) if is_holiday(day) and day not in closed
        ]
        if days:
            shown = ", ".join(day.strftime("%d.%m.%Y") for day in days[:12])
            more = "" if len(days) <= 12 else " …"
            notices.append(
                Notice(
                    N_("“{event}” closes on public holidays in NRW, as every schedule in Lotse "
                       "does: {dates}. To open on one of them, add it as an extra opening"),
                    {"event": rule.description or rule.external_uid, "dates": shown + more},
                )
            )


# What a schedule row keeps of an event's title and description (see the `text_of` calls).
TEXT_LIMITS = {
    "SUMMARY": (500, N_("The title of “{event}” was shortened to {limit} characters")),
    "DESCRIPTION": (1000, N_("The description of “{event}” was shortened to {limit} characters")),
}


def note_shortened(event: Component, notices: list[Notice]) -> None:
    for name, (limit, message) in TEXT_LIMITS.items():
        if len(str(event.get(name) or "").strip()) > limit:
            notices.append(Notice(message, {"event": label_of(event), "limit": limit}))

"""Reading .ics files (uploads and subscribed calendar URLs) into rules and exceptions.

Recurring events that fit a schedule row (weekly or monthly, by weekday or day of month) become
rules, with EXDATEs as closures and moved occurrences as closure plus extra date; other
recurring events are expanded into single dates within a horizon. Everything is checked before
anything is stored: a file that is too large, not iCalendar, uses an unknown time zone or
expands to too many occurrences raises `IcsImportError` and yields nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar, Component

from calendars.ics_events import (
    EventTimes,
    IcsImportError,
    check_zone,
    date_values,
    event_times,
    local,
    local_day,
    recur_parts,
    rule_from_rrule,
    text_of,
    value_of,
)
from calendars.rules import (
    MAX_COUNT,
    Rule,
    RuleError,
    ScheduleExceptionValue,
    validate_rule,
)
from core.i18n import N_
from core.time import BERLIN

TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = 2_000_000
    max_events: int = 2_000
    # Rules, closures and single dates together, after expansion.
    max_entries: int = 5_000
    horizon_days: int = 366


@dataclass
class ImportResult:
    rules: list[Rule] = field(default_factory=list)
    exceptions: list[ScheduleExceptionValue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_past: int = 0
    calendar_name: str | None = None


def parse_calendar(data: bytes, limits: ImportLimits) -> Calendar:
    if len(data) > limits.max_bytes:
        raise IcsImportError(
            N_("The calendar is larger than {mb} MB; export a shorter period"),
            mb=limits.max_bytes // 1_000_000,
        )
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise IcsImportError(
            N_("This is not a valid iCalendar file ({detail})"), detail=str(error)[:200]
        ) from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise IcsImportError(N_("This is not an iCalendar file: it has no VCALENDAR"))
    try:
        # Google writes floating or UTC times and names the zone in X-WR-TIMEZONE.
        standard = x_wr_timezone.to_standard(calendar)
    except Exception as error:  # the library raises plain errors for unknown zones
        zone = calendar.get("X-WR-TIMEZONE")
        raise IcsImportError(
            N_("The calendar names the unknown time zone {zone}"), zone=str(zone)
        ) from error
    assert isinstance(standard, Calendar)
    return standard


def import_calendar(
    data: bytes,
    today: date,
    kind: str = "hours",
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Read an .ics file into rules and exceptions (not yet stored)."""
    limits = limits or ImportLimits()
    if kind not in ("hours", "course"):
        raise IcsImportError(N_("Imported events become hours or course dates"))
    calendar = parse_calendar(data, limits)
    result = ImportResult(
        calendar_name=text_of(calendar, "X-WR-CALNAME", 255)
        or text_of(calendar, "NAME", 255)
        or None
    )
    events = list(calendar.walk("VEVENT"))
    if len(events) > limits.max_events:
        raise IcsImportError(
            N_("The calendar has {count} events; at most {max} can be imported"),
            count=len(events),
            max=limits.max_events,
        )
    if not events:
        raise IcsImportError(N_("The calendar contains no events"))
    for event in events:
        for name in ("DTSTART", "DTEND", "EXDATE", "RDATE", "RECURRENCE-ID"):
            check_zone(event, name)
    masters: dict[str, Rule] = {}
    overrides: list[Component] = []
    expand: list[str] = []
    horizon = today + timedelta(days=limits.horizon_days)
    for event in events:
        uid = text_of(event, "UID", 400) or f"no-uid-{uuid.uuid4()}"
        if "RECURRENCE-ID" in event:
            overrides.append(event)
            continue
        if text_of(event, "STATUS").upper() == "CANCELLED":
            continue
        times = event_times(event, uid, result.warnings)
        if times is None:
            continue
        base = Rule(
            kind="single",
            freq=None,
            dtstart=times.day,
            opens_at=times.opens,
            closes_at=times.closes,
            description=text_of(event, "SUMMARY", 500),
            notes=text_of(event, "DESCRIPTION"),
            source="import",
            external_uid=uid,
        )
        if "RRULE" not in event:
            _add_single_days(event, base, times, today, result)
            continue
        parts = recur_parts(event["RRULE"])
        freq = str(parts.get("FREQ", [""])[0]).upper()
        if freq in TOO_FREQUENT or any(
            len(parts.get(part, [])) > 1 for part in ("BYHOUR", "BYMINUTE", "BYSECOND")
        ):
            raise IcsImportError(
                N_("Event {uid} repeats several times a day; opening hours repeat at most daily"),
                uid=uid,
            )
        count = int(parts.get("COUNT", [0])[0])
        if count > MAX_COUNT:
            raise IcsImportError(
                N_("Event {uid} repeats {count} times; at most {max} occurrences are allowed"),
                uid=uid,
                count=count,
                max=MAX_COUNT,
            )
        rule = rule_from_rrule(
            parts, base.with_changes(kind="course" if kind == "course" else "hours")
        )
        if rule is None:
            expand.append(uid)
            continue
        try:
            validate_rule(rule)
        except RuleError as error:
            result.warnings.append(f"{uid}: {error}; the event was skipped")
            continue
        if rule.until is not None and rule.until < today:
            result.skipped_past += 1
            continue
        masters[uid] = rule
        result.rules.append(rule)
        for value in date_values(event, "EXDATE"):
            day = local_day(value)
            result.exceptions.append(
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
            result.exceptions.append(
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
    for event in overrides:
        uid = text_of(event, "UID", 400)
        if uid in expand:
            continue  # the expansion below already applies it
        _apply_override(event, uid, masters.get(uid), today, result)
    if expand:
        _expand(calendar, set(expand), today, horizon, kind, result, limits)
    _make_uids_unique(result)
    total = len(result.rules) + len(result.exceptions)
    if total > limits.max_entries:
        raise IcsImportError(
            N_("The calendar expands to {count} dates and rules; at most {max} can be imported"),
            count=total,
            max=limits.max_entries,
        )
    return result


def _add_single_days(
    event: Component, base: Rule, times: EventTimes, today: date, result: ImportResult
) -> None:
    days = 1
    if times.opens is None and "DTEND" in event:
        end = local(value_of(event, "DTEND"))
        if not isinstance(end, datetime):
            days = max(1, min((end - times.day).days, 366))
    for offset in range(days):
        day = times.day + timedelta(days=offset)
        if day < today:
            result.skipped_past += 1
            continue
        uid = base.external_uid if offset == 0 else f"{base.external_uid}#{day.isoformat()}"
        result.rules.append(base.with_changes(id=uuid.uuid4(), dtstart=day, external_uid=uid))


def _apply_override(
    event: Component, uid: str, master: Rule | None, today: date, result: ImportResult
) -> None:
    original = local_day(value_of(event, "RECURRENCE-ID"))
    cancelled = text_of(event, "STATUS").upper() == "CANCELLED"
    if master is not None:
        result.exceptions.append(
            ScheduleExceptionValue(
                kind="closed",
                starts_on=original,
                ends_on=original,
                schedule_id=master.id,
                source="import",
                external_uid=f"{uid}#moved-{original.isoformat()}",
            )
        )
    if cancelled:
        return
    times = event_times(event, uid, result.warnings)
    if times is None or times.day < today:
        return
    if master is not None:
        result.exceptions.append(
            ScheduleExceptionValue(
                kind="extra",
                starts_on=times.day,
                ends_on=times.day,
                opens_at=times.opens,
                closes_at=times.closes,
                description=text_of(event, "SUMMARY", 500),
                schedule_id=master.id,
                source="import",
                external_uid=f"{uid}#moved-to-{original.isoformat()}",
            )
        )
    else:
        result.rules.append(
            Rule(
                kind="single",
                freq=None,
                dtstart=times.day,
                opens_at=times.opens,
                closes_at=times.closes,
                description=text_of(event, "SUMMARY", 500),
                notes=text_of(event, "DESCRIPTION"),
                source="import",
                external_uid=f"{uid}#{original.isoformat()}",
            )
        )


def _expand(
    calendar: Calendar,
    uids: set[str],
    today: date,
    horizon: date,
    kind: str,
    result: ImportResult,
    limits: ImportLimits,
) -> None:
    """Occurrences of rules a schedule row cannot express, as single dates within the horizon."""
    subset = Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE" or (
            component.name == "VEVENT" and text_of(component, "UID", 400) in uids
        ):
            subset.add_component(component)
    query = recurring_ical_events.of(subset)
    start = datetime.combine(today, time(0), tzinfo=BERLIN)
    end = datetime.combine(horizon, time(0), tzinfo=BERLIN)
    seen = 0
    # `after` yields lazily in order, so a hostile rule stops at the limit instead of filling
    # memory.
    for occurrence in query.after(start):
        seen += 1
        if seen > limits.max_entries:
            raise IcsImportError(
                N_("The calendar expands to more than {max} dates within a year"),
                max=limits.max_entries,
            )
        occurrence_start = occurrence["DTSTART"].dt
        if not isinstance(occurrence_start, datetime):
            occurrence_start = datetime.combine(occurrence_start, time(0), tzinfo=BERLIN)
        elif occurrence_start.tzinfo is None:
            occurrence_start = occurrence_start.replace(tzinfo=BERLIN)
        if occurrence_start >= end:
            break
        uid = text_of(occurrence, "UID", 400)
        if uid not in uids:
            continue
        times = event_times(occurrence, uid, result.warnings)
        if times is None:
            continue
        result.rules.append(
            Rule(
                kind="course" if kind == "course" else "single",
                freq=None,
                dtstart=times.day,
                opens_at=times.opens,
                closes_at=times.closes,
                description=text_of(occurrence, "SUMMARY", 500),
                notes=text_of(occurrence, "DESCRIPTION"),
                source="import",
                external_uid=f"{uid}#{times.day.isoformat()}T{times.opens or ''}",
            )
        )


def _make_uids_unique(result: ImportResult) -> None:
    """Some calendars repeat a UID; re-imports match rows by UID, so each must be unique."""
    seen: dict[str | None, int] = {}
    for index, rule in enumerate(result.rules):
        count = seen.get(rule.external_uid, 0)
        seen[rule.external_uid] = count + 1
        if count:
            result.rules[index] = rule.with_changes(external_uid=f"{rule.external_uid}#{count + 1}")
    seen = {}
    for index, exc in enumerate(result.exceptions):
        count = seen.get(exc.external_uid, 0)
        seen[exc.external_uid] = count + 1
        if count:
            result.exceptions[index] = replace(exc, external_uid=f"{exc.external_uid}#{count + 1}")

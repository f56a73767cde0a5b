"""Reading .ics files (uploads and subscribed calendar URLs) into rules and exceptions.

Recurring events that fit a schedule row (weekly or monthly, by weekday or day of month) become
rules, with EXDATEs as closures and moved occurrences as closure plus extra date; other
recurring events (and those in a time zone that changes to summer time on other days than
Berlin) are expanded into single dates within the horizon. Everything is checked before anything
is stored: a file out of the bounds (`ImportLimits`: size, components, occurrences, horizon), not
iCalendar or otherwise unreadable raises `IcsImportError`, naming the event and property, and
yields nothing. What the import changes or leaves out of what the calendar says is listed in
`ImportResult.warnings` for the report.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import recurring_ical_events
from icalendar import Calendar, Component

from calendars.ics_checks import ImportLimits, ZoneCheck, check_event, parse_calendars
from calendars.ics_events import (
    EventTimes,
    IcsImportError,
    Notice,
    check_zone,
    event_times,
    label_of,
    local_day,
    recur_parts,
    rule_from_rrule,
    text_of,
    value_of,
)
from calendars.ics_fast_forward import fast_forward
from calendars.ics_rule_dates import (
    add_rule_dates,
    extra_dates_fit,
    note_holidays,
    note_shortened,
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

__all__ = ["IcsImportError", "ImportLimits", "ImportResult", "Notice", "import_calendar"]

logger = logging.getLogger(__name__)
TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}


@dataclass
class ImportResult:
    rules: list[Rule] = field(default_factory=list)
    exceptions: list[ScheduleExceptionValue] = field(default_factory=list)
    # Every change the import made to what the calendar says, and everything it left out.
    warnings: list[Notice] = field(default_factory=list)
    skipped_past: int = 0
    calendar_name: str | None = None


def import_calendar(
    data: bytes,
    today: date,
    kind: str = "hours",
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Read an .ics file into rules and exceptions (not yet stored). Whatever goes wrong is an
    `IcsImportError`: a calendar that breaks the reader is refused, never a server error."""
    try:
        return _import(data, today, kind, limits or ImportLimits.from_settings())
    except IcsImportError:
        raise
    except Exception as error:
        # Only the type: the message may quote the calendar's content.
        logger.warning("calendar import failed: %s", type(error).__name__)
        raise IcsImportError(
            N_("The calendar could not be read ({detail}); nothing was imported"),
            detail=f"{type(error).__name__}: {str(error)[:160]}",
        ) from error


def _import(data: bytes, today: date, kind: str, limits: ImportLimits) -> ImportResult:
    if kind not in ("hours", "course"):
        raise IcsImportError(N_("Imported events become hours or course dates"))
    calendar, parts_count = parse_calendars(data, limits)
    result = ImportResult(
        calendar_name=text_of(calendar, "X-WR-CALNAME", 255)
        or text_of(calendar, "NAME", 255)
        or None
    )
    notices = result.warnings
    if parts_count > 1:
        notices.append(
            Notice(N_("The file holds {count} calendars; the events of all were read"),
                   {"count": parts_count})
        )
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise IcsImportError(N_("The calendar contains no events"))
    for event in events:
        check_event(event, today, limits)
        for name in ("DTSTART", "DTEND", "EXDATE", "RDATE", "RECURRENCE-ID"):
            check_zone(event, name)
    zones = ZoneCheck(today, limits)
    masters: dict[str, Rule] = {}
    overrides: list[Component] = []
    expand: list[str] = []
    horizon = limits.horizon(today)
    for event in events:
        uid = text_of(event, "UID", 400) or f"no-uid-{uuid.uuid4()}"
        if "RECURRENCE-ID" in event:
            overrides.append(event)
            continue
        if text_of(event, "STATUS").upper() == "CANCELLED":
            continue
        times = event_times(event, notices)
        if times is None:
            continue
        note_shortened(event, notices)
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
            if "RDATE" in event:
                expand.append(uid)  # further dates: the expansion reads them with their times
                continue
            _add_single_days(base, times, today, horizon, result)
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
        if not zones.follows_berlin(value_of(event, "DTSTART")):
            # A rule in Berlin wall time would be an hour off where the zones change on
            # different days; each date is converted on its own instead.
            zone = event["DTSTART"].params.get("TZID") or value_of(event, "DTSTART").tzinfo
            notices.append(
                Notice(
                    N_("Event “{event}” is in the time zone {zone}, which does not keep step "
                       "with Berlin; its dates up to {last} were imported one by one in Berlin "
                       "time"),
                    {"event": label_of(event), "zone": str(zone), "last": horizon.isoformat()},
                )
            )
            expand.append(uid)
            continue
        if rule is None or times.days > 1 or not extra_dates_fit(event, times):
            if rule is None:
                notices.append(
                    Notice(
                        N_("Event “{event}” repeats in a way a schedule rule cannot express; "
                           "its dates up to {last} were imported one by one"),
                        {"event": label_of(event), "last": horizon.isoformat()},
                    )
                )
            expand.append(uid)
            continue
        try:
            validate_rule(rule)
        except RuleError as error:
            notices.append(
                Notice(
                    N_("Event “{event}” was left out: {reason}"),
                    {"event": label_of(event), "reason": str(error)},
                )
            )
            continue
        if rule.until is not None and rule.until < today:
            result.skipped_past += 1
            continue
        masters[uid] = rule
        result.rules.append(rule)
        add_rule_dates(event, uid, rule, result.exceptions)
    for event in overrides:
        uid = text_of(event, "UID", 400)
        if uid in expand:
            continue  # the expansion below already applies it
        _apply_override(event, uid, masters.get(uid), today, horizon, result)
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
    note_holidays(result.rules, result.exceptions, result.warnings, today, horizon)
    # Expanded events repeat their notices once per date; one of each is enough.
    result.warnings = list({notice.text(): notice for notice in result.warnings}.values())
    return result


def _add_single_days(
    base: Rule, times: EventTimes, today: date, horizon: date, result: ImportResult
) -> None:
    """One single date per day of the event (all-day events may span several)."""
    for offset in range(times.days):
        day = times.day + timedelta(days=offset)
        if day < today:
            result.skipped_past += 1
            continue
        if day > horizon:
            result.warnings.append(
                Notice(
                    N_("“{event}” lasts beyond {last}; its days after that were left out"),
                    {"event": base.description or base.external_uid, "last": horizon.isoformat()},
                )
            )
            break
        uid = base.external_uid if offset == 0 else f"{base.external_uid}#{day.isoformat()}"
        result.rules.append(base.with_changes(id=uuid.uuid4(), dtstart=day, external_uid=uid))


def _apply_override(
    event: Component,
    uid: str,
    master: Rule | None,
    today: date,
    horizon: date,
    result: ImportResult,
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
    times = event_times(event, result.warnings)
    if times is None or times.day < today:
        return
    if master is not None:
        result.exceptions.append(
            ScheduleExceptionValue(
                kind="extra",
                starts_on=times.day,
                ends_on=times.day + timedelta(days=times.days - 1),
                opens_at=times.opens,
                closes_at=times.closes,
                description=text_of(event, "SUMMARY", 500),
                schedule_id=master.id,
                source="import",
                external_uid=f"{uid}#moved-to-{original.isoformat()}",
            )
        )
    else:
        base = Rule(
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
        _add_single_days(base, times, today, horizon, result)


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
            subset.add_component(fast_forward(component, today))
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
                N_("The calendar expands to more than {max} dates up to {last}"),
                max=limits.max_entries,
                last=horizon.isoformat(),
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
        times = event_times(occurrence, result.warnings)
        if times is None:
            continue
        base = Rule(
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
        _add_single_days(base, times, today, horizon, result)


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

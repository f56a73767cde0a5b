"""Reading .ics files (uploads and subscribed calendar URLs) into rules and exceptions.

Recurring events that fit a schedule row (weekly or monthly, by weekday or day of month) become
rules, with EXDATEs as closures and moved occurrences as closure plus extra date; other
recurring events are expanded into single dates within a horizon. Everything is checked before
anything is stored: a file that is too large, not iCalendar, uses an unknown time zone or
expands to too many occurrences raises `IcsImportError` and yields nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar, Component

from calendars.compute import BERLIN
from calendars.rules import (
    MAX_COUNT,
    MAX_INTERVAL,
    WEEKDAYS,
    DayRef,
    Rule,
    RuleError,
    ScheduleExceptionValue,
    validate_rule,
)

REPRESENTABLE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}
TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}


class IcsImportError(ValueError):
    """The calendar cannot be imported; nothing was changed. The message says why."""


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


@dataclass(frozen=True)
class _Times:
    day: date
    opens: time | None
    closes: time | None


def _text(component: Component, name: str, limit: int = 1000) -> str:
    value = component.get(name)
    return str(value).strip()[:limit] if value is not None else ""


def _local(value: date | datetime) -> date | datetime:
    """Berlin wall time of a DTSTART/DTEND value; floating times are taken as Berlin time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=BERLIN)
        return value.astimezone(BERLIN)
    return value


def _check_zone(component: Component, name: str) -> None:
    prop = component.get(name)
    if prop is None:
        return
    values = prop if isinstance(prop, list) else [prop]
    for item in values:
        tzid = item.params.get("TZID") if hasattr(item, "params") else None
        inner = getattr(item, "dt", None)
        if inner is None and hasattr(item, "dts"):
            inner = item.dts[0].dt if item.dts else None
        if tzid and isinstance(inner, datetime) and inner.tzinfo is None:
            raise IcsImportError(
                f"The calendar uses the unknown time zone {tzid!r} and does not define it"
            )


def _value(component: Component, name: str) -> Any:
    """The decoded value of a date property (icalendar types it as a wide union)."""
    prop: Any = component[name]
    return prop.dt


def _times(event: Component, uid: str, warnings: list[str]) -> _Times | None:
    start_prop = event.get("DTSTART")
    if start_prop is None:
        warnings.append(f"{uid}: event without a start was skipped")
        return None
    start = _local(_value(event, "DTSTART"))
    if "DTEND" in event:
        end: date | datetime = _local(_value(event, "DTEND"))
    elif "DURATION" in event:
        end = start + _value(event, "DURATION")
    elif isinstance(start, datetime):
        warnings.append(f"{uid}: event without an end was skipped")
        return None
    else:
        end = start + timedelta(days=1)
    if not isinstance(start, datetime):
        return _Times(start, None, None)
    if not isinstance(end, datetime):
        end = datetime.combine(end, time(0), tzinfo=BERLIN)
    if end <= start:
        warnings.append(f"{uid}: event ends before it starts and was skipped")
        return None
    opens = start.time().replace(second=0, microsecond=0, tzinfo=None)
    if end.date() == start.date():
        closes: time | None = end.time().replace(second=0, microsecond=0, tzinfo=None)
        if closes is not None and closes <= opens:
            closes = None
    else:
        if end != datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=BERLIN):
            warnings.append(f"{uid}: event runs past midnight; only its first day is kept")
        closes = None
    return _Times(start.date(), opens, closes)


def _recur_parts(rrule: Any) -> dict[str, list[Any]]:
    return {str(key).upper(): list(value) for key, value in rrule.items()}


def _byday(values: Iterable[str], monthly: bool) -> tuple[DayRef, ...] | None:
    refs: list[DayRef] = []
    for raw in values:
        text = str(raw).upper()
        day = text[-2:]
        number = text[:-2]
        if day not in WEEKDAYS:
            return None
        ordinal = int(number) if number not in ("", "+") else None
        if ordinal is not None and (not monthly or ordinal == 0 or abs(ordinal) > 5):
            return None
        refs.append(DayRef(WEEKDAYS.index(day), ordinal))
    return tuple(refs)


def _until_day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(BERLIN).date()
    return value


def _same_week_either_way(byday: tuple[DayRef, ...], wkst: str) -> bool:
    """Whether the weekdays fall into the same weeks whether weeks start on Monday or `wkst`."""
    if wkst not in WEEKDAYS:
        return False
    split = WEEKDAYS.index(wkst)
    return len({ref.weekday >= split for ref in byday}) <= 1


def _rule_from_rrule(parts: dict[str, list[Any]], base: Rule) -> Rule | None:
    """The schedule row equal to this RRULE, or None when a row cannot say it."""
    freq = str(parts["FREQ"][0]).upper()
    if (
        freq == "MONTHLY"
        and len(parts.get("BYSETPOS", [])) == 1
        and len(parts.get("BYDAY", [])) == 1
        and str(parts["BYDAY"][0]).upper() in WEEKDAYS
    ):
        # Outlook writes "first Saturday" as BYDAY=SA;BYSETPOS=1.
        position = int(parts.pop("BYSETPOS")[0])
        parts["BYDAY"] = [f"{position}{str(parts['BYDAY'][0]).upper()}"]
    if set(parts) - REPRESENTABLE_PARTS:
        return None
    interval = int(parts.get("INTERVAL", [1])[0])
    wkst = str(parts.get("WKST", ["MO"])[0]).upper()
    if interval > MAX_INTERVAL:
        return None
    byday = _byday(parts.get("BYDAY", []), freq == "MONTHLY")
    if byday is None:
        return None
    bymonthday = tuple(int(day) for day in parts.get("BYMONTHDAY", []))
    if freq == "DAILY":
        if interval != 1 or bymonthday:
            return None
        freq = "WEEKLY"
        byday = byday or tuple(DayRef(i) for i in range(7))
    if freq not in ("WEEKLY", "MONTHLY"):
        return None
    if freq == "WEEKLY" and interval > 1 and not _same_week_either_way(byday, wkst):
        # Which days share a week depends on the week start; ours is Monday.
        return None
    until = _until_day(parts["UNTIL"][0]) if "UNTIL" in parts else None
    count = int(parts["COUNT"][0]) if "COUNT" in parts else None
    return base.with_changes(
        freq=freq,
        interval=interval,
        byday=byday,
        bymonthday=bymonthday,
        until=until,
        count=count,
    )


def _date_values(event: Component, name: str) -> list[date | datetime]:
    prop = event.get(name)
    if prop is None:
        return []
    found: list[date | datetime] = []
    for item in prop if isinstance(prop, list) else [prop]:
        found.extend(entry.dt for entry in item.dts)
    return found


def _local_day(value: date | datetime) -> date:
    local = _local(value)
    return local.date() if isinstance(local, datetime) else local


def parse_calendar(data: bytes, limits: ImportLimits) -> Calendar:
    if len(data) > limits.max_bytes:
        raise IcsImportError(
            f"The calendar is larger than {limits.max_bytes // 1_000_000} MB; "
            "export a shorter period"
        )
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise IcsImportError(f"This is not a valid iCalendar file ({error})") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise IcsImportError("This is not an iCalendar file: it has no VCALENDAR")
    try:
        # Google writes floating or UTC times and names the zone in X-WR-TIMEZONE.
        standard = x_wr_timezone.to_standard(calendar)
    except Exception as error:  # the library raises plain errors for unknown zones
        zone = calendar.get("X-WR-TIMEZONE")
        raise IcsImportError(f"The calendar names the unknown time zone {zone!s}") from error
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
        raise IcsImportError("Imported events become hours or course dates")
    calendar = parse_calendar(data, limits)
    result = ImportResult(
        calendar_name=_text(calendar, "X-WR-CALNAME", 255) or _text(calendar, "NAME", 255) or None
    )
    events = list(calendar.walk("VEVENT"))
    if len(events) > limits.max_events:
        raise IcsImportError(
            f"The calendar has {len(events)} events; at most {limits.max_events} can be imported"
        )
    if not events:
        raise IcsImportError("The calendar contains no events")
    for event in events:
        for name in ("DTSTART", "DTEND", "EXDATE", "RDATE", "RECURRENCE-ID"):
            _check_zone(event, name)
    masters: dict[str, Rule] = {}
    overrides: list[Component] = []
    expand: list[str] = []
    horizon = today + timedelta(days=limits.horizon_days)
    for event in events:
        uid = _text(event, "UID", 400) or f"no-uid-{uuid.uuid4()}"
        if "RECURRENCE-ID" in event:
            overrides.append(event)
            continue
        if _text(event, "STATUS").upper() == "CANCELLED":
            continue
        times = _times(event, uid, result.warnings)
        if times is None:
            continue
        base = Rule(
            kind="single",
            freq=None,
            dtstart=times.day,
            opens_at=times.opens,
            closes_at=times.closes,
            description=_text(event, "SUMMARY", 500),
            notes=_text(event, "DESCRIPTION"),
            source="import",
            external_uid=uid,
        )
        if "RRULE" not in event:
            _add_single_days(event, base, times, today, result)
            continue
        parts = _recur_parts(event["RRULE"])
        freq = str(parts.get("FREQ", [""])[0]).upper()
        if freq in TOO_FREQUENT or any(
            len(parts.get(part, [])) > 1 for part in ("BYHOUR", "BYMINUTE", "BYSECOND")
        ):
            raise IcsImportError(
                f"Event {uid!r} repeats several times a day; opening hours repeat at most daily"
            )
        count = int(parts.get("COUNT", [0])[0])
        if count > MAX_COUNT:
            raise IcsImportError(
                f"Event {uid!r} repeats {count} times; at most {MAX_COUNT} occurrences are allowed"
            )
        rule = _rule_from_rrule(
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
        for value in _date_values(event, "EXDATE"):
            day = _local_day(value)
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
        for value in _date_values(event, "RDATE"):
            day = _local_day(value)
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
        uid = _text(event, "UID", 400)
        if uid in expand:
            continue  # the expansion below already applies it
        _apply_override(event, uid, masters.get(uid), today, result)
    if expand:
        _expand(calendar, set(expand), today, horizon, kind, result, limits)
    total = len(result.rules) + len(result.exceptions)
    if total > limits.max_entries:
        raise IcsImportError(
            f"The calendar expands to {total} dates and rules; at most {limits.max_entries} "
            "can be imported"
        )
    return result


def _add_single_days(
    event: Component, base: Rule, times: _Times, today: date, result: ImportResult
) -> None:
    days = 1
    if times.opens is None and "DTEND" in event:
        end = _local(_value(event, "DTEND"))
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
    original = _local_day(_value(event, "RECURRENCE-ID"))
    cancelled = _text(event, "STATUS").upper() == "CANCELLED"
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
    times = _times(event, uid, result.warnings)
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
                description=_text(event, "SUMMARY", 500),
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
                description=_text(event, "SUMMARY", 500),
                notes=_text(event, "DESCRIPTION"),
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
            component.name == "VEVENT" and _text(component, "UID", 400) in uids
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
                f"The calendar expands to more than {limits.max_entries} dates within a year"
            )
        occurrence_start = occurrence["DTSTART"].dt
        if not isinstance(occurrence_start, datetime):
            occurrence_start = datetime.combine(occurrence_start, time(0), tzinfo=BERLIN)
        elif occurrence_start.tzinfo is None:
            occurrence_start = occurrence_start.replace(tzinfo=BERLIN)
        if occurrence_start >= end:
            break
        uid = _text(occurrence, "UID", 400)
        if uid not in uids:
            continue
        times = _times(occurrence, uid, result.warnings)
        if times is None:
            continue
        result.rules.append(
            Rule(
                kind="course" if kind == "course" else "single",
                freq=None,
                dtstart=times.day,
                opens_at=times.opens,
                closes_at=times.closes,
                description=_text(occurrence, "SUMMARY", 500),
                notes=_text(occurrence, "DESCRIPTION"),
                source="import",
                external_uid=f"{uid}#{times.day.isoformat()}T{times.opens or ''}",
            )
        )

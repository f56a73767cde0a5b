"""HSDS `schedule` objects read back into rules and exceptions (see calendars.hsds).

Rows a Lotse export derived from a closure are skipped and the closures restored from the
`x_lotse` extension; rows from other publishers are read as plain RRULE fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from calendars.rules import (
    WEEKDAYS,
    DayRef,
    Rule,
    RuleError,
    ScheduleExceptionValue,
    parse_byday,
    parse_bymonthday,
    validate_exception,
    validate_rule,
)
from core.time import BERLIN

EXTENSION = "x_lotse"
ScheduleValue = Rule | ScheduleExceptionValue


def _day(value: Any, field: str, ident: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RuleError(f"Schedule {ident}: {field} {value!r} is not a date (YYYY-MM-DD)") from None


def _int(value: Any, field: str, ident: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RuleError(f"Schedule {ident}: {field} {value!r} is not a number") from None
    if number != int(number):
        raise RuleError(f"Schedule {ident}: {field} must be a whole number")
    return int(number)


def _wall_time(
    value: Any, field: str, ident: str, offset_hours: float | None, on: date
) -> time | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if len(text) >= 4 and text[1] == ":":
        text = "0" + text
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        raise RuleError(f"Schedule {ident}: {field} {value!r} is not a time (HH:MM)") from None
    zone = parsed.tzinfo
    if zone is None and offset_hours is not None:
        zone = timezone(timedelta(hours=offset_hours))
    if zone is not None:
        moment = datetime.combine(on, parsed.replace(tzinfo=None), tzinfo=zone)
        parsed = moment.astimezone(BERLIN).time()
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def _uuid(value: Any, field: str, ident: str) -> UUID | None:
    if value in (None, ""):
        return None
    try:
        return UUID(str(value))
    except ValueError:
        raise RuleError(f"Schedule {ident}: {field} {value!r} is not a UUID") from None


def _freq_and_days(
    item: Mapping[str, Any], ident: str
) -> tuple[str | None, tuple[DayRef, ...], tuple[int, ...]]:
    for unsupported in ("byweekno", "byyearday"):
        if item.get(unsupported) not in (None, ""):
            raise RuleError(f"Schedule {ident}: {unsupported} is not supported; use byday")
    freq = str(item.get("freq") or "").strip().upper() or None
    byday_text = str(item.get("byday") or "")
    bymonthday_text = str(item.get("bymonthday") or "")
    if freq == "DAILY":
        freq = "WEEKLY"
        byday_text = byday_text or ",".join(WEEKDAYS)
    if freq is None and byday_text:
        freq = "WEEKLY"
    if freq is None and bymonthday_text:
        freq = "MONTHLY"
    try:
        byday = parse_byday(byday_text, freq)
        bymonthday = parse_bymonthday(bymonthday_text)
    except RuleError as error:
        raise RuleError(f"Schedule {ident}: {error}") from None
    wkst = str(item.get("wkst") or "MO").upper()
    interval = item.get("interval") or 1
    if freq == "WEEKLY" and str(interval) not in ("1", "1.0") and wkst != "MO":
        split = WEEKDAYS.index(wkst) if wkst in WEEKDAYS else -1
        if split < 0 or len({ref.weekday >= split for ref in byday}) > 1:
            raise RuleError(f"Schedule {ident}: weeks starting on {wkst} are not supported here")
    return freq, byday, bymonthday


def _value_from_hsds(item: Mapping[str, Any]) -> ScheduleValue | None:
    ident = str(item.get("id") or "?")
    extension = item.get(EXTENSION) if isinstance(item.get(EXTENSION), Mapping) else {}
    assert isinstance(extension, Mapping)
    if extension.get("derived_from"):
        return None
    freq, byday, bymonthday = _freq_and_days(item, ident)
    dtstart = _day(item.get("dtstart"), "dtstart", ident)
    valid_from = _day(item.get("valid_from"), "valid_from", ident)
    valid_to = _day(item.get("valid_to"), "valid_to", ident)
    until = _day(item.get("until"), "until", ident)
    count = _int(item.get("count"), "count", ident)
    offset = item.get("timezone")
    offset_hours = float(offset) if isinstance(offset, (int, float)) else None
    reference = dtstart or valid_from or date.today()
    opens = _wall_time(item.get("opens_at"), "opens_at", ident, offset_hours, reference)
    closes = _wall_time(item.get("closes_at"), "closes_at", ident, offset_hours, reference)
    if opens == time(0) and closes == time(23, 59):
        opens = closes = None
    elif closes == time(23, 59):
        closes = None
    owners: dict[str, Any] = {
        "service_id": _uuid(item.get("service_id"), "service_id", ident),
        "location_id": _uuid(item.get("location_id"), "location_id", ident),
        "service_at_location_id": _uuid(
            item.get("service_at_location_id"), "service_at_location_id", ident
        ),
    }
    value_id = _uuid(item.get("id"), "id", ident) or uuid.uuid4()
    if extension.get("exception") == "extra":
        first = valid_from or dtstart
        if first is None:
            raise RuleError(f"Schedule {ident}: an extra date needs its date")
        return validate_exception(
            ScheduleExceptionValue(
                id=value_id,
                kind="extra",
                starts_on=first,
                ends_on=valid_to or until or first,
                opens_at=opens,
                closes_at=closes,
                description=str(item.get("description") or ""),
                schedule_id=_uuid(extension.get("schedule_id"), "schedule_id", ident),
                **owners,
            )
        )
    if "valid_from" in extension:
        valid_from = _day(extension.get("valid_from"), "valid_from", ident)
        valid_to = _day(extension.get("valid_to"), "valid_to", ident)
    kind = str(extension.get("kind") or "")
    single = bool(extension.get("single_date")) or kind in ("", "single")
    if count == 1 and dtstart is not None and freq is not None and single:
        # One occurrence on its first date: a single date.
        freq, byday, bymonthday, count = None, (), (), None
        if valid_from == dtstart and valid_to == dtstart:
            valid_from = valid_to = None
    if freq is None and dtstart is None and valid_from is not None and valid_from == valid_to:
        dtstart = valid_from
    if not kind:
        kind = "single" if freq is None else ("course" if (until or count) else "hours")
    rule = Rule(
        id=value_id,
        kind=kind,
        freq=freq,
        interval=_int(item.get("interval"), "interval", ident) or 1,
        byday=byday,
        bymonthday=bymonthday,
        dtstart=dtstart,
        until=until,
        count=count,
        opens_at=opens,
        closes_at=closes,
        valid_from=valid_from,
        valid_to=valid_to,
        description=str(item.get("description") or ""),
        notes=str(item.get("notes") or ""),
        appointment_only=bool(extension.get("appointment_only", False)),
        open_on_holidays=bool(extension.get("open_on_holidays", False)),
        source="import",
        **owners,
    )
    try:
        return validate_rule(rule)
    except RuleError as error:
        raise RuleError(f"Schedule {ident}: {error}") from None


def _closures_from_extension(item: Mapping[str, Any], rule: Rule) -> list[ScheduleExceptionValue]:
    extension = item.get(EXTENSION)
    if not isinstance(extension, Mapping):
        return []
    found: list[ScheduleExceptionValue] = []
    for closure in extension.get("closures") or []:
        ident = str(closure.get("id") or "?")
        starts_on = _day(closure.get("starts_on"), "starts_on", ident)
        ends_on = _day(closure.get("ends_on"), "ends_on", ident) or starts_on
        if starts_on is None or ends_on is None:
            raise RuleError(f"Closure {ident}: needs its first day")
        found.append(
            validate_exception(
                ScheduleExceptionValue(
                    id=_uuid(closure.get("id"), "id", ident) or uuid.uuid4(),
                    kind="closed",
                    starts_on=starts_on,
                    ends_on=ends_on,
                    description=str(closure.get("description") or ""),
                    schedule_id=rule.id if closure.get("rule_only") else None,
                    service_id=rule.service_id,
                    location_id=rule.location_id,
                    service_at_location_id=rule.service_at_location_id,
                )
            )
        )
    return found


def schedules_from_hsds(items: Iterable[Mapping[str, Any]]) -> list[ScheduleValue]:
    """Rules and exceptions from HSDS schedule objects; raises RuleError naming the schedule."""
    values: list[ScheduleValue] = []
    seen_closures: set[UUID] = set()
    for item in items:
        value = _value_from_hsds(item)
        if value is None:
            continue
        values.append(value)
        if isinstance(value, Rule):
            for closure in _closures_from_extension(item, value):
                if closure.id not in seen_closures:
                    seen_closures.add(closure.id)
                    values.append(closure)
    return values

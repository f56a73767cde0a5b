"""Schedules as plain values: a recurrence rule with an opening interval, and its exceptions.

These are independent of the database so that computations, exports and imports can be tested
without one. `rule_from_row`/`exception_from_row` read Piccolo rows (objects or dicts).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, Literal
from uuid import UUID

from core.errors import N_, ReadableError

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQS = ("WEEKLY", "MONTHLY")
KINDS = ("hours", "course", "single")
EXCEPTION_KINDS = ("closed", "extra")
# Far beyond any opening-hours rule; larger counts come from broken or hostile input.
MAX_COUNT = 5000
MAX_INTERVAL = 52

Kind = Literal["hours", "course", "single"]

_BYDAY = re.compile(r"^([+-]?)([1-5]?)(MO|TU|WE|TH|FR|SA|SU)$")


class RuleError(ReadableError, ValueError):
    """A schedule that cannot be used; the message says what to change. Also a ValueError,
    as a bad value it is (callers and parsers catch it as one)."""


@dataclass(frozen=True, slots=True)
class DayRef:
    """A BYDAY entry: a weekday (0 = Monday), with an ordinal in the month for MONTHLY rules."""

    weekday: int
    ordinal: int | None = None

    def to_ical(self) -> str:
        prefix = "" if self.ordinal is None else str(self.ordinal)
        return f"{prefix}{WEEKDAYS[self.weekday]}"


def parse_byday(text: str, freq: str | None = "MONTHLY") -> tuple[DayRef, ...]:
    """Parse "MO,WE" or "1SA" or "-1FR"; ordinals are allowed only for MONTHLY rules."""
    refs: list[DayRef] = []
    for raw in text.replace(" ", "").upper().split(","):
        if not raw:
            continue
        match = _BYDAY.match(raw)
        if match is None:
            raise RuleError(
                N_("Unknown weekday {value}: use MO, TU, WE, TH, FR, SA or SU"), value=raw
            )
        sign, number, day = match.groups()
        ordinal = None
        if number:
            ordinal = -int(number) if sign == "-" else int(number)
            if freq != "MONTHLY":
                raise RuleError(N_("A numbered weekday (like 1SA) needs a monthly rule"))
        elif sign:
            raise RuleError(
                N_("Unknown weekday {value}: use MO, TU, WE, TH, FR, SA or SU"), value=raw
            )
        ref = DayRef(WEEKDAYS.index(day), ordinal)
        if ref not in refs:
            refs.append(ref)
    return tuple(refs)


def parse_bymonthday(text: str) -> tuple[int, ...]:
    days: list[int] = []
    for raw in text.replace(" ", "").split(","):
        if not raw:
            continue
        try:
            value = int(raw)
        except ValueError:
            raise RuleError(N_("Day of month {value} is not a number"), value=raw) from None
        if value == 0 or not -31 <= value <= 31:
            raise RuleError(
                N_("Day of month {value} must be between 1 and 31 (or -1 to -31)"), value=value
            )
        if value not in days:
            days.append(value)
    return tuple(days)


@dataclass(frozen=True, slots=True)
class Rule:
    """One schedule row: when it recurs and the interval it is open on each of those days."""

    id: UUID = field(default_factory=uuid.uuid4)
    kind: str = "hours"
    freq: str | None = "WEEKLY"
    interval: int = 1
    byday: tuple[DayRef, ...] = ()
    bymonthday: tuple[int, ...] = ()
    dtstart: date | None = None
    until: date | None = None
    count: int | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    description: str = ""
    notes: str = ""
    appointment_only: bool = False
    open_on_holidays: bool = False
    service_id: UUID | None = None
    location_id: UUID | None = None
    service_at_location_id: UUID | None = None
    source: str = "manual"
    external_uid: str | None = None
    sequence: int = 0
    last_modified: datetime | None = None

    @property
    def anchor(self) -> date | None:
        """The first day the rule may produce: dtstart, else valid_from."""
        return self.dtstart or self.valid_from

    @property
    def whole_day(self) -> bool:
        return self.opens_at is None

    def with_changes(self, **changes: Any) -> Rule:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ScheduleExceptionValue:
    """A closure of a date range, or an extra opening on dates the rules don't cover."""

    id: UUID = field(default_factory=uuid.uuid4)
    kind: str = "closed"
    starts_on: date = date(1970, 1, 1)
    ends_on: date = date(1970, 1, 1)
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""
    # Set when the exception concerns one rule only; None: all rules of the owner.
    schedule_id: UUID | None = None
    service_id: UUID | None = None
    location_id: UUID | None = None
    service_at_location_id: UUID | None = None
    source: str = "manual"
    external_uid: str | None = None
    sequence: int = 0
    last_modified: datetime | None = None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def validate_rule(rule: Rule) -> Rule:
    """Return the rule if it can be used, else raise RuleError with an actionable message."""
    if rule.kind not in KINDS:
        raise RuleError(
            N_("Unknown schedule kind {value}: use hours, course or single"), value=rule.kind
        )
    if rule.freq is None:
        if rule.dtstart is None:
            raise RuleError(N_("A single date needs its date (dtstart)"))
        if rule.byday or rule.bymonthday or rule.count or rule.until:
            raise RuleError(
                N_("A single date cannot repeat: remove weekdays, days, until and count")
            )
    else:
        if rule.freq not in FREQS:
            raise RuleError(N_("Unknown frequency {value}: use WEEKLY or MONTHLY"), value=rule.freq)
        if not 1 <= rule.interval <= MAX_INTERVAL:
            raise RuleError(N_("The interval must be between 1 and {max}"), max=MAX_INTERVAL)
        if rule.interval > 1 and rule.anchor is None:
            raise RuleError(N_("A rule repeating every few weeks or months needs a first date"))
        if rule.freq == "WEEKLY":
            if rule.bymonthday:
                raise RuleError(N_("Days of the month need a monthly rule"))
            if any(ref.ordinal is not None for ref in rule.byday):
                raise RuleError(N_("A numbered weekday (like 1SA) needs a monthly rule"))
            if not rule.byday and rule.anchor is None:
                raise RuleError(N_("Choose at least one weekday"))
        if (
            rule.freq == "MONTHLY"
            and not rule.byday
            and not rule.bymonthday
            and rule.anchor is None
        ):
            raise RuleError(N_("Choose a day of the month or a weekday like the first Saturday"))
        if rule.count is not None and not 1 <= rule.count <= MAX_COUNT:
            raise RuleError(
                N_("The number of occurrences must be between 1 and {max}"), max=MAX_COUNT
            )
        if rule.count is not None and rule.until is not None:
            raise RuleError(N_("Give either an end date or a number of occurrences, not both"))
        if rule.until is not None and rule.anchor is not None and rule.until < rule.anchor:
            raise RuleError(N_("The end date lies before the first date"))
    if rule.opens_at is None and rule.closes_at is not None:
        raise RuleError(N_("A closing time needs an opening time"))
    if rule.opens_at is not None and rule.closes_at is not None and rule.closes_at <= rule.opens_at:
        raise RuleError(N_("The closing time must be after the opening time"))
    if rule.valid_from and rule.valid_to and rule.valid_to < rule.valid_from:
        raise RuleError(N_("'Valid to' lies before 'valid from'"))
    return rule


def validate_exception(exc: ScheduleExceptionValue) -> ScheduleExceptionValue:
    if exc.kind not in EXCEPTION_KINDS:
        raise RuleError(N_("Unknown exception kind {value}: use closed or extra"), value=exc.kind)
    if exc.ends_on < exc.starts_on:
        raise RuleError(N_("The last day of the exception lies before its first day"))
    if (exc.ends_on - exc.starts_on).days > 366:
        raise RuleError(N_("An exception may span at most one year"))
    if exc.kind == "extra":
        if exc.opens_at is None and exc.closes_at is not None:
            raise RuleError(N_("A closing time needs an opening time"))
        if exc.opens_at and exc.closes_at and exc.closes_at <= exc.opens_at:
            raise RuleError(N_("The closing time must be after the opening time"))
    return exc


def _get(row: Any, name: str, default: Any = None) -> Any:
    if type(row) is dict or isinstance(row, Mapping):
        return row.get(name, default)
    return getattr(row, name, default)


def _fk(row: Any, name: str) -> UUID | None:
    value = _get(row, name)
    if value is None or isinstance(value, UUID):
        return value
    if isinstance(value, str):
        return UUID(value)
    # A Piccolo row object gives the referenced id through the FK attribute.
    return _fk({name: getattr(value, "id", None)}, name)


def _time(value: Any) -> time | None:
    if value is None or isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def rule_from_row(row: Any) -> Rule:
    """A Rule from a `Schedule` row (a Piccolo object or a dict from `.select()`)."""
    freq = _get(row, "freq") or None
    return Rule(
        id=_get(row, "id"),
        kind=_get(row, "kind", "hours"),
        freq=freq,
        interval=_get(row, "interval", 1) or 1,
        byday=parse_byday(_get(row, "byday", "") or "", freq),
        bymonthday=parse_bymonthday(_get(row, "bymonthday", "") or ""),
        dtstart=_date(_get(row, "dtstart")),
        until=_date(_get(row, "until")),
        count=_get(row, "repeat_count"),
        opens_at=_time(_get(row, "opens_at")),
        closes_at=_time(_get(row, "closes_at")),
        valid_from=_date(_get(row, "valid_from")),
        valid_to=_date(_get(row, "valid_to")),
        description=_get(row, "description", "") or "",
        notes=_get(row, "notes", "") or "",
        appointment_only=bool(_get(row, "appointment_only", False)),
        open_on_holidays=bool(_get(row, "open_on_holidays", False)),
        service_id=_fk(row, "service"),
        location_id=_fk(row, "location"),
        service_at_location_id=_fk(row, "service_at_location"),
        source=_get(row, "source", "manual") or "manual",
        external_uid=_get(row, "external_uid"),
        sequence=_get(row, "sequence", 0) or 0,
        last_modified=_get(row, "last_modified"),
    )


def rule_to_row(rule: Rule) -> dict[str, Any]:
    """Column values of a `Schedule` row for this rule (without owner and bookkeeping)."""
    return {
        "kind": rule.kind,
        "freq": rule.freq,
        "interval": rule.interval,
        "byday": ",".join(ref.to_ical() for ref in rule.byday),
        "bymonthday": ",".join(str(day) for day in rule.bymonthday),
        "dtstart": rule.dtstart,
        "until": rule.until,
        "repeat_count": rule.count,
        "opens_at": rule.opens_at,
        "closes_at": rule.closes_at,
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "description": rule.description,
        "notes": rule.notes,
        "appointment_only": rule.appointment_only,
        "open_on_holidays": rule.open_on_holidays,
    }


def exception_from_row(row: Any) -> ScheduleExceptionValue:
    starts_on = _date(_get(row, "starts_on"))
    ends_on = _date(_get(row, "ends_on")) or starts_on
    assert starts_on is not None and ends_on is not None
    return ScheduleExceptionValue(
        id=_get(row, "id"),
        kind=_get(row, "kind", "closed"),
        starts_on=starts_on,
        ends_on=ends_on,
        opens_at=_time(_get(row, "opens_at")),
        closes_at=_time(_get(row, "closes_at")),
        description=_get(row, "description", "") or "",
        schedule_id=_fk(row, "schedule"),
        service_id=_fk(row, "service"),
        location_id=_fk(row, "location"),
        service_at_location_id=_fk(row, "service_at_location"),
        source=_get(row, "source", "manual") or "manual",
        external_uid=_get(row, "external_uid"),
        sequence=_get(row, "sequence", 0) or 0,
        last_modified=_get(row, "last_modified"),
    )


def exception_to_row(exc: ScheduleExceptionValue) -> dict[str, Any]:
    return {
        "kind": exc.kind,
        "starts_on": exc.starts_on,
        "ends_on": exc.ends_on,
        "opens_at": exc.opens_at,
        "closes_at": exc.closes_at,
        "description": exc.description,
    }

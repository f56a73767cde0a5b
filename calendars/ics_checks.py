"""Checks an .ics file passes before its events are read: size, number of components, readable
properties, one plain Gregorian RRULE per event and dates within the import horizon.

Each refusal names the event and the property, so the person who exported the calendar knows
what to change; nothing of a refused calendar is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import x_wr_timezone
from dateutil.rrule import rrulestr
from icalendar import Calendar, Component
from icalendar.prop import vBroken

from calendars.ics_events import IcsImportError, label_of
from core.i18n import N_
from core.time import BERLIN

# Before 1900 no opening hours were kept; such dates come from templates or broken exports, and
# expanding a rule from there would cost thousands of steps before reaching today.
EARLIEST_YEAR = 1900
_BEGIN = re.compile(rb"^BEGIN:", re.IGNORECASE | re.MULTILINE)
# RFC 5545 3.6.1: these "MUST NOT occur more than once" in a VEVENT.
_ONCE = ("UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SEQUENCE",
         "STATUS", "SUMMARY", "DESCRIPTION")
_DATE_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "EXDATE", "RDATE", "RRULE")


@dataclass(frozen=True)
class ImportLimits:
    """Bounds of one import; `from_settings` reads the LOTSE_ICS_* variables."""

    max_bytes: int = 2_000_000
    max_components: int = 5_000
    # Rules, closures and single dates together, after expansion.
    max_entries: int = 5_000
    horizon_years: int = 2

    @classmethod
    def from_settings(cls) -> ImportLimits:
        from settings import get_settings

        settings = get_settings()
        return cls(
            max_bytes=settings.ics_max_bytes,
            max_components=settings.ics_max_components,
            max_entries=settings.ics_max_occurrences,
            horizon_years=settings.ics_horizon_years,
        )

    def horizon(self, today: date) -> date:
        return today + timedelta(days=366 * self.horizon_years)


def check_size(data: bytes, limits: ImportLimits) -> None:
    if len(data) > limits.max_bytes:
        raise IcsImportError(
            N_("The calendar is larger than {size} KB; export a shorter period"),
            size=limits.max_bytes // 1000,
        )
    # Counting BEGIN lines bounds the work of the parser before it starts.
    components = len(_BEGIN.findall(data))
    if components > limits.max_components:
        raise IcsImportError(
            N_("The calendar has {count} parts (events, time zones, alarms); at most {max} "
               "can be imported"),
            count=components,
            max=limits.max_components,
        )


def parse_calendars(data: bytes, limits: ImportLimits) -> tuple[Calendar, int]:
    """All VCALENDARs of the stream (RFC 5545 allows several) as one, and how many there were."""
    check_size(data, limits)
    try:
        parsed = Calendar.from_ical(data, multiple=True)
    except Exception as error:  # the parser raises many types; each means "not iCalendar"
        raise IcsImportError(
            N_("This is not a valid iCalendar file ({detail})"), detail=str(error)[:200]
        ) from None
    calendars = [item for item in parsed if isinstance(item, Calendar)]
    if not calendars:
        raise IcsImportError(
            N_("The file holds no complete calendar (BEGIN:VCALENDAR … END:VCALENDAR)")
        )
    if any(item.name != "VCALENDAR" for item in calendars):
        raise IcsImportError(N_("This is not an iCalendar file: it has no VCALENDAR"))
    merged = Calendar()
    zones: set[str] = set()
    for calendar in calendars:
        standard = _standard(calendar)
        for name in ("X-WR-CALNAME", "NAME"):
            if name in standard and name not in merged:
                merged.add(name, standard[name])
        for component in standard.subcomponents:
            if component.name == "VTIMEZONE":
                tzid = str(component.get("TZID"))
                if tzid in zones:
                    continue
                zones.add(tzid)
            merged.add_component(component)
    return merged, len(calendars)


def _standard(calendar: Calendar) -> Calendar:
    try:
        # Google writes floating or UTC times and names the zone in X-WR-TIMEZONE.
        standard = x_wr_timezone.to_standard(calendar)
    except Exception as error:  # the library raises plain errors for unknown zones
        zone = calendar.get("X-WR-TIMEZONE")
        raise IcsImportError(
            N_("The calendar names the unknown time zone {zone}"), zone=str(zone)
        ) from error
    if not isinstance(standard, Calendar):
        raise IcsImportError(N_("This is not an iCalendar file: it has no VCALENDAR"))
    return standard


def _raw(prop: Any, limit: int = 80) -> str:
    """The property's value as written, for a message (some types give text, most bytes)."""
    value = prop.to_ical()
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))[:limit]


def _broken(event: Component, name: str) -> str | None:
    prop = event.get(name)
    for item in prop if isinstance(prop, list) else [prop]:
        if isinstance(item, vBroken):
            return _raw(item)
    return None


def check_event(event: Component, today: date, limits: ImportLimits) -> None:
    """Refuse an event Lotse would misread; return quietly for one it can take."""
    label = label_of(event)
    for name in _DATE_PROPERTIES:
        raw = _broken(event, name)
        if raw is not None:
            raise IcsImportError(
                N_("Event “{event}”: the value of {name} cannot be read: {value}"),
                event=label,
                name=name,
                value=raw,
            )
    for name in _ONCE:
        prop = event.get(name)
        if isinstance(prop, list):
            raise IcsImportError(
                N_("Event “{event}” has {name} {count} times; it may appear only once"),
                event=label,
                name=name,
                count=len(prop),
            )
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = event.get(name)
        value = getattr(prop, "dt", None)
        if prop is not None and not isinstance(value, date):  # a time of day or a period
            raise IcsImportError(
                N_("Event “{event}”: the value of {name} cannot be read: {value}"),
                event=label,
                name=name,
                value=_raw(prop),
            )
    if "RECURRENCE-ID" in event and "DTSTART" not in event:
        raise IcsImportError(
            N_("Event “{event}” changes one date of a series (RECURRENCE-ID) but has no DTSTART"),
            event=label,
        )
    rules = event.get("RRULE")
    if isinstance(rules, list):
        raise IcsImportError(
            N_("Event “{event}” has {count} repetition rules (RRULE); Lotse reads one per event"),
            event=label,
            count=len(rules),
        )
    start = event.get("DTSTART")
    if start is not None:
        _check_day(label, start.dt, today, limits)
    if rules is not None:
        _check_rule(label, rules, start.dt if start is not None else None)


def _check_day(label: str, value: date | datetime, today: date, limits: ImportLimits) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if day.year < EARLIEST_YEAR:
        raise IcsImportError(
            N_("Event “{event}” starts on {day}; dates before {year} cannot be imported"),
            event=label,
            day=day.isoformat(),
            year=EARLIEST_YEAR,
        )
    if day > limits.horizon(today):
        raise IcsImportError(
            N_("Event “{event}” starts on {day}, more than {years} years ahead; Lotse imports "
               "dates up to {last}"),
            event=label,
            day=day.isoformat(),
            years=limits.horizon_years,
            last=limits.horizon(today).isoformat(),
        )


def _check_rule(label: str, rule: Any, start: date | datetime | None) -> None:
    parts = {str(key).upper(): value for key, value in rule.items()}
    if "RSCALE" in parts or "SKIP" in parts:
        scale = str((parts.get("RSCALE") or ["GREGORIAN"])[0]).upper()
        raise IcsImportError(
            N_("Event “{event}” repeats in the calendar system {scale} (RSCALE, RFC 7529); "
               "Lotse reads plain Gregorian rules only"),
            event=label,
            scale=scale,
        )
    text, shown = _raw(rule, limit=10_000), _raw(rule)
    if "FREQ" not in parts:
        raise IcsImportError(
            N_("Event “{event}”: the repetition rule {rule} has no FREQ"), event=label, rule=shown
        )
    try:
        # dateutil expands the rules later; what it cannot parse is refused here, by name.
        rrulestr(text, dtstart=start if isinstance(start, datetime) else None)
    except (ValueError, TypeError, OverflowError):
        raise IcsImportError(
            N_("Event “{event}”: the repetition rule {rule} is not valid"), event=label, rule=shown
        ) from None


class ZoneCheck:
    """Whether a time in a value's zone keeps the same Berlin wall time over the horizon
    (floating times and Berlin itself; also London or Lisbon, which change on the same days).
    One per import: the answers are kept per zone object, which lives as long as the calendar."""

    def __init__(self, today: date, limits: ImportLimits) -> None:
        self.first = datetime(today.year, today.month, today.day, 12)
        self.days = (limits.horizon(today) - today).days
        self.known: dict[int, bool] = {}

    def follows_berlin(self, value: date | datetime) -> bool:
        if not isinstance(value, datetime) or value.tzinfo is None:
            return True
        zone: tzinfo = value.tzinfo
        if zone is BERLIN or str(zone) == "Europe/Berlin":
            return True
        if id(zone) not in self.known:
            self.known[id(zone)] = self._constant_difference(zone)
        return self.known[id(zone)]

    def _constant_difference(self, zone: tzinfo) -> bool:
        differences: set[Any] = set()
        for offset in range(self.days + 1):
            moment = self.first + timedelta(days=offset)
            own = moment.replace(tzinfo=zone).utcoffset()
            berlin = moment.replace(tzinfo=BERLIN).utcoffset()
            differences.add(None if own is None or berlin is None else own - berlin)
            if len(differences) > 1:
                return False
        return None not in differences

"""iCalendar (RFC 5545) feeds of schedules and of booked appointments.

A schedule row becomes one recurring VEVENT. Closures and NRW holidays become EXDATEs within a
window that changes only once a year (from 1 January last year to 31 December next year), so
the output, and with it the ETag, stays stable while nothing changes. Output is deterministic:
DTSTAMP is the row's last modification, as RFC 5545 allows for objects without METHOD.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from icalendar import Calendar, Event, vRecur, vText

from calendars.compute import raw_days, rule_days
from calendars.rules import Rule, ScheduleExceptionValue
from calendars.vtimezone import berlin_timezone
from core.time import BERLIN

PRODID = "-//Lotse//Lotse Kalender 1.0//DE"
UID_DOMAIN = "lotse"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
REFRESH = timedelta(hours=6)


def feed_window(today: date) -> tuple[date, date]:
    """The days for which EXDATEs are written: last year to next year."""
    return date(today.year - 1, 1, 1), date(today.year + 1, 12, 31)


@dataclass(frozen=True)
class FeedLabels:
    """Words written into feeds; the web layer passes them translated."""

    appointment_only: str = "Nur nach Terminvereinbarung"
    course: str = "Kurs"
    closed_holidays: str = "An gesetzlichen Feiertagen (NRW) geschlossen."


@dataclass(frozen=True)
class FeedSource:
    """The schedules of one offer (or location) with what the events should say."""

    key: UUID
    summary: str
    rules: Sequence[Rule]
    exceptions: Sequence[ScheduleExceptionValue] = ()
    location: str = ""
    url: str | None = None
    description: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


def _stamp(moment: datetime | None) -> datetime:
    if moment is None:
        return EPOCH
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _start_end(day: date, opens: time | None, closes: time | None) -> tuple[date | datetime, ...]:
    if opens is None:
        return day, day + timedelta(days=1)
    start = datetime.combine(day, opens, tzinfo=BERLIN)
    if closes is None:
        return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=BERLIN)
    return start, datetime.combine(day, closes, tzinfo=BERLIN)


def _last_day(rule: Rule) -> date | None:
    """The last day the rule can produce, if it ends at all."""
    ends = [day for day in (rule.until, rule.valid_to) if day is not None]
    if rule.count is not None and rule.anchor is not None:
        days = list(raw_days(rule, rule.anchor, date(9998, 12, 31)))
        if days:
            ends.append(days[-1])
    return min(ends) if ends else None


def _base_event(uid: str, summary: str, source: FeedSource, stamp: datetime, seq: int) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", seq)
    event.add("summary", summary)
    if source.location:
        event.add("location", source.location)
    if source.url:
        event.add("url", source.url)
    # Opening hours are information, not the subscriber's own busy time.
    event.add("transp", "TRANSPARENT")
    event.add("class", "PUBLIC")
    return event


def _describe(rule: Rule, source: FeedSource, labels: FeedLabels) -> str:
    parts = [p for p in (rule.description, rule.notes, source.description) if p]
    if rule.appointment_only:
        parts.append(labels.appointment_only)
    if not rule.open_on_holidays and rule.freq is not None:
        parts.append(labels.closed_holidays)
    return "\n".join(parts)


def rule_event(
    rule: Rule, source: FeedSource, window: tuple[date, date], labels: FeedLabels
) -> Event | None:
    """The VEVENT of one rule, or None when it has no opening in or after the window."""
    first, last = window
    if rule.freq is None:
        assert rule.dtstart is not None
        kept = list(rule_days(rule, rule.dtstart, rule.dtstart, source.exceptions))
        if not kept:
            return None
        day = kept[0]
        end_day: date | None = day
    else:
        end_day = _last_day(rule)
        lo = max(d for d in (first, rule.valid_from, rule.anchor) if d is not None)
        hi = last if end_day is None else min(last, end_day)
        day_found = next(iter(rule_days(rule, lo, hi, source.exceptions)), None)
        if day_found is None:
            return None
        day = day_found
    summary = source.summary
    if rule.kind == "course":
        summary = f"{labels.course}: {summary}"
    if rule.appointment_only:
        summary = f"{summary} ({labels.appointment_only})"
    event = _base_event(
        f"schedule-{rule.id}@{UID_DOMAIN}",
        summary,
        source,
        _stamp(rule.last_modified),
        rule.sequence,
    )
    start, end = _start_end(day, rule.opens_at, rule.closes_at)
    event.add("dtstart", start)
    event.add("dtend", end)
    description = _describe(rule, source, labels)
    if description:
        event.add("description", description)
    categories = [*source.categories, rule.kind]
    event.add("categories", categories)
    if rule.freq is None:
        return event
    recur: dict[str, object] = {"freq": rule.freq.lower()}
    if rule.interval > 1:
        recur["interval"] = rule.interval
    byday = [ref.to_ical() for ref in rule.byday]
    bymonthday = list(rule.bymonthday)
    if rule.freq == "WEEKLY" and not byday:
        byday = [("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]]
    if rule.freq == "MONTHLY" and not byday and not bymonthday:
        bymonthday = [day.day]
    if byday:
        recur["byday"] = byday
    if bymonthday:
        recur["bymonthday"] = bymonthday
    recur["wkst"] = "MO"
    if end_day is not None:
        if rule.opens_at is None:
            recur["until"] = end_day
        else:
            # With a TZID start, UNTIL must be UTC: the end of the last day in Berlin.
            recur["until"] = datetime.combine(end_day, time(23, 59, 59), tzinfo=BERLIN).astimezone(
                UTC
            )
    event.add("rrule", vRecur(recur))
    window_end = last if end_day is None else min(last, end_day)
    kept_days = set(rule_days(rule, day, window_end, source.exceptions))
    excluded = [d for d in raw_days(rule, day, window_end) if d not in kept_days]
    if excluded:
        event.add("exdate", [_start_end(d, rule.opens_at, rule.closes_at)[0] for d in excluded])
    return event


def extra_event(exc: ScheduleExceptionValue, source: FeedSource, labels: FeedLabels) -> Event:
    event = _base_event(
        f"extra-{exc.id}@{UID_DOMAIN}",
        source.summary,
        source,
        _stamp(exc.last_modified),
        exc.sequence,
    )
    start, end = _start_end(exc.starts_on, exc.opens_at, exc.closes_at)
    event.add("dtstart", start)
    event.add("dtend", end)
    days = (exc.ends_on - exc.starts_on).days + 1
    if days > 1:
        event.add("rrule", vRecur({"freq": "daily", "count": days}))
    if exc.description:
        event.add("description", exc.description)
    event.add("categories", [*source.categories, "extra"])
    return event


def _calendar(name: str, description: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # NAME and X- properties are not escaped as text by default: a line break would fail the feed.
    cal.add("name", vText(name))
    cal.add("x-wr-calname", vText(name))
    cal.add("x-wr-timezone", "Europe/Berlin")
    if description:
        cal.add("description", description)
        cal.add("x-wr-caldesc", vText(description))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    cal.add_component(berlin_timezone())
    return cal


def schedule_feed(
    name: str,
    sources: Sequence[FeedSource],
    today: date,
    labels: FeedLabels | None = None,
    description: str = "",
) -> bytes:
    """The feed of one or more offers' schedules."""
    labels = labels or FeedLabels()
    window = feed_window(today)
    cal = _calendar(name, description)
    for source in sorted(sources, key=lambda s: str(s.key)):
        for rule in sorted(source.rules, key=lambda r: str(r.id)):
            event = rule_event(rule, source, window, labels)
            if event is not None:
                cal.add_component(event)
        extras = [e for e in source.exceptions if e.kind == "extra"]
        for exc in sorted(extras, key=lambda e: str(e.id)):
            cal.add_component(extra_event(exc, source, labels))
    return bytes(cal.to_ical())


@dataclass(frozen=True)
class AppointmentEntry:
    """A booked slot as the personal feed shows it: offer and place, never the client."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    url: str | None = None
    description: str = ""
    sequence: int = 0
    last_modified: datetime | None = None


def appointment_event(entry: AppointmentEntry) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    stamp = _stamp(entry.last_modified)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", entry.sequence)
    event.add("summary", entry.summary)
    event.add("dtstart", entry.starts_at.astimezone(BERLIN))
    event.add("dtend", entry.ends_at.astimezone(BERLIN))
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    if entry.description:
        event.add("description", entry.description)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "PRIVATE")
    return event


def appointments_feed(name: str, entries: Sequence[AppointmentEntry]) -> bytes:
    cal = _calendar(name)
    for entry in sorted(entries, key=lambda e: (e.starts_at, e.uid)):
        cal.add_component(appointment_event(entry))
    return bytes(cal.to_ical())


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
